"""The Golem host functions' compiled conversions (runtime/golem/plain_values.py with
plain_payloads.py) against the reference, wasmtime-py's generic conversion with
runtime/golem/wasmtime_values.py, on the durable component's own import types and on the
value-and-type payloads a real durable session records: the compiled lowerer must make the
C value the reference makes, and the compiled lifter must read a C value into exactly what
the reference gives the executor.  Then a whole durable session, live and replayed, run on
each path, must leave the same oplog and return the same answers."""

from __future__ import annotations

import ctypes
import functools

import pytest
import wasmtime
import wasmtime._ffi as ffi
from wasmtime import component as wc

from normalizer import values as v
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.golem import GolemHost
from runtime.golem import plain_payloads as pp
from runtime.golem import wasmtime_values as wv
from runtime.golem import worker as golem_worker
from runtime.golem.linking import DURABILITY, HOST, link_golem
from runtime.golem.plain_values import lifter, lowerer
from tests.conftest import EMULATOR_KEY, built
from tests.golem_payloads import EMPTY_RECORD, named, text

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
    out = {}
    for interface in (DURABILITY, HOST):
        for name, item in imports[interface].ty.exports(host.engine).items():
            out[interface, name] = item.ty
    return out


@pytest.fixture(scope="module")
def store(host):
    return wasmtime.Store(host.engine)


def session(host, emulator, oplog, env):
    """send, a tool-call turn and a paced stream on one worker: its answers and entries."""
    config = v.Config(model="m", tools=(WEATHER,))
    call = v.ToolCall("call_1", "get_weather", '{"location": "Oslo"}')
    result = v.ToolSuccess("call_1", "get_weather", '{"temp": 3}')
    with host.worker(oplog, env) as worker:
        answers = [worker.send(USER, config),
                   worker.continue_(USER, [(call, result)], config)]
        with worker.stream(USER, config) as stream:
            while batch := stream.blocking_get_next():
                answers.append(batch)
        entries = worker.entries()
    return answers, entries


def scenarios():
    return (Scenario(tool_calls=(ScriptedToolCall("call_1", "get_weather", '{"location": "Oslo"}'),)),
            Scenario(text="It is 3 °C in Oslo."),
            Scenario(text="Streamed, in small pieces: ünïcode 🎉", text_chunk_chars=6,
                     chunk_delay_s=0.02, usage=(3, 5)))


@pytest.fixture(scope="module")
def recorded(host, emulator, tmp_path_factory):
    """The value-and-type payloads of a real durable session's oplog."""
    emulator.clear()
    emulator.clear_queue()
    emulator.enqueue(*scenarios())
    env = {"OPENAI_API_KEY": EMULATOR_KEY, "OPENAI_BASE_URL": emulator.base_url}
    _, entries = session(host, emulator, tmp_path_factory.mktemp("w") / "w.oplog", env)
    payloads = [p for e in entries for p in (e.request, e.response) if p is not None]
    assert len(payloads) >= 6
    return payloads


def c_value():
    return ffi.wasmtime_component_val_t()


def generic_c(store, ty, value):
    c = c_value()
    ty.convert_to_c(store, value, ctypes.pointer(c))
    return c


def fast_c(ty, value):
    c = c_value()
    lowerer(ty)(value, c)
    return c


def plain(value):
    """A wasmtime-py value as plain data, compared exactly (`Record.__eq__` is one-sided)."""
    if isinstance(value, wc.Record):
        return {"record": {k: plain(x) for k, x in vars(value).items()}}
    if isinstance(value, wc.Variant):
        return {"variant": value.tag, "payload": plain(value.payload)}
    if isinstance(value, (list, tuple)):
        return [type(value).__name__] + [plain(x) for x in value]
    return (type(value).__name__, value)


def exact(value):
    """Executor values with their container types, so tuple != list is caught."""
    if isinstance(value, (list, tuple)):
        return [type(value).__name__] + [exact(x) for x in value]
    return (type(value).__name__, value)


def check_param(store, ty, generic_value, to_executor_generic, to_executor_fast):
    """Lifting: from the same C value, both paths hand the executor the same value."""
    reference = to_executor_generic(ty.convert_from_c(generic_c(store, ty, generic_value)))
    fast = to_executor_fast(lifter(ty)(generic_c(store, ty, generic_value)))
    assert exact(fast) == exact(reference)
    return fast


def check_result(store, ty, generic_value, fast_value):
    """Lowering: both paths write the same C value (compared as wasmtime-py reads it)."""
    assert plain(ty.convert_from_c(fast_c(ty, fast_value))) == \
        plain(ty.convert_from_c(generic_c(store, ty, generic_value)))


