"""The OpenAI provider object: error mapping, secret scrubbing, delegation to the
chat-completions normalizers, and the never-raise / no-global-state contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normalizer.chat_completions.stream import ChatCompletionsNormalizer
from normalizer.values import (
    Config,
    ErrorCode,
    Finish,
    FinishReason,
    LlmError,
    Message,
    Role,
    StreamDelta,
    Text,
)
from providers.openai import PROVIDER
from sse.events import SseEvent
from tests.helpers import REAL_FIXTURES, key_env, recorded_response

KEY = "sk-proj-Z9y8X7w6V5u4T3s2R1q0"
ENV = key_env("openai", KEY)
FIXTURES = REAL_FIXTURES / "openai"


def openai_error_body(message: str, type_: str = "invalid_request_error", code=None) -> bytes:
    return json.dumps({"error": {"message": message, "type": type_, "param": None, "code": code}}).encode()


# --- error responses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, code",
    [
        (400, ErrorCode.INVALID_REQUEST),
        (401, ErrorCode.AUTHENTICATION_FAILED),
        (403, ErrorCode.AUTHENTICATION_FAILED),
        (404, ErrorCode.INVALID_REQUEST),
        (408, ErrorCode.INTERNAL_ERROR),  # request timeout: transient, the SDK retries it
        (409, ErrorCode.INTERNAL_ERROR),  # conflict: transient, the SDK retries it
        (429, ErrorCode.RATE_LIMIT_EXCEEDED),
        (500, ErrorCode.INTERNAL_ERROR),
        (503, ErrorCode.INTERNAL_ERROR),
    ],
)
def test_error_status_maps_to_code_with_the_provider_message_and_body_kept(status, code):
    body = openai_error_body(f"something went wrong ({status})")
    error = PROVIDER.error_from_response(status, body, env=ENV)
    assert error.code is code
    assert "OpenAI" in error.message
    assert str(status) in error.message
    assert f"something went wrong ({status})" in error.message
    assert json.loads(error.provider_error_json) == json.loads(body)


def test_error_without_env_argument_still_maps():
    error = PROVIDER.error_from_response(429, openai_error_body("slow down", "requests", "rate_limit_exceeded"))
    assert error.code is ErrorCode.RATE_LIMIT_EXCEEDED
    assert "slow down" in error.message


def test_non_json_error_body_still_gives_code_and_valid_json():
    error = PROVIDER.error_from_response(502, b"<html>Bad Gateway</html>", env=ENV)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert "Bad Gateway" in error.message
    json.loads(error.provider_error_json)


@pytest.mark.parametrize(
    "case, code",
    [
        ("rubyllm-error-400-invalid-type", ErrorCode.INVALID_REQUEST),
        ("envoy-error-400-empty-messages", ErrorCode.INVALID_REQUEST),
        ("rubyllm-error-429-request-too-large", ErrorCode.RATE_LIMIT_EXCEEDED),
    ],
)
def test_recorded_real_error_responses_map(case, code):
    status, body = recorded_response("openai", case)
    error = PROVIDER.error_from_response(status, body, env=ENV)
    assert error.code is code
    assert json.loads(body)["error"]["message"] in error.message


# --- the key never leaks ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        openai_error_body(f"Incorrect API key provided: {KEY}", code="invalid_api_key"),
        f"proxy refused Authorization: Bearer {KEY}".encode(),
        json.dumps({"detail": {"echo": {"headers": {"authorization": f"Bearer {KEY}"}}}}).encode(),
    ],
    ids=["openai-json", "plain-text", "nested-echo"],
)
@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503])
def test_key_never_appears_in_error_output(body, status):
    error = PROVIDER.error_from_response(status, body, env=ENV)
    assert KEY not in error.message
    assert KEY not in (error.provider_error_json or "")
    assert "[redacted]" in error.message + (error.provider_error_json or "")


def test_short_or_unusual_key_is_scrubbed_when_env_is_given():
    env = {"OPENAI_API_KEY": "local-emulator-key"}
    error = PROVIDER.error_from_response(401, openai_error_body("bad key local-emulator-key"), env=env)
    assert "local-emulator-key" not in error.message
    assert "local-emulator-key" not in error.provider_error_json
    json.loads(error.provider_error_json)  # scrubbing kept the JSON valid


def test_key_shaped_tokens_are_scrubbed_even_without_env():
    error = PROVIDER.error_from_response(401, openai_error_body(f"your key {KEY} is wrong"))
    assert KEY not in error.message and KEY not in error.provider_error_json


def test_masked_key_from_openai_stays_readable():
    message = "Incorrect API key provided: sk-proj-********************Ab12. You can find your API key at https://platform.openai.com/account/api-keys."
    error = PROVIDER.error_from_response(401, openai_error_body(message, code="invalid_api_key"), env=ENV)
    assert message in error.message


def test_refusals_before_sending_never_contain_the_key():
    bad_part = object()  # not a content part: building fails inside, and must not raise
    error = PROVIDER.chat_request((Message(Role.USER, (bad_part,)),), Config(model="m"), ENV)  # type: ignore[arg-type]
    assert isinstance(error, LlmError)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert KEY not in error.message


# --- delegation to the dialect's normalizers ----------------------------------------------


def _chunk(**fields) -> SseEvent:
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o"}
    return SseEvent(data=json.dumps({**base, **fields}))


def test_normalizer_is_a_fresh_chat_completions_normalizer_each_time():
    first, second = PROVIDER.normalizer(), PROVIDER.normalizer()
    assert isinstance(first, ChatCompletionsNormalizer)
    assert first is not second


def test_normalizer_turns_a_chat_stream_into_text_and_one_finish():
    normalizer = PROVIDER.normalizer()
    events = []
    events += normalizer.feed(_chunk(choices=[{"index": 0, "delta": {"role": "assistant", "content": "Oi"}, "finish_reason": None}]))
    events += normalizer.feed(_chunk(choices=[{"index": 0, "delta": {"content": "!"}, "finish_reason": None}]))
    events += normalizer.feed(_chunk(choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
    events += normalizer.feed(_chunk(choices=[], usage={"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}))
    events += normalizer.feed(SseEvent(data="[DONE]"))
    events += normalizer.end()
    text = "".join(
        part.text for event in events if isinstance(event, StreamDelta) for part in (event.content or ()) if isinstance(part, Text)
    )
    finishes = [event for event in events if isinstance(event, Finish)]
    assert text == "Oi!"
    assert len(finishes) == 1
    assert finishes[0].metadata.finish_reason is FinishReason.STOP
    assert finishes[0].metadata.usage.total_tokens == 5


def test_events_from_json_maps_a_whole_completion():
    body = json.dumps({
        "id": "chatcmpl-2", "object": "chat.completion", "created": 1, "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Oi!"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 2, "total_tokens": 22},
    }).encode()
    events = PROVIDER.events_from_json(body)
    assert events[0] == StreamDelta(content=(Text("Oi!"),))
    assert isinstance(events[-1], Finish)
    assert events[-1].metadata.finish_reason is FinishReason.STOP


def test_events_from_json_on_the_recorded_real_completion():
    path = FIXTURES / "fantasy-gpt-4o-text" / "response.body"
    if not path.is_file():
        pytest.skip(f"recorded fixture not present at {path}")
    events = PROVIDER.events_from_json(path.read_bytes())
    assert isinstance(events[-1], Finish)
    assert any(isinstance(event, StreamDelta) and event.content for event in events)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""])
def test_events_from_json_on_an_unreadable_body_is_one_error(body):
    events = PROVIDER.events_from_json(body)
    assert len(events) == 1
    assert isinstance(events[0], LlmError)
