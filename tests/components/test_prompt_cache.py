"""`prompt-cache` through a built component: the OpenRouter portable `.wasm` in wasmtime
writes the cache breakpoints for a Claude model, the emulator's OpenRouter dialect accepts
them as Anthropic would behind it and answers, and for a model whose upstream caches by
itself the option is refused before anything is sent."""

from __future__ import annotations

import pytest

from normalizer import values as v
from providers import PROVIDERS
from runtime.emulator.scenario import Scenario
from runtime.host import ComponentHost
from tests.helpers import EMULATOR_KEY, built

pytestmark = pytest.mark.component

ASK = [v.Message(v.Role.SYSTEM, (v.Text("Be brief."),)),
       v.Message(v.Role.USER, (v.Text("Hi"),))]
CACHE = (v.Kv("prompt-cache", "true"),)


@pytest.fixture(scope="module")
def openrouter() -> ComponentHost:
    return ComponentHost(built("openrouter", "portable"))


def test_breakpoints_reach_openrouter_for_claude_and_the_answer_comes_back(openrouter,
                                                                           fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="cached", extra={"provider": "Anthropic"}))
    llm = openrouter.instantiate(
        PROVIDERS["openrouter"].emulator_env(fresh_emulator.origin, EMULATOR_KEY))
    answer = llm.send(ASK, v.Config(model="anthropic/claude-sonnet-4.6", provider_options=CACHE))
    assert isinstance(answer, v.CompleteResponse), answer
    assert answer.content == (v.Text("cached"),)
    sent = fresh_emulator.last_request.json["messages"]
    assert sent == [
        {"role": "system", "content": [{"type": "text", "text": "Be brief.",
                                        "cache_control": {"type": "ephemeral"}}]},
        {"role": "user", "content": [{"type": "text", "text": "Hi",
                                      "cache_control": {"type": "ephemeral"}}]},
    ]


def test_an_automatic_caching_model_is_refused_and_nothing_is_sent(openrouter, fresh_emulator):
    llm = openrouter.instantiate(
        PROVIDERS["openrouter"].emulator_env(fresh_emulator.origin, EMULATOR_KEY))
    answer = llm.send(ASK, v.Config(model="openai/gpt-4o", provider_options=CACHE))
    assert isinstance(answer, v.LlmError) and answer.code is v.ErrorCode.UNSUPPORTED
    assert "'prompt-cache'" in answer.message and "by itself" in answer.message
    assert fresh_emulator.requests == ()
