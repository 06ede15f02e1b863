"""The xAI and OpenRouter emulator dialects over real loopback HTTP: their wire formats match
reference/providers.md §4 and §5 (and the recorded traffic it cites), every Scenario field
keeps working, and every built-in scenario decoded by the matching provider gives back
exactly what was scripted."""

from __future__ import annotations

import http.client
import json
import re
import time
import uuid
from typing import Any

import pytest

from normalizer.values import Config, ErrorCode, Finish, FinishReason, LlmError, ToolCall
from providers.grok import PROVIDER as GROK
from providers.openrouter import PROVIDER as OPENROUTER
from runtime.emulator.chat_completions import ChatCompletionsDialect
from runtime.emulator.grok import GrokDialect
from runtime.emulator.openrouter import OpenRouterDialect
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.scenarios import BUILTIN_SCENARIOS
from runtime.emulator.server import EmulatorServer
from runtime.emulator.tokens import count_words
from tests.providers.flavour_roundtrip import exchange

KEY = "sk-emulator-flavours-0123456789abcdef"
XAI_PATH = "/xai/v1/chat/completions"
OR_PATH = "/openrouter/api/v1/chat/completions"
CALLS = (ScriptedToolCall("call_55070233", "add", '{"a": 2, "b": 3}'),
         ScriptedToolCall("call_12016531", "multiply", '{"a": 2, "b": 3}'))


@pytest.fixture(scope="module")
def emu():
    with EmulatorServer(dialects=[GrokDialect(), OpenRouterDialect(), ChatCompletionsDialect()],
                        api_key=KEY) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh(emu):
    emu.clear()
    emu.clear_queue()


