"""The built OpenAI components (durable and portable flavours) in a real wasmtime, talking
real HTTP to the provider emulator on loopback: send, continue, stream, errors."""

from __future__ import annotations

import base64
import json
import time

import pytest

from normalizer import values as v
from runtime.emulator.scenarios import BUILTIN_SCENARIOS, TEXT, UNICODE_TEXT
from runtime.golem import GolemHost
from providers.user_agent import VERSION
from runtime.host import ComponentHost
from tests.helpers import (
    EMULATOR_KEY,
    FAST_RETRIES,
    built,
    calls_of,
    text_of,
    without_request_id,
)

pytestmark = pytest.mark.component

USER = [v.Message(v.Role.USER, (v.Text("Hello there"),))]
WEATHER = v.ToolDefinition(
    name="get_weather", description="Weather for a city",
    parameters_schema=json.dumps({"type": "object", "properties": {
        "location": {"type": "string"}}, "required": ["location"]}))


@pytest.fixture(scope="module", params=["durable", "portable"])
def host(request) -> ComponentHost:
    # The durable flavour imports Golem's host APIs: it runs as an emulated Golem worker.
    wasm = built("openai", request.param)
    return GolemHost(wasm) if request.param == "durable" else ComponentHost(wasm)


@pytest.fixture
def llm(host, fresh_emulator):
    return host.instantiate({"OPENAI_API_KEY": EMULATOR_KEY,
                             "OPENAI_BASE_URL": fresh_emulator.base_url, **FAST_RETRIES})


def drain(stream, block: bool = True, limit_s: float = 20.0) -> tuple[list, int, int]:
    """All events of a stream; also how many batches and how many `none` answers it took."""
    events, batches, nones = [], 0, 0
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        batch = stream.blocking_get_next() if block else stream.get_next()
        if batch is None:
            nones += 1
            time.sleep(0.002)
            continue
        if not batch:
            return events, batches, nones
        events += batch
        batches += 1
    raise AssertionError("stream did not end")


# ---- send ---------------------------------------------------------------------------------

def test_send_returns_the_whole_message_with_metadata(llm, fresh_emulator):
    event = llm.send(USER, v.Config(model="text"))
    assert isinstance(event, v.CompleteResponse)
    assert event.content == (v.Text(TEXT),)
    assert event.tool_calls == ()
    meta = event.metadata
    assert meta.finish_reason is v.FinishReason.STOP
    assert meta.usage is not None and meta.usage.total_tokens == (
        meta.usage.input_tokens + meta.usage.output_tokens)
    assert meta.provider_id and meta.provider_id == event.id
    assert meta.timestamp and meta.timestamp.isdigit()
    assert json.loads(meta.provider_metadata_json)["model"] == "text"
    (request,) = fresh_emulator.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {EMULATOR_KEY}"
    assert request.json["stream"] is True
    assert request.json["stream_options"]["include_usage"] is True
    assert request.json["messages"] == [{"role": "user", "content": "Hello there"}]


def test_requests_have_a_content_length_and_name_their_client(llm, fresh_emulator):
    """Not chunked: some servers and proxies refuse a chunked request body."""
    assert isinstance(llm.send(USER, v.Config(model="text")), v.CompleteResponse)
    (request,) = fresh_emulator.requests
    assert "transfer-encoding" not in request.headers
    assert int(request.headers["content-length"]) == len(request.body) > 0
    assert request.headers["user-agent"] == f"golem-llm-py/{VERSION} (openai)"


def test_send_passes_every_config_field_to_the_provider(llm, fresh_emulator):
    config = v.Config(model="text", temperature=0.25, max_tokens=64,
                      stop_sequences=("END",), tools=(WEATHER,), tool_choice="none",
                      provider_options=(v.Kv("seed", "7"), v.Kv("user", "alice")))
    system = v.Message(v.Role.SYSTEM, (v.Text("Be brief."),), name="rules")
    assert isinstance(llm.send([system, *USER], config), v.CompleteResponse)
    body = fresh_emulator.requests[0].json
    assert body["temperature"] == pytest.approx(0.25)
    assert body["max_tokens"] == 64  # the emulator is not api.openai.com: an OpenAI-compatible server
    assert body["stop"] == ["END"]
    assert body["tool_choice"] == "none"
    assert body["tools"][0]["function"]["name"] == "get_weather"
    assert body["tools"][0]["function"]["parameters"]["required"] == ["location"]
    assert body["seed"] == 7 and body["user"] == "alice"
    assert body["messages"][0] == {"role": "system", "content": "Be brief.", "name": "rules"}


