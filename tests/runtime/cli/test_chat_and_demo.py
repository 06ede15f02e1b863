"""The `golem-llm` CLI and `make demo`'s script, run against the emulator through the
built component (what a person at a terminal sees)."""

from __future__ import annotations

import io
import json

import pytest

from providers import PROVIDERS
from runtime.cli import main
from runtime.cli.demo import run_demo
from runtime.emulator.scenarios import TEXT
from tests.helpers import built

pytestmark = pytest.mark.component


@pytest.fixture(scope="module", autouse=True)
def components():
    built("openai", "durable")
    built("openai", "portable")


def test_chat_streams_text_and_reports_finish_and_usage(capsys):
    assert main(["chat", "--emulator", "--model", "text", "Hello"]) == 0
    out = capsys.readouterr().out
    assert TEXT in out
    assert "[finish: stop" in out and "tokens in" in out


def test_chat_json_prints_one_event_per_line_ending_in_finish(capsys):
    assert main(["chat", "--emulator", "--portable", "--json", "--model",
                 "parallel-tool-calls", "Add and multiply"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[-1]["type"] == "Finish"
    calls = [c["name"] for e in events if e["type"] == "StreamDelta"
             for c in (e["tool_calls"] or [])]
    assert calls == ["add", "multiply"]


def test_chat_with_tool_prints_the_call(capsys):
    assert main(["chat", "--emulator", "--tool",
                 'get_time:{"type":"object","properties":{"zone":{"type":"string"}}}',
                 "What time is it in Lisbon?"]) == 0
    assert "[tool call] get_time(" in capsys.readouterr().out


def test_chat_no_stream_uses_send(capsys):
    assert main(["chat", "--emulator", "--no-stream", "--model", "text", "Hi"]) == 0
    assert TEXT in capsys.readouterr().out


def test_chat_error_is_printed_and_exit_code_is_nonzero(capsys):
    assert main(["chat", "--emulator", "--model", "error-429", "Hi"]) == 1
    assert "[error: rate-limit-exceeded]" in capsys.readouterr().out


def test_chat_without_key_against_real_api_names_the_variable(capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["chat", "Hi"]) == 1
    assert "OPENAI_API_KEY" in capsys.readouterr().out


def test_demo_runs_every_provider_and_resumes_a_crashed_stream(tmp_path):
    out = io.StringIO()
    assert run_demo(out, oplog_dir=tmp_path) == 0
    text = out.getvalue()
    for provider in PROVIDERS:
        assert f"=== {provider}: llm-{provider}.wasm" in text
    assert text.count("[finish: stop") >= 4
    assert text.count("model asked: get_weather(") == 4
    assert text.count("model answered: The tool returned:") == 4
    assert "[worker died: injected crash" in text
    assert "1 new request (the continuation); the caller got one answer: identical" in text
    assert (tmp_path / "demo-worker.oplog").exists()
    assert "golem_llm::get_next  read-remote" in text
