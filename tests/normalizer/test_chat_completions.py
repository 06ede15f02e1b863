"""The Chat Completions normalizer (`normalizer/chat_completions/`), its HTTP error mapping
(`providers/chat_completions/errors.py`) and non-streamed bodies.

Chunks are built here in the recorded shapes of reference/providers.md §3.4, §4, §5.2 and
§8; the recorded bodies themselves are exercised in tests/providers/test_chat_completions_recorded.py.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.chat_completions.completion import events_from_body, events_from_completion
from normalizer.chat_completions.errors import error_code_from_object
from normalizer.chat_completions.finish_reason import map_finish_reason
from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.chat_completions.stream import ChatCompletionsNormalizer
from normalizer.values import (
    ErrorCode,
    Finish,
    FinishReason,
    LlmError,
    StreamDelta,
    Text,
    ToolCall,
    Usage,
)
from providers import PROVIDERS
from providers.chat_completions.errors import error_from_body
from sse.events import SseEvent
from tests.helpers import normalize, only_error, only_finish, text_of

OPENAI, GROK, OPENROUTER = PROVIDERS["openai"], PROVIDERS["grok"], PROVIDERS["openrouter"]

HEAD = {
    "id": "chatcmpl-abc",
    "object": "chat.completion.chunk",
    "created": 1782321900,
    "model": "gpt-4o-2024-08-06",
    "system_fingerprint": "fp_123",
}


def chunk(delta: Optional[dict] = None, finish: Optional[str] = None, **extra: Any) -> SseEvent:
    """One `data:` event holding a chunk with a single choice (index 0)."""
    choice: dict[str, Any] = {"index": 0, "delta": delta if delta is not None else {},
                              "finish_reason": finish}
    body = {**HEAD, "choices": [choice], **extra}
    return SseEvent(json.dumps(body))


def raw(obj: Any) -> SseEvent:
    return SseEvent(obj if isinstance(obj, str) else json.dumps(obj))


def usage_chunk(prompt: int = 10, completion: int = 5, total: int = 15, **details: Any) -> SseEvent:
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": total}
    if details:
        usage["completion_tokens_details"] = details
    return raw({**HEAD, "choices": [], "usage": usage})


DONE = SseEvent("[DONE]")


def frag(index: Optional[int], id: Optional[str] = None, name: Optional[str] = None,
         args: Optional[str] = None) -> dict:
    """One `delta.tool_calls[]` fragment."""
    out: dict[str, Any] = {}
    if index is not None:
        out["index"] = index
    if id is not None:
        out["id"] = id
        out["type"] = "function"
    function: dict[str, Any] = {}
    if name is not None:
        function["name"] = name
    if args is not None:
        function["arguments"] = args
    if function:
        out["function"] = function
    return out


def tools(*fragments: dict) -> SseEvent:
    return chunk({"tool_calls": list(fragments)})


def run(events: list[SseEvent], normalizer: Optional[ChatCompletionsNormalizer] = None,
        call_end: bool = True) -> list:
    """The events of `events` through `normalizer` (default: OpenAI's)."""
    return normalize(normalizer or OPENAI.normalizer(), events, call_end)


def tool_deltas(events: list) -> list[StreamDelta]:
    return [e for e in events if isinstance(e, StreamDelta) and e.tool_calls]


def all_calls(events: list) -> list[ToolCall]:
    return [c for e in tool_deltas(events) for c in e.tool_calls]


def finishes(events: list) -> list[Finish]:
    return [e for e in events if isinstance(e, Finish)]


# --- text ----------------------------------------------------------------------------------


def test_text_deltas_become_one_text_event_each() -> None:
    events = run([
        chunk({"role": "assistant", "content": "", "refusal": None}),
        chunk({"content": "Olá"}),
        chunk({"content": "!"}),
        chunk({}, "stop"),
        DONE,
    ])
    assert events[:2] == [StreamDelta(content=(Text("Olá"),)), StreamDelta(content=(Text("!"),))]
    assert only_finish(events).metadata.finish_reason is FinishReason.STOP


def test_empty_null_role_only_and_empty_deltas_produce_nothing() -> None:
    normalizer = OPENAI.normalizer()
    for event in [
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": None}),
        chunk({"role": "assistant"}),
        chunk({}),
        raw({**HEAD, "choices": [{"index": 0}]}),  # Grok: finish_reason absent, no delta
        SseEvent(""),
        SseEvent("  \n "),
    ]:
        assert normalizer.feed(event) == [], event


def test_unknown_fields_are_ignored() -> None:
    events = run([chunk({"content": "hi", "annotations": [], "audio": None}, None,
                        obfuscation="xyz", service_tier="default", something={"new": 1}),
                  chunk({}, "stop"), DONE])
    assert text_of(events) == "hi"
    only_finish(events)


def test_reasoning_never_enters_the_text_and_is_dropped_when_the_quirk_says_so() -> None:
    stream = [
        chunk({"reasoning_content": "thinking..."}),
        chunk({"reasoning": "more", "reasoning_details": [{"type": "reasoning.text"}],
               "content": "answer"}),
        chunk({}, "stop"),
        DONE,
    ]
    kept = run(stream)
    dropped = run(stream, ChatCompletionsNormalizer("OpenAI",
                                                    ChatQuirks(reasoning_in_metadata=False)))
    assert text_of(kept) == text_of(dropped) == "answer"
    assert json.loads(only_finish(kept).metadata.provider_metadata_json)["reasoning"] == (
        "thinking...more")
    extra = json.loads(only_finish(dropped).metadata.provider_metadata_json)
    assert "reasoning" not in extra and "reasoning_details" not in extra


def test_reasoning_goes_to_metadata_when_the_quirk_asks() -> None:
    quirks = ChatQuirks(reasoning_in_metadata=True)
    events = run([
        # vLLM sends the same text under both keys: the first listed key wins, once
        chunk({"reasoning_content": "step 1. ", "reasoning": "step 1. "}),
        chunk({"reasoning": "step 2."}),
        chunk({"content": "42"}),
        chunk({}, "stop"),
        DONE,
    ], ChatCompletionsNormalizer("OpenAI", quirks))
    meta = json.loads(only_finish(events).metadata.provider_metadata_json)
    assert meta["reasoning"] == "step 1. step 2."
    assert text_of(events) == "42"


def test_refusal_is_returned_as_text() -> None:
    events = run([chunk({"refusal": "I can't help with that."}), chunk({}, "stop"), DONE])
    assert text_of(events) == "I can't help with that."


def test_content_given_as_a_list_of_parts() -> None:
    events = run([chunk({"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}),
                  chunk({}, "stop"), DONE])
    assert text_of(events) == "ab"


def test_other_choices_are_ignored() -> None:
    events = run([
        raw({**HEAD, "choices": [{"index": 1, "delta": {"content": "second"}, "finish_reason": None}]}),
        chunk({"content": "first"}),
        chunk({}, "stop"),
        DONE,
    ])
    assert text_of(events) == "first"


# --- finish reasons ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw_reason", "expected"),
    [
        ("stop", FinishReason.STOP),
        ("length", FinishReason.LENGTH),
        ("tool_calls", FinishReason.TOOL_CALLS),
        ("content_filter", FinishReason.CONTENT_FILTER),
        ("function_call", FinishReason.TOOL_CALLS),
        ("error", FinishReason.ERROR),
        ("something_new", FinishReason.OTHER),
    ],
)
def test_finish_reason_mapping(raw_reason: str, expected: FinishReason) -> None:
    assert map_finish_reason(raw_reason) is expected
    quirks = ChatQuirks(error_finish_is_error=False)  # so "error" reaches the Finish
    events = run([chunk({"content": "x"}), chunk({}, raw_reason), DONE], ChatCompletionsNormalizer("OpenAI", quirks))
    assert only_finish(events).metadata.finish_reason is expected


def test_unknown_finish_reason_is_kept_raw_in_metadata() -> None:
    events = run([chunk({}, "something_new"), DONE])
    meta = json.loads(only_finish(events).metadata.provider_metadata_json)
    assert meta["finish_reason"] == "something_new"


def test_finish_reason_error_ends_with_an_error_by_default() -> None:
    events = run([chunk({"content": "part"}), chunk({"content": ""}, "error"), DONE])
    error = only_error(events)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert "finish_reason" in error.message


# --- tool calls ----------------------------------------------------------------------------


def test_sequential_parallel_calls_as_openai_sends_them() -> None:
    """Reference §3.4: id/name on the first fragment, then index + argument pieces."""
    events = run([
        chunk({"role": "assistant", "content": None}),
        tools(frag(0, "call_ehIW", "add", "")),
        tools(frag(0, args='{"a"')),
        tools(frag(0, args=": 2, ")),
        tools(frag(0, args='"b": 3')),
        tools(frag(0, args="}")),
        tools(frag(1, "call_fBSg", "multiply", "")),
        tools(frag(1, args='{"a": 2,')),
        tools(frag(1, args=' "b": 3}')),
        chunk({}, "tool_calls"),
        usage_chunk(106, 50, 156),
        DONE,
    ])
    assert all_calls(events) == [
        ToolCall("call_ehIW", "add", '{"a": 2, "b": 3}'),
        ToolCall("call_fBSg", "multiply", '{"a": 2, "b": 3}'),
    ]
    assert len(tool_deltas(events)) == 1, "all calls are emitted together, once"
    assert only_finish(events).metadata.finish_reason is FinishReason.TOOL_CALLS


def test_tool_calls_are_emitted_at_the_finish_reason_chunk_before_usage() -> None:
    normalizer = OPENAI.normalizer()
    assert normalizer.feed(tools(frag(0, "call_1", "f", '{"x":1}'))) == []
    at_finish = normalizer.feed(chunk({}, "tool_calls"))
    assert at_finish == [StreamDelta(tool_calls=(ToolCall("call_1", "f", '{"x":1}'),))]
    assert normalizer.feed(usage_chunk()) == []
    tail = normalizer.feed(DONE)
    assert [type(e) for e in tail] == [Finish]


def test_interleaved_parallel_fragments_go_to_their_own_call() -> None:
    events = run([
        tools(frag(0, "call_a", "search", '{"q":')),
        tools(frag(1, "call_b", "lookup", '{"id":')),
        tools(frag(0, args='"cats"}')),
        tools(frag(1, args="7}")),
        chunk({}, "tool_calls"),
        DONE,
    ])
    assert all_calls(events) == [
        ToolCall("call_a", "search", '{"q":"cats"}'),
        ToolCall("call_b", "lookup", '{"id":7}'),
    ]


def test_interleaved_fragments_inside_one_chunk() -> None:
    events = run([
        tools(frag(0, "call_a", "f", "{"), frag(1, "call_b", "g", "[")),
        tools(frag(1, args="]"), frag(0, args="}")),
        chunk({}, "tool_calls"),
        DONE,
    ])
    assert all_calls(events) == [ToolCall("call_a", "f", "{}"), ToolCall("call_b", "g", "[]")]


def test_whole_calls_one_per_chunk_are_not_doubled() -> None:
    """Grok (reference §4): each call whole in one chunk, role repeated in the delta."""
    events = run([
        chunk({"role": "assistant", "tool_calls": [frag(0, "call_55", "add", '{"a":2,"b":3}')]}),
        tools(frag(1, "call_12", "multiply", '{"a":2,"b":3}')),
        chunk({}, "tool_calls"),
        usage_chunk(),
        DONE,
    ])
    assert all_calls(events) == [
        ToolCall("call_55", "add", '{"a":2,"b":3}'),
        ToolCall("call_12", "multiply", '{"a":2,"b":3}'),
    ]


def test_several_whole_calls_in_one_chunk() -> None:
    events = run([
        tools(frag(0, "c1", "a", '{"n":1}'), frag(1, "c2", "b", '{"n":2}'), frag(2, "c3", "c", "{}")),
        chunk({}, "tool_calls"),
        DONE,
    ])
    assert all_calls(events) == [
        ToolCall("c1", "a", '{"n":1}'), ToolCall("c2", "b", '{"n":2}'), ToolCall("c3", "c", "{}"),
    ]


def test_openrouter_resplit_call_and_empty_fragments() -> None:
    """OpenRouter re-splits Grok's whole call: id with "", an empty fragment, full args."""
    events = run([
        tools(frag(0, "call_x", "add", "")),
        tools(frag(0, args="")),
        tools(frag(0, args='{"a":2,"b":3}')),
        chunk({"content": ""}, "tool_calls"),
        chunk({"content": ""}, "tool_calls", usage={"prompt_tokens": 1, "completion_tokens": 2,
                                                     "total_tokens": 3}),
        DONE,
    ], OPENROUTER.normalizer())
    assert all_calls(events) == [ToolCall("call_x", "add", '{"a":2,"b":3}')]
    assert len(tool_deltas(events)) == 1
    assert only_finish(events).metadata.usage == Usage(1, 2, 3)


@pytest.mark.parametrize("arguments", [None, "", "   ", " \n\t"])
def test_empty_or_blank_arguments_become_an_empty_object(arguments: Optional[str]) -> None:
    fragments = [frag(0, "call_n", "now", arguments)]
    if arguments:
        fragments.append(frag(0, args=arguments))
    events = run([*(tools(f) for f in fragments), chunk({}, "tool_calls"), DONE])
    assert all_calls(events) == [ToolCall("call_n", "now", "{}")]


def test_arguments_are_kept_raw_even_when_not_json() -> None:
    events = run([tools(frag(0, "c", "f", '{"a": 1,,')), chunk({}, "tool_calls"), DONE])
    assert all_calls(events)[0].arguments_json == '{"a": 1,,'


def test_a_new_id_at_a_reused_index_starts_a_new_call() -> None:
    """Ollama / some vLLM builds send every parallel call at index 0 (reference §8.2)."""
    events = run([
        tools(frag(0, "call_1", "first", '{"a":')),
        tools(frag(0, args="1}")),
        tools(frag(0, "call_2", "second", '{"b":')),
        tools(frag(0, args="2}")),
        tools(frag(0, "call_2", args="")),  # the same id again is the same call
        chunk({}, "tool_calls"),
        DONE,
    ])
    assert all_calls(events) == [
        ToolCall("call_1", "first", '{"a":1}'),
        ToolCall("call_2", "second", '{"b":2}'),
    ]


def test_missing_index_falls_back_to_the_last_call_or_a_new_one_with_an_id() -> None:
    events = run([
        tools(frag(None, "call_1", "first", "{")),
        tools(frag(None, args="}")),
        tools(frag(None, "call_2", "second", '{"k"')),
        tools(frag(None, args=":0}")),
        chunk({}, "tool_calls"),
        DONE,
    ])
    assert all_calls(events) == [
        ToolCall("call_1", "first", "{}"),
        ToolCall("call_2", "second", '{"k":0}'),
    ]


def test_a_call_without_an_id_gets_a_deterministic_one() -> None:
    events = run([tools(frag(0, None, "f", "{}")), tools(frag(1, None, "g", "{}")),
                  chunk({}, "tool_calls"), DONE])
    assert [c.id for c in all_calls(events)] == ["call_0", "call_1"]


def test_repeated_finish_reason_does_not_repeat_tool_calls_or_finish() -> None:
    events = run([
        tools(frag(0, "c", "f", "{}")),
        chunk({"content": ""}, "tool_calls"),
        chunk({"content": ""}, "tool_calls"),
        chunk({"content": ""}, "tool_calls", usage={"prompt_tokens": 3, "completion_tokens": 4,
                                                     "total_tokens": 7}),
        DONE,
    ])
    assert len(all_calls(events)) == 1
    assert only_finish(events).metadata.usage == Usage(3, 4, 7)


def test_legacy_streamed_function_call_becomes_a_tool_call() -> None:
    events = run([
        chunk({"role": "assistant", "content": None,
               "function_call": {"name": "get_weather", "arguments": ""}}),
        chunk({"function_call": {"arguments": '{"location":'}}),
        chunk({"function_call": {"arguments": '"Boston"}'}}),
        chunk({}, "function_call"),
        DONE,
    ])
    assert all_calls(events) == [ToolCall("call_0", "get_weather", '{"location":"Boston"}')]
    assert only_finish(events).metadata.finish_reason is FinishReason.TOOL_CALLS


def test_function_call_beside_tool_calls_is_the_same_call_read_once() -> None:
    """llama-cpp-python streams every fragment twice, as `tool_calls` and as the legacy
    `function_call` (tests/fixtures/llama_cpp/forced-tool-call-stream): one call."""
    call_id = "call__0_get_weather_cmpl-1"

    def both(arguments: str) -> SseEvent:
        return chunk({"role": None, "content": None,
                      "function_call": {"name": "get_weather", "arguments": arguments},
                      "tool_calls": [{"index": 0, "id": call_id, "type": "function",
                                      "function": {"name": "get_weather",
                                                   "arguments": arguments}}]})

    events = run([
        chunk({"role": "assistant", "content": None, "function_call": None, "tool_calls": None}),
        both("{"), both(' "location": "Oslo"'), both(" }"), both(""),
        chunk({"role": None, "content": None, "function_call": None, "tool_calls": None},
              "tool_calls"),
        DONE,
    ])
    assert all_calls(events) == [ToolCall(call_id, "get_weather", '{ "location": "Oslo" }')]
    assert only_finish(events).metadata.finish_reason is FinishReason.TOOL_CALLS


# --- usage ---------------------------------------------------------------------------------


def test_usage_from_the_choices_empty_chunk() -> None:
    events = run([chunk({"content": "x"}), chunk({}, "stop"), usage_chunk(20, 2, 22), DONE])
    assert only_finish(events).metadata.usage == Usage(20, 2, 22)


def test_the_last_usage_wins_and_null_usage_is_ignored() -> None:
    events = run([
        chunk({"content": "x"}, usage={"prompt_tokens": 1, "completion_tokens": 1,
                                       "total_tokens": 2}),
        chunk({"content": "y"}, usage=None),
        chunk({}, "stop", usage=None),
        usage_chunk(5, 6, 11),
        DONE,
    ])
    assert only_finish(events).metadata.usage == Usage(5, 6, 11)


def test_no_usage_gives_none() -> None:
    events = run([chunk({"content": "x"}), chunk({}, "stop"), DONE])
    assert only_finish(events).metadata.usage is None


def test_openai_usage_counts_reasoning_inside_completion_tokens() -> None:
    events = run([chunk({}, "stop"), usage_chunk(64, 89, 153, reasoning_tokens=64), DONE])
    assert only_finish(events).metadata.usage == Usage(64, 89, 153)


def test_xai_usage_adds_reasoning_to_output_tokens() -> None:
    """xAI: total = prompt + completion + reasoning (432 + 68 + 136 = 636)."""
    events = run([chunk({}, "stop"), usage_chunk(432, 68, 636, reasoning_tokens=136), DONE],
                 GROK.normalizer())
    assert only_finish(events).metadata.usage == Usage(432, 204, 636)


def test_xai_usage_recomputes_a_missing_total() -> None:
    event = raw({**HEAD, "choices": [], "usage": {
        "prompt_tokens": 10, "completion_tokens": 3,
        "completion_tokens_details": {"reasoning_tokens": 7}}})
    events = run([chunk({}, "stop"), event, DONE], GROK.normalizer())
    assert only_finish(events).metadata.usage == Usage(10, 10, 20)


# --- exactly one finish, [DONE] ------------------------------------------------------------


def test_finish_is_emitted_at_done_and_end_adds_nothing() -> None:
    normalizer = OPENAI.normalizer()
    assert normalizer.feed(chunk({"content": "x"})) != []
    assert normalizer.feed(chunk({}, "stop")) == []  # Finish waits for the usage
    tail = normalizer.feed(DONE)
    assert [type(e) for e in tail] == [Finish]
    assert normalizer.end() == []


def test_missing_done_still_finishes_once_at_end() -> None:
    events = run([chunk({"content": "x"}), chunk({}, "stop"), usage_chunk(1, 1, 2)])
    assert only_finish(events).metadata.usage == Usage(1, 1, 2)


def test_done_inside_content_does_not_end_the_stream() -> None:
    events = run([
        chunk({"content": "[DONE]"}),
        chunk({"content": " data: [DONE]"}),
        chunk({}, "stop"),
        DONE,
    ])
    assert text_of(events) == "[DONE] data: [DONE]"
    only_finish(events)


def test_done_is_matched_after_stripping_whitespace_only() -> None:
    events = run([chunk({}, "stop"), SseEvent(" [DONE]\n")], call_end=False)
    only_finish(events)
    bad = run([chunk({}, "stop"), SseEvent("[DONE] extra")], call_end=False)
    assert only_error(bad).message.startswith("malformed stream chunk")


def test_done_without_a_finish_reason_is_a_truncation() -> None:
    events = run([chunk({"content": "partial"}), DONE])
    error = only_error(events)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert "truncated" in error.message


# --- in-band errors ------------------------------------------------------------------------


def test_openai_in_band_error() -> None:
    error_obj = {"message": "The server had an error while processing your request. Sorry about that!",
                 "type": "server_error"}
    events = run([chunk({"content": "Hel"}), raw({"error": error_obj}),
                  chunk({"content": "lo"}), chunk({}, "stop"), DONE])
    assert text_of(events) == "Hel"
    error = only_error(events)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert error_obj["message"] in error.message
    assert json.loads(error.provider_error_json) == error_obj


def test_openrouter_in_band_error_with_numeric_code_and_finish_error() -> None:
    error_obj = {"code": 429, "message": "Rate limit exceeded",
                 "metadata": {"error_type": "rate_limit_exceeded"}}
    event = raw({"id": "gen-abc123", "object": "chat.completion.chunk", "created": 1234567890,
                 "model": "openai/gpt-4o", "provider": "OpenAI", "error": error_obj,
                 "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]})
    events = run([chunk({"content": "a"}), event, DONE], OPENROUTER.normalizer())
    error = only_error(events)
    assert error.code is ErrorCode.RATE_LIMIT_EXCEEDED
    assert "Rate limit exceeded" in error.message and "OpenRouter" in error.message
    assert json.loads(error.provider_error_json) == error_obj


def test_in_band_error_with_string_code() -> None:
    events = run([raw({"error": {"code": "server_error", "message": "boom"}})])
    assert only_error(events).code is ErrorCode.INTERNAL_ERROR


def test_vllm_object_error() -> None:
    body = {"object": "error", "message": "maximum context length is 4096",
            "type": "BadRequestError", "param": None, "code": 400}
    events = run([raw(body), chunk({"content": "x"})])
    error = only_error(events)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "maximum context length is 4096" in error.message
    assert json.loads(error.provider_error_json) == body


def test_sse_event_named_error() -> None:
    events = run([SseEvent('{"message": "overloaded", "type": "overloaded_error"}', event="error")])
    error = only_error(events)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert "overloaded" in error.message


def test_null_error_key_is_not_an_error() -> None:
    events = run([chunk({"content": "x"}, error=None), chunk({}, "stop"), DONE])
    assert text_of(events) == "x"
    only_finish(events)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"type": "invalid_request_error", "code": "invalid_api_key"}, ErrorCode.AUTHENTICATION_FAILED),
        ({"type": "authentication_error"}, ErrorCode.AUTHENTICATION_FAILED),
        ({"type": "permission_error"}, ErrorCode.AUTHENTICATION_FAILED),
        ({"type": "insufficient_quota", "code": "insufficient_quota"}, ErrorCode.RATE_LIMIT_EXCEEDED),
        ({"type": "tokens", "code": "rate_limit_exceeded"}, ErrorCode.RATE_LIMIT_EXCEEDED),
        ({"type": "invalid_request_error", "code": "context_length_exceeded"}, ErrorCode.INVALID_REQUEST),
        ({"type": "not_found_error"}, ErrorCode.INVALID_REQUEST),
        ({"type": "server_error"}, ErrorCode.INTERNAL_ERROR),
        ({"type": "overloaded_error"}, ErrorCode.INTERNAL_ERROR),
        ({"code": "timeout"}, ErrorCode.INTERNAL_ERROR),
        ({"code": 502}, ErrorCode.INTERNAL_ERROR),
        ({"code": "401"}, ErrorCode.AUTHENTICATION_FAILED),
        ({"code": 404, "type": "rate_limit"}, ErrorCode.INVALID_REQUEST),  # a number wins
        ({"code": 408, "type": "invalid_request"}, ErrorCode.INTERNAL_ERROR),  # timeout: retry
        ({"code": 409}, ErrorCode.INTERNAL_ERROR),  # conflict: retry
        ({"metadata": {"error_type": "rate_limit_exceeded"}}, ErrorCode.RATE_LIMIT_EXCEEDED),
        ({"type": "mystery"}, ErrorCode.UNKNOWN),
        ({}, ErrorCode.UNKNOWN),
    ],
)
def test_error_code_from_object(obj: dict, expected: ErrorCode) -> None:
    assert error_code_from_object(obj, ChatQuirks()) is expected


