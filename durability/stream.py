"""A durable chat stream: one oplog entry per `get-next`, replay from the oplog, resume.

States:
  live      the stream was opened live (or has resumed): each `get-next` runs the HTTP read
            inside persist-nothing and records the batch it returns;
  replaying the stream was opened from the oplog: each `get-next` returns the recorded batch
            (no HTTP) and adds its deltas to the partial answer;
  resuming  the first `get-next` that finds no recorded entry left: if the recorded batches
            ended the stream (finish or error), it returns `[]` at once, recorded like any
            batch; otherwise it opens exactly one continuation request (continuation.py)
            and from then on behaves as live.

The caller sees one coherent stream: replayed deltas, then the continuation's deltas, then
one finish.  `blocking-get-next` is the same durable call with a blocking read in its live
half, so it never waits (or spins) on anything during replay, and live and replay make the
same sequence of durable calls.  Closing runs inside persist-nothing on every path, so
dropping a live response body leaves no entry that replay would have to match.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from durability.call import GET_NEXT, durable_call
from durability.continuation import Partial
from durability.host_api import DurableHost
from durability.source import Source
from durability.zone import persist_nothing
from normalizer.accumulator import Accumulator
from normalizer.values import LlmError, StreamDelta, StreamEvent, Text, is_terminal

Batch = Optional[list[StreamEvent]]


class RecordedStream:
    """`Source` over a durable host.  `source` is the live stream when it was opened live,
    None when it was opened from the oplog; `resume(partial)` opens the continuation."""

    def __init__(self, host: DurableHost, codec: Any, source: Optional[Source],
                 resume: Callable[[Partial], tuple[Source, bool]]) -> None:
        self._host = host
        self._codec = codec
        self._source = source
        self._resume = resume
        self._received: Optional[Accumulator] = None if source is not None else Accumulator()
        self._finished = False
        self._trim_leading_space = False
        self.ended = False

    def next_batch(self, block: bool) -> Batch:
        outcome = durable_call(
            self._host, GET_NEXT,
            request=self._codec.get_next_request,
            live=lambda: self._live_next(block),
            on_error=_failed_batch,
            encode=self._codec.get_next_response,
            decode=self._codec.decode_get_next_response,
        )
        batch: Batch = outcome.value
        if batch and any(is_terminal(e) for e in batch):
            self._finished = self.ended = True
        if not outcome.live and batch and self._received is not None:
            self._received.add(batch)
        return batch

    def _live_next(self, block: bool) -> Batch:
        if self._finished:
            return []
        if self._source is None:
            received, self._received = self._received, None
            partial = Partial(received.text, tuple(received.tool_calls)) if received else Partial()
            self._source, self._trim_leading_space = self._resume(partial)
        while True:
            batch = self._source.next_batch(block)
            if not (batch and self._trim_leading_space):
                return batch
            batch = self._trim(batch)
            if batch:
                return batch
            if not block:
                return None  # only whitespace so far: nothing new for the caller yet

    def _trim(self, batch: list[StreamEvent]) -> list[StreamEvent]:
        """After a prefill without its trailing whitespace, drop the whitespace the model
        repeats at the start of its continuation (the caller already has it)."""
        out: list[StreamEvent] = []
        for event in batch:
            if self._trim_leading_space and isinstance(event, StreamDelta) and event.content:
                parts = list(event.content)
                first = parts[0]
                if isinstance(first, Text):
                    stripped = first.text.lstrip()
                    if stripped or len(parts) > 1 or event.tool_calls:
                        self._trim_leading_space = False
                    parts[0] = Text(stripped)
                    if not stripped:
                        parts.pop(0)
                    event = StreamDelta(tuple(parts) or None, event.tool_calls)
                else:
                    self._trim_leading_space = False
                if not event.content and not event.tool_calls:
                    continue
            elif is_terminal(event) or (isinstance(event, StreamDelta) and event.tool_calls):
                self._trim_leading_space = False
            out.append(event)
        return out

    def close(self) -> None:
        with persist_nothing(self._host):
            if self._source is not None:
                self._source.close()


def _failed_batch(error: LlmError) -> Batch:
    """A failed `get-next` answers with its error event, which ends the stream."""
    return [error]
