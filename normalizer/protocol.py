"""The contract every wire dialect's normalizer fulfils.

A normalizer is a sans-IO state machine: SSE events in, golem:llm stream events out.  The
response decoder (providers/response_decoder.py) drives it and guarantees the stream-level
rules (one terminal event, nothing after it); the normalizer knows only its dialect
(`chat_completions/stream.py`, `anthropic_messages/stream.py`) and the provider's quirks.
"""

from __future__ import annotations

from typing import Protocol

from normalizer.values import StreamEvent
from sse.events import SseEvent


class Normalizer(Protocol):
    def feed(self, event: SseEvent) -> list[StreamEvent]:
        """Events produced by one SSE event; may be empty (keep-alives, role-only chunks)."""
        ...

    def end(self) -> list[StreamEvent]:
        """The byte stream closed.  Returns the pending `finish` if the answer was complete,
        or an `error` (truncated) if it was not; `[]` if a terminal event was already given."""
        ...
