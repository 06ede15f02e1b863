"""Every provider's durable component as an emulated Golem 1.2 worker (runtime/golem):
replay without HTTP, a crash at every get-next boundary resumed with exactly one
continuation request, the oplog's shape and payloads, and no API key in the oplog."""

from __future__ import annotations

import json

import pytest

from durability import legacy_schema as old
from durability import llm_codec
from durability.codec import encode
from durability.wit_schema import type_nodes
from normalizer import values as v
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.golem import CrashPlan, GolemHost, InjectedCrash, open_oplog
from runtime.golem.oplog import Oplog
from runtime.golem.oplog_entry import CHANGE_PERSISTENCE_LEVEL, IMPORTED_FUNCTION_INVOKED
from providers import PROVIDERS
from tests.helpers import EMULATOR_KEY, built, text_of

pytestmark = pytest.mark.component

PROVIDER_NAMES = tuple(PROVIDERS)
USER = (v.Message(v.Role.USER, (v.Text("Tell me about durable workers"),)),)
ANSWER = ("Durable workers keep an oplog of every side effect, so after a crash they replay "
          "it and carry on where they stopped.")
CONTINUATION = "CONTINUED: and nothing is lost."
WEATHER = v.ToolDefinition("get_weather", json.dumps({"type": "object", "properties": {
    "location": {"type": "string"}}}), "Weather for a city")


@pytest.fixture(scope="module", params=PROVIDER_NAMES)
def golem(request):
    return request.param, GolemHost(built(request.param, "durable"))


def env_for(provider, emulator, window_ms=0):
    """The worker's environment.  `window_ms` is the batch window (durability/
    batch_window.py); 0 by default here, so each paced event is its own get-next and every
    boundary between events is a crash point (the window has its own tests below)."""
    return {**PROVIDERS[provider].emulator_env(emulator.origin, EMULATOR_KEY),
            "GOLEM_LLM_STREAM_BATCH_WINDOW_MS": str(window_ms)}


def answer_scenario(**kw) -> Scenario:
    """A multi-batch stream: small deltas, each event paced so it is its own batch."""
    return Scenario(text=ANSWER, text_chunk_chars=16, chunk_delay_s=0.04, usage=(12, 20), **kw)


def drain(stream) -> tuple[list, int]:
    events, calls = [], 0
    while True:
        batch = stream.blocking_get_next()
        calls += 1
        if not batch:
            return events, calls
        events += batch


def invocations(entries):
    """The golem:llm calls' entries (the WASI calls Golem records are entries too)."""
    return [e for e in entries if e.kind == IMPORTED_FUNCTION_INVOKED
            and e.function_name.startswith("golem_llm::")]


# ---- replay -------------------------------------------------------------------------------

_CALL = v.ToolCall("call_1", "get_weather", '{"location": "Oslo"}')
_RESULT = v.ToolSuccess("call_1", "get_weather", '{"temp": 3}')
_TOOLS_CONFIG = v.Config(model="m", tools=(WEATHER,))


def _script(worker):
    """One of each durable call: send, continue with a tool result, a stream drained."""
    sent = worker.send(USER, _TOOLS_CONFIG)
    continued = worker.continue_(USER, [(_CALL, _RESULT)], _TOOLS_CONFIG)
    with worker.stream(USER, _TOOLS_CONFIG) as stream:
        events, _ = drain(stream)
    return sent, continued, events


def _record_script(host, provider, emulator, oplog):
    """`_script` run live by a worker on `oplog`; what it returned."""
    emulator.enqueue(Scenario(text="first"), Scenario(text="second"), answer_scenario())
    with host.worker(oplog, env_for(provider, emulator)) as live:
        return _script(live)

