"""Anthropic Messages stream normalizer, stop-reason and error mapping, non-streamed bodies.

Events are built here in the shapes of reference/providers.md §2.3–§2.6 (recorded traffic);
the recorded bodies themselves run in test_anthropic_fixtures.py.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.anthropic_messages.completion import events_from_body, events_from_message
from normalizer.anthropic_messages.errors import error_code_from_type, error_from_event
from normalizer.anthropic_messages.finish_reason import map_finish_reason
from normalizer.anthropic_messages.usage import convert_usage
from normalizer.values import (
    ErrorCode,
    Finish,
    FinishReason,
    LlmError,
    StreamDelta,
    Text,
    ToolCall,
    Usage,
    is_terminal,
)
from providers import PROVIDERS
from sse.events import SseEvent
from tests.helpers import calls_of, normalize, only_error, only_finish, text_of

ANTHROPIC = PROVIDERS["anthropic"]

MSG_ID = "msg_01PSvJdjd5keNSD63VHjYzex"
MODEL = "claude-sonnet-4-20250514"


def ev(kind: str, name: Optional[str] = None, **fields: Any) -> SseEvent:
    """One event as Anthropic sends it: `event: <kind>` and data whose `type` repeats it."""
    return SseEvent(json.dumps({"type": kind, **fields}), name or kind)


def start(input_tokens: int = 25, output_tokens: int = 1, **usage: Any) -> SseEvent:
    return ev("message_start", message={
        "id": MSG_ID, "type": "message", "role": "assistant", "content": [], "model": MODEL,
        "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens, **usage}})


def block_start(index: int, block: dict) -> SseEvent:
    return ev("content_block_start", index=index, content_block=block)


def text_block(index: int = 0, text: str = "") -> SseEvent:
    return block_start(index, {"type": "text", "text": text})


def tool_block(index: int, call_id: str, name: str, tool_input: Optional[dict] = None) -> SseEvent:
    return block_start(index, {"type": "tool_use", "id": call_id, "name": name,
                               "input": tool_input if tool_input is not None else {},
                               "caller": {"type": "direct"}})


def delta(index: int, d: dict) -> SseEvent:
    return ev("content_block_delta", index=index, delta=d)


def text(index: int, value: str) -> SseEvent:
    return delta(index, {"type": "text_delta", "text": value})


def args(index: int, fragment: str) -> SseEvent:
    return delta(index, {"type": "input_json_delta", "partial_json": fragment})


def block_stop(index: int) -> SseEvent:
    return ev("content_block_stop", index=index)


def message_delta(stop_reason: Optional[str] = "end_turn", stop_sequence: Optional[str] = None,
                  **usage: Any) -> SseEvent:
    return ev("message_delta", delta={"stop_reason": stop_reason, "stop_sequence": stop_sequence},
              usage=usage or {"output_tokens": 15})


STOP = ev("message_stop")
PING = SseEvent('{"type": "ping"}', "ping")


def run(events: list[SseEvent], call_end: bool = True) -> list:
    return normalize(ANTHROPIC.normalizer(), events, call_end)


def metadata_json(finish: Finish) -> dict:
    return json.loads(finish.metadata.provider_metadata_json)


def text_stream(*pieces: str, stop_reason: str = "end_turn", **usage: Any) -> list[SseEvent]:
    return [start(), text_block(0), PING, *[text(0, p) for p in pieces], block_stop(0),
            message_delta(stop_reason, **usage), STOP]


# --- text, usage, finish -----------------------------------------------------------------


def test_plain_text_stream_gives_text_deltas_then_one_finish() -> None:
    events = run(text_stream("Hello", "!", output_tokens=15))
    assert [e for e in events if isinstance(e, StreamDelta)] == [
        StreamDelta(content=(Text("Hello"),)), StreamDelta(content=(Text("!"),))]
    finish = only_finish(events)
    assert finish.metadata.finish_reason is FinishReason.STOP
    assert finish.metadata.usage == Usage(input_tokens=25, output_tokens=15, total_tokens=40)
    assert finish.metadata.provider_id == MSG_ID
    assert finish.metadata.timestamp is None  # Anthropic sends none; replay stays deterministic
    extra = metadata_json(finish)
    assert extra["model"] == MODEL and extra["finish_reason"] == "end_turn"
    assert "stop_sequence" not in extra and "thinking" not in extra


def test_text_is_passed_on_at_once_not_at_the_end() -> None:
    normalizer = ANTHROPIC.normalizer()
    assert normalizer.feed(start()) == []
    assert normalizer.feed(text_block(0)) == []
    assert normalizer.feed(text(0, "Olá")) == [StreamDelta(content=(Text("Olá"),))]


def test_output_tokens_are_cumulative_not_added() -> None:
    events = run([start(input_tokens=10, output_tokens=4), text_block(0), text(0, "a"),
                  message_delta(None, output_tokens=8), block_stop(0),
                  message_delta("end_turn", output_tokens=15), STOP])
    assert only_finish(events).metadata.usage == Usage(10, 15, 25)


def test_message_delta_input_tokens_and_cache_tokens_count_as_input() -> None:
    events = run([start(input_tokens=3, cache_read_input_tokens=None), text_block(0), text(0, "x"),
                  block_stop(0),
                  message_delta("end_turn", input_tokens=10, cache_read_input_tokens=100,
                                cache_creation_input_tokens=5, output_tokens=7), STOP])
    finish = only_finish(events)
    assert finish.metadata.usage == Usage(input_tokens=115, output_tokens=7, total_tokens=122)
    raw = metadata_json(finish)["usage"]["provider_usage"]
    assert raw["cache_read_input_tokens"] == 100 and raw["input_tokens"] == 10


def test_usage_helper_without_input_or_output() -> None:
    assert convert_usage({"output_tokens": 3}) == Usage(None, 3, None)
    assert convert_usage({"input_tokens": 3}) == Usage(3, None, None)
    assert convert_usage({"input_tokens": True, "output_tokens": "2"}) == Usage()


def test_text_in_the_block_start_itself_is_not_lost() -> None:
    events = run([start(), text_block(0, "Hi"), text(0, " there"), block_stop(0), message_delta(),
                  STOP])
    assert text_of(events) == "Hi there"


def test_first_message_start_wins() -> None:
    second = SseEvent(json.dumps({"type": "message_start", "message": {"id": "msg_other",
                                                                     "model": "other"}}),
                      "message_start")
    events = run([start(), second, *text_stream("a")[1:]])
    finish = only_finish(events)
    assert finish.metadata.provider_id == MSG_ID and metadata_json(finish)["model"] == MODEL


def test_stop_sequence_is_kept_in_metadata() -> None:
    events = run([start(), text_block(0), text(0, "The city of "), block_stop(0),
                  message_delta("stop_sequence", "Paris"), STOP])
    finish = only_finish(events)
    assert finish.metadata.finish_reason is FinishReason.STOP
    assert metadata_json(finish)["stop_sequence"] == "Paris"


# Written out here rather than imported, so the test does not grade the module by itself.
@pytest.mark.parametrize(("raw", "expected"), [
    ("end_turn", FinishReason.STOP),
    ("stop_sequence", FinishReason.STOP),
    ("max_tokens", FinishReason.LENGTH),
    ("model_context_window_exceeded", FinishReason.LENGTH),
    ("tool_use", FinishReason.TOOL_CALLS),
    ("refusal", FinishReason.CONTENT_FILTER),
    ("pause_turn", FinishReason.OTHER),
    ("a_reason_from_the_future", FinishReason.OTHER),
])
def test_stop_reasons_map_and_the_raw_value_is_kept(raw: str, expected: FinishReason) -> None:
    assert map_finish_reason(raw) is expected
    finish = only_finish(run(text_stream("x", stop_reason=raw)))
    assert finish.metadata.finish_reason is expected
    assert metadata_json(finish)["finish_reason"] == raw


def test_message_stop_without_any_stop_reason_still_finishes() -> None:
    events = run([start(), text_block(0), text(0, "x"), block_stop(0), STOP])
    finish = only_finish(events)
    assert finish.metadata.finish_reason is None
    assert finish.metadata.usage == Usage(25, 1, 26)


def test_exactly_one_finish_and_nothing_after_it() -> None:
    normalizer = ANTHROPIC.normalizer()
    out: list = []
    for event in text_stream("a"):
        out.extend(normalizer.feed(event))
    assert normalizer.feed(STOP) == []
    assert normalizer.feed(text(0, "late")) == []
    assert normalizer.end() == []
    only_finish(out)


# --- tool calls --------------------------------------------------------------------------


def test_tool_call_is_emitted_whole_when_its_block_stops() -> None:
    normalizer = ANTHROPIC.normalizer()
    feed = [start(), text_block(0), text(0, "I'll add."), block_stop(0),
            tool_block(1, "toolu_1", "add"), args(1, ""), args(1, '{"a": 2'), args(1, ', "b"'),
            args(1, ": 3}")]
    early = [e for event in feed for e in normalizer.feed(event)]
    assert calls_of(early) == [], "no partial tool call before content_block_stop"
    stopped = normalizer.feed(block_stop(1))
    assert stopped == [StreamDelta(tool_calls=(ToolCall("toolu_1", "add", '{"a": 2, "b": 3}'),))]
    rest = normalizer.feed(message_delta("tool_use")) + normalizer.feed(STOP)
    assert only_finish(rest).metadata.finish_reason is FinishReason.TOOL_CALLS


@pytest.mark.parametrize("fragments", [[], [""], ["", " "], ["\n"]],
                         ids=["no-delta", "empty", "blank", "newline"])
def test_no_argument_tool_gets_an_empty_object(fragments: list[str]) -> None:
    events = run([start(), tool_block(0, "toolu_x", "get_time"), *[args(0, f) for f in fragments],
                  block_stop(0), message_delta("tool_use"), STOP])
    assert calls_of(events) == [ToolCall("toolu_x", "get_time", "{}")]


def test_block_input_is_used_when_no_fragment_came() -> None:
    events = run([start(), tool_block(0, "toolu_x", "f", {"q": "é"}), block_stop(0),
                  message_delta("tool_use"), STOP])
    assert json.loads(calls_of(events)[0].arguments_json) == {"q": "é"}


def test_parallel_tool_blocks_are_keyed_by_index_even_when_interleaved() -> None:
    events = run([
        start(), tool_block(1, "toolu_a", "add"), tool_block(2, "toolu_m", "multiply"),
        args(1, ""), args(2, ""), args(2, '{"a": 5'), args(1, '{"a": 2'), args(1, ', "b": 3}'),
        args(2, ', "b": 6}'), block_stop(2), block_stop(1), message_delta("tool_use"), STOP])
    got = calls_of(events)
    assert [c.id for c in got] == ["toolu_m", "toolu_a"]  # in the order their blocks stopped
    assert json.loads(got[0].arguments_json) == {"a": 5, "b": 6}
    assert json.loads(got[1].arguments_json) == {"a": 2, "b": 3}
    only_finish(events)


def test_stream_ending_mid_tool_call_is_an_error_and_no_call_escapes() -> None:
    events = run([start(), tool_block(0, "toolu_1", "delete_everything"), args(0, ""),
                  args(0, '{"path": "/tmp/x')])
    error = only_error(events)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert "tool call" in error.message and "truncated" in error.message
    assert calls_of(events) == []


def test_message_stop_with_a_tool_block_still_open_is_an_error() -> None:
    events = run([start(), tool_block(0, "toolu_1", "f"), args(0, '{"a": 1}'),
                  message_delta("tool_use"), STOP])
    error = only_error(events)
    assert "still open" in error.message and calls_of(events) == []


def test_tool_input_cut_by_max_tokens_is_not_emitted_but_reported() -> None:
    events = run([start(), tool_block(0, "toolu_1", "write_file"), args(0, '{"path": "a.txt", "te'),
                  block_stop(0), message_delta("max_tokens", output_tokens=100), STOP])
    assert calls_of(events) == []
    finish = only_finish(events)
    assert finish.metadata.finish_reason is FinishReason.LENGTH
    assert metadata_json(finish)["incomplete_tool_use"] == [
        {"id": "toolu_1", "name": "write_file", "input": '{"path": "a.txt", "te'}]


def test_invalid_tool_input_without_a_cut_is_an_error() -> None:
    events = run([start(), tool_block(0, "toolu_1", "f"), args(0, '{"a": '), block_stop(0),
                  message_delta("tool_use"), STOP])
    error = only_error(events)
    assert "not valid JSON" in error.message and calls_of(events) == []


# --- the answer tool (structured output's tool form) -------------------------------------

ANSWER = "json_answer"  # the name the provider reserves (providers/anthropic_messages/structured_output.py)


def answer_stream(*fragments: str) -> list[SseEvent]:
    return [start(), tool_block(0, "toolu_answer", ANSWER), PING,
            *[args(0, f) for f in fragments], block_stop(0),
            message_delta("tool_use", output_tokens=21), STOP]


def test_the_answer_tools_input_streams_as_text_and_finishes_with_stop() -> None:
    """Golden events: each non-empty input piece is one text delta, at once; no tool call;
    finish `stop` with the API's own `tool_use` kept in the metadata."""
    events = run(answer_stream("", '{"name": "Ad', 'a", "age"', ": 36}"))
    assert events[:-1] == [StreamDelta(content=(Text('{"name": "Ad'),)),
                           StreamDelta(content=(Text('a", "age"'),)),
                           StreamDelta(content=(Text(": 36}"),))]
    assert json.loads(text_of(events)) == {"name": "Ada", "age": 36}
    assert calls_of(events) == []
    finish = only_finish(events)
    assert finish.metadata.finish_reason is FinishReason.STOP
    assert metadata_json(finish)["finish_reason"] == "tool_use"


