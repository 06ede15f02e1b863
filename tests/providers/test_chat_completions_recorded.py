"""Recorded real responses through each Chat Completions provider, end to end.

Every case folder under the shared fixtures is one test, run through *its own* provider
(`providers.openai`, `providers.grok`, `providers.openrouter`) and the same path the
component uses: `ResponseDecoder` fed the body in uneven pieces (SSE parser, that
provider's normalizer and quirks; or its non-streamed JSON mapping; or its error mapping),
then the accumulator.  The expected values are derived here, independently and naively,
from the raw JSON (concatenate `delta.content`, group tool-call fragments by index, last
non-null usage) and compared; expected error codes are literals.

Fixture data is read from /work/shared and never copied into the repository; tests skip
when it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import pytest

from normalizer.accumulator import Accumulator
from normalizer.values import (
    CompleteResponse,
    ErrorCode,
    Finish,
    FinishReason,
    LlmError,
    ResponseMetadata,
    Text,
    ToolRequest,
)
from providers.grok import PROVIDER as GROK
from providers.openai import PROVIDER as OPENAI
from providers.openrouter import PROVIDER as OPENROUTER
from providers.provider import Provider
from providers.response_decoder import ResponseDecoder
from tests.helpers import REAL_FIXTURES

FIXTURES = REAL_FIXTURES

PROVIDERS: dict[str, tuple[Provider, str]] = {
    "openai": (OPENAI, "OpenAI"),
    "grok": (GROK, "xAI"),
    "openrouter": (OPENROUTER, "OpenRouter"),
}

# Written out here rather than imported, so the test does not grade the module by itself.
EXPECTED_FINISH = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "tool_calls": FinishReason.TOOL_CALLS,
    "function_call": FinishReason.TOOL_CALLS,
    "content_filter": FinishReason.CONTENT_FILTER,
}


def _cases(provider: str) -> list[Any]:
    root = FIXTURES / provider
    if not root.is_dir():
        return [pytest.param(provider, None, id=f"{provider}-fixtures-missing")]
    return [pytest.param(provider, d.name, id=f"{provider}/{d.name}")
            for d in sorted(root.iterdir()) if (d / "response.body").is_file()]


ALL_CASES = [case for provider in PROVIDERS for case in _cases(provider)]


# What golem:llm says each recorded error status means, per provider (the table and
# each provider's documented differences), written out literally so the test does not
# restate the mapping code it checks.  A recording with a status not listed here fails
# loudly instead of being checked against a guess.
EXPECTED_CODE = {
    "openai": {
        400: ErrorCode.INVALID_REQUEST,
        401: ErrorCode.AUTHENTICATION_FAILED,
        403: ErrorCode.AUTHENTICATION_FAILED,
        404: ErrorCode.INVALID_REQUEST,
        429: ErrorCode.RATE_LIMIT_EXCEEDED,
        500: ErrorCode.INTERNAL_ERROR,
        503: ErrorCode.INTERNAL_ERROR,
    },
    "grok": {
        400: ErrorCode.INVALID_REQUEST,  # the recorded 400 is a context-length error, not a key
        401: ErrorCode.AUTHENTICATION_FAILED,
        429: ErrorCode.RATE_LIMIT_EXCEEDED,
    },
    "openrouter": {
        400: ErrorCode.INVALID_REQUEST,
        401: ErrorCode.AUTHENTICATION_FAILED,
        402: ErrorCode.RATE_LIMIT_EXCEEDED,
        403: ErrorCode.INVALID_REQUEST,
        429: ErrorCode.RATE_LIMIT_EXCEEDED,
        502: ErrorCode.INTERNAL_ERROR,
    },
}


# --- the one path from bytes to events ----------------------------------------------------


def _decode(provider: Provider, status: int, content_type: str, body: bytes,
            headers: Optional[dict] = None) -> list:
    """The events the component would produce: the body in uneven pieces, as a network
    would deliver them, through the provider's `ResponseDecoder` (given the recorded
    `headers`, as the component is)."""
    decoder = ResponseDecoder(provider, status, content_type, headers=headers)
    events: list = []
    step = 97
    for start in range(0, len(body), step):
        events.extend(decoder.feed(body[start:start + step]))
    return events + decoder.end()


# --- the naive, independent reading of a recording ---------------------------------------


def _naive_stream(body: bytes) -> tuple[str, list[dict], Optional[str], Optional[dict]]:
    """Text, tool calls (by index), first finish_reason and last usage of a streamed body,
    from `data: ` lines alone."""
    text = []
    calls: dict[Any, dict] = {}
    finish = None
    usage = None
    for line in body.decode("utf-8").splitlines():
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]" or not payload:
            continue
        chunk = json.loads(payload)
        if chunk.get("usage"):
            usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                text.append(delta["content"])
            for fragment in delta.get("tool_calls") or []:
                call = calls.setdefault(fragment["index"], {"id": "", "name": "", "arguments": ""})
                call["id"] = call["id"] or fragment.get("id") or ""
                function = fragment.get("function") or {}
                call["name"] = call["name"] or function.get("name") or ""
                call["arguments"] += function.get("arguments") or ""
            if choice.get("finish_reason") and finish is None:
                finish = choice["finish_reason"]
    return "".join(text), [calls[k] for k in sorted(calls)], finish, usage


def _naive_completion(body: dict) -> tuple[str, list[dict], Optional[str], Optional[dict]]:
    message = body["choices"][0]["message"]
    calls = [{"id": c["id"], "name": c["function"]["name"], "arguments": c["function"]["arguments"]}
             for c in message.get("tool_calls") or []]
    if message.get("function_call") and not calls:  # beside tool_calls it is their mirror
        legacy = message["function_call"]
        calls.append({"id": None, "name": legacy["name"], "arguments": legacy["arguments"]})
    return message.get("content") or "", calls, body["choices"][0]["finish_reason"], body.get("usage")


def _expected_output_tokens(provider: str, usage: dict) -> int:
    tokens = usage["completion_tokens"]
    if provider == "grok":  # xAI leaves reasoning out of completion_tokens
        tokens += (usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
    return tokens


# --- the test ----------------------------------------------------------------------------


@pytest.mark.parametrize(("provider", "case"), ALL_CASES)
def test_recorded_case(provider: str, case: Optional[str]) -> None:
    if case is None:
        pytest.skip(f"no recorded fixtures at {FIXTURES / provider}")
    check_recording(provider, FIXTURES / provider / case)


def check_recording(provider: str, folder: Path) -> list:
    """Decode one recording through `provider`'s path and check the events against the
    naive reading; returns the events.  Shared with tests/providers/test_llama_cpp_recorded.py, which
    replays the project's own recordings of a real server the same way."""
    meta = json.loads((folder / "response.meta.json").read_text())
    body = (folder / "response.body").read_bytes()
    chat_provider, label = PROVIDERS[provider]
    status = meta["status"]
    content_type = meta["headers"].get("content-type", "")
    events = _decode(chat_provider, status, content_type, body)

    if not 200 <= status < 300:
        assert len(events) == 1 and isinstance(events[0], LlmError), events
        error = events[0]
        assert status in EXPECTED_CODE[provider], f"no expected code written for {provider} HTTP {status}"
        assert error.code is EXPECTED_CODE[provider][status]
        parsed = json.loads(body)
        provider_message = (parsed["error"]["message"] if isinstance(parsed["error"], dict)
                            else parsed["error"])
        assert provider_message in error.message
        assert error.message.startswith(f"{label} returned HTTP {status} (")
        assert json.loads(error.provider_error_json) == parsed
        return events

    if meta["streaming"]:
        assert content_type.startswith("text/event-stream")
        text, calls, finish, usage = _naive_stream(body)
    else:
        assert content_type.startswith("application/json")
        text, calls, finish, usage = _naive_completion(json.loads(body))
    if finish is None and meta["streaming"]:
        # a stream that ends before the server's finish is never reported as a success
        assert len(events) == 1 and isinstance(events[-1], LlmError), events
        return events
    assert not any(isinstance(e, LlmError) for e in events), events
    accumulator = Accumulator()
    accumulator.add(events)

    result = accumulator.result()
    assert not isinstance(result, LlmError), result
    assert finish is not None, "every recorded 200 here has a finish_reason"
    finishes = [e for e in events if isinstance(e, Finish)]
    assert len(finishes) == 1 and events[-1] is finishes[0]
    _check_metadata(finishes[0].metadata, provider, finish, usage)

    # tool calls: ids, names, and arguments equal as JSON values
    got = accumulator.tool_calls
    assert [c.name for c in got] == [c["name"] for c in calls]
    for position, (call, expected) in enumerate(zip(got, calls)):
        assert call.id == (expected["id"] or f"call_{position}")
        expected_args = json.loads(expected["arguments"]) if expected["arguments"].strip() else {}
        assert json.loads(call.arguments_json) == expected_args

    if isinstance(result, ToolRequest):
        assert EXPECTED_FINISH[finish] is FinishReason.TOOL_CALLS
        assert not text.strip()
        assert result.tool_calls == got
        return events

    assert isinstance(result, CompleteResponse)
    assert result.content == ((Text(text),) if text else ())
    assert accumulator.text == text
    assert result.id and result.id == result.metadata.provider_id
    return events


