"""The Anthropic provider object: error mapping, key scrubbing, delegation to the
Messages normalizers, and how it plugs into the one response path (ResponseDecoder)."""

from __future__ import annotations

import json

import pytest

from normalizer.accumulator import Accumulator
from normalizer.anthropic_messages.stream import AnthropicMessagesNormalizer
from normalizer.values import (
    CompleteResponse,
    Config,
    ErrorCode,
    Finish,
    FinishReason,
    LlmError,
    Message,
    Role,
    StreamDelta,
    Text,
    ToolCall,
    ToolRequest,
    Usage,
)
from providers.anthropic import PROVIDER
from providers.response_decoder import ResponseDecoder
from sse.events import SseEvent
from tests.helpers import key_env

KEY = "sk-ant-api03-Z9y8X7w6V5u4T3s2R1q0-abcdefgh"
ENV = key_env("anthropic", KEY)


def anthropic_error_body(error_type: str, message: str) -> bytes:
    return json.dumps({"type": "error", "error": {"type": error_type, "message": message},
                       "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}).encode()


def sse(*events: dict) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


TEXT_STREAM = sse(
    {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
                                          "model": "claude-x", "content": [],
                                          "usage": {"input_tokens": 12, "output_tokens": 1}}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "ping"},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Oi"}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}},
    {"type": "content_block_stop", "index": 0},
    {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}},
    {"type": "message_stop"},
)

TOOL_STREAM = sse(
    {"type": "message_start", "message": {"id": "msg_2", "model": "claude-x",
                                          "usage": {"input_tokens": 30, "output_tokens": 1}}},
    {"type": "content_block_start", "index": 0,
     "content_block": {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {}}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": ""}},
    {"type": "content_block_delta", "index": 0,
     "delta": {"type": "input_json_delta", "partial_json": '{"city": "Flor'}},
    {"type": "content_block_delta", "index": 0,
     "delta": {"type": "input_json_delta", "partial_json": 'ence"}'}},
    {"type": "content_block_stop", "index": 0},
    {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 20}},
    {"type": "message_stop"},
)


def decode(status: int, content_type: str, body: bytes, step: int = 0) -> list:
    decoder = ResponseDecoder(PROVIDER, status, content_type, ENV)
    events: list = []
    if step:
        for i in range(0, len(body), step):
            events += decoder.feed(body[i:i + step])
    else:
        events += decoder.feed(body)
    return events + decoder.end()


def result_of(events: list):
    accumulator = Accumulator()
    accumulator.add(events)
    return accumulator.result()


# --- identity and shape -------------------------------------------------------------------


def test_normalizer_is_fresh_each_time() -> None:
    first, second = PROVIDER.normalizer(), PROVIDER.normalizer()
    assert isinstance(first, AnthropicMessagesNormalizer) and first is not second


# --- the response path ----------------------------------------------------------------------


@pytest.mark.parametrize("step", [0, 1, 7, 64])
def test_a_text_stream_through_the_decoder(step: int) -> None:
    result = result_of(decode(200, "text/event-stream; charset=utf-8", TEXT_STREAM, step))
    assert isinstance(result, CompleteResponse)
    assert result.content == (Text("Oi!"),)
    assert result.id == "msg_1"
    assert result.metadata.finish_reason is FinishReason.STOP
    assert result.metadata.usage == Usage(12, 3, 15)


def test_a_tool_stream_is_a_tool_request() -> None:
    result = result_of(decode(200, "text/event-stream", TOOL_STREAM, 5))
    assert result == ToolRequest((ToolCall("toolu_1", "weather", '{"city": "Florence"}'),))


def test_a_stream_cut_off_mid_tool_call_is_an_error_without_the_call() -> None:
    cut = TOOL_STREAM[: TOOL_STREAM.index(b"content_block_stop")]
    events = decode(200, "text/event-stream", cut)
    assert not any(isinstance(e, StreamDelta) and e.tool_calls for e in events)
    result = result_of(events)
    assert isinstance(result, LlmError) and result.code is ErrorCode.INTERNAL_ERROR