def test_an_answer_piece_is_passed_on_before_the_block_stops() -> None:
    normalizer = ANTHROPIC.normalizer()
    for event in (start(), tool_block(0, "toolu_answer", ANSWER), args(0, "")):
        assert normalizer.feed(event) == []
    assert normalizer.feed(args(0, '{"a"')) == [StreamDelta(content=(Text('{"a"'),))]


def test_an_answer_given_whole_in_the_block_start_is_the_text() -> None:
    events = run([start(), tool_block(0, "toolu_answer", ANSWER, {"ok": True}), block_stop(0),
                  message_delta("tool_use"), STOP])
    assert json.loads(text_of(events)) == {"ok": True}


def test_an_answer_cut_by_max_tokens_is_partial_text_and_length() -> None:
    events = run([start(), tool_block(0, "toolu_answer", ANSWER), args(0, '{"story": "Once'),
                  block_stop(0), message_delta("max_tokens"), STOP])
    assert text_of(events) == '{"story": "Once'
    assert only_finish(events).metadata.finish_reason is FinishReason.LENGTH


def test_another_tools_call_is_still_a_tool_call() -> None:
    events = run([start(), tool_block(0, "toolu_1", "json_answer_v2"), args(0, "{}"),
                  block_stop(0), message_delta("tool_use"), STOP])
    assert [c.name for c in calls_of(events)] == ["json_answer_v2"] and text_of(events) == ""
    assert only_finish(events).metadata.finish_reason is FinishReason.TOOL_CALLS


