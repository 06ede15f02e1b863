"""The Grok and OpenRouter stream quirks and error shapes, through each provider's own
normalizer and error mapping (`providers.grok.PROVIDER`, `providers.openrouter.PROVIDER`).

Chunks are written here in the recorded shapes of reference/providers.md §4 and §5; the
recorded bodies themselves run in test_chat_completions_recorded.py.  Each test says which quirk it
pins.  Expected error codes are literals, never read from the mapping under test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

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
from providers.grok import PROVIDER as GROK
from providers.openai import PROVIDER as OPENAI
from providers.openrouter import PROVIDER as OPENROUTER
from providers.response_decoder import ResponseDecoder
from tests.helpers import calls_of, only_error, only_finish, text_of

XAI_HEAD = {"id": "028e638f-d1c1-678c-a2c8-81b3f8a84090", "object": "chat.completion.chunk",
            "created": 1773345560, "model": "grok-4-fast-reasoning",
            "system_fingerprint": "fp_3d7ed3b779"}
OR_HEAD = {"id": "gen-1777319799-zuunrpiKsDif28jflHYf", "object": "chat.completion.chunk",
           "created": 1777319799, "model": "anthropic/claude-4.5-haiku", "provider": "Amazon Bedrock"}


def data(obj: Any) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def xai(delta: dict | None = None, finish: str | None = None, **extra: Any) -> bytes:
    """An xAI chunk: no logprobs, and no finish_reason key at all until the finish."""
    choice: dict[str, Any] = {"index": 0, "delta": delta if delta is not None else {}}
    if finish is not None:
        choice["finish_reason"] = finish
    return data({**XAI_HEAD, "choices": [choice], **extra})


def xai_usage(prompt: int, completion: int, reasoning: int, total: int) -> bytes:
    return data({**XAI_HEAD, "choices": [], "usage": {
        "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total,
        "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0},
        "num_sources_used": 0, "cost_in_usd_ticks": 1654500}})


def orc(delta: dict, finish: str | None = None, native: str | None = None, **extra: Any) -> bytes:
    """An OpenRouter chunk: role repeated in the delta, native_finish_reason beside."""
    full = {"content": "", "role": "assistant", **delta}
    choice = {"index": 0, "delta": full, "finish_reason": finish, "native_finish_reason": native}
    return data({**OR_HEAD, "choices": [choice], **extra})


OR_USAGE = {"prompt_tokens": 577, "completion_tokens": 54, "total_tokens": 631, "cost": 0.000847,
            "is_byok": False, "completion_tokens_details": {"reasoning_tokens": 12}}
PROCESSING = b": OPENROUTER PROCESSING\n\n"
DONE = b"data: [DONE]\n\n"


def decode(provider, body: bytes, step: int = 1, status: int = 200,
           ctype: str = "text/event-stream") -> list:
    """The events of one response body, fed `step` bytes at a time."""
    decoder = ResponseDecoder(provider, status, ctype)
    events: list = []
    for i in range(0, len(body), step):
        events += decoder.feed(body[i:i + step])
    return events + decoder.end()


# --- xAI stream quirks ----------------------------------------------------------------------

XAI_PARALLEL = (
    xai({"role": "assistant", "tool_calls": [
        {"id": "call_55070233", "function": {"name": "add", "arguments": '{"a":2,"b":3}'},
         "index": 0, "type": "function"}]})
    + xai({"tool_calls": [
        {"id": "call_12016531", "function": {"name": "multiply", "arguments": '{"a":2,"b":3}'},
         "index": 1, "type": "function"}]})
    + xai({}, "tool_calls")
    + xai_usage(432, 68, 136, 636)
    + DONE
)


@pytest.mark.parametrize("step", [1, 7, len(XAI_PARALLEL)])
def test_xai_whole_tool_calls_one_per_index_are_not_doubled(step):
    events = decode(GROK, XAI_PARALLEL, step)
    assert calls_of(events) == [ToolCall("call_55070233", "add", '{"a":2,"b":3}'),
                                ToolCall("call_12016531", "multiply", '{"a":2,"b":3}')]
    assert only_finish(events).metadata.finish_reason is FinishReason.TOOL_CALLS


def test_xai_usage_adds_reasoning_back_and_keeps_the_recorded_total():
    """432 + 68 + 136 = 636: completion_tokens excludes the reasoning, total includes it."""
    usage = only_finish(decode(GROK, XAI_PARALLEL)).metadata.usage
    assert usage == Usage(input_tokens=432, output_tokens=68 + 136, total_tokens=636)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_the_same_usage_read_as_openai_would_lose_the_reasoning():
    """Guards the quirk: OpenAI's completion_tokens already include reasoning."""
    usage = only_finish(decode(OPENAI, XAI_PARALLEL)).metadata.usage
    assert usage.output_tokens == 68


