"""Recorded real Anthropic traffic through the Messages path, end to end.

Every case folder under ../shared/fixtures/real/anthropic is one test of each kind:

- the response: a streamed 200 goes through the SSE parser, the normalizer and the
  accumulator; a non-streamed 200 through `events_from_json`; a non-2xx through
  `error_from_response`.  The expected text, tool calls, stop reason and usage are read here,
  independently and naively, from the raw JSON, and compared;
- chunking: each recorded stream is fed through the response decoder cut at every split
  point (a sample of them for big bodies) and one byte at a time, and must give exactly the
  events of one whole feed;
- the request: the recorded request body is read back into golem:llm input (messages,
  config, tool results), rebuilt by the provider, and must equal the recording up to
  representation (`system` as a string, content as blocks, no `stream` flag difference).

Fixture data is read from ../shared and never copied into the repository; the tests skip
with a reason when it is absent.
"""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

import pytest

from normalizer.accumulator import Accumulator
from normalizer.values import (
    CompleteResponse,
    Config,
    ErrorCode,
    Finish,
    FinishReason,
    Image,
    ImageSource,
    ImageUrl,
    Kv,
    LlmError,
    Message,
    Role,
    Text,
    ToolCall,
    ToolDefinition,
    ToolFailure,
    ToolRequest,
    ToolSuccess,
)
from providers.anthropic import PROVIDER
from providers.provider import HttpRequest
from providers.response_decoder import ResponseDecoder
from tests.helpers import REAL_FIXTURES, key_env

FIXTURES = REAL_FIXTURES / "anthropic"
ENV = key_env("anthropic", "sk-ant-fixture-test-key-0000")

# Written out here rather than imported, so the test does not grade the module by itself.
EXPECTED_FINISH = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "tool_use": FinishReason.TOOL_CALLS,
    "refusal": FinishReason.CONTENT_FILTER,
    "pause_turn": FinishReason.OTHER,
}

# What golem:llm says each recorded error status means (the table), written out
# literally; a recording with a status not listed here fails loudly instead of being
# checked against a guess.
EXPECTED_CODE = {
    400: ErrorCode.INVALID_REQUEST,
    401: ErrorCode.AUTHENTICATION_FAILED,
    403: ErrorCode.AUTHENTICATION_FAILED,
    404: ErrorCode.INVALID_REQUEST,
    413: ErrorCode.INVALID_REQUEST,
    429: ErrorCode.RATE_LIMIT_EXCEEDED,
    500: ErrorCode.INTERNAL_ERROR,
    529: ErrorCode.INTERNAL_ERROR,
}


def _case_dirs() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return [d for d in sorted(FIXTURES.iterdir()) if (d / "response.body").is_file()]


def _params(select=lambda meta: True) -> list[Any]:
    dirs = [d for d in _case_dirs() if select(json.loads((d / "response.meta.json").read_text()))]
    if dirs:
        return [pytest.param(d, id=d.name) for d in dirs]
    return [pytest.param(None, id="fixtures-missing", marks=pytest.mark.skip(
        reason=f"no recorded Anthropic fixtures at {FIXTURES}"))]


def _load(folder: Path) -> tuple[dict, bytes]:
    return json.loads((folder / "response.meta.json").read_text()), (folder / "response.body").read_bytes()


def _decode(meta: dict, chunks: list[bytes]) -> list:
    decoder = ResponseDecoder(PROVIDER, meta["status"], meta["headers"].get("content-type", ""), ENV)
    events: list = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.end()


# --- the naive, independent reading of a recording ---------------------------------------


def _naive_stream(body: bytes) -> dict[str, Any]:
    """Text, client tool calls, stop reason, last usage and message id, from `data:` lines."""
    text: list[str] = []
    blocks: dict[int, dict] = {}
    calls: list[tuple[str, str, Any]] = []
    usage: dict[str, Any] = {}
    stop = message_id = None
    for line in body.decode("utf-8").splitlines():
        if not line.startswith("data:"):
            continue
        obj = json.loads(line[5:])
        kind = obj["type"]
        if kind == "message_start":
            message_id = obj["message"]["id"]
            usage.update({k: v for k, v in obj["message"]["usage"].items() if v is not None})
        elif kind == "content_block_start":
            blocks[obj["index"]] = {**obj["content_block"], "_json": ""}
        elif kind == "content_block_delta":
            block, d = blocks[obj["index"]], obj["delta"]
            if d["type"] == "text_delta" and block["type"] == "text":
                text.append(d["text"])
            elif d["type"] == "input_json_delta":
                block["_json"] += d["partial_json"]
        elif kind == "content_block_stop":
            block = blocks[obj["index"]]
            if block["type"] == "tool_use":
                calls.append((block["id"], block["name"],
                              json.loads(block["_json"]) if block["_json"].strip() else block["input"]))
        elif kind == "message_delta":
            stop = obj["delta"]["stop_reason"]
            usage.update({k: v for k, v in obj["usage"].items() if v is not None})
    return {"text": "".join(text), "calls": calls, "stop": stop, "usage": usage, "id": message_id}


