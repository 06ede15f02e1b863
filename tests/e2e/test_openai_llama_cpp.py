"""The built OpenAI components, portable and durable, against a real model server:
llama-cpp-python's OpenAI-compatible server running SmolLM2-135M-Instruct on loopback
(`make e2e`).  What the emulator cannot show: a real server's validation, its reading of
request fields, and the shapes it really streams.

The model is tiny and answers greedily (temperature 0), so its answers are stable; the
assertions still check behaviour (a finish, its reason, counts, limits), not wording.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from durability import llm_codec
from normalizer import values as v
from runtime.golem import CrashPlan, GolemHost, InjectedCrash, open_oplog
from runtime.golem.oplog_entry import IMPORTED_FUNCTION_INVOKED
from runtime.host import ComponentHost
from tests.components.test_openai import drain
from tests.e2e.llama_server import MODEL_ALIAS
from tests.helpers import built, calls_of, text_of

pytestmark = pytest.mark.component

KEY = "sk-e2e-any-key"
# The model counts to ten in 51 tokens, one line per number: long enough to stream in many
# batches and to be cut by a token limit or a stop sequence.
COUNT = [v.Message(v.Role.USER, (v.Text("List the numbers from 1 to 10."),))]
WEATHER_QUESTION = [v.Message(v.Role.USER, (v.Text("What is the weather in Oslo?"),))]
WEATHER = v.ToolDefinition(
    name="get_weather", description="Weather for a city",
    parameters_schema=json.dumps({"type": "object", "properties": {
        "location": {"type": "string"}}, "required": ["location"]}))
#: Bounds an answer whose config sets no max-tokens (the server's own default is the
#: context); passed as a provider option, as a caller would for a server-specific field.
CAP = v.Kv("max_tokens", "64")


def config(**fields) -> v.Config:
    fields.setdefault("provider_options", (CAP,) if fields.get("max_tokens") is None else ())
    return v.Config(model=MODEL_ALIAS, temperature=0.0, **fields)


def component_env(proxy) -> dict[str, str]:
    return {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": proxy.base_url,
            # bounded waits in the component too: a silent server is an error, not a hang
            "GOLEM_LLM_CONNECT_TIMEOUT_MS": "5000",
            "GOLEM_LLM_FIRST_BYTE_TIMEOUT_MS": "120000",
            "GOLEM_LLM_BETWEEN_BYTES_TIMEOUT_MS": "60000"}


@pytest.fixture(scope="module", params=["portable", "durable"])
def host(request) -> ComponentHost:
    wasm = built("openai", request.param)
    return GolemHost(wasm) if request.param == "durable" else ComponentHost(wasm)


@pytest.fixture
def llm(host, traffic):
    return host.instantiate(component_env(traffic))


def finishes(events) -> list[v.Finish]:
    return [e for e in events if isinstance(e, v.Finish)]


def tokens(llama_server, text: str) -> int:
    """How many tokens the server's own tokenizer makes of `text`."""
    request = urllib.request.Request(
        llama_server.origin + "/extras/tokenize", data=json.dumps({"input": text}).encode(),
        headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return len(json.load(answer)["tokens"])


def streamed(llm, messages, cfg) -> list:
    with llm.stream(messages, cfg) as stream:
        events, _, _ = drain(stream, limit_s=180)
    return events


# ---- answers --------------------------------------------------------------------------------

def test_a_streamed_answer_arrives_in_pieces_and_ends_in_one_finish(llm, traffic):
    with llm.stream(COUNT, config()) as stream:
        events, batches, _ = drain(stream, limit_s=180)
    assert not [e for e in events if isinstance(e, v.LlmError)], events
    (finish,) = finishes(events)
    assert events[-1] is finish
    assert finish.metadata.finish_reason is v.FinishReason.STOP
    assert finish.metadata.provider_id and finish.metadata.provider_id.startswith("chatcmpl-")
    text = text_of(events)
    assert all(str(n) in text for n in range(1, 11)), text
    assert batches > 2, "a real server streams token by token"
    (exchange,) = traffic.exchanges
    assert exchange.json["stream"] is True and exchange.status == 200


def test_send_returns_the_whole_answer(llm, traffic):
    event = llm.send(COUNT, config())
    assert isinstance(event, v.CompleteResponse), event
    (part,) = event.content
    assert "10" in part.text and event.tool_calls == ()
    assert event.metadata.finish_reason is v.FinishReason.STOP
    assert event.id == event.metadata.provider_id
    assert json.loads(event.metadata.provider_metadata_json)["model"] == MODEL_ALIAS
    assert traffic.request_count == 1


def test_max_tokens_limits_the_answer(llm, llama_server):
    event = llm.send(COUNT, config(max_tokens=8))
    assert isinstance(event, v.CompleteResponse), event
    assert event.metadata.finish_reason is v.FinishReason.LENGTH
    assert 0 < tokens(llama_server, event.content[0].text) <= 8


def test_a_stop_sequence_ends_the_answer_before_it(llm):
    free = streamed(llm, COUNT, config())
    assert "5." in text_of(free), "the stop sequence must be in the uncut answer"
    events = streamed(llm, COUNT, config(stop_sequences=("5.",)))
    text = text_of(events)
    assert "5." not in text and "4." in text, text
    (finish,) = finishes(events)
    assert finish.metadata.finish_reason is v.FinishReason.STOP


# ---- tools ----------------------------------------------------------------------------------

def test_a_forced_tool_call_comes_back_once(llm, traffic):
    event = llm.send(WEATHER_QUESTION, config(tools=(WEATHER,), tool_choice="get_weather"))
    assert isinstance(event, v.ToolRequest), event
    (call,) = event.tool_calls
    assert call.name == "get_weather" and call.id
    assert isinstance(json.loads(call.arguments_json), dict)
    # the shape that makes it worth a test: both the legacy and the current field
    assert b'"function_call": {"name": "get_weather"' in traffic.exchanges[0].response_body


def test_a_forced_tool_call_streams_once(llm):
    events = streamed(llm, WEATHER_QUESTION, config(tools=(WEATHER,), tool_choice="get_weather"))
    assert [c.name for c in calls_of(events)] == ["get_weather"]
    (finish,) = finishes(events)
    assert finish.metadata.finish_reason is v.FinishReason.TOOL_CALLS


def test_continue_with_a_tool_result_gets_an_answer(llm, traffic):
    call = v.ToolCall("call_1", "get_weather", '{"location": "Oslo"}')
    result = v.ToolSuccess("call_1", "get_weather", '{"temperature_c": 19, "sky": "clear"}')
    event = llm.continue_(WEATHER_QUESTION, [(call, result)], config(tools=(WEATHER,)))
    assert isinstance(event, v.CompleteResponse), event
    assert event.content and event.content[0].text.strip()
    assert traffic.exchanges[0].status == 200


# ---- the wire -------------------------------------------------------------------------------

def test_requests_carry_a_content_length_and_a_user_agent(llm, traffic):
    assert isinstance(llm.send(COUNT, config(max_tokens=4)), v.CompleteResponse)
    (exchange,) = traffic.exchanges
    assert "transfer-encoding" not in exchange.headers
    assert int(exchange.headers["content-length"]) == len(exchange.body)
    agent = exchange.headers.get("user-agent", "")
    assert "golem-llm-py/" in agent and "openai" in agent, agent


# ---- durability -------------------------------------------------------------------------------

def test_a_crash_mid_stream_resumes_with_one_continuation_request(llama_server, traffic, tmp_path):
    """The worker dies at its sixth get-next (the server streams a token or so per batch);
    a fresh worker on the same oplog replays the five recorded batches and sends one request
    that carries them.  A 135M model follows the continuation prompt loosely, so what it
    adds is checked for being there, not for sense."""
    host = GolemHost(built("openai", "durable"))
    oplog = tmp_path / "crash.oplog"
    # One get-next per token or so: without the batch window (200 ms by default), a 135M
    # model's whole answer fits in two or three windowed batches, before the sixth get-next.
    env = {**component_env(traffic), "GOLEM_LLM_STREAM_BATCH_WINDOW_MS": "0"}
    with pytest.raises(InjectedCrash):
        with host.worker(oplog, env,
                         crash=CrashPlan.at_persist(6, "golem_llm::get_next")) as worker:
            with worker.stream(COUNT, config()) as stream:
                drain(stream, limit_s=180)
    recorded = [llm_codec.decode_get_next_response(e.response)
                for e in open_oplog(oplog).entries()
                if e.kind == IMPORTED_FUNCTION_INVOKED and e.function_name == "golem_llm::get_next"]
    before = [event for batch in recorded for event in batch or ()]
    assert not finishes(before), "the crash should come before the answer ends"
    prefix = text_of(before)
    assert prefix.strip(), "two batches should have brought some text"

    traffic.wait_settled()
    traffic.clear()
    with host.worker(oplog, env) as again:
        with again.stream(COUNT, config()) as stream:
            events, _, _ = drain(stream, limit_s=180)
    assert not [e for e in events if isinstance(e, v.LlmError)], events
    (finish,) = finishes(events)
    assert events[-1] is finish
    assert text_of(events).startswith(prefix) and len(text_of(events)) > len(prefix)
    (continuation,) = traffic.exchanges
    assert continuation.status == 200
    assert json.dumps(prefix.rstrip())[1:-1] in continuation.body.decode()