def test_a_non_streamed_answer_tool_is_the_text() -> None:
    body = {"id": MSG_ID, "type": "message", "role": "assistant", "model": MODEL,
            "content": [{"type": "tool_use", "id": "toolu_a", "name": ANSWER,
                         "input": {"name": "Ada", "tags": ["é"]}}],
            "stop_reason": "tool_use", "stop_sequence": None,
            "usage": {"input_tokens": 9, "output_tokens": 12}}
    events = ANTHROPIC.completion_events(json.dumps(body).encode())
    assert json.loads(text_of(events)) == {"name": "Ada", "tags": ["é"]}
    assert calls_of(events) == []
    assert only_finish(events).metadata.finish_reason is FinishReason.STOP


# --- thinking, server tools, unknown things ----------------------------------------------


def test_thinking_stays_out_of_the_text_and_is_kept_for_echoing() -> None:
    events = run([
        start(), block_start(0, {"type": "thinking", "thinking": "", "signature": ""}), PING,
        delta(0, {"type": "thinking_delta", "thinking": "The user wants"}),
        delta(0, {"type": "thinking_delta", "thinking": " two names."}),
        delta(0, {"type": "signature_delta", "signature": "EuYDCmMIDBgC"}), block_stop(0),
        block_start(1, {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"}), block_stop(1),
        text_block(2), text(2, "Pouch and Pelé."), block_stop(2), message_delta(), STOP])
    assert text_of(events) == "Pouch and Pelé."
    finish = only_finish(events)
    assert metadata_json(finish)["thinking"] == [
        {"type": "thinking", "thinking": "The user wants two names.", "signature": "EuYDCmMIDBgC"},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"},
    ]


def test_deltas_of_the_wrong_kind_for_their_block_are_ignored() -> None:
    events = run([start(), tool_block(0, "toolu_1", "f"), text(0, "not text"),
                  delta(0, {"type": "thinking_delta", "thinking": "nope"}), args(0, '{"a": 1}'),
                  block_stop(0), text_block(1), args(1, '{"b": 2}'), text(1, "yes"), block_stop(1),
                  message_delta("tool_use"), STOP])
    assert text_of(events) == "yes"
    assert calls_of(events) == [ToolCall("toolu_1", "f", '{"a": 1}')]


def test_text_delta_for_an_index_never_started_is_kept() -> None:
    events = run([start(), text(5, "orphan"), message_delta(), STOP])
    assert text_of(events) == "orphan"


def test_server_tool_blocks_are_not_client_tool_calls() -> None:
    events = run([
        start(), text_block(0), text(0, "Searching."), block_stop(0),
        block_start(1, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
                        "input": {}}),
        args(1, ""), args(1, '{"query": "weather'), args(1, ' SF"}'), block_stop(1),
        block_start(2, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
                        "content": [{"type": "web_search_result", "title": "SF",
                                     "url": "https://example.com", "encrypted_content": "Ev"}]}),
        block_stop(2),
        text_block(3), text(3, " Sunny."),
        delta(3, {"type": "citations_delta", "citation": {"type": "web_search_result_location",
                                                           "url": "https://example.com"}}),
        block_stop(3), message_delta("end_turn", output_tokens=40,
                                     server_tool_use={"web_search_requests": 1}), STOP])
    assert calls_of(events) == []
    assert text_of(events) == "Searching. Sunny."
    assert metadata_json(only_finish(events))["usage"]["provider_usage"]["server_tool_use"] == {
        "web_search_requests": 1}