def test_send_continue_and_stream_replay_identically_with_no_requests(golem, fresh_emulator, tmp_path):
    provider, host = golem
    oplog = tmp_path / "worker.oplog"
    recorded = _record_script(host, provider, fresh_emulator, oplog)
    assert fresh_emulator.request_count == 3
    assert text_of(recorded[2]) == ANSWER

    fresh_emulator.clear()
    with host.worker(oplog, env_for(provider, fresh_emulator)) as replay:
        assert not replay.live
        assert _script(replay) == recorded
        assert replay.live
    assert fresh_emulator.request_count == 0


def _in_shape(entry, shape):
    """`entry`'s request and response as golem-llm `shape` wrote them ("v0.2", what we
    write; "v0.1"; "bare", our first release), from the types verified at golem-llm's tags
    (durability/legacy_schema.py)."""
    interface, _, name = (entry.function_name or "").partition("::")
    request, response = entry.request, entry.response
    if shape == "v0.2" or entry.kind != IMPORTED_FUNCTION_INVOKED or interface != "golem_llm":
        return request, response  # not a golem:llm call (a WASI call Golem records, say)

    def stored(value, t):
        return encode(value, t), type_nodes(t)

    if name == "get_next":
        batch = llm_codec.decode_get_next_response(response)
        if shape == "bare":
            return request, stored(batch, old.GET_NEXT_RESPONSE_BARE)
        return (stored(("no-input", None), old.NO_INPUT_V01),
                stored(("ok", batch), old.GET_NEXT_RESPONSE_V01))
    if name == "stream":
        if shape == "bare":
            return request, stored((), old.STREAM_RESPONSE_BARE)
        return (stored(llm_codec.decode_stream_request(request), old.STREAM_REQUEST_V01),
                stored(("ok", ("no-output", None)), old.STREAM_RESPONSE_V01))
    event = llm_codec.decode_chat_event(response)
    if shape == "bare":
        return request, stored(event, old.SEND_RESPONSE_BARE)
    if name == "send":
        new_request = stored(llm_codec.decode_send_request(request), old.SEND_REQUEST_V01)
    else:
        new_request = stored(llm_codec.decode_continue_request(request),
                             old.CONTINUE_REQUEST_V01)
    return new_request, stored(("ok", event), old.SEND_RESPONSE_V01)


def _rewrite(source, target, shape) -> None:
    """Copy oplog `source` to `target`, every golem-llm payload in `shape`."""
    with Oplog(target) as out:
        for entry in open_oplog(source).entries():
            request, response = _in_shape(entry, shape)
            out.append(entry.kind, function_name=entry.function_name,
                       function_type=entry.function_type,
                       persistence_level=entry.persistence_level,
                       begin_index=entry.begin_index, request=request, response=response,
                       detail=entry.detail, timestamp_ns=entry.timestamp_ns)
        out.commit()


def test_an_oplog_in_each_golem_llm_shape_replays_with_no_requests(golem, fresh_emulator, tmp_path):
    """A worker moved to our component by a component update, from golem-llm v0.2.x (what
    we write), golem-llm v0.1.x or our first release, replays its oplog: the same answers,
    no request to the provider."""
    provider, host = golem
    oplog = tmp_path / "written.oplog"
    recorded = _record_script(host, provider, fresh_emulator, oplog)
    written = invocations(open_oplog(oplog).entries())
    assert {llm_codec.shape_of(e.response, shapes).name for e, shapes in zip(
        written, [llm_codec.CHAT_EVENT_SHAPES] * 2 + [llm_codec.STREAM_RESPONSE_SHAPES]
        + [llm_codec.GET_NEXT_RESPONSE_SHAPES] * (len(written) - 3))} == {"golem-llm v0.2"}

    for shape in ("v0.2", "v0.1", "bare"):
        moved = tmp_path / f"{shape}.oplog"
        _rewrite(oplog, moved, shape)
        if shape != "v0.2":
            assert [e.response for e in invocations(open_oplog(moved).entries())] != \
                [e.response for e in written]
        fresh_emulator.clear()
        with host.worker(moved, env_for(provider, fresh_emulator)) as replay:
            assert not replay.live
            assert _script(replay) == recorded, shape
            assert replay.live
        assert fresh_emulator.request_count == 0, shape


