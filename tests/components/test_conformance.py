"""The cross-provider conformance suite: one list of scenarios, run against every provider's
built component (durable and portable) in wasmtime, through the emulator, which speaks each
provider's API with its own wire format.  What the caller gets back is asserted the same way
for all four; what went over the wire is read with `conformance_wire` (each dialect puts the
same fact in a different place)."""

from __future__ import annotations

import base64
import json
import time

import pytest

from normalizer import values as v
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.scenarios import LONG_TEXT, TEXT, WEATHER_CALL, ADD_CALL, MULTIPLY_CALL
from runtime.golem import GolemHost
from runtime.host import ComponentHost
from providers import PROVIDERS
from tests.components.conformance_wire import Wire
from tests.helpers import EMULATOR_KEY, FAST_RETRIES, built, text_of

pytestmark = pytest.mark.component

ALL = [(p, f) for p in PROVIDERS for f in ("durable", "portable")]
USER = (v.Message(v.Role.USER, (v.Text("Hello there"),)),)
WEATHER = v.ToolDefinition(
    name="get_weather", description="Weather for a city",
    parameters_schema=json.dumps({"type": "object", "properties": {
        "location": {"type": "string"}}, "required": ["location"]}))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@pytest.fixture(scope="module", params=ALL, ids=[f"{p}-{f}" for p, f in ALL])
def component(request):
    provider, flavour = request.param
    wasm = built(provider, flavour)
    # The durable flavour runs as an emulated Golem worker (in-memory oplog per instance).
    return provider, GolemHost(wasm) if flavour == "durable" else ComponentHost(wasm)


@pytest.fixture
def provider(component) -> str:
    return component[0]


@pytest.fixture
def llm(component, fresh_emulator):
    name, host = component
    return host.instantiate({**PROVIDERS[name].emulator_env(fresh_emulator.origin, EMULATOR_KEY),
                             **FAST_RETRIES})


def wire(provider, emulator, index=-1) -> Wire:
    return Wire(provider, emulator.requests[index].json)


def drain(stream, limit_s=20.0):
    events, batches = [], 0
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        batch = stream.blocking_get_next()
        if not batch:
            stream.drop()
            return events, batches
        events += batch
        batches += 1
    raise AssertionError("stream did not end")


def text_parts(response: v.CompleteResponse) -> str:
    return "".join(p.text for p in response.content if isinstance(p, v.Text))


# ---- plain text, prompts, config ----------------------------------------------------------

def test_plain_text(llm, provider, fresh_emulator):
    event = llm.send(USER, v.Config(model="text"))
    assert isinstance(event, v.CompleteResponse), event
    assert text_parts(event) == TEXT and event.tool_calls == ()
    assert event.metadata.finish_reason is v.FinishReason.STOP
    assert wire(provider, fresh_emulator).texts()[-1] == "Hello there"


def test_stream_text_arrives_in_batches_then_one_finish(llm, fresh_emulator):
    # Paced, so the answer is still arriving when the first events are handed out (an
    # unpaced one may be whole before the first read, and rightly come as one batch).
    fresh_emulator.enqueue(Scenario(text=LONG_TEXT, text_chunk_chars=400, chunk_delay_s=0.05))
    events, batches = drain(llm.stream(USER, v.Config(model="m")))
    assert batches > 1 and text_of(events).startswith("Sentence 1 of a long answer")
    assert sum(isinstance(e, v.Finish) for e in events) == 1 and isinstance(events[-1], v.Finish)


def test_system_prompt(llm, provider, fresh_emulator):
    messages = (v.Message(v.Role.SYSTEM, (v.Text("You are terse."),)),) + USER
    assert isinstance(llm.send(messages, v.Config(model="text")), v.CompleteResponse)
    sent = wire(provider, fresh_emulator)
    assert "You are terse." in sent.system_text and sent.roles == ["user"]


def test_multi_turn(llm, provider, fresh_emulator):
    messages = (v.Message(v.Role.USER, (v.Text("What is 2+2?"),)),
                v.Message(v.Role.ASSISTANT, (v.Text("4"),)),
                v.Message(v.Role.USER, (v.Text("And 3+3?"),)))
    assert isinstance(llm.send(messages, v.Config(model="text")), v.CompleteResponse)
    sent = wire(provider, fresh_emulator)
    assert sent.roles == ["user", "assistant", "user"]
    assert sent.texts() == ["What is 2+2?", "4", "And 3+3?"]


def test_stop_sequence(llm, provider, fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="one two STOP three", honor_limits=True))
    event = llm.send(USER, v.Config(model="m", stop_sequences=("STOP",)))
    assert isinstance(event, v.CompleteResponse), event
    assert text_parts(event) == "one two " and event.metadata.finish_reason is v.FinishReason.STOP
    assert wire(provider, fresh_emulator).stop == ["STOP"]


NINE_WORDS = "one two three four five six seven eight nine"