def test_pings_and_unknown_events_are_ignored_anywhere() -> None:
    unknown = SseEvent('{"type": "content_block_annotation", "index": 0}', "content_block_annotation")
    not_json = SseEvent("keep-alive!", "some_future_event")
    events = run([PING, start(), PING, unknown, text_block(0), not_json, PING, text(0, "a"),
                  delta(0, {"type": "a_future_delta", "x": 1}), block_stop(0),
                  SseEvent("", "ping"), SseEvent("not json either", "ping"), message_delta(), PING,
                  STOP])
    assert text_of(events) == "a"
    only_finish(events)


def test_event_name_stands_in_for_a_missing_type() -> None:
    events = run([start(), text_block(0),
                  SseEvent('{"index": 0, "delta": {"type": "text_delta", "text": "x"}}',
                           "content_block_delta"),
                  block_stop(0), message_delta(), SseEvent("{}", "message_stop")])
    assert text_of(events) == "x"
    only_finish(events)


def test_padded_json_is_accepted() -> None:
    events = run([start(), SseEvent('{"type":"content_block_start","index":0,'
                                    '"content_block":{"type":"text","text":""}           }',
                                    "content_block_start"),
                  SseEvent('{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",'
                           '"text":"1"}  }  ', "content_block_delta"),
                  block_stop(0), message_delta(), SseEvent('  {"type":"message_stop"   }',
                                                           "message_stop")])
    assert text_of(events) == "1"
    only_finish(events)


