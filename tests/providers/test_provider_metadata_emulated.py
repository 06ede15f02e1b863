"""The metadata shape for what the recordings lack, over real HTTP against the emulator.

The recorded traffic has no refusal (OpenAI or Anthropic), no 429 with `retry-after` and
no xAI or OpenRouter 429 at all (INDEX.md, "Known gaps"); these go through each provider's
request, a real loopback HTTP exchange with `runtime/emulator` and the provider's
`ResponseDecoder`, as the component does.
"""

from __future__ import annotations

import json

import pytest

from normalizer.values import Config, Finish, FinishReason, LlmError
from providers import PROVIDERS
from runtime.emulator.scenario import Scenario
from tests.helpers import EMULATOR_KEY
from tests.providers.flavour_roundtrip import exchange


def _env(emulator, provider: str) -> dict[str, str]:
    return PROVIDERS[provider].emulator_env(emulator.origin, EMULATOR_KEY)


def _finish_metadata(done) -> dict:
    assert isinstance(done.terminal, Finish), done.terminal
    return json.loads(done.terminal.metadata.provider_metadata_json)


def test_openai_refusal_is_a_content_filter_finish_with_the_words(fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="", extra={"refusal": "I can't help with that."},
                                    text_chunk_chars=5))
    done = exchange(PROVIDERS["openai"], _env(fresh_emulator, "openai"), Config(model="gpt-4o"))
    assert done.terminal.metadata.finish_reason is FinishReason.CONTENT_FILTER
    extra = _finish_metadata(done)
    assert extra["refusal"] == {"text": "I can't help with that."}
    assert extra["finish_reason"] == "stop"  # what OpenAI said, behind the mapped reason
    assert done.text == "I can't help with that."  # a caller reading only text sees why


def test_an_answer_without_refusal_has_no_refusal_key(fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="Sure."))
    done = exchange(PROVIDERS["openai"], _env(fresh_emulator, "openai"), Config(model="gpt-4o"))
    assert done.terminal.metadata.finish_reason is FinishReason.STOP
    assert "refusal" not in _finish_metadata(done)


def test_anthropic_refusal_stop_reason_is_reported_as_a_refusal(fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="I won't", finish="content_filter"))
    done = exchange(PROVIDERS["anthropic"], _env(fresh_emulator, "anthropic"),
                    Config(model="claude-sonnet-4-5"))
    assert done.terminal.metadata.finish_reason is FinishReason.CONTENT_FILTER
    extra = _finish_metadata(done)
    assert extra["finish_reason"] == "refusal" and extra["refusal"] == {"text": ""}
    assert extra["request_id"] == done.headers["request-id"]


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_the_request_id_header_is_in_the_finish(fresh_emulator, provider):
    fresh_emulator.enqueue(Scenario(text="ok", headers=(("x-ratelimit-remaining-requests", "41"),)))
    done = exchange(PROVIDERS[provider], _env(fresh_emulator, provider), Config(model="m"))
    extra = _finish_metadata(done)
    assert extra["request_id"] and extra["request_id"] == done.headers[
        PROVIDERS[provider].request_id_header]
    assert extra["rate_limit"]["requests"]["remaining"] == 41


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_429_carries_the_request_id_retry_after_and_limits_in_provider_error_json(
        fresh_emulator, provider):
    fresh_emulator.enqueue(Scenario(error_status=429, retry_after=7))
    done = exchange(PROVIDERS[provider], _env(fresh_emulator, provider), Config(model="m"))
    error = done.terminal
    assert isinstance(error, LlmError)
    body = json.loads(error.provider_error_json)
    assert body["rate_limit"]["retry_after"] == 7
    assert "error" in body  # the provider's own body is kept beside the added keys
    header = PROVIDERS[provider].request_id_header
    sent = done.headers
    if header in sent:
        assert body["request_id"] == sent[header]
    if provider == "anthropic":
        assert body["rate_limit"]["requests"] == {
            "limit": 50, "remaining": 0, "reset": "2030-01-01T00:00:20Z"}
    elif provider == "openai":
        assert body["rate_limit"]["requests"] == {"limit": 3, "remaining": 0, "reset": "20s"}
        assert body["rate_limit"]["retry_after_ms"] == 7000


@pytest.mark.parametrize("provider", ["grok", "openrouter", "anthropic"])
def test_reasoning_is_in_the_metadata_and_never_in_the_text(fresh_emulator, provider):
    fresh_emulator.enqueue(Scenario(text="4", reasoning="Two plus two.", text_chunk_chars=3))
    done = exchange(PROVIDERS[provider], _env(fresh_emulator, provider), Config(model="grok-3-mini"))
    extra = _finish_metadata(done)
    assert done.text == "4"
    assert extra["reasoning"] == "Two plus two."
    if provider == "openrouter":
        assert [d["text"] for d in extra["reasoning_details"]] == ["Two plus two."]


def test_usage_total_is_input_plus_output_with_xai_reasoning_added(fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="4", reasoning="Two plus two.", usage=(20, 3)))
    done = exchange(PROVIDERS["grok"], _env(fresh_emulator, "grok"), Config(model="grok-3-mini"))
    usage = _finish_metadata(done)["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["reasoning_tokens"] > 0
    assert usage["output_tokens"] == usage["provider_usage"]["completion_tokens"] + usage["reasoning_tokens"]


@pytest.mark.parametrize("status, should", [(529, True), (429, True), (400, False)])
def test_anthropics_x_should_retry_is_in_provider_error_json(fresh_emulator, status, should):
    """The emulator's Anthropic dialect sends `x-should-retry` on every error, as the API
    does; it becomes `rate_limit.should_retry`, a boolean."""
    fresh_emulator.enqueue(Scenario(error_status=status))
    done = exchange(PROVIDERS["anthropic"], _env(fresh_emulator, "anthropic"), Config(model="m"))
    assert done.headers["x-should-retry"] == str(should).lower()
    assert isinstance(done.terminal, LlmError)
    assert json.loads(done.terminal.provider_error_json)["rate_limit"]["should_retry"] is should


def test_openais_x_should_retry_is_in_provider_error_json_and_the_finish(fresh_emulator):
    fresh_emulator.enqueue(Scenario(error_status=429, headers=(("x-should-retry", "false"),)))
    env = _env(fresh_emulator, "openai")
    done = exchange(PROVIDERS["openai"], env, Config(model="m"))
    assert json.loads(done.terminal.provider_error_json)["rate_limit"]["should_retry"] is False
    fresh_emulator.enqueue(Scenario(text="ok", headers=(("x-should-retry", "true"),)))
    assert _finish_metadata(exchange(PROVIDERS["openai"], env, Config(model="m")))[
        "rate_limit"]["should_retry"] is True