def test_max_tokens_cuts_the_answer_with_length(llm, provider, fresh_emulator):
    # The emulator honours the limit as a model does (a token is a word there): the limit,
    # not the scenario, decides the finish reason.
    fresh_emulator.enqueue(Scenario(text=NINE_WORDS, honor_limits=True))
    event = llm.send(USER, v.Config(model="m", max_tokens=4))
    assert isinstance(event, v.CompleteResponse), event
    assert text_parts(event) == "one two three four"
    assert event.metadata.finish_reason is v.FinishReason.LENGTH
    assert event.metadata.usage.output_tokens == 4
    assert wire(provider, fresh_emulator).max_tokens == 4


def test_max_tokens_above_the_answer_leaves_it_whole(llm, provider, fresh_emulator):
    fresh_emulator.enqueue(Scenario(text=NINE_WORDS, honor_limits=True))
    event = llm.send(USER, v.Config(model="m", max_tokens=50))
    assert isinstance(event, v.CompleteResponse), event
    assert text_parts(event) == NINE_WORDS
    assert event.metadata.finish_reason is v.FinishReason.STOP
    assert wire(provider, fresh_emulator).max_tokens == 50


def test_temperature(llm, provider, fresh_emulator):
    llm.send(USER, v.Config(model="text", temperature=0.25))
    assert wire(provider, fresh_emulator).temperature == pytest.approx(0.25)


def test_usage(llm, fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="counted", usage=(11, 7)))
    event = llm.send(USER, v.Config(model="m"))
    assert isinstance(event, v.CompleteResponse), event
    usage = event.metadata.usage
    assert (usage.input_tokens, usage.output_tokens) == (11, 7)
    assert usage.total_tokens == 18


# ---- tools --------------------------------------------------------------------------------

def test_single_tool_call(llm, provider, fresh_emulator):
    event = llm.send(USER, v.Config(model="tool-call", tools=(WEATHER,)))
    assert isinstance(event, v.ToolRequest), event
    (call,) = event.tool_calls
    assert (call.id, call.name) == (WEATHER_CALL.id, "get_weather")
    assert json.loads(call.arguments_json) == json.loads(WEATHER_CALL.arguments_json)
    assert wire(provider, fresh_emulator).tool_names == ["get_weather"]


def test_parallel_tool_calls(llm):
    events, _ = drain(llm.stream(USER, v.Config(model="parallel-tool-calls", tools=(WEATHER,))))
    calls = [c for e in events if isinstance(e, v.StreamDelta) for c in e.tool_calls or ()]
    assert [(c.id, c.name) for c in calls] == [(ADD_CALL.id, "add"), (MULTIPLY_CALL.id, "multiply")]
    assert [json.loads(c.arguments_json) for c in calls] == [{"a": 2, "b": 3}] * 2
    finish = events[-1]
    assert isinstance(finish, v.Finish) and finish.metadata.finish_reason is v.FinishReason.TOOL_CALLS


@pytest.mark.parametrize("choice,expected", [
    ("none", "none"), ("required", "required"), ("get_weather", "tool:get_weather"),
    ("auto", "auto")])
def test_tool_choice(llm, provider, fresh_emulator, choice, expected):
    llm.send(USER, v.Config(model="text", tools=(WEATHER,), tool_choice=choice))
    sent = wire(provider, fresh_emulator)
    if expected == "none" and sent.tool_choice is None:
        assert sent.tool_names == []  # a provider without a "none" choice drops the tools
    else:
        assert sent.tool_choice == expected


@pytest.mark.parametrize("outcome", ["success", "failure"])
def test_continue_with_a_tool_result(llm, provider, fresh_emulator, outcome):
    call = v.ToolCall(WEATHER_CALL.id, "get_weather", WEATHER_CALL.arguments_json)
    result = (v.ToolSuccess(call.id, call.name, '{"temperature": 21}', 12) if outcome == "success"
              else v.ToolFailure(call.id, call.name, "weather service unavailable", "E503"))
    event = llm.continue_(USER, [(call, result)], v.Config(model="text", tools=(WEATHER,)))
    assert isinstance(event, v.CompleteResponse), event
    sent = wire(provider, fresh_emulator)
    assert sent.echoed_tool_calls() == [(call.id, "get_weather")]
    (seen,) = sent.tool_results()
    assert seen.call_id == call.id
    if outcome == "success":
        assert json.loads(seen.content) == {"temperature": 21}
    else:
        assert "weather service unavailable" in seen.content and seen.is_error


# ---- images -------------------------------------------------------------------------------

def test_url_image(llm, provider, fresh_emulator):
    image = v.Image(v.ImageUrl("https://example.com/cat.png", v.ImageDetail.LOW))
    messages = (v.Message(v.Role.USER, (v.Text("What is this?"), image)),)
    assert isinstance(llm.send(messages, v.Config(model="text")), v.CompleteResponse)
    assert wire(provider, fresh_emulator).image_kinds() == ["url"]