# --- in-stream errors ----------------------------------------------------------------------


# What golem:llm says each Anthropic error type means, written out literally.
@pytest.mark.parametrize(("error_type", "code"), [
    ("overloaded_error", ErrorCode.INTERNAL_ERROR),
    ("api_error", ErrorCode.INTERNAL_ERROR),
    ("timeout_error", ErrorCode.INTERNAL_ERROR),
    ("rate_limit_error", ErrorCode.RATE_LIMIT_EXCEEDED),
    ("billing_error", ErrorCode.RATE_LIMIT_EXCEEDED),
    ("invalid_request_error", ErrorCode.INVALID_REQUEST),
    ("not_found_error", ErrorCode.INVALID_REQUEST),
    ("request_too_large", ErrorCode.INVALID_REQUEST),
    ("authentication_error", ErrorCode.AUTHENTICATION_FAILED),
    ("permission_error", ErrorCode.AUTHENTICATION_FAILED),
    ("an_error_from_the_future", ErrorCode.UNKNOWN),
])
def test_error_event_mid_stream_ends_it_with_the_right_code(error_type: str, code: ErrorCode) -> None:
    assert error_code_from_type(error_type) is code
    body = {"type": "error", "error": {"type": error_type, "message": "Overloaded"}}
    normalizer = ANTHROPIC.normalizer()
    out: list = []
    for event in [start(), text_block(0), text(0, "Partial"), SseEvent(json.dumps(body), "error")]:
        out.extend(normalizer.feed(event))
    assert text_of(out) == "Partial"
    error = only_error(out)
    assert error.code is code
    assert error_type in error.message and "Overloaded" in error.message and "Anthropic" in error.message
    assert json.loads(error.provider_error_json) == body
    assert normalizer.feed(STOP) == [] and normalizer.end() == []