# --- truncation, malformed input, nothing after the end ------------------------------------


def test_end_without_finish_is_truncated() -> None:
    events = run([chunk({"content": "partial answer"})])
    error = only_error(events)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert "truncated" in error.message and "finish" in error.message


def test_end_mid_tool_call_is_truncated_and_no_call_is_emitted() -> None:
    events = run([tools(frag(0, "c", "delete_everything", '{"path": "/tmp/x'))])
    assert all_calls(events) == []
    error = only_error(events)
    assert "truncated" in error.message and "tool call" in error.message


def test_end_of_an_empty_stream_is_truncated() -> None:
    assert "truncated" in only_error(run([])).message


@pytest.mark.parametrize("data", ['{"id": "x", "choices": [', "not json", "{'single': 1}"])
def test_malformed_json_is_an_error(data: str) -> None:
    events = run([chunk({"content": "a"}), SseEvent(data), chunk({"content": "b"})])
    error = only_error(events)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert error.message.startswith("malformed stream chunk")


def test_trailing_whitespace_after_the_json_is_allowed() -> None:
    events = run([SseEvent(json.dumps({**HEAD, "choices": [{"index": 0, "delta": {"content": "a"},
                                                            "finish_reason": "stop"}]}) + "   "),
                  DONE])
    assert text_of(events) == "a"
    only_finish(events)


