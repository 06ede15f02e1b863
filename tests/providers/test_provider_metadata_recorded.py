"""The one `provider-metadata-json` shape, checked on every recorded real response.

Each case under the shared fixtures goes through its own provider's `ResponseDecoder` with
the recorded status, headers and body (the component's path), and the finish's metadata (or
the error's `provider-error-json`) is compared with what this file reads, naively and
independently, from the recording: the last usage object, the reasoning deltas, the raw
finish reason, the request-id, rate-limit and `x-should-retry` headers.  What is checked
for each provider: usage details (cached, cache-creation and reasoning tokens, cost) and a
total equal to input + output and to the provider's own total; reasoning text in the
metadata and never in the answer; the request id and the rate-limit state from the headers;
only documented keys.  Fixture data is read from /work/shared and never copied; tests skip
without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import pytest

from normalizer.provider_metadata import KEYS, USAGE_KEYS
from normalizer.values import Finish, LlmError
from providers.registry import PROVIDERS
from providers.response_decoder import ResponseDecoder
from tests.helpers import REAL_FIXTURES, text_of

REQUEST_ID_HEADER = {"openai": "x-request-id", "grok": "x-request-id",
                     "anthropic": "request-id", "openrouter": "x-generation-id"}


def _cases() -> list:
    out = []
    for provider in sorted(PROVIDERS):
        root = REAL_FIXTURES / provider
        if root.is_dir():
            out += [pytest.param(provider, d.name, id=f"{provider}-{d.name}")
                    for d in sorted(root.iterdir()) if d.is_dir()]
    return out or [pytest.param("none", "none", marks=pytest.mark.skip(
        reason=f"no recorded fixtures at {REAL_FIXTURES}"))]


def _decode(provider: str, folder: Path) -> tuple[list, dict, bytes]:
    meta = json.loads((folder / "response.meta.json").read_text())
    body = (folder / "response.body").read_bytes()
    decoder = ResponseDecoder(PROVIDERS[provider], meta["status"],
                              meta["headers"].get("content-type", ""), headers=meta["headers"])
    events: list = []
    for start in range(0, len(body), 89):
        events += decoder.feed(body[start:start + 89])
    return events + decoder.end(), meta, body


# --- the naive reading of a recording -------------------------------------------------------


def _objects(body: bytes) -> list[dict]:
    """The JSON objects of a body: each `data:` line of a stream, or the one JSON value."""
    text = body.decode("utf-8")
    if text.lstrip().startswith("{"):
        return [json.loads(text)]
    out = []
    for line in text.splitlines():
        if line.startswith("data:"):
            try:
                value = json.loads(line[5:])
            except ValueError:
                continue
            if isinstance(value, dict):
                out.append(value)
    return out


def _chat_usage(objects: list[dict]) -> Optional[dict]:
    usages = [o["usage"] for o in objects if o.get("usage")]
    return usages[-1] if usages else None


def _anthropic_usage(objects: list[dict]) -> Optional[dict]:
    usage: dict = {}
    for o in objects:
        found = o.get("usage") or (o.get("message") or {}).get("usage")
        if isinstance(found, dict):
            usage.update({k: v for k, v in found.items() if v is not None})
    return usage or None


def _expected_details(provider: str, usage: dict) -> dict[str, Any]:
    """The usage details as the provider's documentation defines its fields."""
    if provider == "anthropic":
        return {"cached_input_tokens": usage.get("cache_read_input_tokens"),
                "cache_creation_input_tokens": usage.get("cache_creation_input_tokens"),
                "reasoning_tokens": (usage.get("output_tokens_details") or {}).get("thinking_tokens")}
    prompt = usage.get("prompt_tokens_details") or {}
    cost = usage.get("cost")
    if cost is None and "cost_in_usd_ticks" in usage:
        cost = usage["cost_in_usd_ticks"] / 1e10
    return {"cached_input_tokens": prompt.get("cached_tokens"),
            "cache_creation_input_tokens": prompt.get("cache_write_tokens"),
            "reasoning_tokens": (usage.get("completion_tokens_details") or {}).get("reasoning_tokens"),
            "cost_usd": cost}


