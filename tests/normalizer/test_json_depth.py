"""The JSON depth bound: exact at the bound, blind to brackets inside strings, never fooled
into counting too shallow, linear and quick on input nested a million deep, and applied by
every parse of provider JSON (both stream dialects, whole bodies)."""

from __future__ import annotations

import json
import random
import time

import pytest

from normalizer.anthropic_messages.stream import AnthropicMessagesNormalizer
from normalizer.chat_completions.completion import events_from_body
from normalizer.chat_completions.stream import ChatCompletionsNormalizer
from normalizer.json_depth import (
    MAX_DEPTH,
    UNCHECKED_LENGTH,
    JsonTooDeep,
    check_depth,
    loads,
    nested_deeper_than,
)
from normalizer.values import LlmError, StreamDelta
from sse.events import SseEvent
from tests.helpers import only_error


def nested(depth: int, kind: str = "[") -> str:
    if kind == "[":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def reference_depth(text: str) -> int:
    """The deepest nesting, by walking the characters (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


@pytest.mark.parametrize("kind", ["[", "{"])
def test_the_bound_itself_parses_and_one_more_level_is_refused(kind):
    assert loads(nested(MAX_DEPTH, kind)) is not None
    with pytest.raises(JsonTooDeep) as refused:
        loads(nested(MAX_DEPTH + 1, kind))
    assert isinstance(refused.value, ValueError)  # every parse site's bad-JSON path applies
    assert str(MAX_DEPTH) in str(refused.value)


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"code": "{[" * 5000, "escaped": '\\"[[[[' * 300, "ok": [1, [2]]})
    assert reference_depth(text) == 3
    check_depth(text)
    assert loads(text)["ok"] == [1, [2]]


def test_an_unterminated_string_hides_nothing_before_it():
    text = "[" * (MAX_DEPTH + 1) + '"never closed [[[[' + "x" * UNCHECKED_LENGTH
    with pytest.raises(JsonTooDeep):
        check_depth(text)


def test_cut_off_json_counts_its_open_brackets():
    with pytest.raises(JsonTooDeep):
        check_depth('{"a": ' + "[" * UNCHECKED_LENGTH)


def test_text_too_short_to_be_json_that_deep_is_left_to_the_parser():
    """JSON nested deeper than the bound has more than `UNCHECKED_LENGTH` characters; shorter
    text that opens more brackets is not JSON, and the parser refuses it within as many
    levels as it has characters."""
    assert len(nested(MAX_DEPTH + 1)) > UNCHECKED_LENGTH
    short = "[" * UNCHECKED_LENGTH
    check_depth(short)
    with pytest.raises(ValueError) as refused:
        loads(short)
    assert not isinstance(refused.value, JsonTooDeep)


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 5, 8])
def test_agrees_with_a_character_walk_on_random_json_and_never_counts_too_shallow(limit):
    rng = random.Random(limit)

    def value(depth):
        if depth == 0 or rng.random() < 0.2:
            return rng.choice([1, "x[{\"\\", [], {}, None])
        if rng.random() < 0.5:
            return [value(depth - 1) for _ in range(rng.randint(0, 3))]
        return {f"k{i}[": value(depth - 1) for i in range(rng.randint(0, 3))}

    for _ in range(500):
        text = json.dumps(value(rng.randint(0, 10)))
        assert nested_deeper_than(text, limit) == (reference_depth(text) > limit), text
        cut = text[: rng.randint(0, len(text))]
        if reference_depth(cut) > limit:
            assert nested_deeper_than(cut, limit), cut


@pytest.mark.parametrize("text", [
    nested(1_000_000),
    nested(200_000, "{"),
    json.dumps([[i] for i in range(200_000)]),  # wide, not deep
    "[" + "[[],[[]]]," * 100_000 + "[]]",
    json.dumps({"text": "[" * 2_000_000}),
], ids=["deep-arrays", "deep-objects", "wide", "decoys", "brackets-in-a-string"])
def test_megabytes_are_checked_quickly(text):
    started = time.perf_counter()
    try:
        check_depth(text)
    except JsonTooDeep:
        pass
    assert time.perf_counter() - started < 1.0


def test_bytes_are_read_as_utf8_with_a_bom_skipped():
    assert loads(b'\xef\xbb\xbf{"a": "\xc3\xa9"}') == {"a": "é"}
    with pytest.raises(JsonTooDeep):
        loads(nested(MAX_DEPTH + 1).encode())


# ---- every parse of provider JSON is bounded -------------------------------------------

def test_a_chat_completions_chunk_nested_too_deep_ends_the_stream_in_an_error():
    normalizer = ChatCompletionsNormalizer("OpenAI")
    chunk = '{"choices": [{"delta": {"content": ' + nested(100_000) + "}}]}"
    error = only_error(normalizer.feed(SseEvent(chunk)))
    assert "malformed stream chunk" in error.message and str(MAX_DEPTH) in error.message


def test_an_anthropic_event_nested_too_deep_ends_the_stream_in_an_error():
    normalizer = AnthropicMessagesNormalizer("Anthropic")
    data = '{"type": "content_block_delta", "index": 0, "delta": ' + nested(100_000, "{") + "}"
    error = only_error(normalizer.feed(SseEvent(data, "content_block_delta")))
    assert str(MAX_DEPTH) in error.message


def test_anthropic_tool_arguments_nested_too_deep_end_the_stream_naming_the_call():
    normalizer = AnthropicMessagesNormalizer("Anthropic")
    start = {"type": "content_block_start", "index": 0,
             "content_block": {"type": "tool_use", "id": "toolu_1", "name": "deep_call",
                               "input": {}}}
    events = normalizer.feed(SseEvent(json.dumps({"type": "message_start", "message": {
        "id": "msg_1", "model": "claude", "usage": {"input_tokens": 1}}}), "message_start"))
    events += normalizer.feed(SseEvent(json.dumps(start), "content_block_start"))
    for piece in (nested(50_000)[:50_000], nested(50_000)[50_000:]):
        delta = {"type": "content_block_delta", "index": 0,
                 "delta": {"type": "input_json_delta", "partial_json": piece}}
        events += normalizer.feed(SseEvent(json.dumps(delta), "content_block_delta"))
    events += normalizer.feed(SseEvent('{"type": "content_block_stop", "index": 0}',
                                       "content_block_stop"))
    error = only_error(events)
    assert "deep_call" in error.message and str(MAX_DEPTH) in error.message
    assert not any(isinstance(e, StreamDelta) and e.tool_calls for e in events)


def test_a_whole_body_nested_too_deep_is_one_error():
    (error,) = events_from_body(nested(100_000).encode(), "OpenAI")
    assert isinstance(error, LlmError) and str(MAX_DEPTH) in error.message
