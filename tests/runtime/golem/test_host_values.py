"""The emulated Golem host functions' one conversion (runtime/golem/wasmtime_values.py,
bound by runtime/golem/linking.py), through the real C API on the durable component's own
import types: every value a host call takes or returns goes through wasm and back
(tests/echo_component.py) and must come out as the executor's exact value, including node
kinds no LLM payload uses (handles, results, flags, floats); then every host function, as
linked, runs live and in replay on one oplog with its values crossing the same way."""

from __future__ import annotations

import pytest

from normalizer import values as v
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.golem import DurableExecutor, GolemHost, HostCallClock, Oplog
from runtime.golem import wasmtime_values as wv
from runtime.golem.linking import DURABILITY, FUNCTIONS, HOST, bind
from tests.helpers import EMULATOR_KEY, built
from tests.runtime.host.echo_component import Echo
from tests.runtime.golem.payloads import EMPTY_RECORD, named, text

pytestmark = pytest.mark.component

USER = (v.Message(v.Role.USER, (v.Text("Weather in Oslo? ☃"),)),)
WEATHER = v.ToolDefinition("get_weather", '{"type": "object"}', "Weather")
PERSIST = "persist-typed-durable-function-invocation"
READ = "read-persisted-typed-durable-function-invocation"

#: Every node kind, including those no LLM payload uses (handle, result, flags, floats).
EVERY_NODE = (
    (("record-value", (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)),
     ("variant-value", (1, 2)), ("prim-bool", True), ("enum-value", 2),
     ("flags-value", (True, False, True)), ("tuple-value", (6,)), ("prim-char", "☃"),
     ("list-value", (8, 9)), ("prim-s8", -8), ("prim-s16", -16),
     ("option-value", None), ("result-value", ("ok", 12)), ("prim-s32", -32),
     ("result-value", ("err", None)), ("prim-s64", -2**63), ("prim-u8", 255),
     ("prim-u16", 65535), ("prim-u32", 2**32 - 1), ("prim-u64", 2**64 - 1),
     ("handle", ("urn:worker:w/1", 42))),
    (("record-type", tuple((f"f{i}", i) for i in range(1, 20))),
     ("variant-type", (("a", None), ("b", 2))), ("prim-bool-type", None),
     ("enum-type", ("x", "y", "z")), ("flags-type", ("p", "q", "r")),
     ("tuple-type", (6,)), ("prim-char-type", None), ("list-type", 9),
     ("option-type", 12), ("result-type", (12, None)), ("result-type", (None, 3)),
     ("handle-type", (7, "borrowed")), ("handle-type", (8, "owned")),
     ("prim-f32-type", None), ("prim-f64-type", None), ("prim-string-type", None),
     ("prim-u8-type", None), ("prim-u16-type", None), ("prim-u32-type", None),
     ("prim-u64-type", None), ("prim-s8-type", None), ("prim-s16-type", None),
     ("prim-s32-type", None), ("prim-s64-type", None)),
)
FLOATS = ((("tuple-value", (1, 2)), ("prim-float32", 0.5), ("prim-float64", -1e300)),
          (("tuple-type", (1, 2)), ("prim-f32-type", None), ("prim-f64-type", None)))
FUNCTION_TYPES = ["read-local", "write-local", "read-remote", "write-remote",
                  ("write-remote-batched", None), ("write-remote-batched", 7)]
LEVELS = ["persist-nothing", "persist-remote-side-effects", "smart"]


@pytest.fixture(scope="module")
def host() -> GolemHost:
    return GolemHost(built("openai", "durable"))


@pytest.fixture(scope="module")
def types(host):
    """`{(interface, function): FuncType}` of the component's Golem imports."""
    imports = host.component.type.imports(host.engine)
    return {(interface, name): item.ty
            for interface in (DURABILITY, HOST)
            for name, item in imports[interface].ty.exports(host.engine).items()}


@pytest.fixture(scope="module")
def recorded(host, emulator, tmp_path_factory):
    """The value-and-type payloads of a real durable session's oplog: send, a tool-call
    turn and a stream in small pieces."""
    emulator.clear()
    emulator.clear_queue()
    emulator.enqueue(
        Scenario(tool_calls=(ScriptedToolCall("call_1", "get_weather", '{"location": "Oslo"}'),)),
        Scenario(text="It is 3 °C in Oslo."),
        Scenario(text="Streamed, in small pieces: ünïcode 🎉", text_chunk_chars=6,
                 chunk_delay_s=0.02, usage=(3, 5)))
    env = {"OPENAI_API_KEY": EMULATOR_KEY, "OPENAI_BASE_URL": emulator.base_url}
    config = v.Config(model="m", tools=(WEATHER,))
    call = v.ToolCall("call_1", "get_weather", '{"location": "Oslo"}')
    result = v.ToolSuccess("call_1", "get_weather", '{"temp": 3}')
    oplog = tmp_path_factory.mktemp("w") / "w.oplog"
    with host.worker(oplog, env) as worker:
        worker.send(USER, config)
        worker.continue_(USER, [(call, result)], config)
        with worker.stream(USER, config) as stream:
            while stream.blocking_get_next():
                pass
        entries = worker.entries()
    payloads = [p for e in entries for p in (e.request, e.response) if p is not None]
    assert len(payloads) >= 6
    return payloads


