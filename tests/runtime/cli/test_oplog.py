"""`golem-llm oplog FILE [--json]`: an emulated worker's oplog, printed readably with its
payloads decoded from their stored types, and `chat --oplog FILE` that writes one."""

from __future__ import annotations

import json

import pytest

from runtime.cli import main
from runtime.emulator.scenarios import TEXT
from runtime.golem import DurableExecutor, Oplog
from tests.helpers import built
from runtime.golem import payload_json
from tests.runtime.golem.payloads import named, text

REQUEST, RESPONSE = named("Ada", 3), text("Hi Ada")
SIZES = tuple(len(payload_json.encode(p).encode()) for p in (REQUEST, RESPONSE))


@pytest.fixture
def oplog_file(tmp_path):
    path = tmp_path / "w.oplog"
    ex = DurableExecutor(Oplog(path), component={"component": "llm-x.wasm", "sha256": "ab" * 32})
    begin = ex.begin_durable_function("write-remote")
    ex.set_oplog_persistence_level("persist-nothing")
    ex.set_oplog_persistence_level("smart")
    ex.persist_typed_durable_function_invocation(
        "golem_llm::send", REQUEST, RESPONSE, "write-remote")
    ex.end_durable_function("write-remote", begin, False)
    ex.persist_typed_durable_function_invocation(
        "golem_llm::get_next", named("lost", 0), text("never committed"), "read-remote")
    ex.crash()
    return path


def test_oplog_prints_every_committed_entry_with_decoded_payloads(oplog_file, capsys):
    assert main(["oplog", str(oplog_file)]) == 0
    out = capsys.readouterr().out
    assert "4 committed entries" in out
    lines = out.splitlines()
    assert lines[1].startswith("#1 ") and "create" in lines[1] and "llm-x.wasm" in lines[1]
    assert "change-persistence-level   persist-nothing" in out
    invoked = next(line for line in lines if "imported-function-invoked" in line)
    assert invoked.startswith("#4 ")
    assert "golem_llm::send  write-remote  at smart" in invoked
    assert f"request {SIZES[0]} B, response {SIZES[1]} B" in invoked
    assert 'request:  {"name": "Ada", "count": 3}' in out
    assert 'response: "Hi Ada"' in out
    assert "never committed" not in out


def test_oplog_json_is_one_object_per_entry(oplog_file, capsys):
    assert main(["oplog", str(oplog_file), "--json"]) == 0
    entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["index"] for e in entries] == [1, 2, 3, 4]
    assert entries[0]["detail"] == {"component": "llm-x.wasm", "sha256": "ab" * 32}
    send = entries[3]
    assert send["kind"] == "imported-function-invoked"
    assert send["function_name"] == "golem_llm::send"
    assert send["function_type"] == "write-remote"
    assert send["request"] == {"name": "Ada", "count": 3}
    assert send["response"] == "Hi Ada"
    assert (send["request_bytes"], send["response_bytes"]) == SIZES
    assert send["timestamp"].endswith("Z")


def test_oplog_of_a_missing_file_fails_with_a_message(tmp_path, capsys):
    assert main(["oplog", str(tmp_path / "nope.oplog")]) == 2
    assert "no oplog at" in capsys.readouterr().err


@pytest.mark.component
def test_chat_records_its_oplog_for_the_oplog_command(tmp_path, capsys):
    built("openai", "durable")
    path = tmp_path / "chat.oplog"
    assert main(["chat", "--emulator", "--model", "text", "--oplog", str(path), "Hello"]) == 0
    assert TEXT in capsys.readouterr().out
    assert main(["oplog", str(path), "--json"]) == 0
    entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # The chat's own calls; the WASI calls Golem also records (environment, random, clocks)
    # come first, from the instance's start.
    names = [e["function_name"] for e in entries
             if (e["function_name"] or "").startswith("golem_llm::")]
    assert names[0] == "golem_llm::stream" and names[-1] == "golem_llm::get_next"
    first_batch = next(e for e in entries if e["function_name"] == "golem_llm::get_next")
    assert first_batch["function_type"] == "read-remote"
    # golem-llm v0.2.x's shape: result<option<list<stream-event>>, record{}>
    batch = first_batch["response"]["ok"]
    assert batch is None or isinstance(batch, list)
