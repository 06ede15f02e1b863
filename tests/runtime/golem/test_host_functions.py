"""The emulated Golem host functions, called directly in Python (no component): live
recording and replay on a fresh worker, commit rules and what a crash loses,
persist-nothing zones, divergence detection, payload validation, is-live transitions,
crash plans and counters."""

from __future__ import annotations

from typing import Optional

import pytest

from durability.call import GET_NEXT, SEND, durable_call
from runtime.golem import (
    CrashPlan,
    Divergence,
    DurableExecutor,
    InjectedCrash,
    InvalidPayload,
    Oplog,
    WorkerDead,
)
from runtime.golem.oplog_entry import (
    BEGIN_REMOTE_WRITE,
    CHANGE_PERSISTENCE_LEVEL,
    CREATE,
    END_REMOTE_WRITE,
    ERROR,
    IMPORTED_FUNCTION_INVOKED,
)
from tests.runtime.golem.payloads import EMPTY_RECORD, named, out_of_range, text, wrong_field

PN, SMART = "persist-nothing", "smart"


def executor(path, crash: Optional[CrashPlan] = None) -> DurableExecutor:
    return DurableExecutor(Oplog(path), crash)


def live_call(ex: DurableExecutor, name: str, answer: str, ftype: str = "write-remote",
              zone: bool = True) -> None:
    """What the guest wrapper does live: begin, state, the side effect inside
    persist-nothing, persist, end."""
    ex.observe_function_call(*name.split("::"))
    begin = ex.begin_durable_function(ftype)
    assert ex.current_durable_execution_state().is_live
    if zone:
        ex.set_oplog_persistence_level(PN)
        ex.set_oplog_persistence_level(SMART)
    ex.persist_typed_durable_function_invocation(name, named(name, 1), text(answer), ftype)
    ex.end_durable_function(ftype, begin, False)


def replay_call(ex: DurableExecutor, ftype: str = "write-remote"):
    begin = ex.begin_durable_function(ftype)
    assert not ex.current_durable_execution_state().is_live
    entry = ex.read_persisted_typed_durable_function_invocation()
    ex.end_durable_function(ftype, begin, False)
    return entry


def kinds(ex: DurableExecutor) -> list[str]:
    return [e.kind for e in ex.entries()]


# ---- live, then replay ------------------------------------------------------------------------

def test_a_fresh_oplog_is_live_and_starts_with_a_create_entry(tmp_path):
    ex = executor(tmp_path / "w.oplog")
    assert ex.live and ex.current_durable_execution_state().is_live
    assert ex.get_oplog_persistence_level() == SMART
    assert kinds(ex) == [CREATE]


def test_replay_on_a_fresh_worker_returns_the_same_payloads_in_order(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path)
    live_call(ex, "golem_llm::send", "first")
    live_call(ex, "golem_llm::get_next", "second", "read-remote")
    ex.invocation_completed()
    recorded = [e for e in ex.entries() if e.kind == IMPORTED_FUNCTION_INVOKED]
    ex.close()

    again = executor(path)
    assert not again.live
    first = replay_call(again)
    assert not again.live  # one recorded invocation left
    second = replay_call(again, "read-remote")
    assert again.live
    assert [(first.function_name, first.response, first.function_type),
            (second.function_name, second.response, second.function_type)] == [
        ("golem_llm::send", text("first"), "write-remote"),
        ("golem_llm::get_next", text("second"), "read-remote")]
    assert [first.index, second.index] == [e.index for e in recorded]
    assert first.timestamp_ns == recorded[0].timestamp_ns and first.entry_version == "v2"
    assert again.counters.entries_replayed == 2
    assert again.counters.entries_written == 0
    # live again: new calls append after the recorded ones
    live_call(again, "golem_llm::send", "third")
    assert [e.function_name for e in again.entries()
            if e.kind == IMPORTED_FUNCTION_INVOKED][-1] == "golem_llm::send"


def test_the_wrappers_durable_call_runs_against_the_emulated_host(tmp_path):
    """durability/call.py's protocol is satisfied natively: live it records, replayed it
    returns the recorded result without running the live side."""
    path = tmp_path / "w.oplog"
    ran: list[str] = []

    def call(ex: DurableExecutor, op, answer: str):
        return durable_call(ex, op, request=lambda: EMPTY_RECORD,
                            live=lambda: ran.append(answer) or answer,
                            on_error=lambda exc: "error", encode=text,
                            decode=lambda vat: vat[0][0][1])

    ex = executor(path)
    assert call(ex, SEND, "hello").value == "hello"
    assert call(ex, GET_NEXT, "batch").value == "batch"
    ex.invocation_completed()
    ex.close()
    again = executor(path)
    outcomes = [call(again, SEND, "other"), call(again, GET_NEXT, "other")]
    assert [(o.value, o.live) for o in outcomes] == [("hello", False), ("batch", False)]
    assert ran == ["hello", "batch"]
    assert again.live