# ---- crash and resume ---------------------------------------------------------------------

def _uninterrupted(provider, host, emulator, tmp_path) -> int:
    emulator.enqueue(answer_scenario())
    with host.worker(tmp_path / "full.oplog", env_for(provider, emulator)) as worker:
        with worker.stream(USER, v.Config(model="m")) as stream:
            events, calls = drain(stream)
    assert text_of(events) == ANSWER
    return calls


@pytest.mark.parametrize("kind, when", [("crash", "before"), ("crash", "after-commit"),
                                        ("trap", "before"), ("trap", "after")])
def test_crash_at_every_get_next_boundary_resumes_with_one_continuation(
        golem, fresh_emulator, tmp_path, kind, when):
    """Crash mode: the executor process dies, the buffer is lost.  Trap mode: the buffer
    is committed with an `error` entry and Golem retries the worker, which the test drives
    by opening a new worker on the oplog and re-running the script."""
    provider, host = golem
    calls = _uninterrupted(provider, host, fresh_emulator, tmp_path)
    assert calls >= 5, "the answer should take several batches"
    exercised = 0
    for k in range(1, calls + 1):
        oplog = tmp_path / f"{kind}-{when}-{k}.oplog"
        fresh_emulator.clear_queue()
        fresh_emulator.enqueue(answer_scenario())
        try:
            with host.worker(oplog, env_for(provider, fresh_emulator),
                             crash=CrashPlan.at_persist(k, "golem_llm::get_next", when=when,
                                                        kind=kind)) as w:
                with w.stream(USER, v.Config(model="m")) as stream:
                    drain(stream)
            continue  # batching is timing-dependent: this run took fewer than k get-nexts
        except InjectedCrash:
            exercised += 1
        assert (open_oplog(oplog).entries()[-1].kind == "error") == (kind == "trap")
        recorded = [llm_codec.decode_get_next_response(e.response)
                    for e in invocations(open_oplog(oplog).entries())[1:]]
        prefix = text_of([ev for batch in recorded for ev in batch or ()])
        finished = any(isinstance(ev, v.Finish) for batch in recorded for ev in batch or ())
        assert ANSWER.startswith(prefix)

        fresh_emulator.clear()
        fresh_emulator.clear_queue()
        fresh_emulator.enqueue(Scenario(text=CONTINUATION, usage=(30, 8)))
        with host.worker(oplog, env_for(provider, fresh_emulator)) as again:
            with again.stream(USER, v.Config(model="m")) as stream:
                events, _ = drain(stream)
        finishes = [e for e in events if isinstance(e, v.Finish)]
        assert len(finishes) == 1, (k, events)
        assert not any(isinstance(e, v.LlmError) for e in events), (k, events)
        if finished:
            assert text_of(events) == ANSWER and fresh_emulator.request_count == 0
            continue
        assert fresh_emulator.request_count == 1, k
        assert text_of(events) == prefix + CONTINUATION, k
        body = fresh_emulator.requests[0].body.decode()
        if prefix.strip():
            assert json.dumps(prefix.rstrip())[1:-1] in body, (k, body)
            # Anthropic continues the partial text as a trailing assistant message (prefill);
            # the others get it in a continuation prompt that ends with our instruction.
            last = json.loads(body)["messages"][-1]
            assert last["role"] == ("assistant" if provider == "anthropic" else "user"), k
    assert exercised >= 3, (exercised, calls)  # batching depends on timing; most points hit