def _check_metadata(metadata: ResponseMetadata, provider: str, finish: str,
                    usage: Optional[dict]) -> None:
    assert metadata.finish_reason is EXPECTED_FINISH[finish]
    assert metadata.provider_id
    assert metadata.timestamp is not None and metadata.timestamp.isdigit()
    if usage is None:
        assert metadata.usage is None
    else:
        assert metadata.usage is not None
        assert metadata.usage.input_tokens == usage["prompt_tokens"]
        assert metadata.usage.output_tokens == _expected_output_tokens(provider, usage)
        assert metadata.usage.total_tokens == usage["total_tokens"]
        # holds for every provider once xAI's reasoning tokens are added back: the recorded
        # xAI totals are prompt + completion + reasoning (e.g. 432 + 68 + 136 = 636)
        assert metadata.usage.total_tokens == metadata.usage.input_tokens + metadata.usage.output_tokens
    provider_metadata = json.loads(metadata.provider_metadata_json)
    assert provider_metadata["model"]
    if provider == "openrouter":
        assert provider_metadata["provider"]  # the upstream that served it


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_the_fixtures_are_all_covered(provider: str) -> None:
    """Guards the parametrization: a renamed fixtures folder must not silently run nothing."""
    root = FIXTURES / provider
    if not root.is_dir():
        pytest.skip(f"no recorded fixtures at {root}")
    ran = {case.values[1] for case in ALL_CASES if case.values[0] == provider}
    assert ran == {d.name for d in root.iterdir() if d.is_dir()}
    assert len(ran) >= 10


def test_xai_recordings_exclude_reasoning_from_completion_tokens() -> None:
    """The quirk the Grok usage mapping rests on, checked on the recordings themselves."""
    root = FIXTURES / "grok"
    if not root.is_dir():
        pytest.skip(f"no recorded fixtures at {root}")
    checked = 0
    for folder in sorted(root.iterdir()):
        body = (folder / "response.body").read_bytes()
        usages = [json.loads(line[5:])["usage"] for line in body.decode().splitlines()
                  if line.startswith("data:") and '"usage":{' in line]
        if not usages and body.lstrip().startswith(b"{"):
            usages = [json.loads(body).get("usage")]
        for usage in filter(None, usages):
            reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
            assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] + reasoning
            checked += reasoning > 0
    assert checked >= 5
