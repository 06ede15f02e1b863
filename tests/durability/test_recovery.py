"""One stream over several attempts (durability/recovery.py), natively, with scripted
attempts and a fake clock: retries before the caller has an event, a resume after, the
pauses and counts the policy sets, and nothing held once the stream has ended."""

from __future__ import annotations

import json

import pytest

from durability.continuation import Partial
from durability.recovery import RecoveringStream
from normalizer import values as v
from providers.retry import AttemptFailure, Failure, RetryPolicy
from tests.durability.fakes import FakeClock

MS = 1_000_000
FINISH = v.Finish(v.ResponseMetadata(v.FinishReason.STOP, v.Usage(3, 4, 7)))


def delta(text: str) -> v.StreamDelta:
    return v.StreamDelta((v.Text(text),))


def error(kind: Failure, status=None, headers=None) -> tuple[v.LlmError, AttemptFailure]:
    err = v.LlmError(v.ErrorCode.INTERNAL_ERROR, f"{kind.value} failure")
    return err, AttemptFailure(kind, status, headers or {}, err)


class Attempt:
    """A scripted exchange: `batches` in order (None = nothing yet); an `(LlmError,
    AttemptFailure)` pair in a batch is its terminal error."""

    def __init__(self, batches):
        self._batches = list(batches)
        self.ended = self.closed = False
        self.failure = None

    def next_batch(self, block):
        while self._batches:
            batch = self._batches.pop(0)
            if batch is None:
                if block:
                    continue
                return None
            out = []
            for item in batch:
                if isinstance(item, tuple):
                    out.append(item[0])
                    self.failure = item[1]
                    self.ended = True
                    break
                out.append(item)
                if v.is_terminal(item):
                    self.ended = True
            return out
        return []

    def close(self):
        self.closed = True


class Opener:
    """Opens the scripted attempts in order and records the partial each was opened for."""

    def __init__(self, *scripts, trimmed=False):
        self.scripts = list(scripts)
        self.partials: list[Partial] = []
        self.attempts: list[Attempt] = []
        self.trimmed = trimmed

    def __call__(self, partial):
        self.partials.append(partial)
        attempt = Attempt(self.scripts.pop(0))
        self.attempts.append(attempt)
        return attempt, self.trimmed and not partial.empty


def drain(stream, block=True, clock=None, limit=50):
    events, nones = [], 0
    for _ in range(limit):
        batch = stream.next_batch(block)
        if batch is None:
            nones += 1
            if clock is not None:
                clock.now += 100 * MS
            continue
        if not batch:
            return events, nones
        events += batch
    raise AssertionError("the stream did not end")


def text(events):
    return "".join(p.text for e in events if isinstance(e, v.StreamDelta) for p in e.content or ())


def meta(events):
    (finish,) = [e for e in events if isinstance(e, v.Finish)]
    raw = finish.metadata.provider_metadata_json
    return json.loads(raw) if raw else {}


# ---- retries ------------------------------------------------------------------------------

def test_a_503_before_any_event_is_retried_after_the_backoff_and_the_finish_counts_it():
    clock = FakeClock(rand=0.0)
    opener = Opener([[error(Failure.STATUS, 503)]], [[delta("Hi")], [FINISH]])
    events, _ = drain(RecoveringStream(opener, RetryPolicy(), clock))
    assert text(events) == "Hi" and events[-1].metadata.usage == FINISH.metadata.usage
    assert meta(events) == {"attempts": 2, "resumes": 0}
    assert clock.sleeps == [500 * MS] and opener.partials == [Partial(), Partial()]
    assert opener.attempts[0].closed


def test_get_next_answers_none_while_the_pause_runs_and_never_sleeps():
    clock = FakeClock()
    opener = Opener([[error(Failure.STATUS, 429, {"retry-after-ms": "250"})]],
                    [[delta("ok"), FINISH]])
    stream = RecoveringStream(opener, RetryPolicy(), clock)
    assert stream.next_batch(False) is None  # failed, retry due in 250 ms
    clock.now += 200 * MS
    assert stream.next_batch(False) is None and len(opener.partials) == 1
    clock.now += 50 * MS
    assert text(stream.next_batch(False)) == "ok" and clock.sleeps == []