# ---- commits and crashes ----------------------------------------------------------------------

def test_write_remote_end_commits_but_read_remote_does_not(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path)
    live_call(ex, "golem_llm::stream", "opened", zone=False)
    assert not ex.oplog.pending
    live_call(ex, "golem_llm::get_next", "batch", "read-remote", zone=False)
    assert [e.function_name for e in ex.oplog.pending] == ["golem_llm::get_next"]
    ex.crash("process killed")
    assert ex.counters.entries_lost == 1
    assert [e.function_name for e in Oplog.open_read_only(path).entries()
            if e.kind == IMPORTED_FUNCTION_INVOKED] == ["golem_llm::stream"]


def test_forced_commit_and_the_invocation_boundary_commit(tmp_path):
    ex = executor(tmp_path / "w.oplog")
    begin = ex.begin_durable_function("read-remote")
    ex.persist_typed_durable_function_invocation("f", text("a"), text("b"), "read-remote")
    ex.end_durable_function("read-remote", begin, True)
    assert not ex.oplog.pending
    live_call(ex, "golem_llm::get_next", "batch", "read-remote", zone=False)
    assert ex.oplog.pending
    ex.invocation_completed()
    assert not ex.oplog.pending


def test_a_level_change_is_committed_at_once_and_setting_the_same_level_writes_nothing(tmp_path):
    ex = executor(tmp_path / "w.oplog")
    ex.set_oplog_persistence_level(SMART)
    assert kinds(ex) == [CREATE]
    ex.set_oplog_persistence_level(PN)
    assert ex.get_oplog_persistence_level() == PN
    assert kinds(ex) == [CREATE, CHANGE_PERSISTENCE_LEVEL] and not ex.oplog.pending


def test_batched_writes_get_begin_and_end_markers_that_replay_ignores(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path)
    begin = ex.begin_durable_function(("write-remote-batched", None))
    ex.persist_typed_durable_function_invocation(
        "http::handle", text("req"), text("resp"), ("write-remote-batched", begin))
    ex.end_durable_function(("write-remote-batched", None), begin, False)
    assert kinds(ex) == [CREATE, BEGIN_REMOTE_WRITE, IMPORTED_FUNCTION_INVOKED, END_REMOTE_WRITE]
    assert ex.entries()[1].index == begin and ex.entries()[3].begin_index == begin
    assert not ex.oplog.pending  # write-remote-batched commits
    ex.close()
    again = executor(path)
    assert again.begin_durable_function(("write-remote-batched", None)) == begin
    assert again.read_persisted_typed_durable_function_invocation().function_type == (
        "write-remote-batched", begin)
    again.end_durable_function(("write-remote-batched", None), begin, False)
    assert again.live


def test_begin_returns_the_current_oplog_index_also_during_replay(tmp_path):
    """Golem returns `current_oplog_index()`: during replay that is the oplog's end."""
    path = tmp_path / "w.oplog"
    ex = executor(path)
    assert ex.begin_durable_function("write-remote") == 1
    live_call(ex, "golem_llm::send", "a")
    assert ex.begin_durable_function("write-remote") == ex.oplog.last_index == 4
    ex.close()
    again = executor(path)
    assert again.begin_durable_function("write-remote") == 4
    again.read_persisted_typed_durable_function_invocation()
    assert again.begin_durable_function("write-remote") == 4


# ---- persist-nothing zones --------------------------------------------------------------------

def test_entries_recorded_inside_persist_nothing_are_skipped_on_replay(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path)
    ex.set_oplog_persistence_level(PN)
    ex.persist_typed_durable_function_invocation("inside", text("x"), text("y"), "write-remote")
    ex.set_oplog_persistence_level(SMART)
    live_call(ex, "golem_llm::send", "outside")
    ex.close()
    again = executor(path)
    assert replay_call(again).function_name == "golem_llm::send"
    assert again.live


