"""The emulator's Anthropic Messages dialect, over real loopback HTTP with urllib.

Two kinds of test: the wire format itself (what a client sees: event order, block shapes,
error bodies, auth), and round trips in which the Anthropic provider builds the request,
urllib sends it, and the response decoder + accumulator must give back exactly what the
scenario scripted.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Any, Optional

import pytest

from normalizer.accumulator import Accumulator
from normalizer.values import (
    CompleteResponse,
    Config,
    ErrorCode,
    Finish,
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
from providers.anthropic import PROVIDER
from providers.provider import HttpRequest
from providers.response_decoder import ResponseDecoder
from runtime.emulator.anthropic_messages import AnthropicMessagesDialect
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.scenarios import BUILTIN_SCENARIOS
from runtime.emulator.server import EmulatorServer

KEY = "sk-ant-emulator-test-key-0123456789"
PATH = "/v1/messages"
HEADERS = {"x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json"}


@pytest.fixture
def emu():
    with EmulatorServer(dialects=[AnthropicMessagesDialect()], api_key=KEY) as server:
        yield server


def post(server: EmulatorServer, body: Any, *, headers: Optional[dict[str, str]] = None,
         path: str = PATH, method: str = "POST") -> tuple[int, dict[str, str], bytes]:
    """(status, lowercased headers, body) of one request; HTTP errors are answers too."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.origin + path, data=data, method=method,
                                     headers=HEADERS if headers is None else headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def messages_body(model: str = "claude-sonnet-4-5", text: str = "Hello there", *, stream: bool = False,
                  **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "max_tokens": 1024,
                            "messages": [{"role": "user", "content": text}], **fields}
    if stream:
        body["stream"] = True
    return body


def events_of(body: bytes) -> list[tuple[str, dict]]:
    """(event name, data object) per SSE event; every event is named and its data `type`
    repeats the name, as Anthropic sends them."""
    out = []
    for block in body.decode("utf-8").split("\n\n"):
        if not block.strip():
            continue
        lines = block.split("\n")
        assert len(lines) == 2 and lines[0].startswith("event: ") and lines[1].startswith("data: "), block
        name, data = lines[0][7:], json.loads(lines[1][6:])
        assert data["type"] == name
        out.append((name, data))
    return out


def names(events: list[tuple[str, dict]]) -> list[str]:
    return [name for name, _ in events]


def text_of(events: list[tuple[str, dict]]) -> str:
    return "".join(d["delta"]["text"] for n, d in events
                   if n == "content_block_delta" and d["delta"]["type"] == "text_delta")


def stop_reason(events: list[tuple[str, dict]]) -> Optional[str]:
    deltas = [d for n, d in events if n == "message_delta"]
    return deltas[-1]["delta"]["stop_reason"] if deltas else None


# --- streams --------------------------------------------------------------------------------


