"""The durable stream's batch window (durability/batch_window.py), on a fake timeline: a
blocking read after the first waits the window and returns everything that arrived by then
in one batch; the stream's first events, a terminal batch and non-blocking reads are never
held; the clock is read only in the live half, at persist-nothing, never on replay."""

from __future__ import annotations

from durability.batch_window import TICK_MS, BatchWindow, batch_window_ms
from durability.host_api import PERSIST_NOTHING
from durability.strategy import Durable
from normalizer import values as v
from durability import llm_codec
from tests.durability.fakes import Golem, invocations

MS = 1_000_000
FINISH = v.Finish(v.ResponseMetadata(v.FinishReason.STOP))


def delta(text: str) -> v.StreamDelta:
    return v.StreamDelta((v.Text(text),))


class Timeline:
    """A clock whose `sleep_until` moves time; `host`, when set, is asked for its
    persistence level at every clock call."""

    def __init__(self, host=None) -> None:
        self.now = 0
        self.host = host
        self.sleeps: list[int] = []
        self.levels: list[str] = []

    def now_ns(self) -> int:
        self._note()
        return self.now

    def sleep_until(self, when_ns: int) -> None:
        self._note()
        self.sleeps.append(when_ns - self.now)
        self.now = max(self.now, when_ns)

    def _note(self) -> None:
        if self.host is not None:
            self.levels.append(self.host.level)


class TimedSource:
    """Events that arrive at given times; a blocking read waits (moves the clock) to the
    next arrival."""

    keep_after_end = False

    def __init__(self, clock: Timeline, arrivals: list[tuple[int, v.StreamEvent]]) -> None:
        self.clock = clock
        self.arrivals = list(arrivals)
        self.ended = False
        self.closed = False

    def next_batch(self, block: bool):
        if self.ended:
            return []
        if block and self.arrivals and self.arrivals[0][0] > self.clock.now:
            self.clock.now = self.arrivals[0][0]
        ready = [e for t, e in self.arrivals if t <= self.clock.now]
        if not ready:
            if not self.arrivals:
                self.ended = True
                return []
            return None
        self.arrivals = self.arrivals[len(ready):]
        if any(isinstance(e, (v.Finish, v.LlmError)) for e in ready):
            self.ended = True
        return ready

    def close(self) -> None:
        self.closed = True


def tokens(count: int, every_ms: int) -> list[tuple[int, v.StreamEvent]]:
    """`count` one-word deltas, one every `every_ms`, then the finish."""
    out = [(i * every_ms * MS, delta(f"w{i} ")) for i in range(count)]
    return out + [(count * every_ms * MS, FINISH)]


def read_all(source, block=True) -> list:
    batches = []
    while True:
        batch = source.next_batch(block)
        if batch == []:
            return batches
        batches.append(batch)


def text(batches) -> str:
    return "".join(p.text for b in batches for e in b or () if isinstance(e, v.StreamDelta)
                   for p in e.content)


def test_blocking_reads_after_the_first_hold_one_window_of_events():
    clock = Timeline()
    source = BatchWindow(TimedSource(clock, tokens(100, 20)), clock, 200)
    batches = read_all(source)
    assert text(batches) == "".join(f"w{i} " for i in range(100))
    assert batches[0] == [delta("w0 ")]  # the first event at once, alone
    # It reads through each window, napping at most a tick when nothing is there.
    assert clock.sleeps and max(clock.sleeps) <= TICK_MS * MS
    # Each later batch is one merged delta of about a window of tokens (200 ms / 20 ms + 1).
    middle = batches[1:-1]
    assert all(len(b) == 1 for b in middle)
    assert all(len(b[0].content[0].text.split()) == 11 for b in middle[:-1])
    assert len(batches) < 100 / 10 + 3
    assert isinstance(batches[-1][-1], v.Finish)


def test_the_first_events_a_terminal_batch_and_non_blocking_reads_are_never_held():
    clock = Timeline()
    source = BatchWindow(TimedSource(clock, [(0, delta("a")), (5 * MS, FINISH)]), clock, 200)
    assert source.next_batch(True) == [delta("a")]
    assert source.next_batch(True) == [FINISH]  # the end is not held either
    assert clock.sleeps == [] and clock.now == 5 * MS

    clock = Timeline()
    source = BatchWindow(TimedSource(clock, tokens(5, 20)), clock, 200)
    batches = [source.next_batch(False) for _ in range(3)]
    assert clock.sleeps == []
    assert batches == [[delta("w0 ")], None, None]  # non-blocking: what is there now
    clock.now = 50 * MS
    assert source.next_batch(False) == [delta("w1 "), delta("w2 ")]  # not even merged
    assert clock.sleeps == []


def test_a_resumed_stream_is_windowed_from_its_first_read_and_zero_means_no_window():
    clock = Timeline()
    source = BatchWindow(TimedSource(clock, tokens(10, 20)), clock, 100, started=True)
    assert source.next_batch(True) == [delta("w0 w1 w2 w3 w4 w5 ")]
    assert sum(clock.sleeps) == 100 * MS

    clock = Timeline()
    batches = read_all(BatchWindow(TimedSource(clock, tokens(10, 20)), clock, 0))
    assert len(batches) == 11 and clock.sleeps == []


def test_the_window_runs_in_the_live_half_at_persist_nothing_and_replay_reads_no_clock():
    golem = Golem()
    clock = Timeline(golem)
    durable = Durable(golem, llm_codec, clock)

    def script(host_clock_source):
        stream = durable.stream((), v.Config("m"), host_clock_source, lambda partial: None,
                                batch_window_ms=200)
        return read_all(stream)

    live = script(lambda: TimedSource(clock, tokens(30, 20)))
    assert clock.sleeps and set(clock.levels) == {PERSIST_NOTHING}
    gets = [e for e in invocations(golem) if e[1] == "golem_llm::get_next"]
    assert len(gets) == len(live) + 1  # every get-next is recorded, the final [] too

    replaying = Golem(golem)
    clock.host, clock.levels, clock.sleeps = replaying, [], []
    durable = Durable(replaying, llm_codec, clock)
    assert script(lambda: TimedSource(clock, [])) == live
    assert clock.levels == [] and clock.sleeps == []


def test_without_a_clock_or_with_a_zero_window_the_durable_stream_is_unwindowed():
    for clock_given, window in ((False, 200), (True, 0)):
        golem = Golem()
        clock = Timeline()
        durable = Durable(golem, llm_codec, clock if clock_given else None)
        stream = durable.stream((), v.Config("m"), lambda: TimedSource(clock, tokens(5, 20)),
                                lambda partial: None, batch_window_ms=window)
        assert len(read_all(stream)) == 6 and clock.sleeps == []


def test_the_window_is_the_calls_option_else_the_variable_else_200_ms():
    def config(*options):
        return v.Config("m", provider_options=tuple(v.Kv(k, x) for k, x in options))

    variable = {"GOLEM_LLM_STREAM_BATCH_WINDOW_MS": "50"}
    assert batch_window_ms({}, config()) == 200
    assert batch_window_ms(variable, config()) == 50
    assert batch_window_ms(variable, config(("golem_llm_stream_batch_window_ms", "0"))) == 0
    assert batch_window_ms({"GOLEM_LLM_STREAM_BATCH_WINDOW_MS": "soon"}, config()) == 200
    assert batch_window_ms({}, config(("golem_llm_stream_batch_window_ms", "soon"))) == 0