def test_data_lines_without_blank_lines_between_them_are_separate_chunks() -> None:
    """GLM/Kimi omit the blank line; SSE joins the data lines with LF (reference §7.4)."""
    joined = "\n".join([chunk({"content": "a"}).data, chunk({"content": "b"}).data,
                        chunk({}, "stop").data, "[DONE]"])
    events = run([SseEvent(joined)], call_end=False)
    assert text_of(events) == "ab"
    only_finish(events)


def test_extra_data_after_the_json_is_an_error() -> None:
    error = only_error(run([SseEvent('{"choices": []} {"choices": []}')]))
    assert error.message.startswith("malformed stream chunk")


@pytest.mark.parametrize("data", ["[1, 2]", "42", '"text"', '{"choices": [1]}',
                                  '{"choices": [{"index": 0, "delta": "oops"}]}'])
def test_json_of_the_wrong_shape_is_an_error(data: str) -> None:
    error = only_error(run([SseEvent(data)]))
    assert error.message.startswith("malformed stream chunk")


def test_nothing_after_finish() -> None:
    normalizer = OPENAI.normalizer()
    normalizer.feed(chunk({}, "stop"))
    assert [type(e) for e in normalizer.feed(DONE)] == [Finish]
    assert normalizer.feed(chunk({"content": "late"})) == []
    assert normalizer.feed(raw({"error": {"message": "late"}})) == []
    assert normalizer.feed(DONE) == []
    assert normalizer.end() == []


