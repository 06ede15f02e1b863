"""The response decoder: one HTTP response → stream events, with the stream-level rules
(one terminal event, nothing after it, errors as values) that every provider relies on."""

from __future__ import annotations

import json

import pytest

from normalizer.values import ErrorCode, Finish, LlmError, StreamDelta, Text, is_terminal
from providers.openai import PROVIDER
from providers.response_decoder import MAX_BUFFERED_BODY, ResponseDecoder, end_marker_required
from providers.retry import AttemptFailure, Failure
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


# ---- why a stream ended, and when it is complete ------------------------------------------

OWN_API = {"OPENAI_API_KEY": KEY}
GATEWAY = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://gateway.example/v1"}
UNTIL_USAGE = STREAM[: STREAM.index(b'data: {"id":"chatcmpl-9","choices":[]')]


def test_from_the_providers_own_api_a_stream_is_complete_only_at_its_end_marker():
    decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream", OWN_API)
    events = decoder.feed(UNTIL_USAGE) + decoder.end()
    assert text_of(events) == "Hello, world"
    assert isinstance(events[-1], LlmError) and "finish reason" in events[-1].message
    assert decoder.failure.kind is Failure.TRUNCATED  # so it can be resumed


def test_from_another_base_url_the_end_of_the_body_after_a_finish_reason_is_accepted():
    decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream", GATEWAY)
    events = decoder.feed(UNTIL_USAGE) + decoder.end()
    assert isinstance(events[-1], Finish) and events[-1].metadata.usage is None
    assert decoder.failure is None


@pytest.mark.parametrize("rule,env,required", [
    ("required", GATEWAY, True), ("optional", OWN_API, False), ("auto", OWN_API, True),
    ("auto", {**OWN_API, "OPENAI_BASE_URL": "https://api.openai.com/v1/"}, True),
    ("auto", GATEWAY, False)])
def test_the_end_marker_rule_can_be_set(rule, env, required):
    assert end_marker_required(PROVIDER, {**env, "GOLEM_LLM_END_MARKER": rule}) is required


def test_a_stream_that_reaches_its_marker_is_complete_either_way():
    for env in (OWN_API, GATEWAY):
        decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream", env)
        assert isinstance((decoder.feed(STREAM) + decoder.end())[-1], Finish)


@pytest.mark.parametrize("feed,ending,kind", [
    (b"", lambda d: d.fail("reset"), Failure.BROKEN),
    (b"", lambda d: d.end(), Failure.TRUNCATED),
    (b"", lambda d: d.time_out("no event for 5 ms"), Failure.TIMED_OUT),
    (b'data: {"error": {"message": "busy", "type": "server_error"}}\n\n', None, Failure.IN_BAND),
    (b"data: {not json\n\n", None, Failure.IN_BAND),
])
def test_each_error_ending_says_what_kind_of_failure_it_was(feed, ending, kind):
    decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream", headers={"x-a": "b"})
    events = decoder.feed(chunk({"content": "Hel"})) + decoder.feed(feed)
    if ending is not None:
        events += ending(decoder)
    assert isinstance(events[-1], LlmError)
    assert decoder.failure.kind is kind and decoder.failure.error == events[-1]


def test_an_error_status_keeps_its_status_and_headers_for_the_retry_decision():
    decoder = ResponseDecoder(PROVIDER, 503, "application/json",
                              headers={"retry-after-ms": "20"})
    (event,) = decoder.feed(b'{"error": {"message": "busy"}}') + decoder.end()
    assert decoder.failure == AttemptFailure(Failure.STATUS, 503, {"retry-after-ms": "20"}, event)


def test_comments_and_blank_lines_are_not_events_and_do_not_count_as_progress():
    decoder = ResponseDecoder(PROVIDER, 200, "text/event-stream")
    decoder.feed(b": keep-alive\n\n\n\n: OPENROUTER PROCESSING\n\n")
    assert decoder.events_seen == 0
    decoder.feed(chunk({"role": "assistant"}))  # an event, though it makes no delta
    assert decoder.events_seen == 1