def test_xai_usage_total_is_recomputed_with_reasoning_when_absent():
    body = (xai({"content": "ok", "role": "assistant"}) + xai({}, "stop")
            + data({**XAI_HEAD, "choices": [], "usage": {
                "prompt_tokens": 10, "completion_tokens": 2,
                "completion_tokens_details": {"reasoning_tokens": 30}}}) + DONE)
    usage = only_finish(decode(GROK, body)).metadata.usage
    assert usage == Usage(10, 32, 42)


def test_xai_absent_finish_reason_empty_deltas_and_reasoning_content():
    body = (xai({"reasoning_content": "First", "role": "assistant"})
            + xai({"reasoning_content": ", the user wants a greeting."})
            + b"".join(xai({}) for _ in range(30))  # grok-code-fast sends dozens
            + xai({"content": "Olá"}) + xai({"content": "!"})
            + xai({}, "stop") + xai_usage(213, 2, 198, 413) + DONE)
    events = decode(GROK, body, step=13)
    assert text_of(events) == "Olá!"
    assert all(e.content for e in events if isinstance(e, StreamDelta))  # no empty deltas out
    finish = only_finish(events)
    assert finish.metadata.finish_reason is FinishReason.STOP
    assert finish.metadata.provider_id == XAI_HEAD["id"]
    assert finish.metadata.usage == Usage(213, 200, 413)


def test_xai_reasoning_and_content_in_the_same_chunk_keeps_only_the_content():
    body = (xai({"reasoning_content": "think", "content": "Hi", "role": "assistant"})
            + xai({}, "stop") + DONE)
    assert text_of(decode(GROK, body)) == "Hi"


def test_xai_stream_without_finish_is_truncated_even_after_whole_tool_calls():
    """A whole call is not a finished answer: without finish_reason it must not run."""
    body = xai({"role": "assistant", "tool_calls": [
        {"id": "c1", "function": {"name": "rm", "arguments": "{}"}, "index": 0, "type": "function"}]})
    events = decode(GROK, body)
    assert calls_of(events) == []
    assert only_error(events).code is ErrorCode.INTERNAL_ERROR


def test_xai_flat_error_inside_a_stream():
    body = xai({"content": "Hel", "role": "assistant"}) + data(
        {"code": "Client specified an invalid argument", "error": "Bad grammar in response_format"})
    error = only_error(decode(GROK, body))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "Bad grammar in response_format" in error.message and error.message.startswith("xAI")


def test_xai_flat_error_inside_a_stream_about_the_key_is_an_auth_failure():
    body = data({"code": "Client specified an invalid argument",
                 "error": "Incorrect API key provided: xa***. You can obtain an API key from "
                          "https://console.x.ai."})
    assert only_error(decode(GROK, body)).code is ErrorCode.AUTHENTICATION_FAILED


