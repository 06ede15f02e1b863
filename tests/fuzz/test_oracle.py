"""The campaign's judge: the literal reading of the bytes a server wrote, the key finder and
the verdicts.  Each failure kind must be found when it is there and only then, or the
campaign's table means nothing."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from fuzz.oracle import (
    Expect,
    Verdict,
    error,
    judge,
    leaks,
    observe_event,
    observe_stream,
    reference_stream,
    strings_in,
)
from normalizer import values as v
from providers import PROVIDERS
from runtime.emulator.dialects import dialect_for
from runtime.emulator.faults import body_bytes, encode_key, head_bytes
from runtime.emulator.scenario import Scenario

KEY = "sk-fuzz/Campaign+Key=0123456789abcdef"
TEXT = "Hello, wörld 🎉 — in pieces."


def written(provider: str, scenario: Scenario) -> bytes:
    """The whole response the emulator writes for a streaming request."""
    request = {"model": "m", "max_tokens": 100, "stream": True,
               "messages": [{"role": "user", "content": "hi"}]}
    response = dialect_for(PROVIDERS[provider]).render(scenario, request)
    return head_bytes(response, "emu", "today") + body_bytes(response)


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_a_whole_stream_reads_as_its_text_and_end_marker(provider):
    data = written(provider, Scenario(text=TEXT, text_chunk_chars=4, write_size=5))
    delivered = reference_stream(data, PROVIDERS[provider].dialect)
    assert (delivered.status, delivered.text, delivered.end_marker) == (200, TEXT, True)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_cut_stream_reads_as_the_text_of_its_complete_events(provider):
    data = written(provider, Scenario(text=TEXT, text_chunk_chars=4))
    dialect = PROVIDERS[provider].dialect
    head = data.index(b"\r\n\r\n") + 4
    last, marker_at = "", None
    for n in range(len(data) + 1):
        delivered = reference_stream(data[:n], dialect)
        assert TEXT.startswith(delivered.text) and delivered.text.startswith(last)
        assert delivered.status == (200 if n >= head else None)
        if delivered.end_marker and marker_at is None:
            marker_at = n
        last = delivered.text
    assert last == TEXT
    # The end marker counts only once its event's blank line has arrived.
    assert data[:marker_at].endswith(b"\n\n")


def test_an_error_status_delivers_no_text():
    data = written("openai", Scenario(error_status=503))
    assert reference_stream(data, "chat_completions").status == 503
    assert reference_stream(data, "chat_completions").text == ""


@pytest.mark.parametrize("encoded", [
    KEY, encode_key(KEY, "json-escaped").decode(), encode_key(KEY, "percent-encoded").decode(),
    quote(KEY, safe=""), quote_plus(KEY), json.dumps(json.dumps(KEY))[1:-1],
    json.dumps({"error": {"message": f"bad key {encode_key(KEY, 'json-escaped').decode()}"}}),
    encode_key(KEY, "json-escaped").decode().upper().replace("\\U", "\\u"),
])
def test_the_key_is_found_however_it_is_encoded(encoded):
    assert leaks(KEY, f"Incorrect API key provided: {encoded}.")


@pytest.mark.parametrize("text", ["sk-fuzz/Cam*********************cdef", "[redacted]",
                                  KEY[:-1], "", "%%%\\u12"])
def test_no_key_is_found_where_there_is_none(text):
    assert not leaks(KEY, text)


def test_every_string_of_a_value_is_searched():
    event = v.CompleteResponse("id", (v.Text("a"),), (v.ToolCall("c", "n", KEY),),
                               v.ResponseMetadata(provider_metadata_json="{}"))
    assert KEY in list(strings_in(event))


def finish(reason=v.FinishReason.STOP):
    return v.Finish(v.ResponseMetadata(finish_reason=reason))


def delta(text="", calls=()):
    return v.StreamDelta(content=(v.Text(text),) if text else None, tool_calls=calls or None)


ANSWER = Expect("finish", text="ab", calls=(("c1", "f", '{"x": 1}'),), finish=v.FinishReason.STOP)
CALL = v.ToolCall("c1", "f", '{"x":1}')


def verdict_of(events, expect=ANSWER, ended=True, streamed=True):
    return judge(observe_stream(events, ended), expect, Verdict(), streamed)


def test_a_faithful_stream_passes():
    assert verdict_of([delta("a"), delta("b", (CALL,)), finish()]).ok


@pytest.mark.parametrize("events, ended, kind", [
    ([delta("a"), finish()], True, "lost"),                            # text lost
    ([delta("a"), delta("bb", (CALL,)), finish()], True, "lost"),      # text duplicated
    ([delta("ab", (CALL, CALL)), finish()], True, "lost"),             # tool call twice
    ([delta("ab"), finish()], True, "lost"),                           # tool call lost
    ([delta("ab", (CALL,)), finish(), finish()], True, "lost"),        # two terminals
    ([delta("ab", (CALL,)), finish(), delta("x")], True, "lost"),      # event after the end
    ([delta("ab", (CALL,))], True, "lost"),                            # no terminal
    ([delta("ab", (CALL,)), finish()], False, "lost"),                 # never ended
    ([delta("ab", (CALL,)), finish(v.FinishReason.LENGTH)], True, "wrong_code"),
    ([delta("a"), v.LlmError(v.ErrorCode.INTERNAL_ERROR, "cut")], True, "wrong_code"),
])
def test_each_kind_of_failure_is_found(events, ended, kind):
    verdict = verdict_of(events, ended=ended)
    assert getattr(verdict, kind), verdict.details


def test_an_error_must_have_an_expected_code_and_come_from_its_rule():
    expect = error(v.ErrorCode.RATE_LIMIT_EXCEEDED)
    assert judge(observe_event(v.LlmError(v.ErrorCode.RATE_LIMIT_EXCEEDED, "slow down")),
                 expect, Verdict(), False).ok
    assert judge(observe_event(v.LlmError(v.ErrorCode.INTERNAL_ERROR, "x")),
                 expect, Verdict(), False).wrong_code
    caught = v.LlmError(v.ErrorCode.RATE_LIMIT_EXCEEDED, "internal error in send: KeyError()")
    assert judge(observe_event(caught), expect, Verdict(), False).wrong_code
    assert judge(observe_event(v.CompleteResponse("i", (), (), v.ResponseMetadata())),
                 expect, Verdict(), False).wrong_code


def test_before_an_error_a_stream_delivers_exactly_what_arrived():
    expect = error(v.ErrorCode.INTERNAL_ERROR, prefix="Hel").with_(calls=ANSWER.calls)
    failure = v.LlmError(v.ErrorCode.INTERNAL_ERROR, "cut off")
    assert verdict_of([delta("Hel"), failure], expect).ok
    assert verdict_of([delta("He"), failure], expect).lost
    assert verdict_of([delta("Hell"), failure], expect).lost
    assert verdict_of([delta("Hel", (CALL,)), failure], expect).ok
    assert verdict_of([delta("Hel", (v.ToolCall("c1", "f", '{"x"'),)), failure], expect).lost


def test_a_tool_request_may_drop_blank_text_only():
    request = v.ToolRequest((CALL,))
    blank = ANSWER.with_(text="  ", finish=v.FinishReason.TOOL_CALLS)
    assert judge(observe_event(request), blank, Verdict(), False).ok
    assert judge(observe_event(request), blank.with_(text="said something"), Verdict(), False).lost


def test_either_accepts_an_answer_or_an_expected_error_but_still_checks_the_text():
    either = ANSWER.with_(outcome="either", codes=frozenset({v.ErrorCode.INTERNAL_ERROR}))
    assert verdict_of([delta("ab", (CALL,)), finish()], either).ok
    assert verdict_of([v.LlmError(v.ErrorCode.INTERNAL_ERROR, "too long")], either).ok
    assert verdict_of([v.LlmError(v.ErrorCode.INVALID_REQUEST, "x")], either).wrong_code
    assert verdict_of([delta("a", (CALL,)), finish()], either).lost
