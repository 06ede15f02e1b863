"""The shape of a stream of engine events, live or recorded.

`durability/recovery.py`'s `RecoveringStream` (live HTTP exchanges) has it, and so does the
durable `RecordedStream`, so the exported `chat-stream` resource serves either unchanged.

Once a source has `ended`, its later calls answer `[]` and do nothing else, unless it says
`keep_after_end` (the durable stream records every call, even after the end).  The
resource then swaps it for `ENDED`, so a stream that ended and is never dropped
(componentize-py 0.23.0 runs no destructor) keeps nothing of its own.
"""

from __future__ import annotations

from typing import Optional, Protocol

from normalizer.values import LlmError, StreamEvent


class Source(Protocol):
    ended: bool
    #: Whether calls after the end still matter (see the module docstring).
    keep_after_end: bool

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        """Events available now (`None` if none yet and not `block`); `[]` once ended."""
        ...

    def close(self) -> None: ...


class SourceWrapper:
    """A `Source` over another one: it passes on `ended`, `keep_after_end` and `close`, and
    a subclass says what it does to the batches (`next_batch`).  The guest's wrappers
    (scrubbing, the reasoning memory, the durable batch window) are all of this shape."""

    __slots__ = ("_source",)

    def __init__(self, source: Source) -> None:
        self._source = source

    @property
    def ended(self) -> bool:
        return self._source.ended

    @ended.setter
    def ended(self, value: bool) -> None:
        self._source.ended = value

    @property
    def keep_after_end(self) -> bool:
        return self._source.keep_after_end

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        return self._source.next_batch(block)

    def close(self) -> None:
        self._source.close()


class FailedSource:
    """A stream that could not even be opened: one `error` event, then the end."""

    keep_after_end = False

    def __init__(self, error: LlmError) -> None:
        self._pending: list[StreamEvent] = [error]
        self.ended = False

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        events, self._pending = self._pending, []
        self.ended = True
        return events

    def close(self) -> None:
        self._pending = []


class _Ended:
    """Every ended source that has nothing more to do: `[]` for ever."""

    __slots__ = ()
    ended = True
    keep_after_end = False

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        return []

    def close(self) -> None:
        pass


ENDED: Source = _Ended()