def test_xai_non_streamed_answer_with_reasoning_content_and_empty_content_beside_tools():
    body = json.dumps({
        "id": "b9a2", "object": "chat.completion", "created": 1773345699, "model": "grok-3-mini-high",
        "choices": [{"index": 0, "message": {
            "role": "assistant", "content": "", "reasoning_content": "First, the user...",
            "tool_calls": [{"id": "call_1", "function": {"name": "weather",
                                                          "arguments": '{"location":"Florence"}'},
                            "type": "function"}], "refusal": None}, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 288, "completion_tokens": 27, "total_tokens": 665,
                  "completion_tokens_details": {"reasoning_tokens": 350}}}).encode()
    events = decode(GROK, body, status=200, ctype="application/json", step=len(body))
    assert text_of(events) == ""
    assert calls_of(events) == [ToolCall("call_1", "weather", '{"location":"Florence"}')]
    assert only_finish(events).metadata.usage == Usage(288, 377, 665)


# --- OpenRouter stream quirks ---------------------------------------------------------------

OR_TOOL_STREAM = (
    PROCESSING + PROCESSING
    + orc({"content": None, "tool_calls": [{"index": 0, "id": "toolu_01", "type": "function",
                                            "function": {"name": "weather", "arguments": ""}}]})
    + orc({"content": None, "tool_calls": [{"index": 0, "function": {"arguments": ""}}]})
    + PROCESSING
    + orc({"content": None, "tool_calls": [{"index": 0, "function": {"arguments": '{"location":'}}]})
    + orc({"content": None, "tool_calls": [{"index": 0, "function": {"arguments": ' "Florence"}'}}]})
    + orc({}, "tool_calls", "tool_use")
    + orc({}, "tool_calls", "tool_use", usage=OR_USAGE)
    + DONE
)


@pytest.mark.parametrize("step", [1, 5, 64, len(OR_TOOL_STREAM)])
def test_openrouter_comments_repeated_finish_and_usage_give_one_call_and_one_finish(step):
    events = decode(OPENROUTER, OR_TOOL_STREAM, step)
    assert calls_of(events) == [ToolCall("toolu_01", "weather", '{"location": "Florence"}')]
    finish = only_finish(events)
    assert finish.metadata.finish_reason is FinishReason.TOOL_CALLS
    assert finish.metadata.usage == Usage(577, 54, 631)
    meta = json.loads(finish.metadata.provider_metadata_json)
    assert meta["provider"] == "Amazon Bedrock" and meta["native_finish_reason"] == "tool_use"


def test_openrouter_finish_and_usage_in_one_chunk():
    body = (PROCESSING + orc({"content": "Hi"}) + orc({}, "stop", "STOP", usage=OR_USAGE) + DONE)
    events = decode(OPENROUTER, body)
    assert text_of(events) == "Hi"
    assert only_finish(events).metadata.usage.input_tokens == 577


def test_openrouter_usage_after_a_null_finish_chunk_is_still_taken():
    """Recorded (pydantic-reasoning-stream): the usage chunk may carry finish_reason null."""
    body = orc({"content": "4"}) + orc({}, "stop", "stop") + orc({}, usage=OR_USAGE) + DONE
    finish = only_finish(decode(OPENROUTER, body))
    assert finish.metadata.finish_reason is FinishReason.STOP
    assert finish.metadata.usage.total_tokens == 631


def test_openrouter_reasoning_and_reasoning_details_stay_out_of_the_text():
    body = (PROCESSING
            + orc({"reasoning": "The user is asking", "reasoning_details": [
                {"type": "reasoning.text", "text": "The user is asking", "format": "anthropic-claude-v1",
                 "index": 0}]})
            + orc({"reasoning": None, "reasoning_details": [
                {"type": "reasoning.encrypted", "data": "EjQKMgEMOdbH", "format": "google-gemini-v1"}]})
            + orc({"content": "2 + 2 = 4", "reasoning": None, "reasoning_details": []})
            + orc({}, "stop", "end_turn") + orc({}, "stop", "end_turn", usage=OR_USAGE) + DONE)
    events = decode(OPENROUTER, body, step=3)
    assert text_of(events) == "2 + 2 = 4"
    only_finish(events)


@pytest.mark.parametrize(
    "code, message, expected",
    [
        (429, "Rate limit exceeded", ErrorCode.RATE_LIMIT_EXCEEDED),
        (502, "Provider returned error", ErrorCode.INTERNAL_ERROR),
        (402, "Insufficient credits", ErrorCode.RATE_LIMIT_EXCEEDED),
        (401, "User not found.", ErrorCode.AUTHENTICATION_FAILED),
        (400, "Context too long", ErrorCode.INVALID_REQUEST),
        ("server_error", "Something broke", ErrorCode.INTERNAL_ERROR),
        ("rate_limit_exceeded", "Slow down", ErrorCode.RATE_LIMIT_EXCEEDED),
    ],
)
def test_openrouter_in_band_error_chunk_numeric_or_string_code(code, message, expected):
    error_chunk = {**OR_HEAD, "error": {"code": code, "message": message,
                                        "metadata": {"error_type": "x"}},
                   "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}
    body = PROCESSING + orc({"content": "Partial"}) + data(error_chunk)
    events = decode(OPENROUTER, body, step=11)
    assert text_of(events) == "Partial"
    error = only_error(events)
    assert error.code is expected
    assert message in error.message and error.message.startswith("OpenRouter")
    assert json.loads(error.provider_error_json)["code"] == code


def test_openrouter_in_band_402_carries_the_credits_note():
    error_chunk = {**OR_HEAD, "error": {"code": 402, "message": "Insufficient credits"},
                   "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}
    error = only_error(decode(OPENROUTER, data(error_chunk)))
    assert "insufficient credits" in error.message and "Insufficient credits" in error.message


def test_openrouter_in_band_upstream_detail_is_in_the_message():
    error_chunk = {**OR_HEAD, "error": {"code": 502, "message": "Provider returned error",
                                        "metadata": {"provider_name": "Google", "raw": "upstream 503 UNAVAILABLE"}},
                   "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}
    error = only_error(decode(OPENROUTER, data(error_chunk)))
    assert "Google said: upstream 503 UNAVAILABLE" in error.message


def test_openrouter_finish_reason_error_without_error_object_is_an_error():
    events = decode(OPENROUTER, orc({"content": "Par"}) + orc({}, "error", "error") + DONE)
    assert text_of(events) == "Par"
    assert only_error(events).code is ErrorCode.INTERNAL_ERROR


def test_openrouter_non_streamed_answer_after_whitespace_keepalives():
    body = b"\n         \n\n         \n" + json.dumps({
        "id": "gen-1", "object": "chat.completion", "created": 1777319793, "model": "a/b",
        "provider": "Amazon Bedrock", "system_fingerprint": None,
        "choices": [{"index": 0, "logprobs": None, "finish_reason": "stop", "native_finish_reason": "end_turn",
                     "message": {"role": "assistant", "content": "Olá!", "refusal": None,
                                 "reasoning": "They greet me."}}],
        "usage": {"prompt_tokens": 16, "completion_tokens": 18, "total_tokens": 34}}).encode()
    events = decode(OPENROUTER, body, ctype="application/json")
    assert text_of(events) == "Olá!"
    finish = only_finish(events)
    assert finish.metadata.usage == Usage(16, 18, 34)
    assert json.loads(finish.metadata.provider_metadata_json)["provider"] == "Amazon Bedrock"


# --- HTTP error bodies through each flavour's quirks -----------------------------------------

XAI_WRONG_KEY = (b'{"code":"Client specified an invalid argument","error":"Incorrect API key '
                 b'provided: xa***. You can obtain an API key from https://console.x.ai."}')


def test_xai_wrong_key_400_is_an_authentication_failure_with_xai_quirks_only():
    error = GROK.error_from_response(400, XAI_WRONG_KEY)
    assert error.code is ErrorCode.AUTHENTICATION_FAILED
    assert error.message == ("xAI returned HTTP 400 (authentication failed): Incorrect API key "
                             "provided: xa***. You can obtain an API key from https://console.x.ai.")
    assert OPENAI.error_from_response(400, XAI_WRONG_KEY).code is ErrorCode.INVALID_REQUEST  # OpenAI's table


def test_xai_other_400_stays_invalid_request_with_the_flat_message():
    body = (b'{"code":"Client specified an invalid argument","error":"This model\'s maximum '
            b'prompt length is 131072 but the request contains 625077 tokens."}')
    error = GROK.error_from_response(400, body)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "maximum prompt length is 131072" in error.message
    assert json.loads(error.provider_error_json)["code"] == "Client specified an invalid argument"


def test_xai_410_live_search_is_unsupported():
    body = b'{"code":"Some requested entity was not found","error":"Live search is deprecated."}'
    error = GROK.error_from_response(410, body)
    assert error.code is ErrorCode.UNSUPPORTED
    assert "Agent Tools API" in error.message and "Live search is deprecated." in error.message


def test_openrouter_402_has_its_own_message_and_code():
    body = b'{"error":{"code":402,"message":"Insufficient credits. Add more at the dashboard."}}'
    error = OPENROUTER.error_from_response(402, body)
    assert error.code is ErrorCode.RATE_LIMIT_EXCEEDED
    assert error.message.startswith("OpenRouter returned HTTP 402 (insufficient credits): "
                                    "OpenRouter account has insufficient credits")
    assert error.message.endswith("OpenRouter said: Insufficient credits. Add more at the dashboard.")


def test_openrouter_upstream_429_names_the_provider_and_raw_message():
    body = json.dumps({"error": {"code": 429, "message": "Provider returned error", "metadata": {
        "provider_name": "Google", "raw": "gemini-2.0-flash-exp:free is temporarily rate-limited upstream."}},
        "user_id": "user_x"}).encode()
    error = OPENROUTER.error_from_response(429, body)
    assert error.code is ErrorCode.RATE_LIMIT_EXCEEDED
    assert "Google said: gemini-2.0-flash-exp:free is temporarily rate-limited upstream." in error.message
    assert json.loads(error.provider_error_json)["error"]["metadata"]["provider_name"] == "Google"
