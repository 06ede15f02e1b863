"""The shape of a stream of engine events, live or recorded.

`components/chat_stream.py`'s `EventSource` (a live HTTP exchange) has it, and so does the
durable `RecordedStream`, so the exported `chat-stream` resource serves either unchanged.
"""

from __future__ import annotations

from typing import Optional, Protocol

from normalizer.values import LlmError, StreamEvent


class Source(Protocol):
    ended: bool

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        """Events available now (`None` if none yet and not `block`); `[]` once ended."""
        ...

    def close(self) -> None: ...


class FailedSource:
    """A stream that could not even be opened: one `error` event, then the end."""

    def __init__(self, error: LlmError) -> None:
        self._pending: list[StreamEvent] = [error]
        self.ended = False

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        events, self._pending = self._pending, []
        self.ended = True
        return events

    def close(self) -> None:
        self._pending = []