def test_recorded_api_error_shape_with_details_and_padding() -> None:
    # LiteLLM #4562: a real mid-stream error event, padded, with an extra `details` field.
    raw = '{"type":"error","error":{"details":null,"type":"api_error","message":"Internal server error"}      }'
    error = only_error(run([start(), SseEvent(raw, "error")]))
    assert error.code is ErrorCode.INTERNAL_ERROR and "Internal server error" in error.message


def test_error_recognised_by_data_type_or_by_event_name() -> None:
    by_type = run([SseEvent('{"type": "error", "error": {"type": "overloaded_error", '
                            '"message": "Overloaded"}}')])
    assert only_error(by_type).code is ErrorCode.INTERNAL_ERROR
    by_name = run([SseEvent('{"error": {"type": "rate_limit_error", "message": "slow"}}', "error")])
    assert only_error(by_name).code is ErrorCode.RATE_LIMIT_EXCEEDED
    odd = run([SseEvent('{"type": "error", "error": "boom", "request_id": "req_1"}', "error")])
    error = only_error(odd)
    assert error.code is ErrorCode.UNKNOWN and "boom" in error.message and "req_1" in error.message


def test_error_from_event_on_an_empty_object() -> None:
    error = error_from_event({}, "Anthropic")
    assert error.code is ErrorCode.UNKNOWN and "no message given" in error.message


# --- truncation and malformed input --------------------------------------------------------


@pytest.mark.parametrize(("events", "why"), [
    ([], "before any data"),
    ([PING], "before any data"),
    ([start()], "before message_stop"),
    ([start(), text_block(0), text(0, "Hal")], "before message_stop"),
    (text_stream("a")[:-1], "before message_stop"),
])
def test_a_stream_without_message_stop_is_truncated(events: list[SseEvent], why: str) -> None:
    out = run(events)
    error = only_error(out)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert "truncated" in error.message and why in error.message


@pytest.mark.parametrize("event", [
    SseEvent('{"type": "content_block_delta", "index": 0, "delta": {"type": "text_de', "content_block_delta"),
    SseEvent("[1, 2]", "content_block_delta"),
    SseEvent('{"type": "message_start"} trailing', "message_start"),
    SseEvent('{"type": "content_block_delta", "index": 0, "delta": "text"}', "content_block_delta"),
    SseEvent('{"type": "content_block_delta", "index": 0, "delta": null}', "content_block_delta"),
    SseEvent("not json", "message"),
], ids=["cut-json", "array", "extra-data", "delta-string", "delta-null", "unnamed-garbage"])
def test_malformed_answer_events_end_the_stream_with_an_error(event: SseEvent) -> None:
    out = run([start(), text_block(0), event, text(0, "never seen")])
    error = only_error(out)
    assert error.code is ErrorCode.INTERNAL_ERROR and "malformed" in error.message
    assert text_of(out) == ""