def test_text_stream_has_anthropics_event_sequence(emu):
    text = "The quick brown fox jumps over the lazy dog."
    emu.enqueue(Scenario(text=text, text_chunk_chars=5, usage=(11, 9)))
    status, headers, body = post(emu, messages_body(stream=True))
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["transfer-encoding"] == "chunked" and headers["request-id"].startswith("req_")
    events = events_of(body)
    deltas = len(text) // 5 + 1
    assert names(events) == ["message_start", "content_block_start", "ping",
                             *["content_block_delta"] * deltas, "content_block_stop",
                             "message_delta", "message_stop"]
    message = events[0][1]["message"]
    assert message["id"].startswith("msg_01") and message["model"] == "claude-sonnet-4-5"
    assert message["content"] == [] and message["stop_reason"] is None
    assert message["usage"]["input_tokens"] == 11
    assert events[1][1] == {"type": "content_block_start", "index": 0,
                            "content_block": {"type": "text", "text": ""}}
    assert text_of(events) == text
    assert events[-2][1]["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert events[-2][1]["usage"]["output_tokens"] == 9


def test_tool_use_blocks_start_with_an_empty_input_fragment(emu):
    arguments = '{"location": "Florence, Italy", "unit": "celsius"}'
    emu.enqueue(Scenario(text="Checking.", tool_calls=(
        ScriptedToolCall("toolu_abc", "get_weather", arguments),
        ScriptedToolCall("", "get_time", "{}")), args_chunk_chars=7))
    events = events_of(post(emu, messages_body(stream=True))[2])
    starts = [d for n, d in events if n == "content_block_start"]
    assert [s["content_block"]["type"] for s in starts] == ["text", "tool_use", "tool_use"]
    assert [s["index"] for s in starts] == [0, 1, 2]
    assert starts[1]["content_block"] == {"type": "tool_use", "id": "toolu_abc", "name": "get_weather",
                                          "input": {}}
    assert starts[2]["content_block"]["id"].startswith("toolu_01")
    fragments = {i: [d["delta"]["partial_json"] for n, d in events
                     if n == "content_block_delta" and d["index"] == i] for i in (1, 2)}
    assert fragments[1][0] == "" and len(fragments[1]) > 3 and "".join(fragments[1]) == arguments
    assert fragments[2] == [""]  # a no-argument tool: only the empty fragment
    assert stop_reason(events) == "tool_use"


def test_reasoning_is_a_thinking_block_with_a_signature_before_the_text(emu):
    emu.enqueue(Scenario(text="Pouch.", reasoning="The user wants a pelican name.", text_chunk_chars=6))
    events = events_of(post(emu, messages_body(stream=True))[2])
    first = [d for n, d in events if n == "content_block_start"]
    assert first[0]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    thinking = [d["delta"] for n, d in events if n == "content_block_delta" and d["index"] == 0]
    assert "".join(t["thinking"] for t in thinking[:-1]) == "The user wants a pelican name."
    assert thinking[-1]["type"] == "signature_delta" and thinking[-1]["signature"]
    assert first[1]["index"] == 1 and text_of(events) == "Pouch."


@pytest.mark.parametrize(("finish", "expected"), [
    ("stop", "end_turn"), ("length", "max_tokens"), ("tool_calls", "tool_use"),
    ("content_filter", "refusal"), ("pause_turn", "pause_turn"),
])
def test_finish_reasons_become_stop_reasons(emu, finish, expected):
    emu.enqueue(Scenario(text="x", finish=finish))
    assert stop_reason(events_of(post(emu, messages_body(stream=True))[2])) == expected
    emu.enqueue(Scenario(text="x", finish=finish))
    assert json.loads(post(emu, messages_body())[2])["stop_reason"] == expected


def test_stop_sequence_finish_names_the_sequence(emu):
    emu.enqueue(Scenario(text="The city of ", finish="stop_sequence", honor_limits=False))
    events = events_of(post(emu, messages_body(stream=True, stop_sequences=["Paris"]))[2])
    assert events[-2][1]["delta"] == {"stop_reason": "stop_sequence", "stop_sequence": "Paris"}
    emu.enqueue(Scenario(text="x", finish="stop_sequence", extra={"stop_sequence": "END"}))
    assert json.loads(post(emu, messages_body())[2])["stop_sequence"] == "END"


def test_knobs_add_pings_unknown_events_and_padding(emu):
    emu.enqueue(Scenario(text="abcdefgh", text_chunk_chars=2,
                         extra={"ping_every": 2, "unknown_events": 3, "pad_json": True}))
    status, _, body = post(emu, messages_body(stream=True))
    assert status == 200 and b' }\n' in body
    raw_names = [line[7:] for line in body.decode().split("\n") if line.startswith("event: ")]
    assert raw_names.count("ping") == 3 and raw_names.count("emulator_notice") >= 2
    assert raw_names[-1] in ("message_stop", "emulator_notice")
    emu.enqueue(Scenario(text="ab", extra={"unknown_events": True}))  # True: after every event
    raw = post(emu, messages_body(stream=True))[2].decode()
    assert raw.count("event: emulator_notice") == raw.count("event: ") - raw.count("event: ping") - \
        raw.count("event: emulator_notice")


def test_chunk_delay_paces_the_events_and_headers_and_model_are_scripted(emu):
    emu.enqueue(Scenario(text="abcdefghij", text_chunk_chars=2, chunk_delay_s=0.03,
                         response_model="claude-emulated-1", headers=(("x-extra", "yes"),)))
    start = time.monotonic()
    status, headers, body = post(emu, messages_body(stream=True))
    elapsed = time.monotonic() - start
    assert status == 200 and headers["x-extra"] == "yes"
    events = events_of(body)
    assert elapsed >= 0.03 * (len(events) - 2)  # every event after the first waits (ping too)
    assert events[0][1]["message"]["model"] == "claude-emulated-1" and text_of(events) == "abcdefghij"


def test_in_band_error_is_an_error_event_with_nothing_after_it(emu):
    emu.enqueue(Scenario(text="Hello world, this is a partial answer.", in_band_error=True,
                         text_chunk_chars=4))
    status, _, body = post(emu, messages_body(stream=True))
    assert status == 200
    events = events_of(body)
    assert events[-1] == ("error", {"type": "error",
                                    "error": {"type": "overloaded_error", "message": "Overloaded"}})
    assert "message_stop" not in names(events) and "message_delta" not in names(events)
    assert text_of(events)
    emu.enqueue(Scenario(text="x y z", in_band_error=True, error_type="api_error",
                         error_message="Internal server error"))
    assert events_of(post(emu, messages_body(stream=True))[2])[-1][1]["error"]["type"] == "api_error"


def test_clean_truncation_has_no_message_stop(emu):
    text = "This answer is going to be cut off before its natural end."
    emu.enqueue(Scenario(text=text, truncate="clean"))
    events = events_of(post(emu, messages_body(stream=True))[2])
    assert "message_stop" not in names(events) and "message_delta" not in names(events)
    assert 0 < len(text_of(events)) < len(text) and text.startswith(text_of(events))


def test_abort_truncation_breaks_the_body(emu):
    emu.enqueue(Scenario(text="This stream dies mid-body, without its terminating chunk.", truncate="abort"))
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    conn.request("POST", PATH, json.dumps(messages_body(stream=True)), HEADERS)
    response = conn.getresponse()
    assert response.status == 200
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        response.read()
    conn.close()
    assert post(emu, messages_body("text"))[0] == 200  # the server survives it


# --- plain answers ----------------------------------------------------------------------------


def test_non_streaming_answer_is_a_message_object(emu):
    emu.enqueue(Scenario(text="I'll check.", reasoning="Need the tool.", usage=(20, 7),
                         tool_calls=(ScriptedToolCall("toolu_1", "get_weather", '{"city": "Rome"}'),)))
    status, headers, body = post(emu, messages_body())
    assert status == 200 and headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    message = json.loads(body)
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["content"][0]["type"] == "thinking" and message["content"][0]["signature"]
    assert message["content"][1:] == [
        {"type": "text", "text": "I'll check."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Rome"}}]
    assert message["stop_reason"] == "tool_use" and message["stop_sequence"] is None
    assert message["usage"]["input_tokens"] == 20 and message["usage"]["output_tokens"] == 7


def test_in_band_error_without_a_stream_is_a_529(emu):
    emu.enqueue(Scenario(text="x", in_band_error=True))
    status, headers, body = post(emu, messages_body())
    assert status == 529 and json.loads(body)["error"]["type"] == "overloaded_error"
    assert headers["x-should-retry"] == "true"


# --- HTTP errors ------------------------------------------------------------------------------

# Anthropic's error type per status (reference §2.6), written out literally.
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error",
               500: "api_error", 529: "overloaded_error"}


@pytest.mark.parametrize("status", sorted(ERROR_TYPES))
@pytest.mark.parametrize("stream", [False, True])
def test_error_statuses_answer_anthropics_error_shape(emu, status, stream):
    emu.enqueue(Scenario(error_status=status))
    got, headers, body = post(emu, messages_body(stream=stream))
    assert got == status and headers["content-type"] == "application/json"
    error = json.loads(body)
    assert set(error) == {"type", "error", "request_id"} and error["type"] == "error"
    assert error["error"]["type"] == ERROR_TYPES[status] and error["error"]["message"]
    assert error["request_id"] == headers["request-id"]
    assert headers["x-should-retry"] == ("true" if status in (429, 500, 529) else "false")


def test_error_overrides_retry_after_and_raw_bodies(emu):
    emu.enqueue(Scenario(error_status=429, error_message="slow down", retry_after=20))
    status, headers, body = post(emu, messages_body())
    assert status == 429 and headers["retry-after"] == "20"
    assert headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert json.loads(body)["error"] == {"type": "rate_limit_error", "message": "slow down"}
    status, headers, body = post(emu, messages_body("error-502-html"))
    assert status == 502 and headers["content-type"].startswith("text/html") and body.startswith(b"<html>")


def test_builtin_error_404_names_the_model(emu):
    status, _, body = post(emu, messages_body("error-404"))
    assert status == 404 and json.loads(body)["error"] == {"type": "not_found_error",
                                                           "message": "model: error-404"}


# --- auth and validation ------------------------------------------------------------------------


def test_missing_key_wrong_key_and_bearer_only_are_401(emu):
    no_key = {k: v for k, v in HEADERS.items() if k != "x-api-key"}
    for headers, message in [
        (no_key, "x-api-key header is required"),
        ({**HEADERS, "x-api-key": "sk-ant-wrong"}, "invalid x-api-key"),
        ({**no_key, "authorization": f"Bearer {KEY}"}, "x-api-key header is required"),
    ]:
        status, _, body = post(emu, messages_body(), headers=headers)
        assert status == 401
        assert json.loads(body)["error"] == {"type": "authentication_error", "message": message}
    emu.enqueue(Scenario(text="never used"))
    post(emu, messages_body(), headers={**HEADERS, "x-api-key": "sk-ant-wrong"})
    assert emu.pending == 1  # a refused request does not consume a queued scenario


def test_anthropic_version_header_is_required(emu):
    no_version = {k: v for k, v in HEADERS.items() if k != "anthropic-version"}
    status, _, body = post(emu, messages_body(), headers=no_version)
    assert status == 400
    assert json.loads(body)["error"] == {"type": "invalid_request_error",
                                         "message": "anthropic-version: header is required"}
    status, _, body = post(emu, messages_body(), headers={**HEADERS, "anthropic-version": "2099-01-01"})
    assert status == 400 and "anthropic-version" in json.loads(body)["error"]["message"]


def test_any_key_is_accepted_without_an_expected_key():
    with EmulatorServer(dialects=[AnthropicMessagesDialect()]) as server:
        assert post(server, messages_body(), headers={**HEADERS, "x-api-key": "anything"})[0] == 200


USE = {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}]}
RESULT = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]}