def post(emu: EmulatorServer, path: str, body: Any, *, key: str | None = KEY):
    """(status, lowercased headers, body bytes) of one request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    try:
        conn.request("POST", path, body=data, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def chat(model: str = "grok-4", *, stream: bool = True, usage: bool = False, **fields: Any) -> dict:
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": "Hi"}], **fields}
    if stream:
        body["stream"] = True
        if usage:
            body["stream_options"] = {"include_usage": True}
    return body


def blocks(body: bytes) -> list[str]:
    """The SSE events of a body, comments included, as their raw text."""
    assert b"\r" not in body
    return [b for b in body.decode("utf-8").split("\n\n") if b]


def chunks(body: bytes) -> list[dict]:
    out = []
    for block in blocks(body):
        if block.startswith("data: ") and block != "data: [DONE]":
            assert "\n" not in block
            out.append(json.loads(block[6:]))
    return out


def deltas(objs: list[dict]) -> list[dict]:
    return [c["delta"] for o in objs for c in o.get("choices", [])]


def content_of(objs: list[dict]) -> str:
    return "".join(d.get("content") or "" for d in deltas(objs))


def finish_reasons(objs: list[dict]) -> list[str]:
    return [c["finish_reason"] for o in objs for c in o.get("choices", []) if c.get("finish_reason")]


# --- paths ---------------------------------------------------------------------------------


def test_default_paths_and_constructor_argument():
    assert GrokDialect().path == XAI_PATH and GrokDialect().name == "grok"
    assert OpenRouterDialect().path == OR_PATH and OpenRouterDialect().name == "openrouter"
    assert GrokDialect("/v1/chat/completions").path == "/v1/chat/completions"
    assert OpenRouterDialect(path="/api/v1/chat/completions").path == "/api/v1/chat/completions"


def test_each_path_answers_in_its_own_dialect(emu):
    emu.enqueue(Scenario(text="x"), Scenario(text="x"), Scenario(text="x"))
    xai_first = chunks(post(emu, XAI_PATH, chat())[2])[0]
    or_first = chunks(post(emu, OR_PATH, chat())[2])[0]
    oa_first = chunks(post(emu, "/v1/chat/completions", chat())[2])[0]
    assert "provider" not in xai_first and "logprobs" not in xai_first["choices"][0]
    assert or_first["provider"] == "OpenAI" and or_first["id"].startswith("gen-")
    assert oa_first["id"].startswith("chatcmpl-") and oa_first["choices"][0]["logprobs"] is None


# --- xAI wire format -------------------------------------------------------------------------


def test_xai_text_stream_shape(emu):
    emu.enqueue(Scenario(text="Olá! How are you?", text_chunk_chars=4, usage=(165, 5)))
    status, headers, body = post(emu, XAI_PATH, chat("grok-4-fast-reasoning"))
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert blocks(body)[-1] == "data: [DONE]"
    objs = chunks(body)
    uuid.UUID(objs[0]["id"])  # xAI ids are UUIDs
    assert {o["id"] for o in objs} == {objs[0]["id"]}
    # the role rides on the first content delta: no separate opening chunk
    assert objs[0]["choices"][0]["delta"] == {"content": "Olá!", "role": "assistant"}
    for o in objs:
        assert set(o) == {"id", "object", "created", "model", "system_fingerprint", "choices"}
        choice = o["choices"][0]
        assert "logprobs" not in choice
        assert ("finish_reason" in choice) == (o is objs[-1])  # absent, not null, until the end
    assert objs[-1]["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}
    assert content_of(objs) == "Olá! How are you?"
    assert "obfuscation" not in body.decode()


def test_xai_whole_tool_calls_one_chunk_each_after_empty_deltas(emu):
    emu.enqueue(Scenario(tool_calls=CALLS, args_chunk_chars=2))
    objs = chunks(post(emu, XAI_PATH, chat())[2])
    ds = deltas(objs)
    assert ds[0] == {"role": "assistant"} and ds[1] == {}  # two empty deltas by default
    call_deltas = [d for d in ds if "tool_calls" in d]
    assert call_deltas == [
        {"tool_calls": [{"id": "call_55070233", "function": {"name": "add", "arguments": '{"a": 2, "b": 3}'},
                         "index": 0, "type": "function"}]},
        {"tool_calls": [{"id": "call_12016531", "function": {"name": "multiply", "arguments": '{"a": 2, "b": 3}'},
                         "index": 1, "type": "function"}]},
    ]
    assert finish_reasons(objs) == ["tool_calls"]
    emu.enqueue(Scenario(tool_calls=CALLS, extra={"empty_deltas": 0}))
    first = deltas(chunks(post(emu, XAI_PATH, chat())[2]))[0]
    assert first["role"] == "assistant" and first["tool_calls"][0]["id"] == "call_55070233"


def test_xai_reasoning_content_then_text_and_usage_without_reasoning_in_completion(emu):
    reasoning = "First, the user said hi in Portuguese."
    emu.enqueue(Scenario(text="Olá!", reasoning=reasoning, text_chunk_chars=5, usage=(213, 200)))
    objs = chunks(post(emu, XAI_PATH, chat("grok-code-fast-1", usage=True))[2])
    ds = deltas(objs)
    assert ds[0] == {"reasoning_content": "First", "role": "assistant"}
    assert "".join(d.get("reasoning_content", "") for d in ds) == reasoning
    assert content_of(objs) == "Olá!"
    assert all(not ("content" in d and "reasoning_content" in d) for d in ds)
    usage_chunk = objs[-1]
    assert usage_chunk["choices"] == []
    usage = usage_chunk["usage"]
    words = count_words(reasoning)
    assert usage["completion_tokens_details"]["reasoning_tokens"] == words
    assert usage["completion_tokens"] == 200 - words  # excludes reasoning
    assert usage["total_tokens"] == 213 + 200       # prompt + completion + reasoning
    assert {"num_sources_used", "cost_in_usd_ticks"} <= usage.keys()
    assert all("usage" not in o for o in objs[:-1])  # no usage: null on other chunks


def test_xai_usage_only_with_include_usage(emu):
    emu.enqueue(Scenario(text="hi"))
    objs = chunks(post(emu, XAI_PATH, chat())[2])
    assert all("usage" not in o for o in objs) and all(o["choices"] for o in objs)


def test_xai_plain_answer_shape(emu):
    emu.enqueue(Scenario(tool_calls=CALLS[:1], reasoning="Use add.", usage=(361, 119)))
    status, headers, body = post(emu, XAI_PATH, chat(stream=False))
    assert status == 200 and headers["content-type"] == "application/json"
    obj = json.loads(body)
    choice = obj["choices"][0]
    assert set(choice) == {"index", "message", "finish_reason"}
    message = choice["message"]
    assert message["content"] == "" and message["refusal"] is None
    assert message["reasoning_content"] == "Use add."
    assert message["tool_calls"] == [{"id": "call_55070233", "function": {"name": "add",
                                      "arguments": '{"a": 2, "b": 3}'}, "type": "function"}]
    usage = obj["usage"]
    assert usage["completion_tokens"] + usage["completion_tokens_details"]["reasoning_tokens"] == 119
    assert usage["total_tokens"] == 361 + 119


def test_xai_wrong_key_is_400_flat_with_the_key_masked(emu):
    wrong = "xai-wrongkey-abcdefghijklmnopqrstuvwxyz"
    status, _, body = post(emu, XAI_PATH, chat(), key=wrong)
    assert status == 400
    obj = json.loads(body)
    assert obj == {"code": "Client specified an invalid argument",
                   "error": "Incorrect API key provided: xa***. You can obtain an API key from https://console.x.ai."}
    assert wrong not in body.decode()


def test_xai_missing_key_and_bad_json(emu):
    status, _, body = post(emu, XAI_PATH, chat(), key=None)
    assert status == 401 and set(json.loads(body)) == {"code", "error"}
    status, _, body = post(emu, XAI_PATH, b"{not json")
    assert status == 400 and json.loads(body)["code"] == "Client specified an invalid argument"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 408, 410, 413, 429, 500, 502, 503])
def test_xai_error_statuses_use_the_flat_body(emu, status):
    emu.enqueue(Scenario(error_status=status))
    got, headers, body = post(emu, XAI_PATH, chat())
    assert got == status and headers["content-type"] == "application/json"
    obj = json.loads(body)
    assert set(obj) == {"code", "error"}
    assert isinstance(obj["code"], str) and obj["code"] and isinstance(obj["error"], str) and obj["error"]


def test_xai_error_overrides_and_retry_after(emu):
    emu.enqueue(Scenario(error_status=429, error_message="Slow down.", error_code="Too many", retry_after=3))
    status, headers, body = post(emu, XAI_PATH, chat())
    assert status == 429 and headers["retry-after"] == "3"
    assert json.loads(body) == {"code": "Too many", "error": "Slow down."}


def test_xai_in_band_error_is_openai_shaped_after_partial_text(emu):
    emu.enqueue(Scenario(text="Hello world, this is partial.", in_band_error=True, text_chunk_chars=4))
    body = post(emu, XAI_PATH, chat())[2]
    assert "data: [DONE]" not in blocks(body)
    objs = chunks(body)
    assert set(objs[-1]) == {"error"} and objs[-1]["error"]["message"]
    assert content_of(objs[:-1]) and finish_reasons(objs) == []


# --- OpenRouter wire format ------------------------------------------------------------------


def test_openrouter_text_stream_shape(emu):
    emu.enqueue(Scenario(text="1\n2\n3", text_chunk_chars=2, usage=(15, 9), extra={"provider": "Amazon Bedrock"}))
    status, headers, body = post(emu, OR_PATH, chat("anthropic/claude-4.5-haiku"))
    assert status == 200
    events = blocks(body)
    assert events[:2] == [": OPENROUTER PROCESSING"] * 2
    assert events[-1] == "data: [DONE]"
    objs = chunks(body)
    assert re.fullmatch(r"gen-\d+-[A-Za-z0-9]{20}", objs[0]["id"])
    assert headers["x-generation-id"] == objs[0]["id"]
    for o in objs:
        assert o["provider"] == "Amazon Bedrock"
        choice = o["choices"][0]
        assert choice["delta"]["role"] == "assistant" and "content" in choice["delta"]  # every delta
        assert {"finish_reason", "native_finish_reason"} <= choice.keys()
    assert content_of(objs) == "1\n2\n3"
    # finish, then the usage chunk repeating it: finish_reason twice, usage always
    assert finish_reasons(objs) == ["stop", "stop"]
    assert "usage" not in objs[-2] and objs[-1]["usage"]["total_tokens"] == 24
    assert objs[-1]["choices"][0]["delta"] == {"content": "", "role": "assistant"}
    assert objs[-1]["choices"][0]["native_finish_reason"] == "stop"
    assert {"cost", "is_byok", "cost_details"} <= objs[-1]["usage"].keys()


def test_openrouter_finish_and_usage_can_share_a_chunk(emu):
    emu.enqueue(Scenario(text="hi", extra={"usage_with_finish": True, "native_finish_reason": "end_turn"}))
    objs = chunks(post(emu, OR_PATH, chat())[2])
    assert finish_reasons(objs) == ["stop"] and "usage" in objs[-1]
    assert objs[-1]["choices"][0]["native_finish_reason"] == "end_turn"


def test_openrouter_tool_calls_repeat_role_with_null_content(emu):
    emu.enqueue(Scenario(tool_calls=CALLS, args_chunk_chars=4))
    objs = chunks(post(emu, OR_PATH, chat())[2])
    call_deltas = [d for d in deltas(objs) if "tool_calls" in d]
    assert all(d["content"] is None and d["role"] == "assistant" for d in call_deltas)
    openers = [d["tool_calls"][0] for d in call_deltas if "id" in d["tool_calls"][0]]
    assert [(o["index"], o["id"], o["function"]["name"], o["function"]["arguments"]) for o in openers] == [
        (0, "call_55070233", "add", ""), (1, "call_12016531", "multiply", "")]
    args = {0: "", 1: ""}
    for d in call_deltas:
        args[d["tool_calls"][0]["index"]] += d["tool_calls"][0]["function"].get("arguments", "")
    assert args == {0: '{"a": 2, "b": 3}', 1: '{"a": 2, "b": 3}'}
    assert finish_reasons(objs) == ["tool_calls", "tool_calls"]


def test_openrouter_reasoning_deltas_with_details(emu):
    emu.enqueue(Scenario(text="4", reasoning="Two plus two.", text_chunk_chars=4))
    ds = deltas(chunks(post(emu, OR_PATH, chat())[2]))
    reasoning = [d for d in ds if d.get("reasoning")]
    assert "".join(d["reasoning"] for d in reasoning) == "Two plus two."
    assert all(d["content"] == "" and d["reasoning_details"][0]["type"] == "reasoning.text"
               and d["reasoning_details"][0]["text"] == d["reasoning"] for d in reasoning)


def test_openrouter_usage_comes_without_include_usage_with_reasoning_inside_completion(emu):
    emu.enqueue(Scenario(text="four words right here", reasoning="one two three"))
    objs = chunks(post(emu, OR_PATH, chat(usage=False))[2])
    usage = objs[-1]["usage"]
    assert usage["completion_tokens"] == 4 + 3
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 3
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_openrouter_plain_answer_has_keepalive_padding_and_its_shape(emu):
    emu.enqueue(Scenario(tool_calls=CALLS, reasoning="both", extra={"native_finish_reason": "tool_use"}))
    status, headers, body = post(emu, OR_PATH, chat(stream=False))
    assert status == 200 and body.startswith(b"\n ") and body.lstrip().startswith(b"{")
    obj = json.loads(body)
    assert obj["id"] == headers["x-generation-id"] and obj["provider"] == "OpenAI"
    choice = obj["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["native_finish_reason"] == "tool_use"
    message = choice["message"]
    assert message["content"] is None and message["reasoning"] == "both"
    assert [c["index"] for c in message["tool_calls"]] == [0, 1]


def test_openrouter_auth_bodies(emu):
    status, _, body = post(emu, OR_PATH, chat(), key=None)
    assert status == 401 and json.loads(body) == {"error": {"message": "No auth credentials found", "code": 401}}
    status, _, body = post(emu, OR_PATH, chat(), key="sk-or-v1-wrong-0123456789abcdef")
    assert status == 401 and json.loads(body) == {"error": {"message": "User not found.", "code": 401}}
    assert b"sk-or-v1-wrong" not in body


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 408, 413, 429, 500, 502, 503])
def test_openrouter_error_statuses_use_its_body(emu, status):
    emu.enqueue(Scenario(error_status=status, extra={"provider": "Google"}))
    got, _, body = post(emu, OR_PATH, chat("google/gemini-2.0-flash"))
    assert got == status
    obj = json.loads(body)
    assert obj["error"]["code"] == status and obj["error"]["message"] and obj["user_id"]
    metadata = obj["error"].get("metadata", {})
    if status in (429, 502):
        assert metadata["provider_name"] == "Google" and metadata["raw"]
    if status == 403:
        assert metadata["reasons"] and metadata["model_slug"] == "google/gemini-2.0-flash"
    if status == 402:
        assert "credits" in obj["error"]["message"]


def cached_parts(n: int, marker: Any = None) -> list[dict]:
    """A user content of `n` text parts, each with a `cache_control` marker."""
    marker = {"type": "ephemeral"} if marker is None else marker
    return [{"type": "text", "text": f"part {i}", "cache_control": marker} for i in range(n)]


@pytest.mark.parametrize("model", ["anthropic/claude-sonnet-4.6", "google/gemini-2.5-pro",
                                   "openai/gpt-4o"])
def test_openrouter_accepts_up_to_four_cache_breakpoints(emu, model):
    system = {"role": "system", "content": [
        {"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]}
    body = chat(model, messages=[system, {"role": "user", "content": cached_parts(3)}])
    status, _, answer = post(emu, OR_PATH, body)
    assert status == 200 and content_of(chunks(answer))


def test_openrouter_refuses_a_fifth_breakpoint_for_anthropic_as_the_upstream_does(emu):
    body = chat("anthropic/claude-sonnet-4.6", messages=[{"role": "user", "content": cached_parts(5)}])
    status, _, answer = post(emu, OR_PATH, body)
    assert status == 400
    error = json.loads(answer)["error"]
    assert error["message"] == "Provider returned error"
    assert error["metadata"]["provider_name"] == "Anthropic"
    raw = json.loads(error["metadata"]["raw"])["error"]
    assert raw["type"] == "invalid_request_error" and "Found 5." in raw["message"]
    gemini = chat("google/gemini-2.5-pro", messages=[{"role": "user", "content": cached_parts(5)}])
    assert post(emu, OR_PATH, gemini)[0] == 200  # Gemini has no such limit


@pytest.mark.parametrize("marker", [{"type": "persistent"}, {"type": "ephemeral", "ttl": "2h"},
                                    "ephemeral", {"type": "ephemeral", "scope": "x"}])
def test_openrouter_refuses_a_malformed_breakpoint_for_anthropic(emu, marker):
    body = chat("anthropic/claude-sonnet-4.6",
                messages=[{"role": "user", "content": cached_parts(1, marker)}])
    status, _, answer = post(emu, OR_PATH, body)
    assert status == 400
    assert "cache_control" in json.loads(json.loads(answer)["error"]["metadata"]["raw"])["error"]["message"]


def test_openrouter_error_overrides(emu):
    emu.enqueue(Scenario(error_status=429, error_message="Rate limit exceeded", error_type="rate_limit_exceeded",
                         retry_after=1.5))
    status, headers, body = post(emu, OR_PATH, chat())
    assert status == 429 and headers["retry-after"] == "1.5"
    error = json.loads(body)["error"]
    assert error["message"] == "Rate limit exceeded" and error["metadata"]["error_type"] == "rate_limit_exceeded"


@pytest.mark.parametrize("code, wire", [(None, 502), ("429", 429), ("server_error", "server_error")])
def test_openrouter_in_band_error_chunk_shape(emu, code, wire):
    emu.enqueue(Scenario(text="Hello world, this is partial.", in_band_error=True, error_code=code,
                         text_chunk_chars=4))
    body = post(emu, OR_PATH, chat())[2]
    assert "data: [DONE]" not in blocks(body)
    objs = chunks(body)
    last = objs[-1]
    assert last["error"]["code"] == wire and last["error"]["message"]
    assert last["error"]["metadata"]["provider_name"] == "OpenAI"
    assert last["choices"] == [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]
    assert {"id", "object", "created", "model", "provider"} <= last.keys()
    assert content_of(objs[:-1]) and finish_reasons(objs[:-1]) == []


# --- every Scenario field, in both dialects --------------------------------------------------

DIALECTS = [pytest.param(XAI_PATH, id="xai"), pytest.param(OR_PATH, id="openrouter")]


@pytest.mark.parametrize("path", DIALECTS)
def test_clean_truncation_keeps_part_of_the_answer_and_no_finish(emu, path):
    text = "This answer is going to be cut off before its natural end."
    emu.enqueue(Scenario(text=text, truncate="clean"))
    body = post(emu, path, chat(usage=True))[2]
    objs = chunks(body)
    assert "data: [DONE]" not in blocks(body) and finish_reasons(objs) == []
    assert 0 < len(content_of(objs)) < len(text) and text.startswith(content_of(objs))


@pytest.mark.parametrize("path", DIALECTS)
def test_truncate_after_events_counts_data_events(emu, path):
    emu.enqueue(Scenario(text="abcdefgh", text_chunk_chars=2, truncate="clean", truncate_after_events=2))
    objs = chunks(post(emu, path, chat())[2])
    assert len(objs) == 2


@pytest.mark.parametrize("path", DIALECTS)
def test_abort_truncation_cuts_the_connection(emu, path):
    emu.enqueue(Scenario(text="This stream dies mid-body.", truncate="abort"))
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    conn.request("POST", path, json.dumps(chat()), {"authorization": f"Bearer {KEY}"})
    resp = conn.getresponse()
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        resp.read()
    conn.close()


@pytest.mark.parametrize("path", DIALECTS)
def test_write_size_and_delay(emu, path):
    emu.enqueue(Scenario(text="Olá, 世界 🎉", write_size=1))
    assert content_of(chunks(post(emu, path, chat())[2])) == "Olá, 世界 🎉"
    emu.enqueue(Scenario(text="abcdefgh", text_chunk_chars=2, chunk_delay_s=0.03))
    start = time.monotonic()
    post(emu, path, chat())
    assert time.monotonic() - start >= 0.03 * 4


@pytest.mark.parametrize("path", DIALECTS)
def test_honor_limits_and_usage(emu, path):
    emu.enqueue(Scenario(text="one two three four five"))
    objs = chunks(post(emu, path, chat(usage=True, max_tokens=2))[2])
    assert content_of(objs) == "one two" and finish_reasons(objs)[0] == "length"
    emu.enqueue(Scenario(text="one two three four five", honor_limits=False))
    assert content_of(chunks(post(emu, path, chat(max_tokens=2))[2])) == "one two three four five"
    emu.enqueue(Scenario(text="alpha STOP beta", usage=(7, 3)))
    objs = chunks(post(emu, path, chat(usage=True, stop=["STOP"]))[2])
    assert content_of(objs) == "alpha " and objs[-1]["usage"]["prompt_tokens"] == 7


@pytest.mark.parametrize("path", DIALECTS)
def test_raw_error_body_and_response_model(emu, path):
    emu.enqueue(Scenario(error_status=502, error_body="<html>Bad Gateway</html>"))
    status, headers, body = post(emu, path, chat())
    assert status == 502 and headers["content-type"].startswith("text/html") and body == b"<html>Bad Gateway</html>"
    emu.enqueue(Scenario(text="x", response_model="served-model"))
    assert {o["model"] for o in chunks(post(emu, path, chat())[2])} == {"served-model"}


@pytest.mark.parametrize("path", DIALECTS)
@pytest.mark.parametrize("name", sorted(BUILTIN_SCENARIOS))
def test_every_builtin_renders_in_both_modes(emu, path, name):
    scenario = BUILTIN_SCENARIOS[name]
    for stream in (False, True):
        try:
            status, _, body = post(emu, path, chat(name, stream=stream))
        except (http.client.IncompleteRead, ConnectionError):
            assert scenario.truncate == "abort"
            continue
        plain_in_band = scenario.in_band_error and not stream
        assert status == (scenario.error_status or (500 if plain_in_band else 200))


# --- every built-in, decoded by the matching provider, is exactly what was scripted ----------

PROVIDERS = [
    pytest.param(GROK, "XAI_API_KEY", "XAI_BASE_URL", "/xai/v1", id="grok"),
    pytest.param(OPENROUTER, "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "/openrouter/api/v1", id="openrouter"),
]
EXPECTED_FINISH = {"stop": FinishReason.STOP, "length": FinishReason.LENGTH,
                   "tool_calls": FinishReason.TOOL_CALLS, "content_filter": FinishReason.CONTENT_FILTER}
EXPECTED_ERROR = {400: ErrorCode.INVALID_REQUEST, 401: ErrorCode.AUTHENTICATION_FAILED,
                  403: None, 404: ErrorCode.INVALID_REQUEST, 429: ErrorCode.RATE_LIMIT_EXCEEDED,
                  500: ErrorCode.INTERNAL_ERROR, 502: ErrorCode.INTERNAL_ERROR, 503: ErrorCode.INTERNAL_ERROR}
# 403: xAI means a key without permission (authentication-failed), OpenRouter moderation.
EXPECTED_403 = {"grok": ErrorCode.AUTHENTICATION_FAILED, "openrouter": ErrorCode.INVALID_REQUEST}


@pytest.mark.parametrize("provider, key_env, base_env, base", PROVIDERS)
@pytest.mark.parametrize("name", sorted(BUILTIN_SCENARIOS))
def test_builtin_round_trip_gives_exactly_the_scripted_answer(emu, provider, key_env, base_env, base, name):
    scenario = BUILTIN_SCENARIOS[name]
    env = {key_env: KEY, base_env: emu.origin + base}
    done = exchange(provider, env, Config(model=name), read_size=(1 if scenario.write_size else 512))
    terminal = done.terminal
    if scenario.error_status is not None:
        expected = EXPECTED_ERROR[scenario.error_status] or EXPECTED_403[provider.name]
        assert isinstance(terminal, LlmError) and terminal.code is expected
        return
    if scenario.in_band_error or scenario.truncate != "none":
        assert isinstance(terminal, LlmError) and terminal.code is ErrorCode.INTERNAL_ERROR
        assert scenario.text.startswith(done.text)
        assert done.tool_calls == ()
        return
    assert isinstance(terminal, Finish), terminal
    assert done.text == scenario.text
    assert done.tool_calls == tuple(ToolCall(c.id, c.name, c.arguments_json) for c in scenario.tool_calls)
    assert terminal.metadata.finish_reason is EXPECTED_FINISH[scenario.effective_finish]
    usage = terminal.metadata.usage
    recorded_prompt = emu.last_request.json
    assert recorded_prompt["model"] == name
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.output_tokens == count_words(scenario.text) + sum(
        (len(c.arguments_json) + 3) // 4 + 5 for c in scenario.tool_calls)