def test_inline_image(llm, provider, fresh_emulator):
    image = v.Image(v.ImageSource(PNG, "image/png"))
    messages = (v.Message(v.Role.USER, (v.Text("What is this?"), image)),)
    assert isinstance(llm.send(messages, v.Config(model="text")), v.CompleteResponse)
    sent = wire(provider, fresh_emulator)
    assert sent.image_kinds() == ["inline"]
    assert base64.b64encode(PNG).decode() in json.dumps(sent.body)


# ---- errors -------------------------------------------------------------------------------

ERROR_CODES = {
    400: v.ErrorCode.INVALID_REQUEST, 401: v.ErrorCode.AUTHENTICATION_FAILED,
    402: v.ErrorCode.INVALID_REQUEST, 403: v.ErrorCode.AUTHENTICATION_FAILED,
    404: v.ErrorCode.INVALID_REQUEST, 413: v.ErrorCode.INVALID_REQUEST,
    # Request timeout and conflict are transient (the official SDKs retry them): the
    # request was fine, so not invalid-request.
    408: v.ErrorCode.INTERNAL_ERROR, 409: v.ErrorCode.INTERNAL_ERROR,
    429: v.ErrorCode.RATE_LIMIT_EXCEEDED, 500: v.ErrorCode.INTERNAL_ERROR,
    502: v.ErrorCode.INTERNAL_ERROR, 503: v.ErrorCode.INTERNAL_ERROR,
    529: v.ErrorCode.INTERNAL_ERROR,
}
# Where a provider documents a status differently (reference/providers.md): OpenRouter's 402
# is "no credits" (the same policy as an exhausted quota) and its 403 a moderation refusal
# when the error says so, as the emulator's does (a proxy's page is not: below).
PROVIDER_ERROR_CODES = {
    "openrouter": {402: v.ErrorCode.RATE_LIMIT_EXCEEDED, 403: v.ErrorCode.INVALID_REQUEST},
}


@pytest.mark.parametrize("status", sorted(ERROR_CODES))
def test_every_error_status(llm, provider, fresh_emulator, status):
    expected = PROVIDER_ERROR_CODES.get(provider, {}).get(status, ERROR_CODES[status])
    fresh_emulator.enqueue(Scenario(error_status=status), Scenario(error_status=status))
    # One attempt each (the call's own option), so each call meets its one scripted status.
    once = v.Config(model="m", provider_options=(v.Kv("golem_llm_max_retries", "0"),))
    event = llm.send(USER, once)
    assert isinstance(event, v.LlmError), event
    assert event.code is expected and str(status) in event.message
    assert event.provider_error_json
    assert "golem_llm" not in fresh_emulator.requests[0].body.decode()  # ours, not sent
    events, _ = drain(llm.stream(USER, once))
    assert len(events) == 1 and isinstance(events[0], v.LlmError)
    assert events[0].code is expected


def test_403_page_from_a_proxy_is_authentication_failed(llm, fresh_emulator):
    """A proxy's HTML 403 in front of any provider is a refused client, OpenRouter included."""
    page = "<html><head><title>403 Forbidden</title></head><body>nginx</body></html>"
    fresh_emulator.enqueue(Scenario(error_status=403, error_body=page))
    event = llm.send(USER, v.Config(model="m"))
    assert isinstance(event, v.LlmError) and event.code is v.ErrorCode.AUTHENTICATION_FAILED
    assert "moderation" not in event.message


def test_in_band_error_ends_the_stream_with_an_error(llm):
    events, _ = drain(llm.stream(USER, v.Config(model="in-band-error")))
    assert isinstance(events[-1], v.LlmError)
    assert not any(isinstance(e, v.Finish) for e in events)


@pytest.mark.parametrize("scenario", ["truncated", "truncated-abort", "truncated-tool-call"])
def test_truncated_stream_is_an_error(llm, scenario):
    events, _ = drain(llm.stream(USER, v.Config(model=scenario, tools=(WEATHER,))))
    assert isinstance(events[-1], v.LlmError)
    assert not any(isinstance(e, v.Finish) for e in events)
    assert not any(e.tool_calls for e in events if isinstance(e, v.StreamDelta))


def test_unknown_event_types_are_ignored(llm, fresh_emulator):
    fresh_emulator.enqueue(Scenario(text=TEXT, extra={"unknown_events": 2}))
    events, _ = drain(llm.stream(USER, v.Config(model="m")))
    assert text_of(events) == TEXT and isinstance(events[-1], v.Finish)


def test_missing_api_key_sends_nothing_and_names_the_variable(component, fresh_emulator):
    name, host = component
    env = PROVIDERS[name].emulator_env(fresh_emulator.origin, EMULATOR_KEY)
    del env[PROVIDERS[name].api_key_env]
    event = host.instantiate(env).send(USER, v.Config(model="text"))
    assert isinstance(event, v.LlmError) and event.code is v.ErrorCode.AUTHENTICATION_FAILED
    assert PROVIDERS[name].api_key_env in event.message
    assert fresh_emulator.request_count == 0