def test_inline_image_reaches_the_provider_as_a_base64_data_url(llm, fresh_emulator):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    message = v.Message(v.Role.USER, (
        v.Text("What is this?"),
        v.Image(v.ImageSource(png, "image/png", v.ImageDetail.LOW)),
        v.Image(v.ImageUrl("https://example.com/cat.jpg", v.ImageDetail.HIGH))))
    assert isinstance(llm.send([message], v.Config(model="text")), v.CompleteResponse)
    parts = fresh_emulator.requests[0].json["messages"][0]["content"]
    assert parts[1]["image_url"]["detail"] == "low"
    prefix, data = parts[1]["image_url"]["url"].split(",", 1)
    assert prefix == "data:image/png;base64" and base64.b64decode(data) == png
    assert parts[2]["image_url"] == {"url": "https://example.com/cat.jpg", "detail": "high"}


def test_tool_call_round_trip_through_send_and_continue(llm, fresh_emulator):
    config = v.Config(model="auto", tools=(WEATHER,))
    first = llm.send(USER, config)
    assert isinstance(first, v.ToolRequest)
    (call,) = first.tool_calls
    assert call.name == "get_weather" and call.id
    assert "location" in json.loads(call.arguments_json)

    result = v.ToolSuccess(call.id, call.name, '{"temperature_c": 19}', 12)
    second = llm.continue_(USER, [(call, result)], config)
    assert isinstance(second, v.CompleteResponse)
    assert "temperature_c" in second.content[0].text
    messages = fresh_emulator.requests[1].json["messages"]
    assert messages[-2]["role"] == "assistant"
    assert messages[-2]["content"] == ""  # strict servers reject null (and a missing field)
    assert messages[-2]["tool_calls"][0]["id"] == call.id
    assert messages[-2]["tool_calls"][0]["function"] == {
        "name": call.name, "arguments": call.arguments_json}
    assert messages[-1] == {"role": "tool", "tool_call_id": call.id,
                            "content": '{"temperature_c": 19}'}


def test_continue_sends_a_failed_tool_as_text_the_model_can_read(llm, fresh_emulator):
    call = v.ToolCall("call_1", "get_weather", '{"location": "Oslo"}')
    failure = v.ToolFailure("call_1", "get_weather", "service unavailable", "E503")
    event = llm.continue_(USER, [(call, failure)], v.Config(model="auto", tools=(WEATHER,)))
    assert isinstance(event, v.CompleteResponse)
    tool_message = fresh_emulator.requests[0].json["messages"][-1]
    assert tool_message["role"] == "tool" and tool_message["tool_call_id"] == "call_1"
    assert "service unavailable" in tool_message["content"] and "E503" in tool_message["content"]


def test_parallel_tool_calls_come_back_complete_and_in_order(llm):
    event = llm.send(USER, v.Config(model="parallel-tool-calls"))
    assert isinstance(event, v.ToolRequest)
    assert [(c.name, json.loads(c.arguments_json)) for c in event.tool_calls] == [
        ("add", {"a": 2, "b": 3}), ("multiply", {"a": 2, "b": 3})]


def test_text_and_tool_call_together_is_a_message_carrying_the_calls(llm):
    event = llm.send(USER, v.Config(model="text-and-tool-call"))
    assert isinstance(event, v.CompleteResponse)
    assert event.content[0].text == "Let me look that up for you."
    assert [c.name for c in event.tool_calls] == ["get_weather"]


@pytest.mark.parametrize("scenario,reason", [
    ("length", v.FinishReason.LENGTH), ("content-filter", v.FinishReason.CONTENT_FILTER)])
def test_finish_reasons_reach_the_caller(llm, scenario, reason):
    event = llm.send(USER, v.Config(model=scenario))
    assert isinstance(event, v.CompleteResponse)
    assert event.metadata.finish_reason is reason