def test_malformed_block_shapes_do_not_raise() -> None:
    events = run([start(), ev("content_block_start", index=0, content_block="text"),
                  ev("content_block_start", index=1, content_block={"type": "tool_use"}),
                  ev("content_block_stop", index=7),
                  SseEvent('{"type": "message_start", "message": "x"}', "message_start"),
                  SseEvent('{"type": "message_delta", "delta": 3, "usage": []}', "message_delta"),
                  block_stop(1), message_delta("tool_use"), STOP])
    assert calls_of(events) == [ToolCall("", "", "{}")]
    only_finish(events)


_EVENT_NAMES = st.sampled_from(["message_start", "content_block_start", "content_block_delta",
                                "content_block_stop", "message_delta", "message_stop", "ping",
                                "error", "message", "unknown"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["type", "index", "delta", "content_block", "message", "usage", "text",
                         "partial_json", "stop_reason", "error", "id", "name", "input"]),
        inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_EVENT_NAMES, _JSON | st.text(max_size=8)), max_size=12))
def test_any_event_sequence_ends_in_exactly_one_terminal_event(sequence: list) -> None:
    """Never an exception, never two terminal events, never anything after one, and always
    one at the end (a finish, or an error for a truncated stream)."""
    normalizer = ANTHROPIC.normalizer()
    out: list = []
    for name, payload in sequence:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        out.extend(normalizer.feed(SseEvent(data, name)))
    out.extend(normalizer.end())
    terminals = [i for i, e in enumerate(out) if is_terminal(e)]
    assert terminals == [len(out) - 1]


# --- HTTP error bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(("status", "error_type", "code", "phrase"), [
    (400, "invalid_request_error", ErrorCode.INVALID_REQUEST, "invalid request"),
    (401, "authentication_error", ErrorCode.AUTHENTICATION_FAILED, "authentication failed"),
    (403, "permission_error", ErrorCode.AUTHENTICATION_FAILED, "authentication failed"),
    (404, "not_found_error", ErrorCode.INVALID_REQUEST, "invalid request"),
    (413, "request_too_large", ErrorCode.INVALID_REQUEST, "invalid request"),
    (429, "rate_limit_error", ErrorCode.RATE_LIMIT_EXCEEDED, "rate limit exceeded"),
    (500, "api_error", ErrorCode.INTERNAL_ERROR, "server error"),
    (529, "overloaded_error", ErrorCode.INTERNAL_ERROR, "overloaded"),
])
def test_http_error_bodies_map_by_status(status: int, error_type: str, code: ErrorCode,
                                         phrase: str) -> None:
    body = json.dumps({"type": "error", "error": {"type": error_type, "message": f"it broke {status}"},
                       "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}).encode()
    error = ANTHROPIC.error_from_response(status, body)
    assert error.code is code
    assert error.message == (f"Anthropic returned HTTP {status} ({phrase}): {error_type}: "
                             f"it broke {status} (request req_011CSHoEeqs5C35K2UUqR7Fy)")
    assert json.loads(error.provider_error_json) == json.loads(body)


def test_cloudflare_html_413_is_read_cleanly() -> None:
    page = (b"<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
            b"<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>cloudflare"
            b"</center>\r\n</body>\r\n</html>\r\n")
    error = ANTHROPIC.error_from_response(413, page)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert error.message == "Anthropic returned HTTP 413 (invalid request): 413 Request Entity Too Large"
    kept = json.loads(error.provider_error_json)
    assert kept["status"] == 413 and kept["body"] == page.decode()


@pytest.mark.parametrize(("body", "shown"), [
    (b"", "(empty body)"),
    (b"upstream connect error or disconnect/reset before headers", "upstream connect error"),
    (b"<p>no <b>title</b> here</p>", "no title here"),
    (b'{"error": {"message": "proxy says no"}}', "proxy says no"),
    (b'{"message": "flat message"}', "flat message"),
    (b'["a", "list"]', '["a", "list"]'),
    (b"\xff\xfe not utf-8", "not utf-8"),
])
def test_odd_error_bodies_still_give_a_message_and_valid_json(body: bytes, shown: str) -> None:
    error = ANTHROPIC.error_from_response(502, body)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert shown in error.message
    json.loads(error.provider_error_json)


# --- non-streamed bodies ---------------------------------------------------------------------


def message_body(content: list, stop_reason: str = "end_turn", **extra: Any) -> dict:
    return {"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
            "model": MODEL, "content": content, "stop_reason": stop_reason, "stop_sequence": None,
            "usage": {"input_tokens": 502, "output_tokens": 137, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0, "service_tier": "standard"}, **extra}


def test_message_body_gives_text_then_tool_calls_then_finish() -> None:
    body = message_body([
        {"type": "thinking", "thinking": "Add them.", "signature": "sig"},
        {"type": "text", "text": "I'll add and multiply."},
        {"type": "tool_use", "id": "toolu_a", "name": "add", "input": {"a": 2, "b": 3}},
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"q": "x"}},
        {"type": "tool_use", "id": "toolu_m", "name": "multiply", "input": {}},
        {"type": "mystery_block"}, "not a block",
    ], "tool_use")
    events = events_from_message(body, "Anthropic")
    assert events[0] == StreamDelta(content=(Text("I'll add and multiply."),))
    assert events[1] == StreamDelta(tool_calls=(ToolCall("toolu_a", "add", '{"a": 2, "b": 3}'),
                                                ToolCall("toolu_m", "multiply", "{}")))
    finish = only_finish(events)
    assert finish.metadata.finish_reason is FinishReason.TOOL_CALLS
    assert finish.metadata.usage == Usage(502, 137, 639)
    assert finish.metadata.provider_id == "msg_01XFDUDYJgAACzvnptvVoYEL"
    assert metadata_json(finish)["thinking"] == [
        {"type": "thinking", "thinking": "Add them.", "signature": "sig"}]