@pytest.mark.parametrize(("body", "message"), [
    ({"model": "m", "messages": [{"role": "user", "content": "hi"}]}, "max_tokens: Field required"),
    ({"max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}, "model: Field required"),
    ({"model": "m", "max_tokens": 10}, "messages: Field required"),
    ({"model": "m", "max_tokens": 10, "messages": []}, "at least one message"),
    (messages_body() | {"messages": [{"role": "system", "content": "hi"}]}, "'user' or 'assistant'"),
    (messages_body() | {"messages": [{"role": "user", "content": {"type": "text", "wrong": "format"}}]},
     "messages.0.content: Input should be a valid list"),
    (messages_body() | {"messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]},
     "text content blocks must be non-empty"),
    (messages_body() | {"messages": [{"role": "user", "content": [{"type": "text", "text": " "}]}]},
     "non-whitespace"),
    (messages_body() | {"messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AAAA"}}]}]},
     "media_type"),
    (messages_body() | {"messages": [{"role": "user", "content": "a"}, USE,
                                     {"role": "user", "content": "b"}]},
     "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1"),
    (messages_body() | {"messages": [{"role": "user", "content": "a"}, RESULT]},
     "unexpected `tool_use_id`"),
    (messages_body() | {"messages": [{"role": "user", "content": "a"}, USE, {"role": "user", "content": [
        {"type": "text", "text": "first"}, *RESULT["content"]]}]}, "must come before"),
    (messages_body(temperature=1.5), "temperature"),
    (messages_body(tool_choice={"type": "required"}), "tool_choice"),
    (messages_body(tools=[{"name": "f", "input_schema": {"type": "object"}}],
                   tool_choice={"type": "tool", "name": "f"},
                   thinking={"type": "enabled", "budget_tokens": 1024}),
     "Thinking may not be enabled when `tool_choice` forces tool use"),
    (messages_body(tools=[{"name": "f", "input_schema": {"type": "string"}}]), "'object'"),
    (messages_body() | {"stream": "yes"}, "stream"),
    ([1, 2], "dictionary"),
])
def test_invalid_requests_are_400_invalid_request_error(emu, body, message):
    status, _, answer = post(emu, body)
    assert status == 400
    error = json.loads(answer)["error"]
    assert error["type"] == "invalid_request_error" and message in error["message"]


