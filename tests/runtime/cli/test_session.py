"""`golem-llm chat` with no prompt: an interactive session, driven through a real stdin pipe
(the command runs as a subprocess) against the emulator, which records what the component
sent, so the kept conversation and the typed tool results are checked on the wire."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from providers import PROVIDERS
from runtime.cli.session import tool_result
from normalizer import values as v
from tests.helpers import EMULATOR_KEY, ROOT, built

pytestmark = pytest.mark.component

WEATHER = 'get_weather:{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}'


@pytest.fixture(scope="module", autouse=True)
def components():
    built("openai", "portable")
    built("openai", "durable")


def chat(emulator, typed: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **PROVIDERS["openai"].emulator_env(emulator.origin, EMULATOR_KEY)}
    return subprocess.run([sys.executable, "-m", "runtime.cli", "chat", "--model", "chat-model",
                           *args], input=typed, capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=240)


def sent_messages(request) -> list[tuple[str, str]]:
    return [(m["role"], m.get("content") if isinstance(m.get("content"), str) else "")
            for m in request.json["messages"]]


@pytest.mark.parametrize("flavour", ["--portable", None])
def test_the_session_keeps_the_conversation_and_streams_each_answer(fresh_emulator, flavour):
    done = chat(fresh_emulator, "My name is Ada.\nWhat is my name?\n/quit\n",
                *([flavour] if flavour else []))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("you> ") == 3
    assert 'You said: "My name is Ada."' in done.stdout
    assert 'You said: "What is my name?"' in done.stdout
    assert done.stdout.count("[finish: stop") == 2
    first, second = fresh_emulator.requests
    assert sent_messages(first) == [("user", "My name is Ada.")]
    roles = sent_messages(second)
    assert [role for role, _ in roles] == ["user", "assistant", "user"]
    assert 'You said: "My name is Ada."' in roles[1][1] and roles[2][1] == "What is my name?"


def test_a_tool_call_is_shown_and_the_typed_result_is_sent_back(fresh_emulator):
    done = chat(fresh_emulator, 'Weather in Oslo?\n{"sky": "clear", "c": 4}\n/quit\n',
                "--portable", "--tool", WEATHER)
    assert done.returncode == 0, done.stderr
    assert "[tool call] get_weather(" in done.stdout
    assert "result of get_weather" in done.stdout
    assert "The tool returned:" in done.stdout and "clear" in done.stdout
    assert fresh_emulator.request_count == 2
    messages = fresh_emulator.last_request.json["messages"]
    assert messages[-2]["role"] == "assistant" and messages[-2]["tool_calls"]
    assert messages[-1]["role"] == "tool"
    assert json.loads(messages[-1]["content"]) == {"sky": "clear", "c": 4}


def test_end_of_input_ends_the_session(fresh_emulator):
    done = chat(fresh_emulator, "Hello\n", "--portable")
    assert done.returncode == 0, done.stderr
    assert 'You said: "Hello"' in done.stdout
    assert fresh_emulator.request_count == 1


def test_a_typed_result_is_json_when_it_is_json_and_a_failure_after_a_bang():
    call = v.ToolCall("c1", "f", "{}")
    assert tool_result(call, '{"a": 1}') == v.ToolSuccess("c1", "f", '{"a": 1}')
    assert tool_result(call, "sunny") == v.ToolSuccess("c1", "f", '"sunny"')
    assert tool_result(call, "! no network") == v.ToolFailure("c1", "f", "no network")
