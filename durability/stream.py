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
one finish.  The live source retries and resumes after a dropped connection by itself
(`durability/recovery.py`), inside the live half of the `get-next` that met the failure,
so the batch recorded is the one the caller got and replay sends nothing.
`blocking-get-next` is the same durable call with a blocking read in its live half, so it
never waits (or spins) on anything during replay, and live and replay make the same
sequence of durable calls.  Closing a live stream runs inside persist-nothing, so
dropping its response body leaves no entry that replay would have to match; a replaying
stream has no body and enters no zone (as golem-llm, which closes only in its live state).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from durability.call import GET_NEXT, durable_call
from durability.continuation import Partial
from durability.host_api import DurableHost
from durability.source import Source
from durability.zone import persist_nothing
from normalizer.accumulator import Accumulator
from normalizer.values import LlmError, StreamEvent, is_terminal

Batch = Optional[list[StreamEvent]]


class RecordedStream:
    """`Source` over a durable host.  `source` is the live stream when it was opened live,
    None when it was opened from the oplog; `resume(partial)` opens the continuation (a
    `durability.recovery.RecoveringStream` that starts at the partial answer, so a resumed
    stream can itself retry and resume after a drop)."""

    keep_after_end = True  # every get-next is recorded, also after the end

    __slots__ = ("_host", "_codec", "_source", "_resume", "_received", "_finished", "ended")

    def __init__(self, host: DurableHost, codec: Any, source: Optional[Source],
                 resume: Callable[[Partial], Source]) -> None:
        self._host = host
        self._codec = codec
        self._source = source
        # Needed only by a stream opened from the oplog, once, at its first live get-next;
        # not kept otherwise (it holds the call's messages).
        self._resume: Optional[Callable[[Partial], Source]] = resume if source is None else None
        self._received: Optional[Accumulator] = None if source is not None else Accumulator()
        self._finished = False
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
        if not outcome.live and batch and self._received is not None:
            self._received.add(batch)
        if batch and any(is_terminal(e) for e in batch):
            self._finished = self.ended = True
            self._release()
        return batch

    def _live_next(self, block: bool) -> Batch:
        if self._finished:
            return []
        if self._source is None:
            received, self._received = self._received, None
            partial = Partial(received.text, tuple(received.tool_calls)) if received else Partial()
            resume, self._resume = self._resume, None
            if resume is None:
                return []
            self._source = resume(partial)
        return self._source.next_batch(block)

    def _release(self) -> None:
        """The stream ended: keep only what later (recorded, empty) `get-next`s need.  The
        live source already closed its body when it produced the terminal event."""
        self._source = None
        self._resume = None
        self._received = None

    def close(self) -> None:
        """Close the live body inside persist-nothing.  Only a live stream has one (a stream
        opened from the oplog gets a source at its first live `get-next`), so a replaying
        stream enters no zone: Golem has already skipped every recorded zone, and a level
        change during replay would read the next call's entry (a divergence)."""
        if self._source is not None:
            with persist_nothing(self._host):
                self._source.close()


def _failed_batch(error: LlmError) -> Batch:
    """A failed `get-next` answers with its error event, which ends the stream."""
    return [error]