def _get_next_then_a_zone_then_send(path):
    ex = executor(path)
    live_call(ex, "golem_llm::get_next", "a", "read-remote")
    ex.set_oplog_persistence_level(PN)  # e.g. closing the response body
    ex.persist_typed_durable_function_invocation("inside", text("x"), text("y"), "write-remote")
    ex.set_oplog_persistence_level(SMART)
    live_call(ex, "golem_llm::send", "b")
    ex.close()


def test_entering_persist_nothing_during_replay_is_a_divergence(tmp_path):
    """Golem skips a closed zone right after the entry before it is read, so a guest that
    enters persist-nothing during replay reads what follows the zone: here the next call's
    zone is skipped too, and its entry is no level change (transactions.rs persist_nothing)."""
    path = tmp_path / "w.oplog"
    _get_next_then_a_zone_then_send(path)
    again = executor(path)
    replay_call(again, "read-remote")
    with pytest.raises(Divergence, match="unexpected oplog entry: set-oplog-persistence-level"
                                         r"\(persist-nothing\).*imported-function-invoked "
                                         "golem_llm::send"):
        again.set_oplog_persistence_level(PN)
    assert again.dead


def test_recorded_zones_are_skipped_before_the_guest_gets_there(tmp_path):
    path = tmp_path / "w.oplog"
    _get_next_then_a_zone_then_send(path)
    again = executor(path)
    replay_call(again, "read-remote")
    assert again.remaining()[0].function_name == "golem_llm::send"  # both zones gone
    assert replay_call(again).response == text("b")
    assert again.live and again.counters.entries_replayed == 2


def test_trailing_level_changes_do_not_hold_the_worker_in_replay(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path)
    live_call(ex, "golem_llm::send", "a")
    ex.set_oplog_persistence_level(PN)  # crashed inside the next call's HTTP zone
    ex.crash()
    again = executor(path)
    assert not again.live
    replay_call(again)
    assert again.live
    live_call(again, "golem_llm::send", "b")  # the retried call runs live


# ---- divergence ------------------------------------------------------------------------------

@pytest.fixture
def recorded(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path)
    live_call(ex, "golem_llm::send", "a")
    live_call(ex, "golem_llm::send", "b")
    ex.close()
    return path


def test_persisting_during_replay_is_a_divergence_and_kills_the_worker(recorded):
    ex = executor(recorded)
    with pytest.raises(Divergence, match="during replay.*golem_llm::send"):
        ex.persist_typed_durable_function_invocation("golem_llm::send", text("a"), text("b"),
                                                     "write-remote")
    assert ex.dead
    with pytest.raises(WorkerDead):
        ex.current_durable_execution_state()
    entries = Oplog.open_read_only(recorded).entries()
    assert len(entries) == 8 and entries[-1].kind == ERROR  # only the trap's error entry


def test_reading_with_nothing_left_to_replay_is_a_divergence(recorded):
    ex = executor(recorded)
    replay_call(ex)
    replay_call(ex)
    with pytest.raises(Divergence, match="nothing left to replay"):
        ex.read_persisted_typed_durable_function_invocation()


def test_reading_inside_persist_nothing_is_a_divergence(tmp_path):
    ex = executor(tmp_path / "w.oplog")
    ex.set_oplog_persistence_level(PN)
    with pytest.raises(Divergence, match="persist-nothing"):
        ex.read_persisted_typed_durable_function_invocation()


def test_a_level_change_the_oplog_does_not_have_is_a_divergence(recorded):
    ex = executor(recorded)
    replay_call(ex)
    with pytest.raises(Divergence, match="next entry is #7 imported-function-invoked"):
        ex.set_oplog_persistence_level(PN)  # the second call's zone was already skipped


def test_a_level_change_outside_a_zone_is_replayed_by_reading_it(tmp_path):
    """Golem reads the next entry as a level change (the zone after it is skipped)."""
    path = tmp_path / "w.oplog"
    ex = executor(path)
    ex.set_oplog_persistence_level("persist-remote-side-effects")
    live_call(ex, "golem_llm::send", "a")
    ex.close()
    again = executor(path)
    again.set_oplog_persistence_level("persist-remote-side-effects")
    assert replay_call(again).response == text("a") and again.live