# ---- stream -------------------------------------------------------------------------------

def test_stream_delivers_text_in_several_batches_then_one_finish(llm):
    stream = llm.stream(USER, v.Config(model="slow-text"))
    events, batches, _ = drain(stream)
    assert text_of(events) == TEXT
    assert batches >= 3, "a paced answer should arrive in several get-next batches"
    assert [type(e) for e in events if v.is_terminal(e)] == [v.Finish]
    assert isinstance(events[-1], v.Finish)
    assert stream.blocking_get_next() == [] and stream.get_next() == []
    stream.drop()


def test_get_next_never_blocks_while_the_provider_is_slow(llm):
    stream = llm.stream(USER, v.Config(model="slow-text"))
    started = time.monotonic()
    first = stream.get_next()
    assert time.monotonic() - started < 0.04, "get-next waited for the network"
    events, _, nones = drain(stream, block=False)
    events = (first or []) + events
    assert nones > 0, "a slow stream must show `none` (nothing ready) at least once"
    assert text_of(events) == TEXT and isinstance(events[-1], v.Finish)
    stream.drop()


@pytest.mark.parametrize("scenario,text", [("unicode-text", UNICODE_TEXT),
                                           ("byte-by-byte", UNICODE_TEXT)])
def test_multibyte_text_survives_any_network_chunking(llm, scenario, text):
    stream = llm.stream(USER, v.Config(model=scenario))
    events, _, _ = drain(stream)
    assert text_of(events) == text
    stream.drop()


def test_stream_of_parallel_tool_calls(llm):
    stream = llm.stream(USER, v.Config(model="parallel-tool-calls"))
    events, _, _ = drain(stream)
    assert [c.name for c in calls_of(events)] == ["add", "multiply"]
    assert events[-1].metadata.finish_reason is v.FinishReason.TOOL_CALLS
    stream.drop()


def test_dropping_a_stream_midway_leaves_the_instance_usable(llm):
    stream = llm.stream(USER, v.Config(model="long-text"))
    assert stream.blocking_get_next()
    stream.drop()
    assert isinstance(llm.send(USER, v.Config(model="text")), v.CompleteResponse)


# ---- errors -------------------------------------------------------------------------------

ERROR_CODES = {
    400: v.ErrorCode.INVALID_REQUEST, 401: v.ErrorCode.AUTHENTICATION_FAILED,
    403: v.ErrorCode.AUTHENTICATION_FAILED, 404: v.ErrorCode.INVALID_REQUEST,
    429: v.ErrorCode.RATE_LIMIT_EXCEEDED, 500: v.ErrorCode.INTERNAL_ERROR,
    503: v.ErrorCode.INTERNAL_ERROR,
}


@pytest.mark.parametrize("status", sorted(ERROR_CODES))
def test_error_status_becomes_an_error_value_in_send_and_stream(llm, status):
    scenario = BUILTIN_SCENARIOS[f"error-{status}"]
    event = llm.send(USER, v.Config(model=scenario.name))
    assert isinstance(event, v.LlmError)
    assert event.code is ERROR_CODES[status]
    assert str(status) in event.message
    assert event.provider_error_json and "error" in json.loads(event.provider_error_json)

    stream = llm.stream(USER, v.Config(model=scenario.name))
    events, _, _ = drain(stream)
    # the same error, but for the request id each HTTP request has of its own
    assert len(events) == 1 and without_request_id(events[0]) == without_request_id(event)
    assert json.loads(event.provider_error_json)["request_id"].startswith("req_")
    stream.drop()


def test_wrong_api_key_is_authentication_failed_without_leaking_it(host, fresh_emulator):
    secret = "sk-wrong-key-that-must-not-leak-123456"
    llm = host.instantiate({"OPENAI_API_KEY": secret, "OPENAI_BASE_URL": fresh_emulator.base_url})
    event = llm.send(USER, v.Config(model="text"))
    assert isinstance(event, v.LlmError) and event.code is v.ErrorCode.AUTHENTICATION_FAILED
    assert secret not in event.message and secret not in (event.provider_error_json or "")


