"""The metadata shape through a built component: the OpenRouter portable `.wasm` (and, for
`x-should-retry`, the Anthropic one) in wasmtime, talking wasi:http to the emulator on
loopback.

What only the component can show: the response headers arrive through the wasi:http
transport (request id, rate limits), the retry machinery's `attempts`/`resumes` fold into
the same JSON object, and the outbound key scrubber applies to the strings the headers
bring in.
"""

from __future__ import annotations

import json

import pytest

from normalizer import values as v
from providers import PROVIDERS
from runtime.emulator.scenario import Scenario
from runtime.host import ComponentHost
from tests.components.test_openai import drain
from tests.helpers import EMULATOR_KEY, FAST_RETRIES, built, text_of

USER = [v.Message(v.Role.USER, (v.Text("What is 2 + 2?"),))]
CONFIG = v.Config(model="anthropic/claude-sonnet-4")


@pytest.fixture(scope="module")
def host() -> ComponentHost:
    return ComponentHost(built("openrouter", "portable"))


def _llm(host, emulator, **env):
    return host.instantiate({**PROVIDERS["openrouter"].emulator_env(emulator.origin, EMULATOR_KEY),
                             **FAST_RETRIES, **env})


@pytest.mark.component
def test_stream_finish_has_usage_cost_reasoning_and_request_id(host, fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="4", reasoning="Two plus two is four.", usage=(20, 9),
                                    text_chunk_chars=4, extra={"provider": "Anthropic"}))
    llm = _llm(host, fresh_emulator)
    with llm.stream(USER, CONFIG) as stream:
        events, _, _ = drain(stream)
    assert text_of(events) == "4"  # the reasoning never enters the answer
    finish = events[-1]
    assert isinstance(finish, v.Finish)
    meta = finish.metadata
    extra = json.loads(meta.provider_metadata_json)
    assert extra["provider"] == "Anthropic" and extra["finish_reason"] == "stop"
    assert extra["request_id"] == meta.provider_id and meta.provider_id.startswith("gen-")
    assert extra["reasoning"] == "Two plus two is four."
    assert "".join(d["text"] for d in extra["reasoning_details"]) == "Two plus two is four."
    usage = extra["usage"]
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]) == (
        meta.usage.input_tokens, meta.usage.output_tokens, meta.usage.total_tokens)
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["cost_usd"] == usage["provider_usage"]["cost"] > 0
    assert usage["reasoning_tokens"] == usage["provider_usage"]["completion_tokens_details"][
        "reasoning_tokens"]


@pytest.mark.component
def test_a_retried_429_folds_attempts_into_the_same_shape(host, fresh_emulator):
    fresh_emulator.enqueue(Scenario(error_status=429), Scenario(text="fine"))
    event = _llm(host, fresh_emulator).send(USER, CONFIG)
    assert isinstance(event, v.CompleteResponse), event
    extra = json.loads(event.metadata.provider_metadata_json)
    assert (extra["attempts"], extra["resumes"]) == (2, 0)
    assert extra["request_id"] == event.id  # the answer's request, not the failed one
    assert list(extra)[-2:] == ["attempts", "resumes"]  # the documented order


@pytest.mark.component
def test_a_429_error_carries_retry_after_and_the_request_id(host, fresh_emulator):
    fresh_emulator.enqueue(Scenario(error_status=429, retry_after=3600))
    event = _llm(host, fresh_emulator).send(USER, CONFIG)
    assert isinstance(event, v.LlmError) and event.code is v.ErrorCode.RATE_LIMIT_EXCEEDED
    body = json.loads(event.provider_error_json)
    assert body["rate_limit"]["retry_after"] == 3600
    assert body["request_id"].startswith("gen-")
    assert "error" in body


@pytest.mark.component
def test_the_key_in_a_header_is_scrubbed_from_the_metadata(host, fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="ok", headers=(
        ("x-ratelimit-remaining-requests", f"echo {EMULATOR_KEY}"),)))
    event = _llm(host, fresh_emulator).send(USER, CONFIG)
    assert isinstance(event, v.CompleteResponse), event
    raw = event.metadata.provider_metadata_json
    assert EMULATOR_KEY not in raw
    assert json.loads(raw)["rate_limit"]["requests"]["remaining"].startswith("echo ")


@pytest.fixture(scope="module")
def anthropic_host() -> ComponentHost:
    return ComponentHost(built("anthropic", "portable"))


@pytest.mark.component
@pytest.mark.parametrize("status, should", [(529, True), (400, False)])
def test_x_should_retry_reaches_provider_error_json_as_a_boolean(anthropic_host, fresh_emulator,
                                                                  status, should):
    """Anthropic sends `x-should-retry` with every error (the emulator too): through the
    wasi:http transport it becomes `rate_limit.should_retry`."""
    fresh_emulator.enqueue(Scenario(error_status=status))
    llm = anthropic_host.instantiate({
        **PROVIDERS["anthropic"].emulator_env(fresh_emulator.origin, EMULATOR_KEY),
        "GOLEM_LLM_MAX_RETRIES": "0"})
    event = llm.send(USER, v.Config(model="claude-haiku-4-5"))
    assert isinstance(event, v.LlmError), event
    body = json.loads(event.provider_error_json)
    assert body["rate_limit"]["should_retry"] is should
    assert body["request_id"].startswith("req_")
