"""Structured output in the tool form, end to end through the built Anthropic component.

A model without native structured output gets the schema as the forced `json_answer` tool
(providers/anthropic_messages/structured_output.py); the emulator's Anthropic dialect
answers the forced tool with arguments built from the schema, streamed in pieces (one
get-next may coalesce them; tests/normalizer/test_anthropic_messages.py checks the pieces);
the component must hand them back as the answer's text, finished with `stop`, no tool call.
Portable (stream and send) and durable (a send, then the same send replayed from the oplog
without a request).
"""

from __future__ import annotations

import json

import pytest

from normalizer import values as v
from providers import PROVIDERS
from runtime.golem import GolemHost
from runtime.host import ComponentHost
from tests.components.test_openai import drain
from tests.helpers import EMULATOR_KEY, FAST_RETRIES, built, calls_of, only_finish, text_of

pytestmark = pytest.mark.component

PERSON = {"type": "object", "properties": {"name": {"type": "string"},
                                           "age": {"type": "integer"}},
          "required": ["name", "age"]}
ASK = [v.Message(v.Role.USER, (v.Text("Describe Ada Lovelace"),))]
CONFIG = v.Config(model="claude-3-5-haiku-20241022",
                  provider_options=(v.Kv("json-schema", json.dumps(PERSON)),))


def _env(emulator) -> dict[str, str]:
    return {**PROVIDERS["anthropic"].emulator_env(emulator.origin, EMULATOR_KEY), **FAST_RETRIES}


def _check_request(emulator) -> None:
    sent = emulator.requests[-1].json
    assert sent["tool_choice"] == {"type": "tool", "name": "json_answer"}
    assert [t["input_schema"] for t in sent["tools"]] == [PERSON]


def _person(text: str) -> dict:
    person = json.loads(text)
    assert set(person) == {"name", "age"} and isinstance(person["age"], int)
    return person


@pytest.fixture(scope="module")
def portable() -> ComponentHost:
    return ComponentHost(built("anthropic", "portable"))


def test_stream_gives_the_json_as_text(portable, fresh_emulator):
    llm = portable.instantiate(_env(fresh_emulator))
    with llm.stream(ASK, CONFIG) as stream:
        events, _, _ = drain(stream)
    _check_request(fresh_emulator)
    _person(text_of(events))
    assert calls_of(events) == []
    assert only_finish(events).metadata.finish_reason is v.FinishReason.STOP


def test_send_gives_the_json_as_the_answers_text(portable, fresh_emulator):
    answer = portable.instantiate(_env(fresh_emulator)).send(ASK, CONFIG)
    _check_request(fresh_emulator)
    assert isinstance(answer, v.CompleteResponse), answer
    assert answer.tool_calls == ()
    _person(answer.content[0].text)
    assert answer.metadata.finish_reason is v.FinishReason.STOP


def test_thinking_with_the_tool_form_is_refused_before_sending(portable, fresh_emulator):
    config = v.Config(model=CONFIG.model, provider_options=(
        *CONFIG.provider_options, v.Kv("thinking-budget", "2048")))
    answer = portable.instantiate(_env(fresh_emulator)).send(ASK, config)
    assert isinstance(answer, v.LlmError) and answer.code is v.ErrorCode.INVALID_REQUEST
    assert "'json-schema'" in answer.message and "'thinking-budget'" in answer.message
    assert fresh_emulator.requests == ()


def test_durable_send_is_json_text_and_replays_without_a_request(fresh_emulator, tmp_path):
    golem = GolemHost(built("anthropic", "durable"))
    oplog = tmp_path / "structured.oplog"
    with golem.worker(oplog, _env(fresh_emulator)) as live:
        sent = live.send(ASK, CONFIG)
    assert isinstance(sent, v.CompleteResponse), sent
    _person(sent.content[0].text)
    assert sent.metadata.finish_reason is v.FinishReason.STOP
    requests = len(fresh_emulator.requests)
    with golem.worker(oplog, _env(fresh_emulator)) as again:
        assert again.send(ASK, CONFIG) == sent
    assert len(fresh_emulator.requests) == requests
