"""`AnthropicProvider`: the `Provider` object for the Anthropic Messages API.

The class holds no state at all, so the module-level `PROVIDER` is safe to build at
component build time: the environment is read only when a request is built.  Every method
returns values and never raises: an exception escaping a component export traps the worker
for good, so an unexpected failure becomes an `internal-error` value (with the API key
scrubbed from it; `providers.common.guards`, shared with Chat Completions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Union

from normalizer.anthropic_json import events_from_body
from normalizer.anthropic_stream import AnthropicNormalizer
from normalizer.dialect import Normalizer
from normalizer.values import Config, LlmError, Message, StreamEvent, ToolCall, ToolResult
from providers.anthropic_messages import settings
from providers.anthropic_messages.errors import error_from_response
from providers.anthropic_messages.request import build_request
from providers.base import HttpRequest
from providers.common.guards import guarded_events, guarded_request
from providers.common.secrets import secret_from_env


@dataclass(frozen=True)
class AnthropicProvider:
    """The Messages API as a golem:llm provider (see `providers.anthropic_messages`)."""

    name: str = settings.NAME

    def chat_request(
        self,
        messages: Sequence[Message],
        config: Config,
        env: Mapping[str, str],
        tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
    ) -> Union[HttpRequest, LlmError]:
        """The streaming POST, or the `LlmError` that stops it before anything is sent."""
        return guarded_request(
            lambda: build_request(messages, config, env, tool_results),
            settings.LABEL, settings.API_KEY_ENV, env,
        )

    def error_from_response(
        self, status: int, body: bytes, env: Optional[Mapping[str, str]] = None
    ) -> LlmError:
        """The error for a non-2xx response.  With `env` (the one the request was built
        from) any occurrence of the API key in the body is replaced by "[redacted]"."""
        secret = secret_from_env(settings.API_KEY_ENV, env)
        return error_from_response(status, body, settings.LABEL, secret)

    def continues_assistant_prefix(self, config: Config) -> bool:
        """Claude continues a trailing assistant message (a prefill) from its last word:
        a durable stream resumes an interrupted answer that way."""
        return True

    def normalizer(self) -> Normalizer:
        """A fresh Messages stream normalizer."""
        return AnthropicNormalizer()

    def events_from_json(self, body: bytes) -> list[StreamEvent]:
        """Events for a whole (non-streamed) Messages body, through the dialect's JSON
        mapping (`normalizer.anthropic_json`); an unreadable body is one error."""
        return guarded_events(lambda: events_from_body(body), settings.LABEL)
