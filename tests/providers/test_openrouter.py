"""The OpenRouter provider: request building (attribution headers, typed
routing options), error mapping (402 credits, 403 moderation, upstream 429/502), key
scrubbing, and real HTTP round trips through the OpenRouter emulator dialect decoded by this
provider's own normalizer.

Expected error codes are written as literals, never derived from the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normalizer.values import (
    CompleteResponse,
    Config,
    ErrorCode,
    FinishReason,
    Kv,
    LlmError,
    Message,
    Role,
    Text,
    ToolCall,
    ToolDefinition,
    ToolRequest,
    ToolSuccess,
    Usage,
)
from providers.openrouter import PROVIDER
from providers import PROVIDERS
from providers.provider import HttpRequest
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from tests.providers.flavour_roundtrip import HI, exchange
from tests.helpers import EMULATOR_KEY, REAL_FIXTURES, key_env, recorded_response

KEY = "sk-or-v1-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
ENV = key_env("openrouter", KEY)
FIXTURES = REAL_FIXTURES / "openrouter"


def build(config: Config, env=ENV):
    return PROVIDER.chat_request(HI, config, env)


def body_of(config: Config, env=ENV) -> dict:
    request = build(config, env)
    assert isinstance(request, HttpRequest), request
    return json.loads(request.body)


def or_error(status, message: str, metadata: dict | None = None) -> bytes:
    error: dict = {"code": status, "message": message}
    if metadata is not None:
        error["metadata"] = metadata
    return json.dumps({"error": error, "user_id": "user_2wT5ElBE4Es3R4Qr"}).encode()


# --- the request -------------------------------------------------------------------------------


def test_request_url_auth_and_streaming_fields():
    request = build(Config(model="anthropic/claude-4.5-haiku", max_tokens=64))
    assert request.url == "https://openrouter.ai/api/v1/chat/completions"
    headers = dict(request.headers)
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert set(headers) == {"Authorization", "Content-Type", "Accept", "User-Agent"}  # no empty attribution
    body = json.loads(request.body)
    assert body["max_tokens"] == 64 and "max_completion_tokens" not in body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}  # a documented no-op, harmless


def test_attribution_headers_come_from_their_variables_when_set():
    env = {**ENV, "OPENROUTER_HTTP_REFERER": "https://app.example.com", "OPENROUTER_X_TITLE": " My App "}
    headers = dict(build(Config(model="openai/gpt-4o"), env).headers)
    assert headers["HTTP-Referer"] == "https://app.example.com"
    assert headers["X-Title"] == "My App"
    only_title = dict(build(Config(model="openai/gpt-4o"), {**ENV, "OPENROUTER_X_TITLE": "T",
                                                            "OPENROUTER_HTTP_REFERER": ""}).headers)
    assert "HTTP-Referer" not in only_title and only_title["X-Title"] == "T"


@pytest.mark.parametrize("base", ["http://127.0.0.1:9/openrouter/api/v1", "http://127.0.0.1:9/openrouter/api/v1/"])
def test_base_url_override(base):
    assert build(Config(model="m"), {**ENV, "OPENROUTER_BASE_URL": base}).url == \
        "http://127.0.0.1:9/openrouter/api/v1/chat/completions"


@pytest.mark.parametrize("env", [{}, {"OPENROUTER_API_KEY": ""}, {"OPENROUTER_API_KEY": "\t"},
                                 {"OPENAI_API_KEY": "sk-not-for-openrouter-01234567"}])
def test_missing_key_is_authentication_failed_naming_the_variable(env):
    error = build(Config(model="m"), env)
    assert isinstance(error, LlmError) and error.code is ErrorCode.AUTHENTICATION_FAILED
    assert "OPENROUTER_API_KEY" in error.message and "OpenRouter" in error.message


def test_routing_options_pass_through_typed():
    options = (
        Kv("provider", '{"order": ["Anthropic", "Amazon Bedrock"], "allow_fallbacks": false, '
                       '"sort": {"by": "price", "partition": "none"}}'),
        Kv("models", '["anthropic/claude-4.5-haiku", "openai/gpt-4o-mini"]'),
        Kv("route", "fallback"),
        Kv("reasoning", '{"effort": "high", "exclude": true}'),
        Kv("transforms", '["middle-out"]'),
        Kv("plugins", '[{"id": "context-compression", "enabled": false}]'),
        Kv("top_k", "40"),
    )
    body = body_of(Config(model="openrouter/auto", provider_options=options))
    assert body["provider"] == {"order": ["Anthropic", "Amazon Bedrock"], "allow_fallbacks": False,
                                "sort": {"by": "price", "partition": "none"}}
    assert body["models"] == ["anthropic/claude-4.5-haiku", "openai/gpt-4o-mini"]
    assert body["route"] == "fallback"
    assert body["reasoning"] == {"effort": "high", "exclude": True}
    assert body["transforms"] == ["middle-out"]
    assert body["plugins"] == [{"id": "context-compression", "enabled": False}]
    assert body["top_k"] == 40


@pytest.mark.parametrize("key, value", [
    ("provider", "OpenAI"), ("provider", '["OpenAI"]'), ("models", "openai/gpt-4o"),
    ("models", '{"a": 1}'), ("reasoning", "high"), ("transforms", "middle-out"),
    ("route", '["fallback"]'), ("plugins", '{"id": "web"}'),
])
def test_routing_option_of_the_wrong_kind_is_refused_before_sending(key, value):
    error = build(Config(model="m", provider_options=(Kv(key, value),)))
    assert isinstance(error, LlmError) and error.code is ErrorCode.INVALID_REQUEST
    assert repr(key) in error.message and repr(value) in error.message


def test_stop_is_not_refused_for_any_model():
    assert body_of(Config(model="x-ai/grok-4", stop_sequences=("END",)))["stop"] == ["END"]


# --- error responses ---------------------------------------------------------------------------

# HTTP status → golem:llm code for OpenRouter (reference §5.3), written out literally.
OPENROUTER_STATUS_CODES = [
    (400, ErrorCode.INVALID_REQUEST),
    (401, ErrorCode.AUTHENTICATION_FAILED),
    (402, ErrorCode.RATE_LIMIT_EXCEEDED),   # insufficient credits: a usage limit, like a quota
    (403, ErrorCode.AUTHENTICATION_FAILED), # a 403 that does not say moderation (below)
    (404, ErrorCode.INVALID_REQUEST),
    (408, ErrorCode.INTERNAL_ERROR),        # upstream timeout
    (409, ErrorCode.INTERNAL_ERROR),        # conflict: transient
    (413, ErrorCode.INVALID_REQUEST),
    (429, ErrorCode.RATE_LIMIT_EXCEEDED),
    (500, ErrorCode.INTERNAL_ERROR),
    (502, ErrorCode.INTERNAL_ERROR),
    (503, ErrorCode.INTERNAL_ERROR),
]


@pytest.mark.parametrize("status, code", OPENROUTER_STATUS_CODES)
def test_error_status_maps_to_code_with_the_provider_message_and_body_kept(status, code):
    body = or_error(status, f"something went wrong ({status})")
    error = PROVIDER.error_from_response(status, body, env=ENV)
    assert error.code is code
    assert error.message.startswith(f"OpenRouter returned HTTP {status} (")
    assert f"something went wrong ({status})" in error.message
    assert json.loads(error.provider_error_json) == json.loads(body)


def test_402_says_the_account_has_insufficient_credits():
    body = or_error(402, "This request requires more credits, or fewer max_tokens.")
    error = PROVIDER.error_from_response(402, body, env=ENV)
    assert error.code is ErrorCode.RATE_LIMIT_EXCEEDED
    assert error.message.startswith(
        "OpenRouter returned HTTP 402 (insufficient credits): OpenRouter account has insufficient credits")
    assert "https://openrouter.ai/settings/credits" in error.message
    assert error.message.endswith("OpenRouter said: This request requires more credits, or fewer max_tokens.")


def test_403_moderation_keeps_the_reasons():
    body = or_error(403, 'Your input was flagged for "harassment".',
                    {"reasons": ["harassment"], "flagged_input": "...", "provider_name": "OpenAI",
                     "model_slug": "openai/gpt-4o"})
    error = PROVIDER.error_from_response(403, body, env=ENV)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "flagged by moderation" in error.message and "harassment" in error.message
    assert json.loads(error.provider_error_json)["error"]["metadata"]["reasons"] == ["harassment"]


@pytest.mark.parametrize("body", [
    or_error(403, "Your chosen model requires moderation and your input was flagged"),
    or_error(403, "Forbidden", {"reasons": ["violence"], "flagged_input": "..."}),
    or_error(403, "Blocked", {"error_type": "content_policy_violation"}),
], ids=["message", "metadata", "error-type"])
def test_403_is_moderation_when_the_error_says_so(body):
    error = PROVIDER.error_from_response(403, body, env=ENV)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "(flagged by moderation)" in error.message


@pytest.mark.parametrize("body", [
    b"",
    b"<html><head><title>403 Forbidden</title></head><body>cloudflare</body></html>",
    or_error(403, "This API key does not have access to this model"),
    json.dumps({"error": "Forbidden"}).encode(),
], ids=["empty", "proxy-html", "permission", "flat"])
def test_403_that_does_not_say_moderation_is_authentication_failed(body):
    error = PROVIDER.error_from_response(403, body, env=ENV)
    assert error.code is ErrorCode.AUTHENTICATION_FAILED
    assert "moderation" not in error.message
    json.loads(error.provider_error_json)


def test_in_band_403_is_moderation_only_when_the_error_says_so():
    from normalizer.chat_completions.errors import error_code_from_object

    quirks = PROVIDER.quirks
    flagged = {"code": 403, "message": "Input flagged", "metadata": {"reasons": ["x"]}}
    assert error_code_from_object(flagged, quirks) is ErrorCode.INVALID_REQUEST
    assert error_code_from_object({"code": 403, "message": "Forbidden"}, quirks) is (
        ErrorCode.AUTHENTICATION_FAILED)


@pytest.mark.parametrize("status", [429, 502])
def test_upstream_errors_name_the_provider_and_its_raw_message(status):
    body = or_error(status, "Provider returned error",
                    {"provider_name": "Google", "raw": "model is temporarily rate-limited upstream"})
    error = PROVIDER.error_from_response(status, body, env=ENV)
    assert "Provider returned error (Google said: model is temporarily rate-limited upstream)" in error.message
    assert json.loads(error.provider_error_json)["error"]["metadata"]["provider_name"] == "Google"


@pytest.mark.parametrize("case, code", [
    ("pydantic-error-429-upstream", ErrorCode.RATE_LIMIT_EXCEEDED),
    ("rubyllm-error-400-context-length", ErrorCode.INVALID_REQUEST),
    ("rubyllm-error-401-missing-auth", ErrorCode.AUTHENTICATION_FAILED),
])
def test_recorded_real_error_responses_map(case, code):
    status, body = recorded_response("openrouter", case)
    error = PROVIDER.error_from_response(status, body, env=ENV)
    assert error.code is code
    assert json.loads(body)["error"]["message"] in error.message


def test_prompt_cache_writes_the_breakpoint_a_recorded_real_request_was_accepted_with():
    """pydantic-ai's recorded request put `cache_control` on the user's text part for
    `anthropic/claude-sonnet-4.6`, and OpenRouter answered with the cache write in its
    usage: the same conversation with `prompt-cache: ["messages"]` gives the same
    messages (the recording also names the default `ttl`, 5m), and the recorded answer
    reports what was written."""
    status, answer = recorded_response("openrouter", "pydantic-length")
    recorded = json.loads((FIXTURES / "pydantic-length" / "request.json").read_text())
    messages = []
    for m in recorded["messages"]:
        content = m["content"]
        if isinstance(content, list):
            content = [{**part, "cache_control": {"type": "ephemeral"}} if "cache_control" in part
                       else part for part in content]
        messages.append({**m, "content": content})
    conversation = tuple(
        Message(Role(m["role"]), tuple(Text(part["text"]) for part in m["content"])
                if isinstance(m["content"], list) else (Text(m["content"]),))
        for m in recorded["messages"])
    request = PROVIDER.chat_request(conversation, Config(
        model=recorded["model"], provider_options=(Kv("prompt-cache", '["messages"]'),)), ENV)
    assert isinstance(request, HttpRequest), request
    assert json.loads(request.body)["messages"] == messages
    finish = PROVIDER.completion_events(answer)[-1]
    usage = json.loads(finish.metadata.provider_metadata_json)["usage"]
    assert status == 200 and usage["cache_creation_input_tokens"] == 3211


@pytest.mark.parametrize("body", [
    or_error(401, f"Invalid key {KEY}"),
    f"gateway says Authorization: Bearer {KEY} refused".encode(),
], ids=["json", "plain-text"])
@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 408, 413, 429, 500, 502, 503])
def test_key_never_appears_in_error_output(body, status):
    error = PROVIDER.error_from_response(status, body, env=ENV)
    assert KEY not in error.message and KEY not in (error.provider_error_json or "")


# --- real round trips through the OpenRouter emulator dialect ----------------------------------

EMU_KEY = EMULATOR_KEY


@pytest.fixture
def emu(fresh_emulator):
    """The session's emulator, which serves every provider's API."""
    return fresh_emulator


@pytest.fixture
def env(emu):
    env = PROVIDERS["openrouter"].emulator_env(emu.origin, EMU_KEY)
    return {**env, "OPENROUTER_HTTP_REFERER": "https://app.example.com", "OPENROUTER_X_TITLE": "Emulated"}


def test_round_trip_text_with_reasoning_gives_exactly_the_scripted_answer(emu, env):
    emu.enqueue(Scenario(text="1\n2\n3", reasoning="Count to three.", usage=(15, 12),
                         text_chunk_chars=2, extra={"provider": "Amazon Bedrock"}))
    done = exchange(PROVIDER, env, Config(model="anthropic/claude-4.5-haiku"), read_size=5)
    assert done.status == 200
    assert done.result == CompleteResponse(done.result.id, (Text("1\n2\n3"),), (), done.terminal.metadata)
    metadata = done.terminal.metadata
    assert metadata.finish_reason is FinishReason.STOP
    assert metadata.usage == Usage(15, 12, 27)  # usage always comes, include_usage or not
    assert metadata.provider_id.startswith("gen-")
    assert json.loads(metadata.provider_metadata_json)["provider"] == "Amazon Bedrock"
    recorded = emu.last_request
    assert recorded.path == "/openrouter/api/v1/chat/completions"
    assert recorded.headers["http-referer"] == "https://app.example.com"
    assert recorded.headers["x-title"] == "Emulated"


@pytest.mark.parametrize("merged", [False, True])
def test_round_trip_parallel_tool_calls_one_finish(emu, env, merged):
    calls = (ScriptedToolCall("toolu_01", "add", '{"a": 2, "b": 3}'),
             ScriptedToolCall("toolu_02", "multiply", '{"a": 2, "b": 3}'))
    emu.enqueue(Scenario(tool_calls=calls, usage=(685, 120), args_chunk_chars=3,
                         extra={"usage_with_finish": merged, "native_finish_reason": "tool_use"}))
    done = exchange(PROVIDER, env, Config(model="anthropic/claude-4.5-haiku"))
    assert done.result == ToolRequest((ToolCall("toolu_01", "add", '{"a": 2, "b": 3}'),
                                       ToolCall("toolu_02", "multiply", '{"a": 2, "b": 3}')))
    assert done.terminal.metadata.usage == Usage(685, 120, 805)
    assert json.loads(done.terminal.metadata.provider_metadata_json)["native_finish_reason"] == "tool_use"


def test_round_trip_continue_with_tool_results(emu, env):
    tool = ToolDefinition("get_weather", '{"type":"object","properties":{"location":{"type":"string"}}}')
    first = exchange(PROVIDER, env, Config(model="openai/gpt-4o", tools=(tool,)))
    call = first.tool_calls[0]
    second = exchange(PROVIDER, env, Config(model="openai/gpt-4o", tools=(tool,)),
                      tool_results=((call, ToolSuccess(call.id, call.name, '"Rain"')),))
    assert second.text.startswith('The tool returned: "Rain"')


def test_round_trip_wrong_key_is_401(emu, env):
    wrong = "sk-or-v1-wrong-abcdefghijklmnopqrstuvwxyz"
    done = exchange(PROVIDER, {**env, "OPENROUTER_API_KEY": wrong}, Config(model="m"))
    assert done.status == 401
    error = done.terminal
    assert isinstance(error, LlmError) and error.code is ErrorCode.AUTHENTICATION_FAILED
    assert "User not found." in error.message and wrong not in error.message


# The emulator's 403 is OpenRouter's moderation error (metadata `reasons`, `flagged_input`).
EMULATED_STATUS_CODES = [(status, ErrorCode.INVALID_REQUEST if status == 403 else code)
                         for status, code in OPENROUTER_STATUS_CODES]


@pytest.mark.parametrize("status, code", EMULATED_STATUS_CODES)
def test_round_trip_error_status(emu, env, status, code):
    emu.enqueue(Scenario(error_status=status, extra={"provider": "Google"}))
    done = exchange(PROVIDER, env, Config(model="google/gemini-2.0-flash"))
    assert done.status == status
    error = done.terminal
    assert isinstance(error, LlmError) and error.code is code
    assert error.message.startswith(f"OpenRouter returned HTTP {status} (")
    if status in (429, 502):
        assert "Google said:" in error.message
    if status == 402:
        assert "insufficient credits" in error.message


@pytest.mark.parametrize("code, expected", [(None, ErrorCode.INTERNAL_ERROR), ("429", ErrorCode.RATE_LIMIT_EXCEEDED),
                                            ("server_error", ErrorCode.INTERNAL_ERROR)])
def test_round_trip_in_band_error_chunk(emu, env, code, expected):
    emu.enqueue(Scenario(text="A partial answer that fails.", in_band_error=True, error_code=code,
                         error_message="Upstream went away"))
    done = exchange(PROVIDER, env, Config(model="openai/gpt-4o"))
    error = done.terminal
    assert isinstance(error, LlmError) and error.code is expected
    assert "Upstream went away" in error.message
    assert done.text and "A partial answer that fails.".startswith(done.text)


@pytest.mark.parametrize("truncate", ["clean", "abort"])
def test_round_trip_truncation_is_an_error(emu, env, truncate):
    emu.enqueue(Scenario(text="This is cut.", tool_calls=(ScriptedToolCall("c", "rm", '{"p": 1}'),),
                         truncate=truncate))
    done = exchange(PROVIDER, env, Config(model="m"))
    assert isinstance(done.terminal, LlmError) and done.tool_calls == ()


def test_round_trip_byte_by_byte_paced_and_limited(emu, env):
    text = "Olá, 世界 🎉 byte by byte"
    emu.enqueue(Scenario(text=text, write_size=1, reasoning="careful"))
    assert exchange(PROVIDER, env, Config(model="m"), read_size=1).text == text
    emu.enqueue(Scenario(text="one two three four", chunk_delay_s=0.01))
    done = exchange(PROVIDER, env, Config(model="m", max_tokens=2))
    assert done.text == "one two" and done.terminal.metadata.finish_reason is FinishReason.LENGTH
    assert done.terminal.metadata.usage.output_tokens == 2


def test_round_trip_builtin_scenarios_by_model_name(emu, env):
    assert exchange(PROVIDER, env, Config(model="unicode-text")).text.startswith("Olá, 世界!")
    done = exchange(PROVIDER, env, Config(model="content-filter"))
    assert done.terminal.metadata.finish_reason is FinishReason.CONTENT_FILTER


def test_round_trip_prompt_cache_on_claude_is_accepted_and_answered(emu, env):
    """The breakpoints reach the emulator, which checks them as Anthropic does behind
    OpenRouter (at most four, each `{"type": "ephemeral"}`), and the answer comes back."""
    emu.enqueue(Scenario(text="cached", extra={"provider": "Anthropic"}))
    tool = ToolDefinition("get_weather", '{"type":"object","properties":{"city":{"type":"string"}}}')
    system = Message(Role.SYSTEM, (Text("You answer weather questions."),))
    config = Config(model="anthropic/claude-sonnet-4.6", tools=(tool,),
                    provider_options=(Kv("prompt-cache", "true"),))
    done = exchange(PROVIDER, env, config, messages=(system, *HI))
    assert done.status == 200 and done.text == "cached"
    sent = emu.last_request.json["messages"]
    assert [part.get("cache_control") for m in sent for part in m["content"]] == [
        {"type": "ephemeral"}, {"type": "ephemeral"}]