def test_valid_tool_exchange_and_server_tools_are_accepted(emu):
    body = messages_body(tools=[{"name": "f", "input_schema": {"type": "object"}},
                                {"type": "web_search_20250305", "name": "web_search"}])
    body["messages"] += [USE, RESULT]
    assert post(emu, body)[0] == 200


def test_malformed_json_is_400_and_unknown_paths_404(emu):
    status, _, body = post(emu, b"{not json")
    assert status == 400 and json.loads(body)["error"]["type"] == "invalid_request_error"
    status, _, body = post(emu, messages_body(), path="/v1/complete")
    assert status == 404 and json.loads(body)["error"]["type"] == "not_found_error"
    status, headers, _ = post(emu, None, method="GET")
    assert status == 405 and headers["allow"] == "POST"


# --- scenario selection and the auto answer ----------------------------------------------------


@pytest.mark.parametrize("name", sorted(BUILTIN_SCENARIOS))
def test_every_builtin_is_selected_by_model_and_renders_in_both_modes(emu, name):
    scenario = BUILTIN_SCENARIOS[name]
    for stream in (False, True):
        try:
            status, _, body = post(emu, messages_body(name, stream=stream))
        except (http.client.IncompleteRead, ConnectionError, urllib.error.URLError):
            assert scenario.truncate == "abort"
            continue
        plain_in_band = scenario.in_band_error and not stream
        assert status == (scenario.error_status or (529 if plain_in_band else 200))
        if status == 200 and stream and scenario.truncate == "none" and not scenario.in_band_error:
            events = events_of(body)
            assert text_of(events) == scenario.text and names(events)[-1] == "message_stop"