def test_an_in_band_overloaded_error_through_the_decoder() -> None:
    body = TEXT_STREAM[: TEXT_STREAM.index(b"event: content_block_stop")] + sse(
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    events = decode(200, "text/event-stream", body, 3)
    assert isinstance(events[-1], LlmError)
    assert events[-1].code is ErrorCode.INTERNAL_ERROR and "overloaded_error" in events[-1].message
    assert sum(isinstance(e, StreamDelta) for e in events) == 2  # the text before it


def test_a_non_streamed_json_answer_goes_through_events_from_json() -> None:
    body = json.dumps({
        "id": "msg_3", "type": "message", "role": "assistant", "model": "claude-x",
        "content": [{"type": "text", "text": "Olá!"}], "stop_reason": "max_tokens",
        "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 2}}).encode()
    for step in (0, 3):
        result = result_of(decode(200, "application/json", body, step))
        assert isinstance(result, CompleteResponse)
        assert result.content == (Text("Olá!"),)
        assert result.metadata.finish_reason is FinishReason.LENGTH


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""])
def test_events_from_json_on_an_unreadable_body_is_one_error(body: bytes) -> None:
    events = PROVIDER.events_from_json(body)
    assert len(events) == 1 and isinstance(events[0], LlmError)


def test_events_from_json_never_raises() -> None:
    events = PROVIDER.events_from_json(b'{"type": "message", "content": [{"type": "tool_use", '
                                       b'"id": "t", "name": "f", "input": {"x": 1}}], "usage": {}}')
    assert isinstance(events[-1], Finish)


def test_normalizer_feeds_like_the_protocol_says() -> None:
    normalizer = PROVIDER.normalizer()
    assert normalizer.feed(SseEvent('{"type": "ping"}', "ping")) == []
    assert isinstance(normalizer.end()[0], LlmError)


# --- error responses ----------------------------------------------------------------------


# The table, written out literally.
@pytest.mark.parametrize(("status", "error_type", "code"), [
    (400, "invalid_request_error", ErrorCode.INVALID_REQUEST),
    (401, "authentication_error", ErrorCode.AUTHENTICATION_FAILED),
    (403, "permission_error", ErrorCode.AUTHENTICATION_FAILED),
    (404, "not_found_error", ErrorCode.INVALID_REQUEST),
    (408, "timeout_error", ErrorCode.INTERNAL_ERROR),  # transient: the SDK retries it
    (409, "conflict_error", ErrorCode.INTERNAL_ERROR),  # transient: the SDK retries it
    (413, "request_too_large", ErrorCode.INVALID_REQUEST),
    (429, "rate_limit_error", ErrorCode.RATE_LIMIT_EXCEEDED),
    (500, "api_error", ErrorCode.INTERNAL_ERROR),
    (529, "overloaded_error", ErrorCode.INTERNAL_ERROR),
])
def test_error_statuses_map_with_type_message_and_body_kept(status: int, error_type: str,
                                                           code: ErrorCode) -> None:
    body = anthropic_error_body(error_type, f"something went wrong ({status})")
    for error in (PROVIDER.error_from_response(status, body, env=ENV),
                  PROVIDER.error_from_response(status, body)):
        assert error.code is code
        assert f"Anthropic returned HTTP {status}" in error.message
        assert error_type in error.message and f"something went wrong ({status})" in error.message
        assert json.loads(error.provider_error_json) == json.loads(body)
    # and the same through the decoder, body in pieces
    events = decode(status, "application/json", body, 10)
    assert len(events) == 1 and events[0].code is code


def test_529_says_overloaded() -> None:
    error = PROVIDER.error_from_response(529, anthropic_error_body("overloaded_error", "Overloaded"))
    assert "(overloaded)" in error.message


def test_html_from_a_proxy_still_maps() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    error = PROVIDER.error_from_response(502, page, env=ENV)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert error.message == "Anthropic returned HTTP 502 (server error): 502 Bad Gateway"
    assert json.loads(error.provider_error_json) == {"status": 502, "body": page.decode()}


# --- the key never leaks --------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    anthropic_error_body("authentication_error", f"invalid x-api-key {KEY}"),
    f"proxy refused x-api-key: {KEY}".encode(),
    json.dumps({"detail": {"headers": {"x-api-key": KEY}}}).encode(),
    f"<html><title>401</title>Bearer {KEY}</html>".encode(),
], ids=["anthropic-json", "plain-text", "nested-echo", "html"])
@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 529])
def test_key_never_appears_in_error_output(body: bytes, status: int) -> None:
    for env in (ENV, None):
        error = PROVIDER.error_from_response(status, body, env=env)
        assert KEY not in error.message
        assert KEY not in (error.provider_error_json or "")
        json.loads(error.provider_error_json)


def test_unusual_key_is_scrubbed_when_env_is_given() -> None:
    env = {"ANTHROPIC_API_KEY": "local-emulator-key"}
    error = PROVIDER.error_from_response(401, anthropic_error_body("authentication_error",
                                                                   "bad key local-emulator-key"), env=env)
    assert "local-emulator-key" not in error.message + error.provider_error_json
    assert "[redacted]" in error.message


def test_refusals_before_sending_never_contain_the_key() -> None:
    error = PROVIDER.chat_request((Message(Role.USER, (object(),)),), Config(model="m"), ENV)  # type: ignore[arg-type]
    assert isinstance(error, LlmError) and error.code is ErrorCode.INTERNAL_ERROR
    assert KEY not in error.message
