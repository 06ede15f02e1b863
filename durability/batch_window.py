"""Fewer durable `get-next` entries: a blocking read waits a short window for more events.

In the durable flavour every `get-next` result is one oplog entry, and most of an entry is
the type description every typed entry carries (about 1.7 KB), so a caller that loops on
`blocking-get-next` while a model streams one token at a time would write one such entry per
token.  `BatchWindow` wraps the live source of a durable stream: once a blocking read has
its first events, it keeps reading without blocking until `window` after them, napping
`TICK_MS` whenever nothing is there, and returns all of it merged
(`normalizer/coalesce.py`) as one batch.  Reading through the window, rather than sleeping
it out and reading once at its end, matters: a host may hold only a frame or two of the
body between the socket and the guest (wasmtime's wasi:http does), so what a single read
after a long sleep finds is a token or two, not the window's worth.

- The stream's very first events are returned at once, never held: time to first event is
  what the caller notices most.  A stream resumed after a crash has already handed out its
  first events, so its reads are windowed from the start.
- A batch that ends the stream (`finish` or `error`) is returned at once.
- Non-blocking `get-next` returns what is there, as always: no window.
- Every clock read and sleep happens in the live half of the durable `get-next`, inside its
  persist-nothing zone (`durability/call.py`): nothing here is recorded, and replay, which
  returns the recorded batches, never reads the clock.

The window (`GOLEM_LLM_STREAM_BATCH_WINDOW_MS`, `providers/settings.py`) bounds the delay it
adds to any event, so a stream's text arrives in steps at most that far apart.
"""

from __future__ import annotations

from typing import Mapping, Optional, Protocol

from durability.source import Source, SourceWrapper
from normalizer.coalesce import coalesce
from normalizer.values import Config, StreamEvent, is_terminal
from providers.settings import STREAM_BATCH_WINDOW, CallSettings, SettingError

#: The nap between reads that found nothing, within the window.
TICK_MS = 10

_MS = 1_000_000


def batch_window_ms(env: Mapping[str, str], config: Config) -> int:
    """The call's window: its `golem_llm_stream_batch_window_ms` option, else the variable,
    else the default.  A bad option of ours is reported by the stream itself (the provider
    stream refuses it before sending anything), so here it just means no window."""
    try:
        settings, _ = CallSettings.of_call(env, config)
    except SettingError:
        return 0
    return settings.int(STREAM_BATCH_WINDOW)


class Sleeper(Protocol):
    """What the window needs of `durability.recovery.Clock`."""

    def now_ns(self) -> int: ...

    def sleep_until(self, when_ns: int) -> None: ...


class BatchWindow(SourceWrapper):
    """`source`, whose blocking reads wait `window_ms` after their first events for more
    (see the module docstring).  `started` says whether the stream's first events were
    already handed out (a stream resumed after a crash)."""

    __slots__ = ("_clock", "_window_ns", "_started")

    def __init__(self, source: Source, clock: Sleeper, window_ms: int, *,
                 started: bool = False) -> None:
        super().__init__(source)
        self._clock = clock
        self._window_ns = max(0, window_ms) * _MS
        self._started = started

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        batch = self._source.next_batch(block)
        if not batch:
            return batch
        started, self._started = self._started, True
        if not block or not started or not self._window_ns or any(map(is_terminal, batch)):
            return batch
        clock = self._clock
        deadline = clock.now_ns() + self._window_ns
        events = list(batch)
        while True:  # read what is there, up to and at the window's end
            more = self._source.next_batch(False)
            if more == []:  # the source ended
                break
            if more:
                events += more
                if any(map(is_terminal, more)):
                    break
            now = clock.now_ns()
            if now >= deadline:
                break
            if more is None:  # nothing now: nap, which also lets the host move bytes in
                clock.sleep_until(min(deadline, now + TICK_MS * _MS))
        return coalesce(events)