WEATHER_TOOL = {"name": "get_weather", "description": "Weather for a city", "input_schema": {
    "type": "object", "properties": {"location": {"type": "string"},
                                     "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    "required": ["location", "unit"]}}


def test_auto_answer_echoes_calls_tools_and_quotes_results(emu):
    events = events_of(post(emu, messages_body(text="What is a monad?", stream=True))[2])
    assert text_of(events).startswith('You said: "What is a monad?".')
    answer = json.loads(post(emu, messages_body(text="Weather in Florence?", tools=[WEATHER_TOOL]))[2])
    call = answer["content"][0]
    assert call["type"] == "tool_use" and call["input"] == {"location": "Florence", "unit": "celsius"}
    none = json.loads(post(emu, messages_body(tools=[WEATHER_TOOL], tool_choice={"type": "none"}))[2])
    assert none["content"][0]["text"].startswith("You said:")
    body = messages_body(tools=[WEATHER_TOOL])
    body["messages"] += [
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_9", "name": "get_weather",
                                           "input": {"location": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_9",
                                      "content": [{"type": "text", "text": "Sunny, 24 degrees"}]}]}]
    answer = json.loads(post(emu, body)[2])
    assert answer["content"][0]["text"].startswith("The tool returned: Sunny, 24 degrees")


def test_auto_answer_honours_stop_sequences_and_max_tokens(emu):
    events = events_of(post(emu, messages_body(text="alpha beta gamma", stream=True,
                                               stop_sequences=["gamma"]))[2])
    assert text_of(events) == 'You said: "alpha beta '
    body = messages_body(text="one two three four", stream=True)
    body["max_tokens"] = 4
    events = events_of(post(emu, body)[2])
    assert text_of(events) == 'You said: "one two' and stop_reason(events) == "max_tokens"
    assert events[-2][1]["usage"]["output_tokens"] == 4


# --- round trips through the Anthropic provider ---------------------------------------------


def exchange(server: EmulatorServer, messages, config: Config, tool_results=(), *,
             stream_step: int = 0) -> tuple[Any, list]:
    """Build the request with the provider, send it with urllib, decode the answer with the
    provider's decoder; (chat-event, stream events)."""
    env = {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": server.origin}
    request = PROVIDER.chat_request(messages, config, env, tool_results)
    assert isinstance(request, HttpRequest), request
    status, headers, body = post(server, request.body, headers=dict(request.headers))
    decoder = ResponseDecoder(PROVIDER, status, headers.get("content-type", ""), env)
    events: list = []
    step = stream_step or len(body) or 1
    for i in range(0, len(body), step):
        events += decoder.feed(body[i:i + step])
    events += decoder.end()
    accumulator = Accumulator()
    accumulator.add(events)
    return accumulator.result(), events


HI = (Message(Role.USER, (Text("hi"),)),)
ROUND_TRIPS = [
    Scenario(text="Olá, 世界! Ünïcödé 🎉🚀 done.", text_chunk_chars=3, usage=(10, 5)),
    Scenario(text="Sentence. " * 40, text_chunk_chars=11, usage=(10, 80), write_size=7),
    Scenario(text="byte by byte é🎉", write_size=1, usage=(3, 4)),
    Scenario(text="I'll add and multiply.", usage=(502, 137), tool_calls=(
        ScriptedToolCall("toolu_a", "add", '{"a": 2, "b": 3}'),
        ScriptedToolCall("toolu_m", "multiply", '{"a": 2, "b": 3}')), args_chunk_chars=2),
    Scenario(tool_calls=(ScriptedToolCall("toolu_t", "get_time", "{}"),), usage=(30, 10)),
    Scenario(text="Pouch.", reasoning="Think about pelicans first.", usage=(46, 133),
             extra={"pad_json": True, "ping_every": 1, "unknown_events": 2}),
    Scenario(text="cut here", finish="length", usage=(9, 2)),
    Scenario(text="no", finish="content_filter", usage=(9, 1)),
    Scenario(text="paused", finish="pause_turn", usage=(9, 1)),
]


@pytest.mark.parametrize("scenario", ROUND_TRIPS, ids=lambda s: s.text[:12] or s.tool_calls[0].name)
@pytest.mark.parametrize("stream_step", [0, 1, 5])
def test_provider_gets_back_exactly_what_the_scenario_scripted(emu, scenario, stream_step):
    emu.enqueue(scenario)
    result, events = exchange(emu, HI, Config(model="claude-sonnet-4-5"), stream_step=stream_step)
    finish = events[-1]
    assert isinstance(finish, Finish)
    expected_reason = {"stop": FinishReason.STOP, "length": FinishReason.LENGTH,
                       "tool_calls": FinishReason.TOOL_CALLS, "content_filter": FinishReason.CONTENT_FILTER,
                       "pause_turn": FinishReason.OTHER}[scenario.effective_finish]
    assert finish.metadata.finish_reason is expected_reason
    assert finish.metadata.usage == Usage(scenario.usage[0], scenario.usage[1], sum(scenario.usage))
    assert finish.metadata.provider_id and finish.metadata.provider_id.startswith("msg_")
    calls = tuple(ToolCall(c.id, c.name, c.arguments_json) for c in scenario.tool_calls)
    if isinstance(result, ToolRequest):
        assert not scenario.text and result.tool_calls == calls
        return
    assert isinstance(result, CompleteResponse)
    assert result.content == ((Text(scenario.text),) if scenario.text else ())
    assert result.tool_calls == calls
    extra = json.loads(finish.metadata.provider_metadata_json)
    if scenario.reasoning:
        assert extra["thinking"][0]["thinking"] == scenario.reasoning


@pytest.mark.parametrize("scenario", [
    Scenario(text="A long partial answer, never finished.", in_band_error=True),
    Scenario(text="A long partial answer, never finished.", truncate="clean"),
    Scenario(tool_calls=(ScriptedToolCall("toolu_x", "delete", '{"path": "/tmp/some/long/path"}'),),
             truncate="clean", truncate_after_events=4),
], ids=["in-band", "truncated", "truncated-mid-tool"])
def test_provider_reports_broken_streams_as_errors(emu, scenario):
    emu.enqueue(scenario)
    result, events = exchange(emu, HI, Config(model="m"), stream_step=3)
    assert isinstance(result, LlmError) and result.code is ErrorCode.INTERNAL_ERROR
    assert not any(getattr(e, "tool_calls", None) for e in events)


@pytest.mark.parametrize(("status", "code"), [
    (400, ErrorCode.INVALID_REQUEST), (401, ErrorCode.AUTHENTICATION_FAILED),
    (403, ErrorCode.AUTHENTICATION_FAILED), (404, ErrorCode.INVALID_REQUEST),
    (413, ErrorCode.INVALID_REQUEST), (429, ErrorCode.RATE_LIMIT_EXCEEDED),
    (500, ErrorCode.INTERNAL_ERROR), (529, ErrorCode.INTERNAL_ERROR), (502, ErrorCode.INTERNAL_ERROR),
])
def test_provider_maps_every_emulated_http_error(emu, status, code):
    emu.enqueue(Scenario(error_status=status) if status != 502 else "error-502-html")
    result, _ = exchange(emu, HI, Config(model="m"))
    assert isinstance(result, LlmError) and result.code is code
    assert f"HTTP {status}" in result.message


def test_wrong_key_through_the_provider_is_an_authentication_error(emu):
    env = {"ANTHROPIC_API_KEY": "sk-ant-wrong-key-0000000000000", "ANTHROPIC_BASE_URL": emu.origin}
    request = PROVIDER.chat_request(HI, Config(model="m"), env)
    status, headers, body = post(emu, request.body, headers=dict(request.headers))
    error = PROVIDER.error_from_response(status, body, env)
    assert error.code is ErrorCode.AUTHENTICATION_FAILED and "invalid x-api-key" in error.message


def test_a_whole_tool_conversation_passes_the_emulators_validation(emu):
    """send → tool request → continue with the result → text quoting it: the emulator checks
    every Anthropic rule for the continue request (tool_use answered next, results first)."""
    tool = ToolDefinition("get_weather", json.dumps(WEATHER_TOOL["input_schema"]), "Weather for a city")
    config = Config(model="claude-sonnet-4-5", tools=(tool,), tool_choice="auto")
    messages = (Message(Role.SYSTEM, (Text("Be brief."),)),
                Message(Role.USER, (Text("weather in Florence?"),), name="ana"))
    first, _ = exchange(emu, messages, config, stream_step=9)
    assert isinstance(first, ToolRequest)
    call = first.tool_calls[0]
    assert call.name == "get_weather" and json.loads(call.arguments_json)["location"] == "Florence"
    sent = emu.last_request.json
    assert sent["system"] == "Be brief." and sent["messages"][0]["content"][0]["text"].startswith("[ana]: ")
    second, _ = exchange(emu, messages, config, [(call, ToolSuccess(call.id, call.name, '{"temp": 31}'))])
    assert isinstance(second, CompleteResponse), second
    assert second.content[0].text.startswith('The tool returned: {"temp": 31}')
    continued = emu.last_request.json["messages"]
    assert [m["role"] for m in continued] == ["user", "assistant", "user"]
    assert continued[2]["content"][0]["tool_use_id"] == call.id


PERSON = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
          "required": ["name", "age"]}


@pytest.mark.parametrize("stream_step", [0, 1, 7])
def test_structured_output_as_a_forced_tool_comes_back_as_json_text(emu, stream_step):
    """An older model: the schema goes out as the forced answer tool, the emulator's auto
    answer calls it with arguments built from the schema, and the provider hands the call's
    input back as the answer's text, finished with `stop`, no tool call."""
    config = Config(model="claude-3-5-haiku-20241022", provider_options=(
        Kv("json-schema", json.dumps(PERSON)),))
    ask = (Message(Role.USER, (Text("Describe Ada Lovelace"),)),)
    answer, events = exchange(emu, ask, config, stream_step=stream_step)
    sent = emu.requests[-1].json
    assert sent["tool_choice"] == {"type": "tool", "name": "json_answer"}
    assert isinstance(answer, CompleteResponse), answer
    assert answer.tool_calls == ()
    person = json.loads(answer.content[0].text)
    assert set(person) == {"name", "age"} and isinstance(person["age"], int)
    assert answer.metadata.finish_reason is FinishReason.STOP