def test_message_body_with_stop_sequence_and_redacted_thinking() -> None:
    body = message_body([{"type": "redacted_thinking", "data": "opaque"},
                         {"type": "text", "text": "The beautiful city of "}], "stop_sequence")
    body["stop_sequence"] = "Paris"
    finish = only_finish(events_from_message(body, "Anthropic"))
    extra = metadata_json(finish)
    assert finish.metadata.finish_reason is FinishReason.STOP
    assert extra["stop_sequence"] == "Paris"
    assert extra["thinking"] == [{"type": "redacted_thinking", "data": "opaque"}]


def test_streamed_and_non_streamed_answers_agree() -> None:
    body = message_body([{"type": "text", "text": "Hi"},
                         {"type": "tool_use", "id": "toolu_a", "name": "add", "input": {"a": 2}}],
                        "tool_use")
    streamed = run([start(input_tokens=502), text_block(0), text(0, "Hi"), block_stop(0),
                    tool_block(1, "toolu_a", "add"), args(1, ""), args(1, '{"a": 2}'), block_stop(1),
                    message_delta("tool_use", output_tokens=137), STOP])
    plain = events_from_message(body, "Anthropic")
    assert text_of(streamed) == text_of(plain) and calls_of(streamed) == calls_of(plain)
    s, p = only_finish(streamed).metadata, only_finish(plain).metadata
    assert (s.finish_reason, s.usage, s.provider_id) == (p.finish_reason, p.usage, s.provider_id)


def test_a_2xx_error_body_is_an_error() -> None:
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    error = only_error(events_from_message(body, "Anthropic"))
    assert error.code is ErrorCode.INTERNAL_ERROR and "Overloaded" in error.message


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"type": "message"}',
                                  b'{"type": "message", "content": "text"}'])
def test_unreadable_message_bodies_are_one_error(body: bytes) -> None:
    events = events_from_body(body, "Anthropic")
    assert len(events) == 1 and isinstance(events[0], LlmError)
    assert events[0].code is ErrorCode.INTERNAL_ERROR