def _naive_message(body: dict) -> dict[str, Any]:
    return {
        "text": "".join(b["text"] for b in body["content"] if b["type"] == "text"),
        "calls": [(b["id"], b["name"], b["input"]) for b in body["content"] if b["type"] == "tool_use"],
        "stop": body["stop_reason"],
        "usage": body["usage"],
        "id": body["id"],
    }


# --- responses -----------------------------------------------------------------------------


@pytest.mark.parametrize("folder", _params())
def test_recorded_response(folder: Path) -> None:
    meta, body = _load(folder)
    status = meta["status"]

    if not 200 <= status < 300:
        assert status in EXPECTED_CODE, f"no expected code written for HTTP {status}"
        error = PROVIDER.error_from_response(status, body, env=ENV)
        parsed = json.loads(body)
        assert error.code is EXPECTED_CODE[status]
        assert error.message.startswith(f"Anthropic returned HTTP {status} (")
        assert parsed["error"]["type"] in error.message
        assert parsed["error"]["message"] in error.message
        assert json.loads(error.provider_error_json) == parsed
        events = _decode(meta, [body])
        assert events == [error]
        return

    expected = _naive_stream(body) if meta["streaming"] else _naive_message(json.loads(body))
    events = _decode(meta, [body])
    accumulator = Accumulator()
    accumulator.add(events)
    result = accumulator.result()
    assert not isinstance(result, LlmError), result

    finishes = [e for e in events if isinstance(e, Finish)]
    assert len(finishes) == 1 and events[-1] is finishes[0]
    metadata = finishes[0].metadata
    assert expected["stop"] in EXPECTED_FINISH, f"no expected finish written for {expected['stop']}"
    assert metadata.finish_reason is EXPECTED_FINISH[expected["stop"]]
    assert metadata.provider_id == expected["id"]
    usage = expected["usage"]
    prompt = (usage["input_tokens"] + (usage.get("cache_creation_input_tokens") or 0)
              + (usage.get("cache_read_input_tokens") or 0))
    assert metadata.usage is not None
    assert (metadata.usage.input_tokens, metadata.usage.output_tokens, metadata.usage.total_tokens) == (
        prompt, usage["output_tokens"], prompt + usage["output_tokens"])
    extra = json.loads(metadata.provider_metadata_json)
    assert extra["finish_reason"] == expected["stop"] and extra["model"]

    got = accumulator.tool_calls
    assert [(c.id, c.name) for c in got] == [(i, n) for i, n, _ in expected["calls"]]
    assert [json.loads(c.arguments_json) for c in got] == [a for _, _, a in expected["calls"]]

    assert accumulator.text == expected["text"]
    if isinstance(result, ToolRequest):
        assert metadata.finish_reason is FinishReason.TOOL_CALLS and not expected["text"].strip()
        assert result.tool_calls == got
        return
    assert isinstance(result, CompleteResponse)
    assert result.content == ((Text(expected["text"]),) if expected["text"] else ())
    assert result.id == expected["id"]


def test_thinking_recordings_keep_reasoning_out_of_the_text() -> None:
    folder = FIXTURES / "llm-thinking-stream"
    if not folder.is_dir():
        pytest.skip(f"recorded fixture not present at {folder}")
    meta, body = _load(folder)
    events = _decode(meta, [body])
    finish = events[-1]
    assert isinstance(finish, Finish)
    thinking = json.loads(finish.metadata.provider_metadata_json)["thinking"]
    assert len(thinking) == 1 and thinking[0]["type"] == "thinking"
    assert thinking[0]["thinking"].startswith("The user wants two names for a pet pelican")
    assert thinking[0]["signature"].startswith("EuYDCmMI")
    accumulator = Accumulator()
    accumulator.add(events)
    assert "pet pelican" not in accumulator.text


# --- chunking does not matter --------------------------------------------------------------