def test_in_band_error_ends_the_stream_with_an_error(llm):
    stream = llm.stream(USER, v.Config(model="in-band-error"))
    events, _, _ = drain(stream)
    assert isinstance(events[-1], v.LlmError)
    assert not any(isinstance(e, v.Finish) for e in events)
    assert TEXT.startswith(text_of(events))
    stream.drop()


@pytest.mark.parametrize("scenario", ["truncated", "truncated-abort", "truncated-tool-call"])
def test_truncated_stream_is_an_error_never_a_silent_success(llm, scenario):
    stream = llm.stream(USER, v.Config(model=scenario))
    events, _, _ = drain(stream)
    assert isinstance(events[-1], v.LlmError)
    assert events[-1].code is v.ErrorCode.INTERNAL_ERROR
    assert not any(isinstance(e, v.Finish) for e in events)
    assert calls_of(events) == [], "a cut-off tool call must not be handed out"
    stream.drop()
    sent = llm.send(USER, v.Config(model=scenario))
    assert isinstance(sent, v.LlmError)


def test_missing_api_key_sends_nothing_and_names_the_variable(host, fresh_emulator):
    llm = host.instantiate({"OPENAI_BASE_URL": fresh_emulator.base_url})
    event = llm.send(USER, v.Config(model="text"))
    assert isinstance(event, v.LlmError) and event.code is v.ErrorCode.AUTHENTICATION_FAILED
    assert "OPENAI_API_KEY" in event.message
    stream = llm.stream(USER, v.Config(model="text"))
    assert drain(stream)[0] == [event]
    assert fresh_emulator.request_count == 0


def test_invalid_tool_schema_is_invalid_request_and_no_request_is_sent(llm, fresh_emulator):
    bad = v.ToolDefinition(name="broken", parameters_schema="{not json")
    event = llm.send(USER, v.Config(model="text", tools=(bad,)))
    assert isinstance(event, v.LlmError) and event.code is v.ErrorCode.INVALID_REQUEST
    assert "broken" in event.message
    assert fresh_emulator.request_count == 0


def test_emulator_down_is_an_error_and_the_instance_survives(host, fresh_emulator):
    import socket

    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    llm = host.instantiate({"OPENAI_API_KEY": EMULATOR_KEY, "OPENAI_BASE_URL": dead,
                            **FAST_RETRIES})
    event = llm.send(USER, v.Config(model="text"))
    assert isinstance(event, v.LlmError) and event.code is v.ErrorCode.INTERNAL_ERROR
    assert "connection refused" in event.message
    assert "after 3 attempts" in event.message  # refused twice more, then given up
    stream = llm.stream(USER, v.Config(model="text"))
    events, _, _ = drain(stream)
    assert len(events) == 1 and isinstance(events[0], v.LlmError)
    stream.drop()
    # No trap happened: the same instance answers a later call with a value again.
    again = llm.send(USER, v.Config(model="text"))
    assert isinstance(again, v.LlmError) and "connection refused" in again.message


def test_a_server_that_goes_silent_ends_in_a_timeout_error_not_a_hang(host, fresh_emulator):
    from runtime.emulator.scenario import Scenario

    fresh_emulator.enqueue(Scenario("stalls", text=TEXT, chunk_delay_s=3.0))
    llm = host.instantiate({"OPENAI_API_KEY": EMULATOR_KEY,
                            "OPENAI_BASE_URL": fresh_emulator.base_url,
                            "GOLEM_LLM_BETWEEN_BYTES_TIMEOUT_MS": "300",
                            # the host's backstop alone: no retry of the stalled attempt,
                            # no event deadline before the host's
                            "GOLEM_LLM_MAX_RETRIES": "0",
                            "GOLEM_LLM_BETWEEN_EVENTS_TIMEOUT_MS": "0"})
    started = time.monotonic()
    stream = llm.stream(USER, v.Config(model="text"))
    events, _, _ = drain(stream)
    assert time.monotonic() - started < 2.5, "the stall was waited out instead of timed out"
    assert isinstance(events[-1], v.LlmError)
    assert "timeout" in events[-1].message
    stream.drop()
