"""The OpenAI Chat Completions wire dialect, shared by every provider that speaks it.

OpenAI, xAI Grok and OpenRouter accept the same request shape with a handful of differences
(endpoint, key variable, the max-tokens field name, extra headers, refused parameters, stream
and error quirks).  Each provider states them in its own file as one `ChatCompletionsProvider`
value; everything else is written once here, one job per module:

- `messages`     golem:llm messages → chat `messages`
- `tool_results` the `continue` echo: assistant `tool_calls` + one `tool` message per result
- `tools`        tool definitions and `tool_choice`
- `options`      which `provider-options` are reserved or typed
- `refusals`     fields and images a provider rejects, refused before sending
- `request`      the body, URL and headers → `HttpRequest`
- `errors`       non-2xx responses → `LlmError` (status, body, the provider's rules)
- `provider`     `ChatCompletionsProvider`, the provider's facts plus the mapping above

The stream and the non-streamed body are decoded by `normalizer.chat_completions`.
"""

from providers.chat_completions.provider import ChatCompletionsProvider
from providers.chat_completions.refusals import ParameterRule

__all__ = ["ChatCompletionsProvider", "ParameterRule"]