@pytest.mark.parametrize("folder", _params(lambda meta: meta["streaming"] and meta["status"] == 200))
def test_recorded_stream_at_every_split_point_and_byte_by_byte(folder: Path) -> None:
    meta, body = _load(folder)
    whole = _decode(meta, [body])
    assert isinstance(whole[-1], Finish)
    if len(body) <= 8192:
        cuts: Any = range(1, len(body))
    else:  # big bodies: a deterministic sample of split points, both ends included
        rng = random.Random(len(body))
        sample = rng.sample(range(1, len(body)), 200 if len(body) <= 65536 else 25)
        cuts = sorted({1, 2, 3, len(body) - 2, len(body) - 1, *sample})
    for cut in cuts:
        assert _decode(meta, [body[:cut], body[cut:]]) == whole, f"split at {cut}"
    assert _decode(meta, [body[i:i + 1] for i in range(len(body))]) == whole, "byte by byte"


@pytest.mark.parametrize("folder", _params(lambda meta: meta["streaming"] and meta["status"] == 200))
def test_every_recorded_stream_cut_short_is_an_error_never_a_finish(folder: Path) -> None:
    meta, body = _load(folder)
    end = body.rindex(b"event: message_stop")
    rng = random.Random(len(body))
    for cut in sorted({end, end - 1, *rng.sample(range(1, end), min(40, end - 1))}):
        events = _decode(meta, [body[:cut]])
        assert isinstance(events[-1], LlmError), f"cut at {cut}"
        assert not any(isinstance(e, Finish) for e in events)
        recorded_calls = {c[0]: c for c in _naive_stream(body)["calls"]}
        for event in events:
            for call in getattr(event, "tool_calls", None) or ():
                _, name, arguments = recorded_calls[call.id]  # only complete calls escape
                assert (call.name, json.loads(call.arguments_json)) == (name, arguments)


# --- requests -------------------------------------------------------------------------------


class _NotExpressible(Exception):
    """The recorded request uses something golem:llm input cannot say (server tools, ...)."""


_CONFIG_FIELDS = {"model", "max_tokens", "messages", "system", "tools", "tool_choice",
                  "temperature", "stop_sequences", "stream"}


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(block["text"] for block in content if block.get("type") == "text")


def _parts(content: Any) -> tuple:
    if isinstance(content, str):
        return (Text(content),)
    if not isinstance(content, list):
        raise _NotExpressible("content that is neither a string nor a list")
    parts: list = []
    for block in content:
        kind = block.get("type")
        if kind == "text":
            parts.append(Text(block["text"]))
        elif kind == "image" and block["source"]["type"] == "base64":
            source = block["source"]
            parts.append(Image(ImageSource(base64.b64decode(source["data"]), source["media_type"])))
        elif kind == "image" and block["source"]["type"] == "url":
            parts.append(Image(ImageUrl(block["source"]["url"])))
        else:
            raise _NotExpressible(f"a {kind} block outside the trailing tool exchange")
    return tuple(parts)


def _golem_input(request: dict) -> tuple[list[Message], Config, list]:
    """The golem:llm input that should produce `request` (the naive inverse mapping)."""
    messages: list[Message] = []
    system = request.get("system")
    if isinstance(system, str):
        messages.append(Message(Role.SYSTEM, (Text(system),)))
    elif isinstance(system, list):
        messages += [Message(Role.SYSTEM, (Text(block["text"]),)) for block in system]
    turns = list(request["messages"])
    tool_results: list = []
    if (len(turns) >= 2 and turns[-2]["role"] == "assistant" and isinstance(turns[-1]["content"], list)
            and turns[-1]["content"] and all(b["type"] == "tool_result" for b in turns[-1]["content"])):
        uses = [b for b in turns[-2]["content"] if b["type"] == "tool_use"]
        results = {b["tool_use_id"]: b for b in turns[-1]["content"]}
        for use in uses:
            result = results[use["id"]]
            call = ToolCall(use["id"], use["name"], json.dumps(use["input"]))
            content = _text_of(result.get("content", ""))
            tool_results.append((call, ToolFailure(use["id"], use["name"], content)
                                 if result.get("is_error") else ToolSuccess(use["id"], use["name"], content)))
        rest = [b for b in turns[-2]["content"] if b["type"] != "tool_use"]
        turns = turns[:-2] + ([{"role": "assistant", "content": rest}] if rest else [])
    for turn in turns:
        role = Role.USER if turn["role"] == "user" else Role.ASSISTANT
        messages.append(Message(role, _parts(turn["content"])))
    tools = []
    for tool in request.get("tools") or []:
        if tool.get("type") not in (None, "custom"):
            raise _NotExpressible(f"server tool {tool.get('type')}")
        tools.append(ToolDefinition(tool["name"], json.dumps(tool["input_schema"]), tool.get("description")))
    choice = request.get("tool_choice")
    tool_choice = None
    if choice is not None:
        if choice.get("disable_parallel_tool_use"):
            raise _NotExpressible("disable_parallel_tool_use")
        tool_choice = {"auto": "auto", "any": "required", "none": "none"}.get(choice["type"]) or choice["name"]
    options = tuple(Kv(k, json.dumps(v)) for k, v in request.items() if k not in _CONFIG_FIELDS)
    stops = request.get("stop_sequences")
    config = Config(model=request["model"], temperature=request.get("temperature"),
                    max_tokens=request.get("max_tokens"), stop_sequences=tuple(stops) if stops else None,
                    tools=tuple(tools), tool_choice=tool_choice, provider_options=options)
    return messages, config, tool_results