def _chat_reasoning(objects: list[dict]) -> str:
    parts = []
    for o in objects:
        for choice in o.get("choices") or []:
            holder = choice.get("delta") or choice.get("message") or {}
            for key in ("reasoning_content", "reasoning"):
                if isinstance(holder.get(key), str) and holder[key]:
                    parts.append(holder[key])
                    break
    return "".join(parts)


def _anthropic_reasoning(objects: list[dict]) -> str:
    blocks: dict[int, list[str]] = {}
    for o in objects:
        if o.get("type") == "message":  # non-streamed
            return "\n\n".join(b["thinking"] for b in o["content"] if b.get("type") == "thinking")
        delta = o.get("delta") or {}
        if delta.get("type") == "thinking_delta":
            blocks.setdefault(o["index"], []).append(delta["thinking"])
    return "\n\n".join("".join(parts) for _, parts in sorted(blocks.items()))


def _raw_finish(provider: str, objects: list[dict]) -> Optional[str]:
    found = None
    for o in objects:
        if provider == "anthropic":
            holder = o.get("delta") if o.get("type") == "message_delta" else o
            if isinstance(holder, dict) and holder.get("stop_reason"):
                found = holder["stop_reason"]
        else:
            for choice in o.get("choices") or []:
                if choice.get("finish_reason") and found is None:
                    found = choice["finish_reason"]
    return found


def _rate_limit_headers(headers: dict) -> dict[str, str]:
    return {k: v for k, v in headers.items()
            if k.startswith(("x-ratelimit-", "anthropic-ratelimit-", "retry-after"))
            or k == "x-should-retry"}


def _check_rate_limit(got: dict, headers: dict[str, str]) -> None:
    """Every rate-limit header is in `got`, under its limit and field, with its value."""
    for name, value in headers.items():
        if name == "x-should-retry":  # a boolean, the one header that is not text or number
            assert got["should_retry"] is (value.strip() == "true"), name
            continue
        if name.startswith("retry-after"):
            entry = got[name.replace("-", "_")]
        elif name.startswith("x-ratelimit-"):
            field, _, what = name[len("x-ratelimit-"):].partition("-")
            entry = got[what.replace("-", "_")][field]
        else:
            rest = name[len("anthropic-ratelimit-"):]
            what, _, field = rest.rpartition("-")
            entry = got[what.replace("-", "_")][field]
        assert str(entry) == value.strip(), name


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("provider,case", _cases())
def test_recorded_metadata_has_the_documented_shape(provider: str, case: str) -> None:
    events, meta, body = _decode(provider, REAL_FIXTURES / provider / case)
    terminal = events[-1]
    headers = meta["headers"]
    limits = _rate_limit_headers(headers)
    request_id = headers.get(REQUEST_ID_HEADER[provider])
    if isinstance(terminal, LlmError):
        # the provider's body is kept, and the headers' facts are added beside it
        error = json.loads(terminal.provider_error_json)
        if request_id:
            assert error["request_id"] == request_id
        if limits:
            _check_rate_limit(error["rate_limit"], limits)
        else:
            assert "rate_limit" not in error
        return
    assert isinstance(terminal, Finish)
    metadata = terminal.metadata
    extra = json.loads(metadata.provider_metadata_json)
    assert set(extra) <= set(KEYS), set(extra) - set(KEYS)
    objects = _objects(body)

    assert extra["finish_reason"] == _raw_finish(provider, objects)
    if request_id:
        assert extra["request_id"] == request_id
    elif provider == "openrouter":  # the generation id stands in for the missing header
        assert extra["request_id"] == metadata.provider_id and metadata.provider_id.startswith("gen-")
    else:
        assert "request_id" not in extra
    if limits:
        _check_rate_limit(extra["rate_limit"], limits)
    else:
        assert "rate_limit" not in extra

    usage = (_anthropic_usage if provider == "anthropic" else _chat_usage)(objects)
    if usage is None:
        assert "usage" not in extra and metadata.usage is None
    else:
        details = extra["usage"]
        assert set(details) <= set(USAGE_KEYS)
        assert details["provider_usage"] == usage
        for key, value in _expected_details(provider, usage).items():
            assert details.get(key) == value, key
        total = details["input_tokens"] + details["output_tokens"]
        assert details["total_tokens"] == total == metadata.usage.total_tokens
        assert (details["input_tokens"], details["output_tokens"]) == (
            metadata.usage.input_tokens, metadata.usage.output_tokens)
        if "total_tokens" in usage:
            assert total == usage["total_tokens"]  # the provider's own total agrees
        assert details.get("cached_input_tokens", 0) <= details["input_tokens"]
        assert details.get("reasoning_tokens", 0) <= details["output_tokens"]

    reasoning = (_anthropic_reasoning if provider == "anthropic" else _chat_reasoning)(objects)
    assert extra.get("reasoning", "") == reasoning
    if reasoning:
        assert reasoning not in text_of(events)


