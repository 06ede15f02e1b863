"""The Grok (xAI) provider: request building, what it refuses before
sending, error mapping, key scrubbing, and real HTTP round trips through the xAI emulator
dialect decoded by this provider's own normalizer.

Expected error codes are written as literals (the issue's table plus xAI's documented
differences), never derived from the code under test.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

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
    ToolRequest,
    ToolSuccess,
    Usage,
)
from providers.grok import PROVIDER
from providers import PROVIDERS
from providers.provider import HttpRequest
from providers.response_decoder import ResponseDecoder
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from tests.providers.flavour_roundtrip import HI, exchange
from tests.helpers import EMULATOR_KEY, REAL_FIXTURES, key_env

KEY = "xai-Z9y8X7w6V5u4T3s2R1q0P9o8N7m6"
ENV = key_env("grok", KEY)
FIXTURES = REAL_FIXTURES / "grok"


def build(config: Config, env=ENV, messages=HI):
    return PROVIDER.chat_request(messages, config, env)


def body_of(config: Config, env=ENV, messages=HI) -> dict:
    request = build(config, env, messages)
    assert isinstance(request, HttpRequest), request
    return json.loads(request.body)


def flat(message: str, code: str = "Client specified an invalid argument") -> bytes:
    return json.dumps({"code": code, "error": message}).encode()


# --- the request -------------------------------------------------------------------------------


def test_request_url_auth_and_streaming_fields():
    request = build(Config(model="grok-4", max_tokens=100, temperature=0.2))
    assert request.method == "POST"
    assert request.url == "https://api.x.ai/v1/chat/completions"
    headers = dict(request.headers)
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert headers["Content-Type"] == "application/json"
    assert set(headers) == {"Authorization", "Content-Type", "Accept", "User-Agent"}
    body = json.loads(request.body)
    assert body["model"] == "grok-4"
    assert body["max_completion_tokens"] == 100 and "max_tokens" not in body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("base", ["http://127.0.0.1:9/xai/v1", "http://127.0.0.1:9/xai/v1/"])
def test_base_url_override(base):
    request = build(Config(model="grok-4"), {**ENV, "XAI_BASE_URL": base})
    assert request.url == "http://127.0.0.1:9/xai/v1/chat/completions"


def test_empty_base_url_falls_back_to_the_default():
    assert build(Config(model="grok-4"), {**ENV, "XAI_BASE_URL": " "}).url.startswith("https://api.x.ai/")


@pytest.mark.parametrize("env", [{}, {"XAI_API_KEY": ""}, {"XAI_API_KEY": "  \n"},
                                 {"OPENAI_API_KEY": "sk-not-for-grok-0123456789"}])
def test_missing_key_is_authentication_failed_naming_the_variable_and_nothing_is_built(env):
    error = build(Config(model="grok-4"), env)
    assert isinstance(error, LlmError)
    assert error.code is ErrorCode.AUTHENTICATION_FAILED
    assert "XAI_API_KEY" in error.message and "xAI" in error.message


def test_key_is_stripped_before_it_goes_into_the_header():
    request = build(Config(model="grok-4"), {"XAI_API_KEY": f"  {KEY}\n"})
    assert dict(request.headers)["Authorization"] == f"Bearer {KEY}"


def test_tools_and_continue_are_the_shared_chat_shape():
    tool = ToolDefinition("add", '{"type":"object","properties":{"a":{"type":"integer"}}}', "Adds")
    call = ToolCall("call_55070233", "add", '{"a":2}')
    request = PROVIDER.chat_request(HI, Config(model="grok-4", tools=(tool,), tool_choice="add"), ENV,
                                    ((call, ToolSuccess("call_55070233", "add", "5")),))
    body = json.loads(request.body)
    assert body["tools"][0]["function"]["name"] == "add"
    assert body["tool_choice"] == {"type": "function", "function": {"name": "add"}}
    assert body["messages"][-2]["tool_calls"][0]["id"] == "call_55070233"
    assert body["messages"][-1] == {"role": "tool", "tool_call_id": "call_55070233", "content": "5"}


# --- what xAI rejects that OpenAI accepts: refused before sending ------------------------------


@pytest.mark.parametrize("model", ["grok-4", "grok-4-0709", "grok-4-fast-reasoning", "grok-4.3",
                                   "grok-3-mini", "grok-3-mini-fast", "grok-code-fast-1", "Grok-4"])
def test_stop_sequences_are_refused_for_reasoning_models(model):
    error = build(Config(model=model, stop_sequences=("END",)))
    assert isinstance(error, LlmError)
    assert error.code is ErrorCode.UNSUPPORTED
    assert "'stop'" in error.message and "config.stop-sequences" in error.message
    assert model in error.message and KEY not in error.message


@pytest.mark.parametrize("model", ["grok-4-fast-non-reasoning", "grok-4-1-fast-non-reasoning",
                                   "grok-3", "grok-2-1212", "tool-call"])
def test_stop_sequences_pass_for_non_reasoning_models(model):
    assert body_of(Config(model=model, stop_sequences=("END",)))["stop"] == ["END"]


@pytest.mark.parametrize("option", ["presence_penalty", "frequency_penalty"])
def test_penalties_are_refused_for_reasoning_models_only(option):
    config = Config(model="grok-4", provider_options=(Kv(option, "0.5"),))
    error = build(config)
    assert isinstance(error, LlmError) and error.code is ErrorCode.UNSUPPORTED
    assert f"provider option '{option}'" in error.message
    assert body_of(dataclasses.replace(config, model="grok-3"))[option] == 0.5


def test_reasoning_effort_only_for_grok_3_mini():
    assert body_of(Config(model="grok-3-mini", provider_options=(Kv("reasoning_effort", "high"),)))[
        "reasoning_effort"] == "high"
    error = build(Config(model="grok-4", provider_options=(Kv("reasoning_effort", "high"),)))
    assert isinstance(error, LlmError) and error.code is ErrorCode.UNSUPPORTED
    assert "grok-3-mini" in error.message


def test_live_search_parameters_are_refused_for_every_model():
    error = build(Config(model="grok-3", provider_options=(Kv("search_parameters", '{"mode":"auto"}'),)))
    assert isinstance(error, LlmError) and error.code is ErrorCode.UNSUPPORTED
    assert "Agent Tools API" in error.message


def test_inline_images_must_be_jpeg_or_png():
    def with_image(mime: str):
        return (Message(Role.USER, (Text("what is it?"), Image(ImageSource(b"\x89PNG", mime)))),)

    for ok in ("image/png", "image/jpeg", "IMAGE/JPEG"):
        body = body_of(Config(model="grok-4"), messages=with_image(ok))
        assert body["messages"][0]["content"][1]["image_url"]["url"].startswith(f"data:{ok};base64,")
    error = build(Config(model="grok-4"), messages=with_image("image/gif"))
    assert isinstance(error, LlmError) and error.code is ErrorCode.UNSUPPORTED
    assert "image/gif" in error.message and "message 0" in error.message
    # a URL's type is the fetching server's business
    url_image = (Message(Role.USER, (Image(ImageUrl("https://example.com/a.gif")),)),)
    assert body_of(Config(model="grok-4"), messages=url_image)["messages"][0]["content"][0]["type"] == "image_url"


# --- error responses ---------------------------------------------------------------------------

# HTTP status → golem:llm code for xAI (docs.x.ai "Debugging errors"), written out literally.
XAI_STATUS_CODES = [
    (400, ErrorCode.INVALID_REQUEST),
    (401, ErrorCode.AUTHENTICATION_FAILED),
    (402, ErrorCode.INVALID_REQUEST),
    (403, ErrorCode.AUTHENTICATION_FAILED),
    (404, ErrorCode.INVALID_REQUEST),
    (405, ErrorCode.INVALID_REQUEST),
    (408, ErrorCode.INTERNAL_ERROR),   # request timeout: transient, the SDKs retry it
    (409, ErrorCode.INTERNAL_ERROR),   # conflict: transient, the SDKs retry it
    (410, ErrorCode.UNSUPPORTED),
    (413, ErrorCode.INVALID_REQUEST),
    (415, ErrorCode.INVALID_REQUEST),
    (422, ErrorCode.INVALID_REQUEST),
    (429, ErrorCode.RATE_LIMIT_EXCEEDED),
    (500, ErrorCode.INTERNAL_ERROR),
    (502, ErrorCode.INTERNAL_ERROR),
    (503, ErrorCode.INTERNAL_ERROR),
]


@pytest.mark.parametrize("status, code", XAI_STATUS_CODES)
def test_error_status_maps_to_code_with_the_flat_message_extracted(status, code):
    body = flat(f"something went wrong ({status})")
    error = PROVIDER.error_from_response(status, body, env=ENV)
    assert error.code is code
    assert error.message.startswith(f"xAI returned HTTP {status} (")
    assert f"something went wrong ({status})" in error.message
    assert '{"code"' not in error.message  # the message, not the JSON
    assert json.loads(error.provider_error_json) == json.loads(body)


@pytest.mark.parametrize("message", [
    "Incorrect API key provided: xa***. You can obtain an API key from https://console.x.ai.",
    "Invalid API key. You can obtain an API key from https://console.x.ai.",
    "No API key provided.",
])
def test_wrong_key_answered_with_400_is_authentication_failed(message):
    error = PROVIDER.error_from_response(400, flat(message), env=ENV)
    assert error.code is ErrorCode.AUTHENTICATION_FAILED
    assert message in error.message


def test_nested_openai_shape_is_read_too():
    body = b'{"error":{"message":"model not found","type":"invalid_request_error","code":"model_not_found"}}'
    error = PROVIDER.error_from_response(404, body)
    assert error.code is ErrorCode.INVALID_REQUEST and "model not found" in error.message


def test_non_json_error_body_still_gives_code_and_valid_json():
    error = PROVIDER.error_from_response(502, b"<html>Bad Gateway</html>", env=ENV)
    assert error.code is ErrorCode.INTERNAL_ERROR and "Bad Gateway" in error.message
    json.loads(error.provider_error_json)


def test_recorded_real_error_response_maps():
    folder = FIXTURES / "rubyllm-error-400-context-length"
    if not folder.is_dir():
        pytest.skip(f"recorded fixture not present at {folder}")
    body = (folder / "response.body").read_bytes()
    error = PROVIDER.error_from_response(400, body, env=ENV)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert json.loads(body)["error"] in error.message


@pytest.mark.parametrize("body", [
    flat(f"Incorrect API key provided: {KEY}."),
    f"proxy refused Authorization: Bearer {KEY}".encode(),
    json.dumps({"detail": {"headers": {"authorization": f"Bearer {KEY}"}}}).encode(),
], ids=["flat-json", "plain-text", "nested-echo"])
@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503])
def test_key_never_appears_in_error_output(body, status):
    error = PROVIDER.error_from_response(status, body, env=ENV)
    assert KEY not in error.message and KEY not in (error.provider_error_json or "")
    assert "[redacted]" in error.message + (error.provider_error_json or "")


def test_xai_shaped_key_is_scrubbed_even_without_env():
    error = PROVIDER.error_from_response(400, flat(f"your key {KEY} is wrong"))
    assert KEY not in error.message and KEY not in error.provider_error_json


# --- real round trips through the xAI emulator dialect ----------------------------------------

EMU_KEY = EMULATOR_KEY


@pytest.fixture
def emu(fresh_emulator):
    """The session's emulator, which serves every provider's API."""
    return fresh_emulator


@pytest.fixture
def env(emu):
    return PROVIDERS["grok"].emulator_env(emu.origin, EMU_KEY)


def test_round_trip_text_with_reasoning_gives_exactly_the_scripted_answer(emu, env):
    emu.enqueue(Scenario(text="Olá! Tudo bem?", reasoning="The user wants a greeting in Portuguese.",
                         usage=(165, 131), text_chunk_chars=3))
    done = exchange(PROVIDER, env, Config(model="grok-4-fast-reasoning"))
    assert done.status == 200
    result = done.result
    assert isinstance(result, CompleteResponse)
    assert result.content == (Text("Olá! Tudo bem?"),)
    finish = done.terminal
    assert finish.metadata.finish_reason is FinishReason.STOP
    assert finish.metadata.usage == Usage(165, 131, 296)
    recorded = emu.last_request
    assert recorded.path == "/xai/v1/chat/completions"
    assert recorded.headers["authorization"] == f"Bearer {EMU_KEY}"
    assert recorded.json["stream_options"] == {"include_usage": True}


def test_round_trip_parallel_whole_tool_calls(emu, env):
    calls = (ScriptedToolCall("call_55070233", "add", '{"a":2,"b":3}'),
             ScriptedToolCall("call_12016531", "multiply", '{"a":2,"b":3}'))
    emu.enqueue(Scenario(tool_calls=calls, reasoning="Use both tools.", usage=(432, 204)))
    done = exchange(PROVIDER, env, Config(model="grok-4-fast-reasoning"), read_size=7)
    assert done.result == ToolRequest((ToolCall("call_55070233", "add", '{"a":2,"b":3}'),
                                       ToolCall("call_12016531", "multiply", '{"a":2,"b":3}')))
    assert done.terminal.metadata.usage == Usage(432, 204, 636)


def test_round_trip_builtin_scenario_by_model_name(emu, env):
    done = exchange(PROVIDER, env, Config(model="parallel-tool-calls"))
    assert [c.name for c in done.tool_calls] == ["add", "multiply"]
    assert all(json.loads(c.arguments_json) == {"a": 2, "b": 3} for c in done.tool_calls)


def test_round_trip_continue_with_tool_results(emu, env):
    tool = ToolDefinition("get_weather", '{"type":"object","properties":{"location":{"type":"string"}}}')
    first = exchange(PROVIDER, env, Config(model="grok-4", tools=(tool,)))
    assert isinstance(first.result, ToolRequest)
    call = first.tool_calls[0]
    second = exchange(PROVIDER, env, Config(model="grok-4", tools=(tool,)),
                      tool_results=((call, ToolSuccess(call.id, call.name, '"Sunny, 24 degrees"')),))
    assert second.text.startswith('The tool returned: "Sunny, 24 degrees"')


def test_round_trip_wrong_key_is_a_400_mapped_to_authentication_failed(emu, env):
    wrong = "xai-wrong-key-abcdefghijklmnopqrstuvwxyz"
    done = exchange(PROVIDER, {**env, "XAI_API_KEY": wrong}, Config(model="grok-4"))
    assert done.status == 400
    error = done.terminal
    assert isinstance(error, LlmError) and error.code is ErrorCode.AUTHENTICATION_FAILED
    assert "Incorrect API key provided" in error.message
    assert wrong not in error.message and wrong not in error.provider_error_json


@pytest.mark.parametrize("status, code", [s for s in XAI_STATUS_CODES if s[0] not in (405, 415, 422)])
def test_round_trip_error_status(emu, env, status, code):
    emu.enqueue(Scenario(error_status=status))
    done = exchange(PROVIDER, env, Config(model="grok-4"))
    assert done.status == status
    error = done.terminal
    assert isinstance(error, LlmError) and error.code is code
    assert error.message.startswith(f"xAI returned HTTP {status} (")
    assert "error" in json.loads(error.provider_error_json)  # the flat body, kept


def test_round_trip_in_band_error_after_some_text(emu, env):
    emu.enqueue(Scenario(text="Hello world, this is a partial answer.", in_band_error=True, text_chunk_chars=4))
    done = exchange(PROVIDER, env, Config(model="grok-4"))
    error = done.terminal
    assert isinstance(error, LlmError) and error.code is ErrorCode.INTERNAL_ERROR
    assert "Hello world, this is a partial answer.".startswith(done.text) and done.text


@pytest.mark.parametrize("truncate", ["clean", "abort"])
def test_round_trip_truncation_is_an_error_not_a_short_answer(emu, env, truncate):
    emu.enqueue(Scenario(tool_calls=(ScriptedToolCall("c1", "rm", '{"path": "/tmp/x"}'),),
                         text="Deleting now.", truncate=truncate))
    done = exchange(PROVIDER, env, Config(model="grok-4"))
    assert isinstance(done.terminal, LlmError) and done.terminal.code is ErrorCode.INTERNAL_ERROR
    assert done.tool_calls == ()


def test_round_trip_byte_by_byte_and_paced(emu, env):
    text = "Olá, 世界 🎉 byte by byte"
    emu.enqueue(Scenario(text=text, write_size=1, reasoning="Split everything."))
    assert exchange(PROVIDER, env, Config(model="grok-4"), read_size=1).text == text
    emu.enqueue(Scenario(text="slow and steady", chunk_delay_s=0.01, text_chunk_chars=2))
    assert exchange(PROVIDER, env, Config(model="grok-4")).text == "slow and steady"


def test_round_trip_limits_are_honoured(emu, env):
    emu.enqueue(Scenario(text="one two three four five six"))
    done = exchange(PROVIDER, env, Config(model="grok-4", max_tokens=3))
    assert done.text == "one two three"
    assert done.terminal.metadata.finish_reason is FinishReason.LENGTH
    emu.enqueue(Scenario(text="alpha beta STOP gamma"))
    done = exchange(PROVIDER, env, Config(model="grok-3", stop_sequences=("STOP",)))
    assert done.text == "alpha beta " and done.terminal.metadata.finish_reason is FinishReason.STOP


def test_round_trip_non_streamed_answer_is_accepted(emu, env):
    """A server (or proxy) that ignores stream: true still gives the right answer."""
    emu.enqueue(Scenario(text="plain", reasoning="why not", usage=(5, 9)))
    request = PROVIDER.chat_request(HI, Config(model="grok-4"), env)
    plain = dataclasses.replace(request, body=request.body.replace(b'"stream":true', b'"stream":false'))
    url = urlsplit(plain.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    conn.request("POST", url.path, plain.body, dict(plain.headers))
    resp = conn.getresponse()
    decoder = ResponseDecoder(PROVIDER, resp.status, resp.getheader("content-type"), env)
    events = decoder.feed(resp.read()) + decoder.end()
    conn.close()
    assert isinstance(events[-1], Finish)
    assert events[-1].metadata.usage == Usage(5, 9, 14)


def test_round_trip_prompt_cache_key_reaches_xai_as_the_conversation_header(emu, env):
    """xAI routes cached prompts by `x-grok-conv-id` on Chat Completions: the documented
    option arrives as that header, and the body has no `prompt_cache_key`; `seed` and `user`
    arrive as body fields."""
    emu.enqueue(Scenario(text="cached"))
    config = Config(model="grok-4", provider_options=(
        Kv("prompt-cache-key", "conv_abc123"), Kv("seed", "7"), Kv("user", "user-42")))
    assert exchange(PROVIDER, env, config).text == "cached"
    recorded = emu.last_request
    assert recorded.headers["x-grok-conv-id"] == "conv_abc123"
    assert "prompt_cache_key" not in recorded.json
    assert (recorded.json["seed"], recorded.json["user"]) == (7, "user-42")