def _canonical(request: dict) -> dict:
    """The request with representation choices removed: `system` as one string, content as
    blocks, tool results as text, the `stream` flag and a default `disable_parallel_tool_use`."""
    out = {k: v for k, v in request.items() if k != "stream"}
    system = out.get("system")
    if isinstance(system, list):
        out["system"] = "\n\n".join(block["text"] for block in system)
    turns = []
    for turn in out["messages"]:
        content = turn["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        blocks = []
        for block in content:
            block = {k: v for k, v in block.items() if k != "cache_control"}
            if block["type"] == "tool_result" and "content" in block:
                block["content"] = _text_of(block["content"])
            blocks.append(block)
        turns.append({"role": turn["role"], "content": blocks})
    out["messages"] = turns
    choice = out.get("tool_choice")
    if isinstance(choice, dict) and choice.get("disable_parallel_tool_use") is False:
        out["tool_choice"] = {k: v for k, v in choice.items() if k != "disable_parallel_tool_use"}
    return out


def _rebuildable() -> list[Any]:
    params = []
    for folder in _case_dirs():
        request = json.loads((folder / "request.json").read_text())
        try:
            _golem_input(request)
            params.append(pytest.param(folder, id=folder.name))
        except _NotExpressible as why:
            params.append(pytest.param(folder, id=folder.name, marks=pytest.mark.skip(
                reason=f"not expressible as golem:llm input: {why}")))
    return params or [pytest.param(None, id="fixtures-missing", marks=pytest.mark.skip(
        reason=f"no recorded Anthropic fixtures at {FIXTURES}"))]


@pytest.mark.parametrize("folder", _rebuildable())
def test_recorded_request_is_rebuilt_from_golem_input(folder: Path) -> None:
    recorded = json.loads((folder / "request.json").read_text())
    messages, config, tool_results = _golem_input(recorded)
    request = PROVIDER.chat_request(messages, config, ENV, tool_results)
    assert isinstance(request, HttpRequest), request
    assert request.url == "https://api.anthropic.com/v1/messages"
    rebuilt = json.loads(request.body)
    assert rebuilt["stream"] is True
    assert _canonical(rebuilt) == _canonical(recorded)


def test_the_anthropic_fixtures_are_all_covered() -> None:
    """Guards the parametrization: a renamed folder must not silently run nothing, and most
    recorded requests must be rebuildable."""
    if not FIXTURES.is_dir():
        pytest.skip(f"no recorded Anthropic fixtures at {FIXTURES}")
    ran = {p.values[0].name for p in _params()}
    assert ran == {d.name for d in FIXTURES.iterdir() if d.is_dir()}
    assert len(ran) >= 10
    rebuilt = [p for p in _rebuildable() if not p.marks]
    assert len(rebuilt) >= 10
    assert any(json.loads((p.values[0] / "request.json").read_text())["messages"][-1]["content"][0]
               .get("type") == "tool_result" for p in rebuilt), "a continue request is rebuilt"


def test_tool_result_error_flag_round_trips() -> None:
    # Not in the recordings: the documented `is_error` shape (reference §2.2), built the same way.
    recorded = {"model": "claude-sonnet-4-20250514", "max_tokens": 4000, "messages": [
        {"role": "user", "content": [{"type": "text", "text": "Add"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "add",
                                           "input": {"a": 2}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                      "content": "ConnectionError: timeout", "is_error": True}]}]}
    messages, config, tool_results = _golem_input(recorded)
    request = PROVIDER.chat_request(messages, config, ENV, tool_results)
    assert _canonical(json.loads(request.body)) == _canonical(recorded)
