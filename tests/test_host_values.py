"""The host's compiled conversions (runtime/compiled_values.py) against the reference, on
the built component's own golem:llm types: `ValueModel.lower` + wasmtime-py's
`convert_to_c` must give the same C value as the compiled lowerer, and the compiled lifter
must read a C value back into what `ValueModel.lift` + `convert_from_c` give.  No guest
code runs; only the types come from the component."""

from __future__ import annotations

import ctypes

import pytest
import wasmtime._ffi as ffi
from wasmtime.component import Record, Variant

from normalizer import values as v
from runtime import wit_values
from runtime.compiled_values import Plans
from runtime.host import LLM_INTERFACE, ComponentHost
from tests.conftest import built

pytestmark = pytest.mark.component

PLANS = Plans(wit_values._MODEL)
URL = v.Image(v.ImageUrl("https://example.com/cat.png", v.ImageDetail.HIGH))
INLINE = v.Image(v.ImageSource(bytes(range(256)) + "é".encode(), "image/png"))
CALL = v.ToolCall("call_1", "get_weather", '{"location": "Oslo — ☃"}')
MESSAGES = [
    (v.Message(v.Role.USER, (v.Text("Hello"),)),),
    (v.Message(v.Role.SYSTEM, (v.Text(""),), name="sys"),
     v.Message(v.Role.USER, (v.Text("naïve 🎉"), URL, INLINE)),
     v.Message(v.Role.ASSISTANT, ()),
     v.Message(v.Role.TOOL, (v.Text('{"temp": 3}'),), name="get_weather")),
]
CONFIGS = [
    v.Config(model="m"),
    v.Config(model="gpt", temperature=0.5, max_tokens=64, stop_sequences=("\n", "END"),
             tools=(v.ToolDefinition("get_weather", '{"type": "object"}', "Weather"),
                    v.ToolDefinition("noop", "{}")),
             tool_choice="auto", provider_options=(v.Kv("user", "u-1"), v.Kv("seed", "7"))),
]
TOOL_RESULTS = [
    (),
    ((CALL, v.ToolSuccess("call_1", "get_weather", '{"temp": 3}', 12)),
     (CALL, v.ToolFailure("call_1", "get_weather", "down", "E503")),
     (CALL, v.ToolFailure("call_1", "get_weather", "down"))),
]
METADATA = v.ResponseMetadata(v.FinishReason.TOOL_CALLS, v.Usage(1, 2, 3), "p-1",
                              "2025-01-01T00:00:00Z", '{"x": 1}')
CHAT_EVENTS = [
    v.CompleteResponse("r-1", (v.Text("Hi"), URL), (CALL,), METADATA),
    v.CompleteResponse("", (), (), v.ResponseMetadata()),
    v.ToolRequest((CALL, CALL)),
    v.LlmError(v.ErrorCode.RATE_LIMIT_EXCEEDED, "slow down", '{"retry": 1}'),
    v.LlmError(v.ErrorCode.INTERNAL_ERROR, ""),
]
BATCHES = [
    (),
    (v.StreamDelta((v.Text("a"), v.Text("ü")), None), v.StreamDelta(None, (CALL,)),
     v.StreamDelta(), v.Finish(METADATA), v.Finish(),
     v.LlmError(v.ErrorCode.UNSUPPORTED, "no")),
]


@pytest.fixture(scope="module")
def exports():
    host = ComponentHost(built("openai", "portable"))
    store = host.new_store({})
    instance = host.linker.instantiate(store, host.component)
    iface = instance.get_export_index(store, LLM_INTERFACE)

    def func_type(name):
        return instance.get_func(store, instance.get_export_index(store, name, iface)).type(store)

    return store, {name: func_type(name) for name in (
        "send", "continue", "stream", "[method]chat-stream.get-next",
        "[method]chat-stream.blocking-get-next")}


def reference_c(store, value, ty):
    """The C value the old path made: ValueModel.lower, then wasmtime-py's convert_to_c."""
    c = ffi.wasmtime_component_val_t()
    ty.convert_to_c(store, wit_values.lower(value, ty), ctypes.pointer(c))
    return c


def compiled_c(store, value, ty):
    c = ffi.wasmtime_component_val_t()
    PLANS.lowerer(ty)(value, c, store)
    return c


def plain(value):
    """A wasmtime-py value as plain data, compared exactly (`Record.__eq__` is one-sided)."""
    if isinstance(value, Record):
        return {"record": {k: plain(x) for k, x in vars(value).items()}}
    if isinstance(value, Variant):
        return {"variant": value.tag, "payload": plain(value.payload)}
    if isinstance(value, (list, tuple)):
        return [type(value).__name__] + [plain(x) for x in value]
    return (type(value).__name__, value)


def check(store, value, ty, expected=None):
    # Lowering: both paths give the same C value (compared as wasmtime-py reads it).
    assert plain(ty.convert_from_c(compiled_c(store, value, ty))) == \
        plain(ty.convert_from_c(reference_c(store, value, ty)))
    # Lifting: the compiled lifter reads what the reference lift reads.
    reference = wit_values.lift(ty.convert_from_c(reference_c(store, value, ty)), ty)
    lifted = PLANS.lifter(ty)(reference_c(store, value, ty))
    assert lifted == reference == (value if expected is None else expected)
    assert type(lifted) is type(reference)


def param(exports, name, index):
    store, types = exports
    return store, types[name].params[index][1]


@pytest.mark.parametrize("messages", MESSAGES)
def test_messages(exports, messages):
    store, ty = param(exports, "send", 0)
    check(store, messages, ty)
    check(store, list(messages), ty, expected=tuple(messages))


@pytest.mark.parametrize("config", CONFIGS)
def test_config(exports, config):
    store, ty = param(exports, "stream", 1)
    check(store, config, ty)  # 0.5 survives f32 exactly


@pytest.mark.parametrize("results", TOOL_RESULTS)
def test_tool_results(exports, results):
    store, ty = param(exports, "continue", 1)
    check(store, list(results), ty, expected=tuple(results))


@pytest.mark.parametrize("event", CHAT_EVENTS)
def test_chat_events(exports, event):
    store, types = exports
    check(store, event, types["send"].result)


@pytest.mark.parametrize("batch", BATCHES)
def test_stream_batches(exports, batch):
    store, types = exports
    check(store, batch, types["[method]chat-stream.blocking-get-next"].result)
    check(store, batch, types["[method]chat-stream.get-next"].result)


def test_no_batch_yet(exports):
    store, types = exports
    check(store, None, types["[method]chat-stream.get-next"].result)


def test_bad_values_fail_as_before(exports):
    store, types = exports
    send = types["send"].params
    for value, ty in (([v.Message(v.Role.USER, ("not a part",))], send[0][1]),
                      (v.Config(model=3), send[1][1]),
                      (v.Config(model="m", temperature=1), send[1][1])):
        with pytest.raises(TypeError):
            compiled_c(store, value, ty)
        with pytest.raises((TypeError, ValueError)):
            reference_c(store, value, ty)
