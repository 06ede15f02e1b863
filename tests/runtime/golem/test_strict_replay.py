"""Each way a guest can part from Golem 1.2.2+'s replay, committed on purpose by a small
wrapper-level guest against the emulated executor, and caught: a zone entered during
replay, a WASI call on one path only, a payload that does not decode, a stray entry where a
call is expected, a trap (kept buffer, retries, then failed) against a crash (lost
buffer), an unfinished non-idempotent remote write, and a wasi:http resource released
outside a persist-nothing zone on one path only (as the guest witnesses it)."""

from __future__ import annotations

import json

import pytest

from durability.call import GET_NEXT, SEND, durable_call
from durability.host_api import DurabilityError
from durability.http_witness import (
    FIELDS,
    INCOMING_BODY,
    INCOMING_BODY_FINISH,
    INCOMING_RESPONSE,
    INPUT_STREAM,
    POLLABLE,
)
from durability.zone import persist_nothing
from runtime.golem import (
    CrashPlan,
    Divergence,
    DurableExecutor,
    InjectedCrash,
    Oplog,
    UnfinishedRemoteWrite,
    WorkerDead,
    WorkerFailed,
)
from runtime.golem.executor import MAX_RETRIES, retry_delay_ms
from runtime.golem.oplog_entry import BEGIN_REMOTE_WRITE, END_REMOTE_WRITE, ERROR
from tests.runtime.golem.payloads import EMPTY_RECORD, text

U64 = (("prim-u64-type", None),)


def executor(path, crash=None) -> DurableExecutor:
    return DurableExecutor(Oplog(path), crash)


def call(ex, op=SEND, answer="answer", decode=lambda vat: vat[0][0][1], live=None):
    """One durable call as the guest wrapper makes it (durability/call.py)."""
    return durable_call(ex, op, request=lambda: EMPTY_RECORD,
                        live=live or (lambda: answer), on_error=lambda err: "error",
                        encode=text, decode=decode).value


def clock(ex, value=7):
    """A WASI call Golem records (wall_clock::now, reduced to a u64 here)."""
    return ex.wasi_call("wall_clock::now", lambda: value,
                        lambda v: ((("prim-u64", v),), U64), lambda vat: vat[0][0][1])


def recorded(path, script) -> None:
    ex = executor(path)
    script(ex)
    ex.close()


# ---- 1. persist-nothing during replay -----------------------------------------------------

def test_a_guest_that_enters_a_zone_during_replay_diverges(tmp_path):
    """The old `RecordedStream.close()`: a zone entered unconditionally, also in replay."""
    path = tmp_path / "w.oplog"

    def careless(ex):
        with persist_nothing(ex):  # e.g. closing a body that replay never opened
            pass
        return call(ex, GET_NEXT)

    recorded(path, careless)
    again = executor(path)
    with pytest.raises(Divergence, match="unexpected oplog entry: set-oplog-persistence-level"):
        careless(again)


def test_the_fixed_guest_enters_no_zone_in_replay(tmp_path):
    path = tmp_path / "w.oplog"

    def careful(ex):
        if ex.current_durable_execution_state().is_live:
            with persist_nothing(ex):
                pass
        return call(ex, GET_NEXT)

    recorded(path, careful)
    again = executor(path)
    assert careful(again) == "answer" and again.live


# ---- 2. WASI calls on one path only ----------------------------------------------------------

def test_wasi_calls_are_recorded_at_every_level_and_replayed_in_order(tmp_path):
    path = tmp_path / "w.oplog"
    recorded(path, lambda ex: (clock(ex, 1), call(ex), clock(ex, 2)))
    again = executor(path)
    assert (clock(again, 10), call(again, answer="x"), clock(again, 20)) == (1, "answer", 2)
    assert again.live


def test_a_wasi_call_made_only_in_replay_diverges(tmp_path):
    path = tmp_path / "w.oplog"
    recorded(path, lambda ex: call(ex))
    again = executor(path)
    with pytest.raises(Divergence, match="expects wall_clock::now.*golem_llm::send"):
        clock(again)


def test_a_wasi_call_made_only_live_diverges_at_the_next_read(tmp_path):
    path = tmp_path / "w.oplog"
    recorded(path, lambda ex: (clock(ex), call(ex)))
    again = executor(path)
    with pytest.raises(DurabilityError, match="expected an entry for golem_llm::send, found "
                                              "'wall_clock::now'"):
        call(again)