def test_a_partial_tool_call_answer_resumes_with_the_calls_in_the_prompt(golem, fresh_emulator, tmp_path):
    """A crash after the tool calls arrived but before the finish: the continuation prompt
    carries the calls, and the caller gets the recorded calls, then the new ones, then one
    finish."""
    provider, host = golem
    scenario = Scenario(text="Checking two cities.", tool_calls=(
        ScriptedToolCall("call_w1", "get_weather", '{"location": "Rome"}'),
        ScriptedToolCall("call_w2", "get_weather", '{"location": "Paris"}')),
        chunk_delay_s=0.05, text_chunk_chars=8, args_chunk_chars=4)
    config = v.Config(model="m", tools=(WEATHER,))
    crashed = tmp_path / "tools-crash.oplog"
    fresh_emulator.enqueue(scenario)
    # The crash point is found in the crashed run itself (how the bytes fall into batches
    # depends on timing, so another run's batches would not say where this one's are): read
    # until a batch brings tool calls, then crash at the next get-next's persist.
    recorded: list[str] = []
    with pytest.raises(InjectedCrash):
        with host.worker(crashed, env_for(provider, fresh_emulator)) as w:
            with w.stream(USER, config) as stream:
                while not recorded:
                    batch = stream.blocking_get_next()
                    assert batch, "the stream ended without tool calls"
                    recorded = [c.id for ev in batch if isinstance(ev, v.StreamDelta)
                                for c in ev.tool_calls or ()]
                if any(isinstance(ev, v.Finish) for ev in batch):
                    pytest.skip("the calls and the finish arrived in one batch: "
                                "no point between them")
                w.arm(CrashPlan.at_persist(1))
                drain(stream)
    fresh_emulator.clear()
    fresh_emulator.enqueue(Scenario(tool_calls=(
        ScriptedToolCall("call_w3", "get_weather", '{"location": "Berlin"}'),)))
    with host.worker(crashed, env_for(provider, fresh_emulator)) as again:
        with again.stream(USER, config) as stream:
            events, _ = drain(stream)
    got = [c.id for e in events if isinstance(e, v.StreamDelta) for c in e.tool_calls or ()]
    assert got == recorded + ["call_w3"]
    assert sum(isinstance(e, v.Finish) for e in events) == 1
    assert fresh_emulator.request_count == 1
    body = fresh_emulator.requests[0].body.decode()
    assert all(call_id in body for call_id in recorded)


# ---- the batch window ---------------------------------------------------------------------

