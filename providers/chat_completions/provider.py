"""`ChatCompletionsProvider`: the `Provider` (providers/base.py) for any Chat Completions flavor.

The class holds nothing but its frozen flavor, so a module-level `PROVIDER` is safe to build
at component build time: the environment is read only when a request is built.  Every method
returns values and never raises: an exception escaping a component export traps the worker
for good, so an unexpected failure while building a request becomes an `internal-error` value
(`providers.common.guards`, shared with the Messages dialect).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence, Union

from normalizer.dialect import Normalizer
from normalizer.openai_chat import OpenAiChatNormalizer
from normalizer.openai_chat_json import events_from_body
from normalizer.values import Config, LlmError, Message, StreamEvent, ToolCall, ToolResult
from providers.base import HttpRequest
from providers.chat_completions.errors import error_from_response
from providers.chat_completions.flavor import ChatCompletionsFlavor
from providers.chat_completions.request import build_request
from providers.common.guards import guarded_events, guarded_request
from providers.common.secrets import secret_from_env


@dataclass(frozen=True)
class ChatCompletionsProvider:
    """A provider built from one flavor; `name` is the flavor's, as the protocol wants it."""

    flavor: ChatCompletionsFlavor
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.flavor.name)

    def chat_request(
        self,
        messages: Sequence[Message],
        config: Config,
        env: Mapping[str, str],
        tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
    ) -> Union[HttpRequest, LlmError]:
        """The streaming POST, or the `LlmError` that stops it before anything is sent."""
        flavor = self.flavor
        return guarded_request(
            lambda: build_request(flavor, messages, config, env, tool_results),
            flavor.label, flavor.api_key_env, env,
        )

    def error_from_response(
        self, status: int, body: bytes, env: Optional[Mapping[str, str]] = None
    ) -> LlmError:
        """The error for a non-2xx response.

        `env` is an extension of the protocol: pass the same environment the request was
        built from and any occurrence of the API key in the body is replaced by
        "[redacted]" (see chat_completions/errors.py).  Without it the body is mapped as is.
        """
        secret = secret_from_env(self.flavor.api_key_env, env)
        return error_from_response(status, body, self.flavor.quirks, secret)

    def continues_assistant_prefix(self, config: Config) -> bool:
        """Whether `config.model` continues a trailing assistant message (the flavor's
        `prefill_model_prefixes`)."""
        return config.model.startswith(self.flavor.prefill_model_prefixes) \
            if self.flavor.prefill_model_prefixes else False

    def normalizer(self) -> Normalizer:
        """A fresh stream normalizer that knows this flavor's quirks."""
        return OpenAiChatNormalizer(self.flavor.quirks)

    def events_from_json(self, body: bytes) -> list[StreamEvent]:
        """Events for a whole (non-streamed) completion: the dialect's JSON mapping
        (`normalizer.openai_chat_json`), which also turns an unreadable body into an error."""
        flavor = self.flavor
        return guarded_events(lambda: events_from_body(body, flavor.quirks), flavor.label)