def test_nothing_after_error() -> None:
    normalizer = OPENAI.normalizer()
    assert len(normalizer.feed(SseEvent("garbage"))) == 1
    assert normalizer.feed(chunk({"content": "late"})) == []
    assert normalizer.feed(chunk({}, "stop")) == []
    assert normalizer.end() == []


# --- metadata ------------------------------------------------------------------------------


def test_finish_metadata() -> None:
    events = run([chunk({"content": "x"}), chunk({}, "stop"), usage_chunk(1, 2, 3), DONE])
    meta = only_finish(events).metadata
    assert meta.provider_id == "chatcmpl-abc"
    assert meta.timestamp == "1782321900"
    assert json.loads(meta.provider_metadata_json) == {
        "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_123", "finish_reason": "stop",
        "usage": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3,
                  "provider_usage": {"prompt_tokens": 1, "completion_tokens": 2,
                                     "total_tokens": 3}}}


def test_null_metadata_keys_are_omitted() -> None:
    event = raw({"id": "x", "created": 1, "model": "m", "system_fingerprint": None,
                 "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    meta = only_finish(run([event, DONE])).metadata
    assert json.loads(meta.provider_metadata_json) == {"model": "m", "finish_reason": "stop"}


def test_openrouter_metadata_keeps_provider_and_native_finish_reason() -> None:
    event = raw({"id": "gen-1", "created": 5, "model": "anthropic/claude", "provider": "Amazon Bedrock",
                 "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls",
                              "native_finish_reason": "tool_use"}]})
    meta = only_finish(run([event, DONE], OPENROUTER.normalizer())).metadata
    assert meta.provider_id == "gen-1"
    assert json.loads(meta.provider_metadata_json) == {
        "model": "anthropic/claude", "provider": "Amazon Bedrock",
        "finish_reason": "tool_calls", "native_finish_reason": "tool_use"}