def _finish_metadata(provider: str, case: str) -> dict:
    folder = REAL_FIXTURES / provider / case
    if not folder.is_dir():
        pytest.skip(f"recorded fixture {case} not present at {folder}")
    events, _, _ = _decode(provider, folder)
    assert isinstance(events[-1], Finish), events[-1]
    return json.loads(events[-1].metadata.provider_metadata_json)


def test_recordings_cover_each_detail_with_a_non_zero_value() -> None:
    """Guards the parametrized test: the recordings do exercise every detail."""
    cases = {
        ("grok", "rubyllm-grok-3-mini-reasoning-stream"): ("cached_input_tokens", "reasoning_tokens", "cost_usd"),
        ("openrouter", "pydantic-length"): ("cache_creation_input_tokens", "cost_usd"),
        ("openrouter", "fantasy-grok-reasoning-parallel-tools"): ("cached_input_tokens", "reasoning_tokens"),
        ("openai", "fantasy-o4-mini-tool-call-stream"): ("reasoning_tokens",),
        ("anthropic", "pydantic-pause-turn-web-search-stream"): ("reasoning_tokens",),
    }
    for (provider, case), keys in cases.items():
        usage = _finish_metadata(provider, case)["usage"]
        for key in keys:
            assert usage[key] > 0, (provider, case, key)


def test_xai_cost_ticks_become_dollars() -> None:
    usage = _finish_metadata("grok", "rubyllm-grok-3-mini-reasoning-stream")["usage"]
    assert usage["provider_usage"]["cost_in_usd_ticks"] == 20789750
    assert usage["cost_usd"] == pytest.approx(0.002078975)


def test_openrouter_reasoning_details_are_merged_into_whole_blocks() -> None:
    """Anthropic via OpenRouter streams one thinking block in 20-odd pieces and its
    signature last: the metadata has one block, its whole text and the signature, ready to
    be sent back."""
    extra = _finish_metadata("openrouter", "fantasy-anthropic-thinking-tool-call-stream")
    details = extra["reasoning_details"]
    assert len(details) == 1
    block = details[0]
    assert block["type"] == "reasoning.text" and block["format"] == "anthropic-claude-v1"
    assert block["text"] == extra["reasoning"]
    assert block["signature"].startswith("Eq0ECkgIDRAB")


def test_openrouter_encrypted_and_summary_blocks_are_kept_apart() -> None:
    extra = _finish_metadata("openrouter", "fantasy-grok-reasoning-parallel-tools")
    kinds = [block["type"] for block in extra["reasoning_details"]]
    assert kinds == ["reasoning.summary", "reasoning.encrypted"]
    assert extra["reasoning_details"][1]["data"]


def test_anthropic_thinking_blocks_keep_their_place_and_signature() -> None:
    extra = _finish_metadata("anthropic", "llm-thinking-stream")
    assert [block["type"] for block in extra["thinking"]] == ["thinking"]
    assert extra["thinking"][0]["signature"]
    assert extra["reasoning"] == extra["thinking"][0]["thinking"]
    assert extra["rate_limit"]["output_tokens"]["limit"] > 0


def test_openai_rate_limit_resets_stay_as_sent() -> None:
    extra = _finish_metadata("openai", "langchaingo-text-full-headers")
    requests = extra["rate_limit"]["requests"]
    assert isinstance(requests["limit"], int) and isinstance(requests["remaining"], int)
    assert isinstance(requests["reset"], str) and requests["reset"].endswith("s")
    assert extra["request_id"].startswith("req_")
