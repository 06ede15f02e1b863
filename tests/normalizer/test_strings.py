"""Valid Unicode, and the walkers that rewrite every string of a golem:llm value: every string
field of every value is reached, errors get the diagnostic rewrite, and an unchanged value
comes back as the very same object (the common case allocates nothing)."""

from __future__ import annotations

import pytest

from normalizer import values as v
from normalizer.strings import (
    chat_event_strings,
    stream_event_strings,
    stream_events_strings,
    strings_of,
    well_formed,
)


@pytest.mark.parametrize("text, expected", [
    ("\ud800Olá!", "\ufffdOlá!"),            # a lone high surrogate
    ("end\udfff", "end\ufffd"),              # a lone low surrogate
    ("\ude00\ud83d", "\ufffd\ufffd"),        # halves in the wrong order
    ("x\ud83d\ude00y", "x\U0001F600y"),      # one character's halves, joined
])
def test_surrogates_become_valid_unicode(text, expected):
    assert well_formed(text) == expected
    well_formed(text).encode("utf-8")  # what the component boundary does
    assert well_formed(well_formed(text)) == well_formed(text)


@pytest.mark.parametrize("text", ["", "plain ascii", "Olá, 世界 🎉"])
def test_valid_text_is_returned_itself(text):
    assert well_formed(text) is text


def mark(text: str) -> str:
    return "C:" + text


def diag(text: str) -> str:
    return "D:" + text


META = v.ResponseMetadata(v.FinishReason.STOP, v.Usage(1, 2, 3), "id-1", "123", '{"m":1}')


def test_every_string_of_a_stream_event_is_rewritten_and_errors_are_diagnostic():
    delta = v.StreamDelta((v.Text("hi"), v.Image(v.ImageUrl("http://x/y.png"))),
                          (v.ToolCall("c1", "f", "{}"),))
    assert stream_event_strings(delta, mark, diag) == v.StreamDelta(
        (v.Text("C:hi"), v.Image(v.ImageUrl("C:http://x/y.png"))),
        (v.ToolCall("C:c1", "C:f", "C:{}"),))
    assert stream_event_strings(v.Finish(META), mark, diag).metadata == v.ResponseMetadata(
        v.FinishReason.STOP, v.Usage(1, 2, 3), "C:id-1", "C:123", 'C:{"m":1}')
    error = v.LlmError(v.ErrorCode.UNKNOWN, "boom", '{"e":1}')
    assert stream_event_strings(error, mark, diag) == v.LlmError(
        v.ErrorCode.UNKNOWN, "D:boom", 'D:{"e":1}')
    assert stream_events_strings(None, mark, diag) is None


def test_every_string_of_a_chat_event_is_rewritten():
    response = v.CompleteResponse("id-1", (v.Text("hi"),), (v.ToolCall("c1", "f", "{}"),), META)
    rewritten = chat_event_strings(response, mark, diag)
    assert rewritten.id == "C:id-1" and rewritten.content == (v.Text("C:hi"),)
    assert rewritten.tool_calls == (v.ToolCall("C:c1", "C:f", "C:{}"),)
    assert rewritten.metadata.provider_id == "C:id-1"
    request = v.ToolRequest((v.ToolCall("c1", "f", "{}"),))
    assert chat_event_strings(request, mark, diag).tool_calls[0].name == "C:f"
    assert chat_event_strings(v.LlmError(v.ErrorCode.UNKNOWN, "x"), mark, diag).message == "D:x"


def test_an_unchanged_value_is_the_same_object():
    same = lambda text: text  # noqa: E731
    delta = v.StreamDelta((v.Text("hi"),), (v.ToolCall("c1", "f", "{}"),))
    finish = v.Finish(META)
    error = v.LlmError(v.ErrorCode.UNKNOWN, "x", None)
    for event in (delta, finish, error):
        assert stream_event_strings(event, same, same) is event
    response = v.CompleteResponse("id", (v.Text("t"),), (), META)
    assert chat_event_strings(response, same, same) is response


def test_strings_of_reaches_the_request_values():
    config = v.Config("model", stop_sequences=("END",),
                      tools=(v.ToolDefinition("t", "{}", "d"),),
                      provider_options=(v.Kv("k", "v"),))
    assert strings_of(config, mark) == v.Config(
        "C:model", stop_sequences=("C:END",), tools=(v.ToolDefinition("C:t", "C:{}", "C:d"),),
        provider_options=(v.Kv("C:k", "C:v"),))
    pair = (v.ToolCall("c", "n", "{}"), v.ToolFailure("c", "n", "oops", "E1"))
    assert strings_of(pair, mark)[1] == v.ToolFailure("C:c", "C:n", "C:oops", "C:E1")
    message = v.Message(v.Role.USER, (v.Image(v.ImageSource(b"\x00", "image/png")),))
    assert strings_of(message, mark).content[0].reference == v.ImageSource(b"\x00", "C:image/png")
    assert strings_of(config, lambda text: text) is config