# --- non-streamed bodies -------------------------------------------------------------------


COMPLETION = {
    "id": "chatcmpl-B9", "object": "chat.completion", "created": 1741570283,
    "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_fc",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi there",
                                         "refusal": None}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 11, "completion_tokens": 2, "total_tokens": 13},
}


def test_completion_text() -> None:
    events = events_from_completion(COMPLETION, "OpenAI")
    assert events[0] == StreamDelta(content=(Text("Hi there"),))
    meta = only_finish(events).metadata
    assert meta.finish_reason is FinishReason.STOP
    assert meta.usage == Usage(11, 2, 13)
    assert meta.provider_id == "chatcmpl-B9" and meta.timestamp == "1741570283"


def test_completion_and_stream_give_equal_metadata() -> None:
    streamed = run([chunk({"content": "Hi there"}), chunk({}, "stop"), usage_chunk(11, 2, 13), DONE])
    body = {**COMPLETION, "id": HEAD["id"], "created": HEAD["created"], "model": HEAD["model"],
            "system_fingerprint": HEAD["system_fingerprint"]}
    assert only_finish(events_from_completion(body, "OpenAI")) == only_finish(streamed)


def test_completion_tool_calls() -> None:
    body = {**COMPLETION, "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": "",  # xAI sends "" rather than null
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a":1}'}},
            {"id": "call_2", "type": "function", "function": {"name": "now", "arguments": ""}},
        ]}}]}
    events = events_from_completion(body, "OpenAI")
    assert events[0] == StreamDelta(tool_calls=(ToolCall("call_1", "add", '{"a":1}'),
                                                ToolCall("call_2", "now", "{}")))
    assert only_finish(events).metadata.finish_reason is FinishReason.TOOL_CALLS