def test_another_wasi_call_than_recorded_diverges(tmp_path):
    path = tmp_path / "w.oplog"
    recorded(path, clock)
    again = executor(path)
    with pytest.raises(Divergence, match="expects golem random::get_random_u64"):
        again.wasi_call("golem random::get_random_u64", lambda: 1, None, None)


# ---- 3. a payload that does not decode ---------------------------------------------------------

def test_a_replayed_payload_that_does_not_decode_is_a_divergence_not_a_value(tmp_path):
    path = tmp_path / "w.oplog"
    recorded(path, lambda ex: call(ex))

    def decode(vat):
        raise ValueError("stored type is string, expected chat-event")

    again = executor(path)
    with pytest.raises(DurabilityError, match="golem_llm::send response does not decode"):
        call(again, decode=decode)


# ---- 4. strict reads ---------------------------------------------------------------------------

def test_a_stray_marker_where_a_call_is_expected_diverges(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path)
    ex.oplog.append(BEGIN_REMOTE_WRITE, function_type=("write-remote-batched", None))
    call(ex)
    ex.close()
    with pytest.raises(Divergence, match="next entry is #2 begin-remote-write"):
        call(executor(path))


# ---- 5. trap vs crash --------------------------------------------------------------------------

@pytest.mark.parametrize("kind, kept", [("trap", True), ("crash", False)])
def test_a_trap_keeps_the_buffer_and_a_crash_loses_it(tmp_path, kind, kept):
    path = tmp_path / "w.oplog"
    ex = executor(path, CrashPlan.at_persist(2, when="after", kind=kind))
    call(ex)
    call(ex, GET_NEXT, "one")  # committed by the next call's zone
    with pytest.raises(InjectedCrash):
        call(ex, GET_NEXT, "two")  # read-remote: written to the buffer, then the failure
    entries = Oplog.open_read_only(path).entries()
    names = [e.function_name for e in entries if e.function_name]
    assert names == ["golem_llm::send"] + ["golem_llm::get_next"] * (2 if kept else 1)
    assert (entries[-1].kind == ERROR) is kept
    again = executor(path)
    replayed = [call(again, answer="x"), call(again, GET_NEXT, "x"), call(again, GET_NEXT, "x")]
    assert replayed == ["answer", "one", "two" if kept else "x"]


def test_a_trap_is_retried_three_times_then_the_worker_failed(tmp_path):
    """A deterministic divergence fails every retry: Golem writes one error entry per
    attempt, retries after 100 ms, 300 ms, 900 ms, and gives up after the third retry."""
    path = tmp_path / "w.oplog"
    recorded(path, lambda ex: call(ex))
    for attempt in range(1 + MAX_RETRIES):
        ex = executor(path)
        with pytest.raises(DurabilityError):
            call(ex, GET_NEXT)  # the guest repeats another call than recorded
        ex.fail(DurabilityError("trap"))  # the guest's trap (the worker does this)
        error = json.loads(Oplog.open_read_only(path).entries()[-1].detail)
        retried = attempt < MAX_RETRIES
        assert error["status"] == ("retrying" if retried else "failed"), attempt
        assert error["delay_ms"] == (retry_delay_ms(attempt + 1) if retried else None)
    assert [retry_delay_ms(n) for n in (1, 2, 3)] == [100, 300, 900]
    with pytest.raises(WorkerFailed):
        executor(path)


def test_a_retry_that_gets_further_resets_the_count(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path, CrashPlan.at_persist(1, "golem_llm::send", kind="trap"))
    with pytest.raises(InjectedCrash):
        call(ex)
    again = executor(path)
    assert again.live and call(again) == "answer"  # the retry runs the call live
    again.close()
    assert executor(path).status == "running"


# ---- 6. idempotence mode -----------------------------------------------------------------------

def test_with_idempotence_off_a_write_remote_call_is_bracketed_and_replays(tmp_path):
    path = tmp_path / "w.oplog"

    def script(ex):
        ex.set_idempotence_mode(False)
        return call(ex)

    recorded(path, script)
    kinds = [e.kind for e in Oplog.open_read_only(path).entries()]
    assert kinds.count(BEGIN_REMOTE_WRITE) == kinds.count(END_REMOTE_WRITE) == 1
    again = executor(path)
    assert script(again) == "answer" and again.live


