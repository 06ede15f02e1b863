"""The contract between a provider module and everything that sends requests.

A provider is pure data-mapping: it builds an `HttpRequest` from golem:llm values and the
environment, maps error responses to `LlmError`, and supplies the normalizer for its wire
dialect.  It never performs I/O, so the same provider runs natively (tests, benchmarks,
library use) and inside the component, where `components/` does the wasi:http part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Protocol, Sequence, Union

from normalizer.dialect import Normalizer
from normalizer.values import Config, LlmError, Message, StreamEvent, ToolCall, ToolResult


@dataclass(frozen=True)
class HttpRequest:
    """A fully built request.  Headers hold the secret; never log or persist this object."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Provider(Protocol):
    """What `providers/<p>` exports as its `PROVIDER` object."""

    name: str

    def chat_request(
        self,
        messages: Sequence[Message],
        config: Config,
        env: Mapping[str, str],
        tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
    ) -> Union[HttpRequest, LlmError]:
        """The streaming request for `send`/`stream` (no tool results) or `continue`.

        Returns an `LlmError` (never raises) for input the provider cannot accept, or a
        missing API key: no request is sent in that case.
        """
        ...

    def error_from_response(self, status: int, body: bytes,
                            env: Optional[Mapping[str, str]] = None) -> LlmError:
        """Map a non-2xx response to an error value.  With `env` (the one the request was
        built from) the API key is scrubbed from anything the server echoed back."""
        ...

    def continues_assistant_prefix(self, config: Config) -> bool:
        """Whether the model continues a trailing assistant message instead of answering
        it (Anthropic's prefill).  A durable stream interrupted by a crash resumes that way;
        otherwise it sends a continuation prompt (durability/continuation.py)."""
        ...

    def normalizer(self) -> Normalizer:
        """A fresh normalizer for one streamed response."""
        ...

    def events_from_json(self, body: bytes) -> list[StreamEvent]:
        """Events for a non-streamed (application/json) 2xx response body: a server that
        ignored `stream: true` still gives a correct answer, through the same accumulator."""
        ...
