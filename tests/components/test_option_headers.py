"""Documented options sent as request headers, through a built component: the xAI
portable `.wasm` in wasmtime sends `prompt-cache-key` as `x-grok-conv-id` over wasi:http,
and a value that could inject a header is refused before anything is sent."""

from __future__ import annotations

import pytest

from normalizer import values as v
from providers import PROVIDERS
from runtime.host import ComponentHost
from tests.helpers import EMULATOR_KEY, built

pytestmark = pytest.mark.component

ASK = [v.Message(v.Role.USER, (v.Text("Hi"),))]


@pytest.fixture(scope="module")
def grok() -> ComponentHost:
    return ComponentHost(built("grok", "portable"))


def _config(key: str) -> v.Config:
    return v.Config(model="grok-4", provider_options=(v.Kv("prompt-cache-key", key),))


def test_prompt_cache_key_arrives_as_the_conversation_header(grok, fresh_emulator):
    llm = grok.instantiate(PROVIDERS["grok"].emulator_env(fresh_emulator.origin, EMULATOR_KEY))
    answer = llm.send(ASK, _config("conv_abc123"))
    assert isinstance(answer, v.CompleteResponse), answer
    recorded = fresh_emulator.last_request
    assert recorded.headers["x-grok-conv-id"] == "conv_abc123"
    assert "prompt_cache_key" not in recorded.json


def test_a_cache_key_with_a_line_break_is_refused_and_nothing_is_sent(grok, fresh_emulator):
    llm = grok.instantiate(PROVIDERS["grok"].emulator_env(fresh_emulator.origin, EMULATOR_KEY))
    answer = llm.send(ASK, _config("conv\r\nx-injected: 1"))
    assert isinstance(answer, v.LlmError) and answer.code is v.ErrorCode.INVALID_REQUEST
    assert "'prompt-cache-key'" in answer.message
    assert fresh_emulator.requests == ()