@pytest.mark.parametrize("stray", [END_REMOTE_WRITE, "persist-remote-side-effects"])
def test_a_read_skips_no_entry_but_hints_and_closed_zones(tmp_path, stray):
    """Where an imported-function-invoked is expected, a marker or a level change outside
    a zone is a divergence, not something to step over."""
    path = tmp_path / "w.oplog"
    ex = executor(path)
    if stray == END_REMOTE_WRITE:
        ex.oplog.append(END_REMOTE_WRITE, function_type=("write-remote-batched", None),
                        begin_index=1)
    else:
        ex.set_oplog_persistence_level(stray)
    live_call(ex, "golem_llm::send", "a")
    ex.close()
    again = executor(path)
    with pytest.raises(Divergence, match="unexpected oplog entry: read-persisted.*#2"):
        replay_call(again)


# ---- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("payload, fragment", [
    (wrong_field(), "name"),
    (out_of_range(), "count"),
    ((("prim-string", "x"),), "not a \\(value nodes, type nodes\\) pair"),
    (((("prim-string", 1),), text("")[1]), "prim-string needs a str"),
])
def test_an_invalid_payload_traps_with_its_path(tmp_path, payload, fragment):
    ex = executor(tmp_path / "w.oplog")
    with pytest.raises(InvalidPayload, match=f"golem_llm::send: invalid response.*{fragment}"):
        ex.persist_typed_durable_function_invocation("golem_llm::send", text("ok"), payload,
                                                     "write-remote")
    assert ex.dead and ex.oplog.closed


def test_an_invalid_request_is_named_as_the_request(tmp_path):
    ex = executor(tmp_path / "w.oplog")
    with pytest.raises(InvalidPayload, match="invalid request"):
        ex.persist_typed_durable_function_invocation("f", wrong_field(), text("ok"),
                                                     "read-remote")


# ---- crash plans and counters --------------------------------------------------------------------

def test_crash_at_the_nth_host_call_does_not_run_it(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path, CrashPlan.at_call(3))
    ex.observe_function_call("golem_llm", "send")
    ex.begin_durable_function("write-remote")
    with pytest.raises(InjectedCrash, match="current-durable-execution-state"):
        ex.current_durable_execution_state()
    assert ex.dead


def test_crash_at_the_nth_call_of_one_function(tmp_path):
    path = tmp_path / "w.oplog"
    ex = executor(path, CrashPlan.at_call(2, "end-durable-function"))
    live_call(ex, "golem_llm::send", "a")
    with pytest.raises(InjectedCrash):
        live_call(ex, "golem_llm::send", "b")  # persisted, but its end never runs
    assert [e.response for e in Oplog.open_read_only(path).entries()
            if e.kind == IMPORTED_FUNCTION_INVOKED] == [text("a")]


@pytest.mark.parametrize("when, survives", [("before", False), ("after", False),
                                            ("after-commit", True)])
def test_crash_around_the_kth_get_next_persist(tmp_path, when, survives):
    path = tmp_path / "w.oplog"
    ex = executor(path, CrashPlan.at_persist(2, "golem_llm::get_next", when))
    live_call(ex, "golem_llm::stream", "opened")
    live_call(ex, "golem_llm::get_next", "one", "read-remote")
    ex.invocation_completed()
    with pytest.raises(InjectedCrash, match=f"{when} persist #2"):
        live_call(ex, "golem_llm::get_next", "two", "read-remote")
    again = executor(path)
    replayed = [replay_call(again).response]
    replayed.append(replay_call(again, "read-remote").response)
    if survives:
        replayed.append(replay_call(again, "read-remote").response)
    assert again.live
    assert replayed == [text("opened"), text("one")] + ([text("two")] if survives else [])


def test_arming_a_plan_counts_from_then(tmp_path):
    ex = executor(tmp_path / "w.oplog")
    live_call(ex, "golem_llm::get_next", "a", "read-remote")
    ex.arm(CrashPlan.at_persist(1))
    with pytest.raises(InjectedCrash):
        live_call(ex, "golem_llm::get_next", "b", "read-remote")


def test_crash_plans_reject_nonsense():
    with pytest.raises(ValueError):
        CrashPlan()
    with pytest.raises(ValueError):
        CrashPlan.at_call(0)
    with pytest.raises(ValueError):
        CrashPlan.at_persist(1, when="later")


def test_counters_count_host_calls_by_name_and_entries(tmp_path):
    ex = executor(tmp_path / "w.oplog")
    live_call(ex, "golem_llm::send", "a")
    calls = ex.counters.host_calls
    assert calls["set-oplog-persistence-level"] == 2
    assert calls["persist-typed-durable-function-invocation"] == 1
    assert calls["observe-function-call"] == calls["begin-durable-function"] == 1
    assert ex.counters.entries_written == 3  # two level changes and the invocation