def vat_cases(recorded):
    return recorded + [EVERY_NODE, FLOATS, EMPTY_RECORD, named("n", 3), text("")]


def test_persist_arguments(types, store, recorded):
    params = dict(types[DURABILITY, PERSIST].params)
    for vat in vat_cases(recorded):
        for name in ("request", "response"):
            got = check_param(store, params[name], wv.value_and_type_out(vat),
                              wv.value_and_type_in, pp.value_and_type_in)
            assert exact(got) == exact((tuple(vat[0]), tuple(vat[1])))
    for function_type in FUNCTION_TYPES:
        assert check_param(store, params["function-type"], wv.function_type_out(function_type),
                           wv.function_type_in, pp.function_type_in) == function_type
    assert check_param(store, params["function-name"], "golem_llm::send ☃",
                       lambda x: x, lambda x: x) == "golem_llm::send ☃"


def test_read_result(types, store, recorded):
    ty = types[DURABILITY, READ].result
    for vat in vat_cases(recorded):
        for function_type in FUNCTION_TYPES:
            for ns in (0, 1_700_000_000_123_456_789):
                generic = wv.record(timestamp=wv.datetime_out(ns), function_name="f",
                                    response=wv.value_and_type_out(vat),
                                    function_type=wv.function_type_out(function_type),
                                    entry_version="v1")
                fast = (pp.datetime_out(ns), "f", pp.value_and_type_out(vat),
                        pp.function_type_out(function_type), "v1")
                check_result(store, ty, generic, fast)


def test_small_functions(types, store):
    begin = types[DURABILITY, "begin-durable-function"]
    check_result(store, begin.result, 2**64 - 1, 2**64 - 1)
    end = dict(types[DURABILITY, "end-durable-function"].params)
    assert check_param(store, end["begin-index"], 5, lambda x: x, lambda x: x) == 5
    assert check_param(store, end["forced-commit"], True, lambda x: x, lambda x: x) is True
    state = types[DURABILITY, "current-durable-execution-state"].result
    set_level = dict(types[HOST, "set-oplog-persistence-level"].params)
    get_level = types[HOST, "get-oplog-persistence-level"].result
    for level in LEVELS:
        for live in (True, False):
            check_result(store, state,
                         wv.record(is_live=live, persistence_level=wv.level_out(level)),
                         (live, pp.level_out(level)))
        check_result(store, get_level, wv.level_out(level), pp.level_out(level))
        assert check_param(store, set_level["new-persistence-level"], wv.level_out(level),
                           wv.level_in, pp.level_in) == level


def test_bad_results_fail_before_the_guest_sees_them(types):
    ty = types[DURABILITY, READ].result
    good = (pp.datetime_out(0), "f", pp.value_and_type_out(text("x")),
            pp.function_type_out("read-local"), "v1")
    for bad in (good[:4], (good[0], 3) + good[2:], good[:3] + (("no-such-case", None), "v1"),
                good[:2] + (pp.value_and_type_out(((("prim-u8", "x"),), text("")[1])),) + good[3:]):
        with pytest.raises((TypeError, ValueError)):
            fast_c(ty, bad)


def test_each_path_replays_what_the_other_recorded(host, emulator, tmp_path, monkeypatch):
    """Live on one path, replayed on the other (every persisted call read back through
    read-persisted-…): the same answers, the same oplog, no new request.  (Two live runs
    cannot be compared directly: response ids, timestamps and batching differ per run.)"""
    env = {"OPENAI_API_KEY": EMULATOR_KEY, "OPENAI_BASE_URL": emulator.base_url}
    generic = functools.partial(link_golem, plain=False)

    def shape(entries):
        return [(e.index, e.kind, e.function_name, e.function_type, e.persistence_level,
                 e.begin_index, e.request, e.response, e.detail) for e in entries]

    for live_link, replay_link in ((link_golem, generic), (generic, link_golem)):
        oplog = tmp_path / f"{len(list(tmp_path.iterdir()))}.oplog"
        emulator.clear()
        emulator.clear_queue()
        emulator.enqueue(*scenarios())
        monkeypatch.setattr(golem_worker, "link_golem", live_link)
        live_answers, live_entries = session(host, emulator, oplog, env)
        monkeypatch.setattr(golem_worker, "link_golem", replay_link)
        replayed_answers, replayed_entries = session(host, emulator, oplog, env)
        assert emulator.request_count == 3
        assert len(live_answers) > 3  # send, continue and at least two batches
        assert replayed_answers == live_answers
        assert shape(replayed_entries) == shape(live_entries)
