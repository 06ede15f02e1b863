"""The response decoder: one HTTP response → stream events, with the stream-level rules
(one terminal event, nothing after it, errors as values) that every provider relies on."""

from __future__ import annotations

import json

from normalizer.values import ErrorCode, Finish, LlmError, StreamDelta, Text, is_terminal
from providers.openai import PROVIDER
from providers.response_decoder import MAX_BUFFERED_BODY, ResponseDecoder
from sse.parser import SseParser
from tests.helpers import text_of

KEY = "sk-test-secret-key-abcdefghijklmnop"


def chunk(delta: dict, finish: str | None = None, **extra) -> bytes:
    body = {"id": "chatcmpl-9", "object": "chat.completion.chunk", "created": 1700000000,
            "model": "gpt-4o", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    body.update(extra)
    return b"data: " + json.dumps(body).encode() + b"\n\n"


STREAM = (chunk({"role": "assistant", "content": ""}) + chunk({"content": "Hello"})
          + chunk({"content": ", world"}) + chunk({}, "stop")
          + b'data: {"id":"chatcmpl-9","choices":[],"usage":{"prompt_tokens":5,'
            b'"completion_tokens":3,"total_tokens":8}}\n\n'
          + b"data: [DONE]\n\n")


def run(decoder: ResponseDecoder, data: bytes, size: int) -> list:
    events = []
    for i in range(0, len(data), size):
        events += decoder.feed(data[i:i + size])
    return events + decoder.end()


def test_sse_stream_gives_text_then_exactly_one_finish_whatever_the_chunking():
    for size in (1, 3, 7, 64, len(STREAM)):
        events = run(ResponseDecoder(PROVIDER, 200, "text/event-stream"), STREAM, size)
        assert text_of(events) == "Hello, world"
        assert [type(e) for e in events if is_terminal(e)] == [Finish]
        assert is_terminal(events[-1])
        assert events[-1].metadata.usage.total_tokens == 8


def test_nothing_is_produced_after_the_terminal_event():
    decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream")
    events = decoder.feed(STREAM)
    assert decoder.done and isinstance(events[-1], Finish)
    assert decoder.feed(chunk({"content": "late"})) == []
    assert decoder.end() == [] and decoder.fail("reset") == []


def test_clean_end_without_finish_is_a_truncation_error():
    decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream")
    events = decoder.feed(chunk({"content": "Hel"})) + decoder.end()
    assert text_of(events) == "Hel"
    assert isinstance(events[-1], LlmError) and events[-1].code is ErrorCode.INTERNAL_ERROR
    assert "truncated" in events[-1].message or "finish" in events[-1].message


def test_transport_failure_mid_stream_is_an_error_event_naming_the_cause():
    decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream")
    events = decoder.feed(chunk({"content": "Hel"})) + decoder.fail("connection reset")
    assert isinstance(events[-1], LlmError)
    assert "connection reset" in events[-1].message


def test_error_status_maps_code_and_message_from_the_body():
    body = json.dumps({"error": {"message": "Rate limit reached for gpt-4o", "type": "requests",
                                 "param": None, "code": "rate_limit_exceeded"}}).encode()
    decoder = ResponseDecoder(PROVIDER, 429, "application/json")
    events = run(decoder, body, 5)
    assert len(events) == 1 and isinstance(events[0], LlmError)
    assert events[0].code is ErrorCode.RATE_LIMIT_EXCEEDED
    assert "Rate limit reached" in events[0].message
    assert json.loads(events[0].provider_error_json)["error"]["code"] == "rate_limit_exceeded"


def test_echoed_api_key_is_scrubbed_from_error_events():
    body = json.dumps({"error": {"message": f"bad key {KEY}", "type": "x"}}).encode()
    decoder = ResponseDecoder(PROVIDER, 401, "application/json", {"OPENAI_API_KEY": KEY})
    (event,) = run(decoder, body, 1000)
    assert event.code is ErrorCode.AUTHENTICATION_FAILED
    assert KEY not in event.message and KEY not in (event.provider_error_json or "")


def test_non_streamed_json_answer_is_accepted_through_the_same_events():
    body = json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "created": 1,
                       "model": "gpt-4o", "choices": [{"index": 0, "message": {
                           "role": "assistant", "content": "Plain JSON"},
                           "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": 1, "completion_tokens": 2,
                                 "total_tokens": 3}}).encode()
    events = run(ResponseDecoder(PROVIDER, 200, "application/json; charset=utf-8"), body, 10)
    assert text_of(events) == "Plain JSON"
    assert isinstance(events[-1], Finish)


def test_oversized_buffered_body_is_refused_not_held():
    decoder = ResponseDecoder(PROVIDER, 500, "text/html")
    events = decoder.feed(b"x" * (MAX_BUFFERED_BODY + 1))
    assert isinstance(events[-1], LlmError) and decoder.done


def test_unparseable_stream_line_too_long_is_an_error_event():
    decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream", parser=SseParser(max_line_bytes=64))
    events = decoder.feed(b"data: " + b"x" * 200)
    assert isinstance(events[-1], LlmError) and decoder.done


def test_line_too_long_detected_only_at_the_end_is_an_error_event():
    """A chunk that completes an event and then overflows the line bound returns the event;
    the parser defers the error to its next call, here the end of the body."""
    decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream",
                              parser=SseParser(max_line_bytes=200))
    events = decoder.feed(chunk({"content": "ok"}) + b"data: " + b"x" * 300)
    assert text_of(events) == "ok" and not decoder.done
    events = decoder.end()
    assert len(events) == 1 and isinstance(events[0], LlmError)
    assert "unreadable event stream" in events[0].message