def test_retries_run_out_and_the_error_says_how_many_attempts_it_took():
    clock = FakeClock(rand=0.5)
    opener = Opener(*[[[error(Failure.CONNECT)]]] * 3)
    events, _ = drain(RecoveringStream(opener, RetryPolicy(), clock))
    (err,) = events
    assert isinstance(err, v.LlmError) and "(after 3 attempts)" in err.message
    assert json.loads(err.provider_error_json) == {"attempts": 3, "resumes": 0}
    assert clock.sleeps == [437 * MS, 875 * MS] and len(opener.partials) == 3


def test_the_attempts_go_beside_the_providers_error_body():
    body = '{"error": {"type": "overloaded_error"}, "attempts": "the provider\'s"}'
    err = v.LlmError(v.ErrorCode.INTERNAL_ERROR, "overloaded", body)
    failure = AttemptFailure(Failure.STATUS, 529, {}, err)
    opener = Opener(*[[[(err, failure)]]] * 3)
    events, _ = drain(RecoveringStream(opener, RetryPolicy(), FakeClock(rand=0.5)))
    kept = json.loads(events[-1].provider_error_json)
    assert kept == {"error": {"type": "overloaded_error"}, "attempts": "the provider's",
                    "resumes": 0}


def test_a_failure_no_retry_can_help_ends_the_stream_at_once():
    opener = Opener([[error(Failure.STATUS, 400)]])
    events, _ = drain(RecoveringStream(opener, RetryPolicy(), FakeClock()))
    assert len(events) == 1 and events[0].message == "status failure"


def test_what_a_failed_attempt_produced_before_the_caller_saw_anything_is_dropped():
    opener = Opener([[delta("half an ans"), error(Failure.BROKEN)]], [[delta("whole"), FINISH]])
    events, _ = drain(RecoveringStream(opener, RetryPolicy(), FakeClock()))
    assert text(events) == "whole"


# ---- resumes ------------------------------------------------------------------------------

def test_a_drop_after_events_were_delivered_resumes_with_one_continuation():
    opener = Opener([[delta("Once ")], [delta("upon"), error(Failure.BROKEN)]],
                    [[delta(" a time")], [FINISH]])
    clock = FakeClock()
    events, _ = drain(RecoveringStream(opener, RetryPolicy(), clock))
    assert text(events) == "Once upon a time"
    assert sum(isinstance(e, v.Finish) for e in events) == 1
    assert not any(isinstance(e, v.LlmError) for e in events)
    assert opener.partials == [Partial(), Partial("Once upon")]
    assert meta(events) == {"attempts": 2, "resumes": 1} and clock.sleeps == []


@pytest.mark.parametrize("kind", [Failure.TRUNCATED, Failure.TIMED_OUT])
def test_a_truncated_or_stalled_stream_resumes_too(kind):
    opener = Opener([[delta("Once ")], [error(kind)]], [[delta("upon a time"), FINISH]])
    events, _ = drain(RecoveringStream(opener, RetryPolicy(), FakeClock()))
    assert text(events) == "Once upon a time"


def test_after_a_prefill_the_whitespace_the_model_repeats_is_dropped():
    opener = Opener([[delta("Once ")], [error(Failure.BROKEN)]],
                    [[delta("  ")], [delta(" upon a time")], [FINISH]], trimmed=True)
    events, nones = drain(RecoveringStream(opener, RetryPolicy(), FakeClock()), block=False)
    assert text(events) == "Once upon a time" and nones >= 1


def test_a_provider_error_after_delivery_is_not_resumed():
    overloaded = v.LlmError(v.ErrorCode.INTERNAL_ERROR, "overloaded", json.dumps(
        {"type": "error", "error": {"type": "overloaded_error"}}))
    opener = Opener([[delta("Once ")], [(overloaded, AttemptFailure(Failure.IN_BAND,
                                                                    error=overloaded))]])
    events, _ = drain(RecoveringStream(opener, RetryPolicy(), FakeClock()))
    assert text(events) == "Once " and events[-1] == overloaded and len(opener.partials) == 1