def test_completion_legacy_function_call() -> None:
    body = {**COMPLETION, "choices": [{"index": 0, "finish_reason": "function_call", "message": {
        "role": "assistant", "content": None,
        "function_call": {"name": "get_weather", "arguments": '{"location":"Boston"}'}}}]}
    events = events_from_completion(body, "OpenAI")
    assert events[0] == StreamDelta(tool_calls=(ToolCall("call_0", "get_weather",
                                                         '{"location":"Boston"}'),))
    assert only_finish(events).metadata.finish_reason is FinishReason.TOOL_CALLS


def test_completion_function_call_beside_tool_calls_is_read_once() -> None:
    arguments = '{ "location": "Oslo" }'
    body = {**COMPLETION, "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": None,
        "tool_calls": [{"id": "call__0", "type": "function",
                        "function": {"name": "get_weather", "arguments": arguments}}],
        "function_call": {"name": "get_weather", "arguments": arguments}}}]}
    events = events_from_completion(body, "OpenAI")
    assert all_calls(events) == [ToolCall("call__0", "get_weather", arguments)]


def test_completion_error_body_and_malformed_bodies() -> None:
    error = only_error(events_from_completion({"error": {"message": "nope", "type": "server_error"}}, "OpenAI"))
    assert error.code is ErrorCode.INTERNAL_ERROR and "nope" in error.message
    assert only_error(events_from_completion({"id": "x", "choices": []}, "OpenAI")).code is ErrorCode.INTERNAL_ERROR
    assert only_error(events_from_completion([1], "OpenAI")).code is ErrorCode.INTERNAL_ERROR
    assert "malformed" in only_error(events_from_body(b"<html>", "OpenAI")).message
    assert only_finish(events_from_body(json.dumps(COMPLETION).encode(), "OpenAI"))