def exact(value):
    """Executor values with their container types, so that tuple != list is caught."""
    if isinstance(value, (list, tuple)):
        return [type(value).__name__] + [exact(x) for x in value]
    return (type(value).__name__, value)


def param(types, interface, function, name):
    return dict(types[interface, function].params)[name]


def test_value_and_type_payloads_round_trip(types, recorded):
    cases = recorded + [EVERY_NODE, FLOATS, EMPTY_RECORD, named("n", 3), text("")]
    for name in ("request", "response"):
        echo = Echo(param(types, DURABILITY, PERSIST, name))
        for vat in cases:
            got = wv.value_and_type_in(echo(wv.value_and_type_out(vat)))
            assert exact(got) == exact((tuple(vat[0]), tuple(vat[1])))


def test_function_types_levels_and_records_round_trip(types):
    function_type = Echo(param(types, DURABILITY, PERSIST, "function-type"))
    for ft in FUNCTION_TYPES:
        assert exact(wv.function_type_in(function_type(wv.function_type_out(ft)))) == exact(ft)
    set_level = Echo(param(types, HOST, "set-oplog-persistence-level", "new-persistence-level"))
    get_level = Echo(types[HOST, "get-oplog-persistence-level"].result)
    for level in LEVELS:
        assert wv.level_in(set_level(wv.level_out(level))) == level
        assert get_level(wv.level_out(level)).tag == level
    read = Echo(types[DURABILITY, READ].result)
    for ns in (0, 1_700_000_000_123_456_789):
        out = read(wv.record(timestamp=wv.datetime_out(ns), function_name="f ☃",
                             response=wv.value_and_type_out(text("x")),
                             function_type=wv.function_type_out(("write-remote-batched", 7)),
                             entry_version="v1"))
        assert out.timestamp.seconds * 10**9 + out.timestamp.nanoseconds == ns
        assert getattr(out, "function-name") == "f ☃"


def test_every_host_function_runs_live_and_in_replay_through_its_binding(types, tmp_path):
    """Each host function as linked (linking.bind: our conversion around the executor), its
    arguments and results crossing wasm as the guest's would: a live invocation persisted
    and committed, then read back by a fresh executor replaying the same oplog file."""
    functions = {f.name: f for fs in FUNCTIONS.values() for f in fs}
    interface = {f.name: i for i, fs in FUNCTIONS.items() for f in fs}

    def host_call(executor, clock, name, *args):
        """What the guest's call does: arguments through wasm, the bound function, and its
        result through wasm again."""
        fty = types[interface[name], name]
        args = [Echo(ty)(arg) for (_, ty), arg in zip(fty.params, args)]
        out = bind(functions[name], executor, clock)(None, *args)
        return None if fty.result is None else Echo(fty.result)(out)

    request, response = named("oslo", 3), text("It is 3 °C")
    path = tmp_path / "w.oplog"
    clock = HostCallClock()
    live = DurableExecutor(Oplog(path), component={"component": "test"})
    state = host_call(live, clock, "current-durable-execution-state")
    assert getattr(state, "is-live") is True
    assert getattr(state, "persistence-level").tag == "smart"
    host_call(live, clock, "observe-function-call", "golem:llm/llm", "send")
    write_remote = wv.function_type_out("write-remote")
    begin = host_call(live, clock, "begin-durable-function", write_remote)
    host_call(live, clock, "set-oplog-persistence-level", wv.level_out("persist-nothing"))
    assert host_call(live, clock, "get-oplog-persistence-level").tag == "persist-nothing"
    host_call(live, clock, "set-oplog-persistence-level", wv.level_out("smart"))
    host_call(live, clock, PERSIST, "golem_llm::send", wv.value_and_type_out(request),
              wv.value_and_type_out(response), write_remote)
    host_call(live, clock, "end-durable-function", write_remote, begin, False)
    live.close()
    assert clock.conversion_s > 0 and clock.executor_s > 0

    replay = DurableExecutor(Oplog(path))
    state = host_call(replay, clock, "current-durable-execution-state")
    assert getattr(state, "is-live") is False
    read = host_call(replay, clock, READ)
    assert getattr(read, "function-name") == "golem_llm::send"
    assert exact(wv.value_and_type_in(read.response)) == exact(response)
    assert wv.function_type_in(getattr(read, "function-type")) == "write-remote"
    assert replay.live
    replay.close()
