"""LLM provider APIs as golem:llm values: requests out, events and errors back; no I/O.

The public API:

- `PROVIDERS`       every provider by name (`registry`); each one's facts live in its own
                    file: `openai.py`, `anthropic.py`, `grok.py`, `openrouter.py`
- `Provider`        what a provider states and offers: `chat_request`,
                    `error_from_response`, `events_from_json`, `normalizer`, its environment
- `HttpRequest`     a built request, for a transport to send
- `Timeouts`        how long the transport may wait, from the environment
- `ResponseDecoder`  one HTTP response (status, content type, body bytes) → stream events
- `Outbound`        the step every value takes on its way out of a component: valid
                    Unicode, no API key (`Provider.outbound(env)` makes one per call)

Inside, one folder per wire dialect holds its mapping, one job per file
(`chat_completions/`, `anthropic_messages/`), and `common/` what both do the same way.
"""

from providers.outbound import Outbound
from providers.provider import HttpRequest, Provider
from providers.registry import PROVIDERS
from providers.response_decoder import ResponseDecoder
from providers.timeouts import Timeouts

__all__ = ["HttpRequest", "Outbound", "PROVIDERS", "Provider", "ResponseDecoder", "Timeouts"]