# --- HTTP error bodies ---------------------------------------------------------------------


def test_error_body_openai_401() -> None:
    body = (b'{"error":{"message":"Incorrect API key provided: sk-ab***cd. You can find your '
            b'API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error",'
            b'"param":null,"code":"invalid_api_key"}}')
    error = OPENAI.error_from_response(401, body)
    assert error.code is ErrorCode.AUTHENTICATION_FAILED
    assert error.message.startswith(
        "OpenAI returned HTTP 401 (authentication failed): Incorrect API key provided")
    assert error.provider_error_json == body.decode()


def test_error_body_quota_says_so() -> None:
    body = b'{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}'
    error = OPENAI.error_from_response(429, body)
    assert error.code is ErrorCode.RATE_LIMIT_EXCEEDED
    assert "(quota exhausted)" in error.message


def test_error_body_xai_flat_shape() -> None:
    body = (b'{"code":"Client specified an invalid argument","error":"Incorrect API key provided: '
            b'xa***. You can obtain an API key from https://console.x.ai."}')
    error = error_from_body(400, body, "xAI", ChatQuirks())
    assert error.code is ErrorCode.INVALID_REQUEST
    assert error.message == ("xAI returned HTTP 400 (invalid request): Incorrect API key provided: "
                             "xa***. You can obtain an API key from https://console.x.ai.")