def test_the_default_batch_window_writes_fewer_entries_replays_and_resumes(
        golem, fresh_emulator, tmp_path):
    """With the default window (no variable set), a blocking-get-next loop over a paced
    answer gets batches of several deltas; the oplog replays with no request, and a crash
    between two windowed batches resumes with one continuation.  (That the stream's first
    events are never held is a property of the window's clock calls: test_batch_window.py.)"""
    provider, host = golem
    env = PROVIDERS[provider].emulator_env(fresh_emulator.origin, EMULATOR_KEY)
    answer = ANSWER * 3
    scenario = Scenario(text=answer, text_chunk_chars=4, chunk_delay_s=0.02, usage=(12, 20))
    deltas = -(-len(answer) // 4)
    oplog = tmp_path / "window.oplog"
    fresh_emulator.enqueue(scenario)
    with host.worker(oplog, env) as live:
        with live.stream(USER, v.Config(model="m")) as stream:
            events, _ = drain(stream)
    assert text_of(events) == answer
    gets = [e for e in invocations(open_oplog(oplog).entries())
            if e.function_name == "golem_llm::get_next"]
    assert len(gets) < deltas / 3, (len(gets), deltas)

    fresh_emulator.clear()
    with host.worker(oplog, env) as replay:
        with replay.stream(USER, v.Config(model="m")) as stream:
            assert drain(stream)[0] == events
    assert fresh_emulator.request_count == 0

    crashed = tmp_path / "window-crash.oplog"
    fresh_emulator.enqueue(scenario)
    with pytest.raises(InjectedCrash):
        with host.worker(crashed, env, crash=CrashPlan.at_persist(
                3, "golem_llm::get_next", when="before")) as w:
            with w.stream(USER, v.Config(model="m")) as stream:
                drain(stream)
    recorded = [llm_codec.decode_get_next_response(e.response)
                for e in invocations(open_oplog(crashed).entries())[1:]]
    prefix = text_of([ev for batch in recorded for ev in batch or ()])
    assert len(recorded) == 2 and answer.startswith(prefix)
    assert not any(isinstance(ev, v.Finish) for batch in recorded for ev in batch or ())
    fresh_emulator.clear()
    fresh_emulator.clear_queue()
    fresh_emulator.enqueue(Scenario(text=CONTINUATION, usage=(30, 8)))
    with host.worker(crashed, env) as again:
        with again.stream(USER, v.Config(model="m")) as stream:
            events, _ = drain(stream)
    assert text_of(events) == prefix + CONTINUATION
    assert sum(isinstance(e, v.Finish) for e in events) == 1
    assert fresh_emulator.request_count == 1


# ---- oplog shape --------------------------------------------------------------------------

def test_oplog_has_one_entry_per_call_and_payloads_decode_to_what_was_returned(
        golem, fresh_emulator, tmp_path):
    provider, host = golem
    oplog = tmp_path / "shape.oplog"
    fresh_emulator.enqueue(Scenario(text="one"), answer_scenario())
    with host.worker(oplog, env_for(provider, fresh_emulator)) as worker:
        sent = worker.send(USER, v.Config(model="m"))
        stream = worker.stream(USER, v.Config(model="m"))
        batches = []
        while True:
            batch = stream.get_next()
            batches.append(batch)
            if batch == []:
                break
        stream.drop()
    entries = open_oplog(oplog).entries()
    calls = invocations(entries)
    assert [e.function_name for e in calls] == (
        ["golem_llm::send", "golem_llm::stream"] + ["golem_llm::get_next"] * len(batches))
    assert [e.function_type for e in calls] == ["write-remote"] * 2 + ["read-remote"] * len(batches)
    assert llm_codec.decode_chat_event(calls[0].response) == sent
    assert llm_codec.decode_send_request(calls[0].request) == (USER, v.Config(model="m"))
    assert [llm_codec.decode_get_next_response(e.response) for e in calls[2:]] == batches
    # Nothing but typed invocations, recorded WASI calls and the persist-nothing zones
    # around the HTTP work; every golem:llm entry outside a zone, and outside a zone no WASI
    # call but componentize-py's first-call environment, arguments and random seed.
    assert {e.kind for e in entries} <= {"create", IMPORTED_FUNCTION_INVOKED, CHANGE_PERSISTENCE_LEVEL}
    level, outside = "smart", set()
    for entry in entries:
        if entry.kind == CHANGE_PERSISTENCE_LEVEL:
            level = entry.persistence_level
        elif entry.kind == IMPORTED_FUNCTION_INVOKED and level != "persist-nothing":
            outside.add(entry.function_name)
    assert outside - {e.function_name for e in calls} <= {
        "golem_environment::get_environment", "golem_environment::get_arguments",
        "golem random::get_random_bytes"}, outside


def test_the_api_key_never_reaches_the_oplog(golem, fresh_emulator, tmp_path):
    provider, host = golem
    oplog = tmp_path / "secret.oplog"
    fresh_emulator.enqueue(Scenario(text="fine"), answer_scenario(), Scenario(error_status=401))
    with host.worker(oplog, env_for(provider, fresh_emulator)) as worker:
        worker.send(USER, v.Config(model="m"))
        with worker.stream(USER, v.Config(model="m")) as stream:
            drain(stream)
        worker.send(USER, v.Config(model="m"))
    raw = oplog.read_bytes()
    assert EMULATOR_KEY.encode() not in raw
    assert EMULATOR_KEY not in json.dumps([repr(e) for e in open_oplog(oplog).entries()])