def test_resumes_run_out_and_can_be_turned_off():
    script = [[delta("Once ")], [error(Failure.BROKEN)]]
    opener = Opener(script, [[delta("upon")], [error(Failure.BROKEN)]])
    events, _ = drain(RecoveringStream(opener, RetryPolicy(), FakeClock()))
    assert text(events) == "Once upon" and isinstance(events[-1], v.LlmError)
    assert "(after 2 attempts, 1 of them to resume)" in events[-1].message
    opener = Opener(script)
    events, _ = drain(RecoveringStream(opener, RetryPolicy(max_resumes=0), FakeClock()))
    assert events[-1].message == "broken failure" and len(opener.partials) == 1


def test_a_stream_resumed_after_a_crash_starts_at_its_partial_and_is_not_retried():
    opener = Opener([[error(Failure.STATUS, 503)]])
    stream = RecoveringStream(opener, RetryPolicy(), FakeClock(), partial=Partial("Once "))
    events, _ = drain(stream)
    assert opener.partials == [Partial("Once ")] and isinstance(events[-1], v.LlmError)


# ---- send and continue: nothing delivered before the end ----------------------------------

def test_held_events_make_any_failure_a_retry_from_scratch_never_a_resume():
    opener = Opener([[delta("Once ")], [delta("upon"), error(Failure.BROKEN)]],
                    [[delta("Twice")], [FINISH]])
    stream = RecoveringStream(opener, RetryPolicy(), FakeClock(), deliver=False)
    batch = stream.next_batch(True)
    assert text(batch) == "Twice" and batch[-1].metadata.usage == FINISH.metadata.usage
    assert opener.partials == [Partial(), Partial()]
    assert stream.next_batch(True) == []


# ---- the end ------------------------------------------------------------------------------

def test_an_ended_stream_holds_nothing_and_a_closed_one_opens_nothing():
    opener = Opener([[delta("Once ")], [error(Failure.BROKEN)]], [[delta("upon"), FINISH]])
    stream = RecoveringStream(opener, RetryPolicy(), FakeClock())
    drain(stream)
    held = {name: getattr(stream, name) for name in ("_open", "_attempt", "_policy", "_clock",
                                                      "_text", "_calls", "_held", "_last")}
    assert held == {"_open": None, "_attempt": None, "_policy": None, "_clock": None,
                    "_text": (), "_calls": (), "_held": (), "_last": None}
    assert all(a.closed for a in opener.attempts)

    opener = Opener([[delta("Once ")], [error(Failure.BROKEN)]])
    stream = RecoveringStream(opener, RetryPolicy(), FakeClock())
    stream.next_batch(True)
    stream.close()
    assert stream.next_batch(True) == [] and len(opener.partials) == 1


def test_an_abandoned_stream_lets_go_at_once_and_says_why_at_its_next_read():
    opener = Opener([[delta("Once ")], [delta("upon")]])
    stream = RecoveringStream(opener, RetryPolicy(), FakeClock())
    stream.next_batch(True)
    closed = v.LlmError(v.ErrorCode.INTERNAL_ERROR, "closed to make room")
    stream.abandon(closed)
    assert stream._open is None and stream._attempt is None and opener.attempts[0].closed
    assert stream.next_batch(False) == [closed] and stream.next_batch(False) == []


# ---- the end, told once (the request log's hook) ------------------------------------------

def test_the_end_is_told_once_with_the_counts_and_the_outcome():
    told = []
    opener = Opener([[error(Failure.STATUS, 503)]], [[delta("Hi")], [error(Failure.BROKEN)]],
                    [[delta(" there"), FINISH]])
    stream = RecoveringStream(opener, RetryPolicy(), FakeClock(),
                              on_end=lambda *counts: told.append(counts))
    events, _ = drain(stream)
    stream.close()  # closing an ended stream tells nothing more
    assert text(events) == "Hi there"
    assert told == [(3, 1, 1, "stop")]


def test_an_error_end_and_a_caller_who_lets_go_are_told_as_such():
    told = []
    opener = Opener([[error(Failure.FINAL)]])
    drain(RecoveringStream(opener, RetryPolicy(), FakeClock(),
                           on_end=lambda *counts: told.append(counts)))
    stream = RecoveringStream(Opener([[delta("a")], [FINISH]]), RetryPolicy(), FakeClock(),
                              on_end=lambda *counts: told.append(counts))
    stream.next_batch(True)
    stream.close()
    assert told == [(1, 0, 0, "error:internal-error"), (1, 0, 0, "closed")]