def test_error_body_openrouter_numeric_code() -> None:
    error = error_from_body(401, b'{"error":{"message":"No auth credentials found","code":401}}',
                            "OpenRouter", ChatQuirks())
    assert error.code is ErrorCode.AUTHENTICATION_FAILED
    assert "No auth credentials found" in error.message


def test_error_body_plain_message_and_detail() -> None:
    assert "model gone" in OPENAI.error_from_response(404, b'{"message": "model gone"}').message
    assert "Not Found" in OPENAI.error_from_response(404, b'{"detail": "Not Found"}').message


def test_error_body_not_json() -> None:
    body = b"<html><body>502 Bad Gateway</body></html>" + b"x" * 1000
    error = OPENAI.error_from_response(502, body)
    assert error.code is ErrorCode.INTERNAL_ERROR
    assert error.message.startswith("OpenAI returned HTTP 502 (server error): <html><body>502 Bad Gateway")
    assert len(error.message) < 400
    assert json.loads(error.provider_error_json)["status"] == 502


def test_error_body_empty() -> None:
    error = OPENAI.error_from_response(503, b"")
    assert error.message == "OpenAI returned HTTP 503 (server error): (empty body)"
    assert json.loads(error.provider_error_json) == {"status": 503, "body": ""}


# --- properties ----------------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
_keys = st.sampled_from(["content", "tool_calls", "refusal", "function_call", "reasoning",
                         "index", "id", "function", "name", "arguments", "finish_reason",
                         "delta", "choices", "usage", "error", "object", "message", "code"])
_shaped = st.recursive(
    _json_values,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=12,
)
_event_data = st.one_of(
    _shaped.map(json.dumps),
    st.sampled_from(["[DONE]", "", "  ", "{", "null"]),
    st.text(max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_event_data, max_size=8), st.booleans())
def test_any_input_gives_at_most_one_terminal_event_last_and_never_raises(
        data: list[str], call_end: bool) -> None:
    events = run([SseEvent(d) for d in data], call_end=call_end)
    terminal = [i for i, e in enumerate(events) if isinstance(e, (Finish, LlmError))]
    assert len(terminal) <= 1
    if terminal:
        assert terminal[0] == len(events) - 1
    if call_end:
        assert len(terminal) == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1, 2]), st.text(max_size=6)), max_size=12))
def test_tool_arguments_are_the_concatenation_of_their_fragments(
        pieces: list[tuple[int, str]]) -> None:
    """However the arguments are cut and interleaved, each call gets exactly its pieces."""
    events = [tools(frag(i, f"call_{i}", f"fn{i}", "")) for i in range(3)]
    events += [tools(frag(i, args=piece)) for i, piece in pieces]
    out = run([*events, chunk({}, "tool_calls"), DONE])
    for i, call in enumerate(all_calls(out)):
        expected = "".join(piece for j, piece in pieces if j == i)
        assert call == ToolCall(f"call_{i}", f"fn{i}", expected if expected.strip() else "{}")
