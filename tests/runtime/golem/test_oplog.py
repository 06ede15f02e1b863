"""The emulated oplog file: entries survive the process once committed, a crash loses the
buffer, indices continue across restarts, payloads round-trip exactly, one writer at a time,
and read-only views see what a restarted worker would."""

from __future__ import annotations

import gc
import sqlite3

import pytest

from runtime.golem import Oplog, OplogInUse, open_oplog
from runtime.golem.oplog_entry import (
    CHANGE_PERSISTENCE_LEVEL,
    IMPORTED_FUNCTION_INVOKED,
    function_type_text,
    parse_function_type,
)
from tests.runtime.golem.payloads import EMPTY_RECORD, named, text


def _invoked(log: Oplog, name: str = "golem_llm::send", response=None):
    return log.append(IMPORTED_FUNCTION_INVOKED, function_name=name,
                      function_type="write-remote", request=named("req", 1),
                      response=response or text("answer"))


def test_committed_entries_survive_reopening_the_file(tmp_path):
    path = tmp_path / "w.oplog"
    with Oplog(path) as log:
        _invoked(log)
        log.append(CHANGE_PERSISTENCE_LEVEL, persistence_level="persist-nothing")
        assert log.commit() == 2
    with Oplog(path) as again:
        entries = again.entries()
    assert [e.kind for e in entries] == [IMPORTED_FUNCTION_INVOKED, CHANGE_PERSISTENCE_LEVEL]
    assert [e.index for e in entries] == [1, 2]
    assert all(e.committed for e in entries)
    assert entries[0].function_name == "golem_llm::send"
    assert entries[0].function_type == "write-remote"
    assert entries[1].persistence_level == "persist-nothing"


def test_uncommitted_entries_are_lost_like_in_a_crash(tmp_path):
    path = tmp_path / "w.oplog"
    with Oplog(path) as log:
        _invoked(log)
        log.commit()
        pending = _invoked(log, "golem_llm::get_next")
        assert not pending.committed and log.pending == (pending,)
        assert len(log.entries()) == 2 and len(log.committed()) == 1
        assert log.discard_pending() == 1
        _invoked(log, "golem_llm::stream")  # close() drops this one too
    with open_oplog(path) as view:
        assert [e.function_name for e in view.entries()] == ["golem_llm::send"]


def test_indices_continue_after_a_restart(tmp_path):
    path = tmp_path / "w.oplog"
    with Oplog(path) as log:
        _invoked(log)
        log.commit()
        _invoked(log)  # lost
    with Oplog(path) as log:
        assert log.last_index == 1
        assert _invoked(log).index == 2


def test_payloads_round_trip_exactly_with_their_sizes(tmp_path):
    path = tmp_path / "w.oplog"
    request = named("héllo 😀 \x00", 2**32 - 1)
    with Oplog(path) as log:
        live = log.append(IMPORTED_FUNCTION_INVOKED, function_name="f",
                          function_type=("write-remote-batched", 3), request=request,
                          response=EMPTY_RECORD)
        log.commit()
    with open_oplog(path) as view:
        (stored,) = view.entries()
    assert stored.request == request == live.request
    assert stored.response == EMPTY_RECORD
    assert stored.function_type == ("write-remote-batched", 3)
    assert stored.request_bytes == live.request_bytes > 0
    raw = sqlite3.connect(path).execute("SELECT request FROM entries").fetchone()[0]
    assert stored.request_bytes == len(raw.encode("utf-8"))
    assert stored.timestamp_ns == live.timestamp_ns


@pytest.mark.parametrize("ftype", ["read-local", "write-local", "read-remote", "write-remote",
                                   ("write-remote-batched", None),
                                   ("write-remote-batched", 12)])
def test_function_types_have_a_stable_text_form(ftype):
    assert parse_function_type(function_type_text(ftype)) == ftype


def test_read_only_view_sees_commits_of_a_live_writer_and_cannot_write(tmp_path):
    path = tmp_path / "w.oplog"
    with Oplog(path) as log:
        log.commit()
        view = open_oplog(path)  # no lock: a writer is open
        _invoked(log)
        assert view.entries() == []  # not committed yet
        log.commit()
        assert [e.index for e in view.entries()] == [1]
        with pytest.raises(PermissionError):
            view.append(CHANGE_PERSISTENCE_LEVEL, persistence_level="smart")
        with pytest.raises(PermissionError):
            view.commit()
        view.close()


def test_read_only_open_of_a_missing_or_foreign_file_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError):
        open_oplog(tmp_path / "missing.oplog")
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database at all, just some text that is long enough " * 20)
    with pytest.raises(ValueError, match="not a golem-llm oplog"):
        open_oplog(foreign)


def test_one_writer_at_a_time(tmp_path):
    path = tmp_path / "w.oplog"
    first = Oplog(path)
    with pytest.raises(OplogInUse):
        Oplog(path)
    first.close()
    Oplog(path).close()
    forgotten = Oplog(path)
    del forgotten  # an unclosed oplog releases the file when collected
    gc.collect()
    Oplog(path).close()


def test_in_memory_oplog_has_the_same_commit_model():
    with Oplog(None) as log:
        _invoked(log)
        assert log.committed() == []
        log.commit()
        assert [e.committed for e in log.entries()] == [True]