def test_an_unfinished_non_idempotent_write_is_never_retried(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path, CrashPlan.at_call(1, "end-durable-function"))
    ex.set_idempotence_mode(False)
    with pytest.raises(InjectedCrash):
        call(ex)  # the begin marker is committed, the end never written
    again = executor(path)
    again.set_idempotence_mode(False)
    with pytest.raises(UnfinishedRemoteWrite, match="cannot retry"):
        call(again)
    with pytest.raises(WorkerDead):
        again.current_durable_execution_state()


def test_with_idempotence_on_the_same_crash_is_simply_retried(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path, CrashPlan.at_call(1, "end-durable-function"))
    with pytest.raises(InjectedCrash):
        call(ex)
    again = executor(path)
    assert again.live and call(again, answer="again") == "again"


# ---- 7. wasi:http released outside a zone (witnessed by the guest) ---------------------------

def release(ex, what=INCOMING_BODY):
    """The guest's witness of a wasi:http release (durability/http_witness.py)."""
    ex.observe_function_call(what.interface, what.function)


def test_a_response_released_outside_a_zone_on_the_live_path_only_diverges(tmp_path):
    """golem-ai#5: the collector drops a body after the call, live only (replay never had
    the body).  Golem wrote end-remote-write there, which the next replayed read meets."""
    path = tmp_path / "w.oplog"

    def careless(ex):
        answer = call(ex, GET_NEXT)
        if ex.current_durable_execution_state().is_live:
            release(ex)
        return answer

    recorded(path, lambda ex: (careless(ex), call(ex)))
    assert [e.kind for e in Oplog.open_read_only(path).entries()].count(END_REMOTE_WRITE) == 1
    again = executor(path)
    assert careless(again) == "answer"
    with pytest.raises(Divergence, match="read-persisted.*next entry is #\\d+ end-remote-write"):
        call(again)
    assert again.counters.releases == {}  # replay released nothing


def test_a_release_outside_a_zone_on_both_paths_is_recorded_and_replayed(tmp_path):
    """What Golem does with a request ended outside a zone: end-remote-write, committed,
    and read back by the same release in replay."""
    path = tmp_path / "w.oplog"
    recorded(path, lambda ex: (release(ex), call(ex)))
    again = executor(path)
    release(again)
    assert call(again, answer="x") == "answer" and again.live
    assert again.counters.releases == {(INCOMING_BODY.function, "smart"): 1}


def test_a_release_on_the_replay_path_only_diverges(tmp_path):
    path = tmp_path / "w.oplog"
    recorded(path, lambda ex: call(ex))
    again = executor(path)
    with pytest.raises(Divergence, match="expects end-remote-write.*golem_llm::send"):
        release(again)


def test_releases_inside_a_zone_write_nothing_and_are_counted_at_persist_nothing(tmp_path):
    """The fixed guest: every release in the live half of a call, inside its zone."""
    path = tmp_path / "w.oplog"

    def careful(ex):
        def live():
            for what in (INPUT_STREAM, INCOMING_BODY_FINISH, INCOMING_RESPONSE, POLLABLE):
                release(ex, what)
            return "answer"
        return call(ex, GET_NEXT, live=live)

    recorded(path, careful)
    assert END_REMOTE_WRITE not in [e.kind for e in Oplog.open_read_only(path).entries()]
    again = executor(path)
    assert careful(again) == "answer" and again.live
    assert again.counters.releases == {}


def test_releases_that_never_end_a_request_write_nothing_at_any_level(tmp_path):
    """A pollable, the headers: Golem's drop of them is not durable; only counted."""
    ex = executor(tmp_path / "w.oplog")
    release(ex, POLLABLE)
    release(ex, FIELDS)
    assert END_REMOTE_WRITE not in [e.kind for e in ex.entries()]
    assert ex.counters.releases == {(POLLABLE.function, "smart"): 1,
                                    (FIELDS.function, "smart"): 1}


def test_another_observed_call_is_metrics_only(tmp_path):
    ex = executor(tmp_path / "w.oplog")
    ex.observe_function_call("golem_llm", "send")
    ex.observe_function_call("wasi:http/types", "[method]incoming-body.stream")
    assert ex.counters.releases == {} and len(ex.entries()) == 1  # the `create` entry
