"""What crosses the component boundary, through every provider's built component (durable and
portable) in wasmtime against the emulator:

- every string is valid Unicode: a lone surrogate from the provider's JSON (`"\\ud800Olá!"`)
  in the text, a tool call, an error or the metadata arrives as U+FFFD, where it used to
  trap the instance (`normalizer/strings.py`);
- JSON nested far beyond the depth bound (`normalizer/json_depth.py`), from the caller
  (parameters-schema, a provider option) or from the provider (streamed tool arguments, a
  stream chunk, a whole body), is an error value, where it used to exhaust the stack;
- the API key, sent back by the server in every place a server can put it (verbatim,
  JSON-escaped, percent-encoded, cut off in a quoted chunk), never comes out, nor reaches
  the oplog (`providers/common/secrets.py`);
- the durable flavour persists exactly what it returns, so a fresh worker replays all of it
  with no request.
"""

from __future__ import annotations

import json
import time

import pytest

from durability import llm_codec
from normalizer import values as v
from normalizer.json_depth import MAX_DEPTH
from providers import PROVIDERS
from providers.common.secrets import PREFIX_CHARS
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.golem import GolemHost, open_oplog
from runtime.host import ComponentHost
from tests.helpers import (
    EMULATOR_KEY,
    built,
    calls_of,
    only_error,
    only_finish,
    text_of,
    without_request_id,
)

pytestmark = pytest.mark.component

ALL = [(p, f) for p in PROVIDERS for f in ("durable", "portable")]
USER = (v.Message(v.Role.USER, (v.Text("Hello there"),)),)

LONE = "\ud800Olá!"  # the provider's JSON says "\ud800Olá!": a lone surrogate escape
CLEAN = "\ufffdOlá!"

#: Far beyond the bound (128) and beyond the ~900 levels that exhausted the stack.
DEEP = 20_000

KEY = EMULATOR_KEY
KEY_ESCAPED = "".join(f"\\u{ord(c):04x}" for c in KEY)
KEY_PERCENT = "".join(f"%{ord(c):02X}" for c in KEY)


def env_for(name: str, emulator) -> dict[str, str]:
    """The provider's emulator environment, with retries and resumes off, so that each
    scripted answer (an error included) is the one the caller gets."""
    return {**PROVIDERS[name].emulator_env(emulator.origin, KEY),
            "GOLEM_LLM_MAX_RETRIES": "0", "GOLEM_LLM_MAX_RESUMES": "0"}


def deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def deep_array(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture(scope="module", params=ALL, ids=[f"{p}-{f}" for p, f in ALL])
def component(request):
    provider, flavour = request.param
    wasm = built(provider, flavour)
    return provider, GolemHost(wasm) if flavour == "durable" else ComponentHost(wasm)


@pytest.fixture(scope="module", params=list(PROVIDERS))
def golem(request):
    """A provider's durable component, to run as emulated Golem workers with oplog files."""
    return request.param, GolemHost(built(request.param, "durable"))


@pytest.fixture
def provider(component) -> str:
    return component[0]


@pytest.fixture
def llm(component, fresh_emulator):
    name, host = component
    return host.instantiate(env_for(name, fresh_emulator))


def drain(stream, block: bool = True, limit_s: float = 30.0) -> list:
    events = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        batch = stream.blocking_get_next() if block else stream.get_next()
        if batch is None:
            time.sleep(0.002)
            continue
        if not batch:
            stream.drop()
            return events
        events += batch
    raise AssertionError("stream did not end")


def strings_in(value) -> list[str]:
    """Every string inside a golem:llm value (the host hands them back as dataclasses)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in strings_in(item)]
    if hasattr(value, "__dataclass_fields__"):
        return [s for name in value.__dataclass_fields__ for s in strings_in(getattr(value, name))]
    return []


def text_parts(event: v.CompleteResponse) -> str:
    return "".join(p.text for p in event.content if isinstance(p, v.Text))


# ---- valid Unicode --------------------------------------------------------------------------

def test_lone_surrogate_in_the_text_arrives_as_the_replacement_character(llm, fresh_emulator):
    fresh_emulator.enqueue(*[Scenario(text=LONE)] * 3)
    sent = llm.send(USER, v.Config(model="m"))
    assert isinstance(sent, v.CompleteResponse) and text_parts(sent) == CLEAN
    blocking = drain(llm.stream(USER, v.Config(model="m")))
    assert text_of(blocking) == CLEAN and only_finish(blocking)
    polled = drain(llm.stream(USER, v.Config(model="m")), block=False)
    assert text_of(polled) == CLEAN and only_finish(polled)


def test_lone_surrogates_in_a_tool_call_name_and_arguments(llm, fresh_emulator):
    call = ScriptedToolCall("call_surrogate1", "look\udfffup", '{"q": "\ud800?"}')
    fresh_emulator.enqueue(*[Scenario(tool_calls=(call,))] * 2)
    sent = llm.send(USER, v.Config(model="m"))
    assert isinstance(sent, v.ToolRequest)
    streamed = drain(llm.stream(USER, v.Config(model="m")))
    only_finish(streamed)
    for (got,) in (sent.tool_calls, calls_of(streamed)):
        assert got.name == "look\ufffdup"
        assert json.loads(got.arguments_json) == {"q": "\ufffd?"}


def test_lone_surrogate_in_an_error_message(llm, fresh_emulator):
    fresh_emulator.enqueue(Scenario(error_status=400, error_message="bad \ud800 input"),
                           Scenario(text="partial", in_band_error=True,
                                    error_message="broke \udc00 here"))
    sent = llm.send(USER, v.Config(model="m"))
    assert isinstance(sent, v.LlmError) and sent.code is v.ErrorCode.INVALID_REQUEST
    assert "bad \ufffd input" in sent.message
    json.loads(sent.provider_error_json)
    error = only_error(drain(llm.stream(USER, v.Config(model="m"))))
    assert "broke \ufffd here" in error.message
    if error.provider_error_json is not None:
        json.loads(error.provider_error_json)


def test_lone_surrogate_in_the_metadata(llm, fresh_emulator):
    fresh_emulator.enqueue(*[Scenario(text="fine", response_model="model-\ud800")] * 2)
    sent = llm.send(USER, v.Config(model="m"))
    assert isinstance(sent, v.CompleteResponse)
    finish = only_finish(drain(llm.stream(USER, v.Config(model="m"))))
    for meta in (sent.metadata, finish.metadata):
        assert json.loads(meta.provider_metadata_json)["model"] == "model-\ufffd"


# ---- the JSON depth bound ---------------------------------------------------------------------

def test_parameters_schema_nested_far_beyond_the_bound_is_an_invalid_request(
        llm, fresh_emulator):
    schema = '{"type": "object", "properties": ' + deep_object(DEEP) + "}"
    config = v.Config(model="m", tools=(v.ToolDefinition("deep_tool", schema),))
    sent = llm.send(USER, config)
    assert isinstance(sent, v.LlmError) and sent.code is v.ErrorCode.INVALID_REQUEST
    assert "deep_tool" in sent.message and str(MAX_DEPTH) in sent.message
    assert drain(llm.stream(USER, config)) == [sent]
    assert fresh_emulator.request_count == 0
    assert isinstance(llm.send(USER, v.Config(model="text")), v.CompleteResponse)


def test_json_at_the_bound_is_parsed_and_sent(llm, fresh_emulator):
    """The bound leaves the component's stack room: a schema and an option nested exactly
    `MAX_DEPTH` deep are parsed, re-encoded into the request and sent."""
    schema = '{"type": "object", "properties": {"p": ' + deep_object(MAX_DEPTH - 2) + "}}"
    option = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    config = v.Config(model="text", tools=(v.ToolDefinition("t", schema),),
                      provider_options=(v.Kv("x_deep", option),))
    assert isinstance(llm.send(USER, config), v.CompleteResponse)
    assert fresh_emulator.requests[0].json["x_deep"] == json.loads(option)


def test_provider_option_nested_far_beyond_the_bound_is_an_invalid_request(llm, fresh_emulator):
    config = v.Config(model="m", provider_options=(v.Kv("deep_option", deep_array(DEEP)),))
    sent = llm.send(USER, config)
    assert isinstance(sent, v.LlmError) and sent.code is v.ErrorCode.INVALID_REQUEST
    assert "deep_option" in sent.message and str(MAX_DEPTH) in sent.message
    assert drain(llm.stream(USER, config)) == [sent]
    assert fresh_emulator.request_count == 0
    assert isinstance(llm.send(USER, v.Config(model="text")), v.CompleteResponse)


def test_streamed_tool_arguments_nested_far_beyond_the_bound(llm, provider, fresh_emulator):
    """Anthropic's arguments are parsed (a block's input must be JSON): too deep ends the
    stream in an error.  Chat Completions hands arguments on as the text they are, unparsed,
    so they arrive whole."""
    arguments = deep_object(DEEP)
    call = ScriptedToolCall("call_deep1", "deep_call", arguments)
    fresh_emulator.enqueue(Scenario(tool_calls=(call,), args_chunk_chars=len(arguments) // 2 + 1))
    events = drain(llm.stream(USER, v.Config(model="m")))
    if PROVIDERS[provider].dialect == "anthropic_messages":
        error = only_error(events)
        assert "deep_call" in error.message and str(MAX_DEPTH) in error.message
        assert calls_of(events) == []
    else:
        only_finish(events)
        assert [c.arguments_json for c in calls_of(events)] == [arguments]
    assert isinstance(llm.send(USER, v.Config(model="text")), v.CompleteResponse)


@pytest.mark.parametrize("where, scenario", [
    ("an error body", Scenario(error_status=400, error_body=deep_array(DEEP),
                               error_content_type="application/json")),
    ("a whole answer", Scenario(error_status=200, error_body=deep_array(DEEP),
                                error_content_type="application/json")),
    ("a stream chunk", Scenario(error_status=200, error_body=f"data: {deep_array(DEEP)}\n\n",
                                error_content_type="text/event-stream")),
], ids=["error-body", "json-answer", "stream-chunk"])
def test_provider_json_nested_far_beyond_the_bound_is_an_error(llm, fresh_emulator, where,
                                                               scenario):
    fresh_emulator.enqueue(scenario, scenario)
    sent = llm.send(USER, v.Config(model="m"))
    assert isinstance(sent, v.LlmError), where
    if scenario.error_status == 400:  # unreadable as JSON: the status still decides
        assert sent.code is v.ErrorCode.INVALID_REQUEST
    else:
        assert sent.code is v.ErrorCode.INTERNAL_ERROR and str(MAX_DEPTH) in sent.message
    # the same error, but for the request id each HTTP request has of its own
    streamed = drain(llm.stream(USER, v.Config(model="m")))
    assert [without_request_id(e) for e in streamed] == [without_request_id(sent)]


# ---- the API key --------------------------------------------------------------------------

def _cut_chunk() -> str:
    """A malformed chunk whose quoted start (200 characters) ends inside the key."""
    head = '{"pad": "' + "x" * 167 + '", "k": "'
    assert PREFIX_CHARS <= 200 - len(head) < len(KEY)
    return f"data: {head}{KEY}\n\n"


ECHOES = {
    "http-error-message": Scenario(error_status=401,
                                   error_message=f"Incorrect API key provided: {KEY}"),
    "http-error-json-escaped": Scenario(
        error_status=400, error_content_type="application/json",
        error_body='{"error": {"message": "key ' + KEY_ESCAPED + ' rejected", "type": "x"}}'),
    "http-error-percent-encoded": Scenario(
        error_status=403, error_body=f"<html><title>Forbidden</title>GET /v1?key={KEY_PERCENT}"),
    "in-band-error": Scenario(text="partial", in_band_error=True,
                              error_message=f"upstream saw the key {KEY}"),
    "malformed-chunk": Scenario(error_status=200, error_content_type="text/event-stream",
                                error_body=f'data: {{"oops": "{KEY}"\n\n'),
    "malformed-chunk-cut": Scenario(error_status=200, error_content_type="text/event-stream",
                                    error_body=_cut_chunk()),
    "metadata": Scenario(text="fine", response_model=f"model-{KEY}"),
    # In one text delta: a stream is scrubbed batch by batch, and a key split between two
    # get-next batches is not recognised (README); `send` scrubs the whole answer (below).
    "answer": Scenario(text=f"Your key is {KEY}.", text_chunk_chars=200, tool_calls=(
        ScriptedToolCall(f"call_{KEY}", f"tool_{KEY}", json.dumps({"key": KEY})),)),
}


def leaks(strings: list[str]) -> list[str]:
    """The strings holding the key, whole or its first `PREFIX_CHARS` characters, in any of
    the forms the emulator sent it."""
    forms = (KEY[:PREFIX_CHARS], KEY_ESCAPED[:6 * PREFIX_CHARS], KEY_PERCENT[:3 * PREFIX_CHARS])
    return [s for s in strings if any(form in s for form in forms)]


@pytest.mark.parametrize("where", sorted(ECHOES))
def test_the_key_sent_back_anywhere_never_comes_out(llm, fresh_emulator, where):
    fresh_emulator.enqueue(ECHOES[where], ECHOES[where])
    sent = llm.send(USER, v.Config(model="m"))
    streamed = drain(llm.stream(USER, v.Config(model="m")))
    out = strings_in(sent) + strings_in(streamed)
    assert leaks(out) == []
    assert any("[redacted]" in s for s in out), out
    for s in out:  # JSON stays JSON
        if s.startswith("{"):
            json.loads(s)


def test_a_key_split_across_text_deltas_is_scrubbed_from_the_whole_answer(llm, fresh_emulator):
    fresh_emulator.enqueue(Scenario(text=f"Your key is {KEY}, as you asked.", text_chunk_chars=5))
    sent = llm.send(USER, v.Config(model="m"))
    assert text_parts(sent) == "Your key is [redacted], as you asked."


def test_a_key_streamed_across_batches_is_scrubbed_whole(component, fresh_emulator, tmp_path):
    """Paced, so the key comes in pieces over several `get-next`s (the durable batch window
    off, so each piece is its own batch and oplog entry): the caller and the oplog see
    "[redacted]", never the pieces (durability/held_back.py)."""
    name, host = component
    env = {**env_for(name, fresh_emulator), "GOLEM_LLM_STREAM_BATCH_WINDOW_MS": "0"}
    fresh_emulator.enqueue(Scenario(text=f"Your key is {KEY}, as you asked.",
                                    text_chunk_chars=5, chunk_delay_s=0.02))
    oplog = tmp_path / "split.oplog"
    llm = host.worker(oplog, env) if isinstance(host, GolemHost) else host.instantiate(env)
    stream = llm.stream(USER, v.Config(model="m"))
    batches = []
    while batch := stream.blocking_get_next():
        batches.append(batch)
    assert len(batches) > 3, "the answer should come in several batches"
    assert text_of([e for b in batches for e in b]) == "Your key is [redacted], as you asked."
    if isinstance(host, GolemHost):
        llm.close()
        recorded = [llm_codec.decode_get_next_response(e.response)
                    for e in open_oplog(oplog).entries()
                    if e.function_name == "golem_llm::get_next"]
        assert text_of([e for b in recorded for e in b or ()]) == text_of(
            [e for b in batches for e in b])


def test_the_key_sent_back_anywhere_never_reaches_the_oplog(golem, fresh_emulator, tmp_path):
    name, host = golem
    oplog = tmp_path / "echo.oplog"
    for scenario in ECHOES.values():
        fresh_emulator.enqueue(scenario, scenario)
    with host.worker(oplog, env_for(name, fresh_emulator)) as worker:
        for _ in ECHOES:
            worker.send(USER, v.Config(model="m"))
            drain(worker.stream(USER, v.Config(model="m")))
    assert fresh_emulator.request_count == 2 * len(ECHOES)
    raw = oplog.read_bytes().decode("utf-8", "replace")
    assert leaks([raw]) == []
    assert leaks([repr(entry) for entry in open_oplog(oplog).entries()]) == []


# ---- what the durable flavour persists ----------------------------------------------------

def test_durable_persists_what_it_returns_and_a_fresh_worker_replays_it_with_no_request(
        golem, fresh_emulator, tmp_path):
    name, host = golem
    oplog = tmp_path / "boundary.oplog"
    env = env_for(name, fresh_emulator)
    deep_schema = v.ToolDefinition("deep_tool", deep_object(DEEP))
    surrogate_call = ScriptedToolCall("call_s2", "look\udfffup", '{"q": "\ud800?"}')
    deep_call = ScriptedToolCall("call_deep2", "deep_call", deep_array(DEEP))

    def script(worker):
        return (
            worker.send(USER, v.Config(model="m")),
            drain(worker.stream(USER, v.Config(model="m"))),
            worker.send(USER, v.Config(model="m")),
            drain(worker.stream(USER, v.Config(model="m"))),
            worker.send(USER, v.Config(model="m", tools=(deep_schema,))),
            drain(worker.stream(USER, v.Config(model="m"))),
        )

    fresh_emulator.enqueue(
        Scenario(text=LONE, response_model="model-\ud800"),
        Scenario(tool_calls=(surrogate_call,)),
        ECHOES["http-error-json-escaped"],
        ECHOES["in-band-error"],
        Scenario(tool_calls=(deep_call,), args_chunk_chars=DEEP + 1),
    )
    with host.worker(oplog, env) as live:
        recorded = script(live)
    assert fresh_emulator.request_count == 5  # the deep schema was refused before sending
    assert text_parts(recorded[0]) == CLEAN
    assert calls_of(recorded[1])[0].name == "look\ufffdup"
    assert leaks(strings_in(recorded)) == []

    fresh_emulator.clear()
    with host.worker(oplog, env) as replay:
        assert not replay.live
        assert script(replay) == recorded
        assert replay.live
    assert fresh_emulator.request_count == 0
