"""The host's one value conversion (runtime/host/value_model.py with golem:llm's table,
runtime/host/llm_values.py), through the real C API: every golem:llm value shape is lowered
for the built component's own export types, goes through wasm and back (tests/echo_component.py:
a component whose export returns its argument), and must lift to exactly the value it was.
Then the chat-stream resource, which only a real instance makes, through the built component."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

import pytest
from wasmtime import component as wc

from normalizer import values as v
from runtime.host import LLM_INTERFACE, ComponentHost
from runtime.host.llm_values import LLM_VALUES
from runtime.host.value_model import case_types, tagged
from tests.helpers import EMULATOR_KEY, built
from tests.runtime.host.echo_component import Echo

pytestmark = pytest.mark.component

URL = v.Image(v.ImageUrl("https://example.com/cat.png", v.ImageDetail.HIGH))
INLINE = v.Image(v.ImageSource(bytes(range(256)) + "é".encode(), "image/png"))
NO_DETAIL = v.Image(v.ImageSource(b"", "image/gif"))
CALL = v.ToolCall("call_1", "get_weather", '{"location": "Oslo — ☃"}')
MESSAGES = [
    (v.Message(v.Role.USER, (v.Text("Hello"),)),),
    (v.Message(v.Role.SYSTEM, (v.Text(""),), name="sys"),
     v.Message(v.Role.USER, (v.Text("naïve 🎉"), URL, INLINE, NO_DETAIL)),
     v.Message(v.Role.ASSISTANT, ()),
     v.Message(v.Role.TOOL, (v.Text('{"temp": 3}'),), name="get_weather")),
]
CONFIGS = [
    v.Config(model="m"),
    v.Config(model="gpt", temperature=0.5, max_tokens=64, stop_sequences=("\n", "END"),
             tools=(v.ToolDefinition("get_weather", '{"type": "object"}', "Weather"),
                    v.ToolDefinition("noop", "{}")),
             tool_choice="auto", provider_options=(v.Kv("user", "u-1"), v.Kv("seed", "7"))),
    v.Config(model="m", stop_sequences=(), tools=(), provider_options=()),
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
    v.CompleteResponse("r-1", (v.Text("Hi"), URL, INLINE), (CALL,), METADATA),
    v.CompleteResponse("", (), (), v.ResponseMetadata()),
    v.CompleteResponse("r-2", (), (), v.ResponseMetadata(usage=v.Usage(None, 5, None))),
    v.ToolRequest((CALL, CALL)),
    v.ToolRequest(()),
    v.LlmError(v.ErrorCode.RATE_LIMIT_EXCEEDED, "slow down", '{"retry": 1}'),
    v.LlmError(v.ErrorCode.INTERNAL_ERROR, ""),
]
BATCHES = [
    (),
    (v.StreamDelta((v.Text("a"), v.Text("ü"), INLINE), None), v.StreamDelta(None, (CALL,)),
     v.StreamDelta(), v.StreamDelta((), ()), v.Finish(METADATA), v.Finish(),
     v.LlmError(v.ErrorCode.UNSUPPORTED, "no")),
]


@pytest.fixture(scope="module")
def host() -> ComponentHost:
    return ComponentHost(built("openai", "portable"))


@pytest.fixture(scope="module")
def types(host):
    """`{export: FuncType}` of the built component's golem:llm interface."""
    llm = host.instantiate()
    store, instance = llm.store, llm.instance
    iface = instance.get_export_index(store, LLM_INTERFACE)
    return {name: instance.get_func(store, instance.get_export_index(store, name, iface))
            .type(store) for name in ("send", "continue", "stream",
                                      "[method]chat-stream.get-next",
                                      "[method]chat-stream.blocking-get-next")}


def exact(value: Any) -> Any:
    """A model value with every container's and scalar's type spelled out, so that a tuple
    that came back as a list, or an int that came back as a bool, is caught."""
    if is_dataclass(value):
        return (type(value).__name__, {f.name: exact(getattr(value, f.name))
                                       for f in fields(value)})
    if isinstance(value, (list, tuple)):
        return [type(value).__name__] + [exact(x) for x in value]
    return (type(value).__name__, value)


def round_trip(ty: Any, value: Any) -> Any:
    """`value` lowered for `ty`, through wasm, lifted back."""
    return LLM_VALUES.lifter(ty)(Echo(ty)(LLM_VALUES.lowerer(ty)(value)))


def param(types, name: str, index: int) -> Any:
    return types[name].params[index][1]


@pytest.mark.parametrize("messages", MESSAGES)
def test_messages_round_trip(types, messages):
    ty = param(types, "send", 0)
    assert exact(round_trip(ty, messages)) == exact(messages)
    assert exact(round_trip(ty, list(messages))) == exact(messages)  # any sequence goes in


@pytest.mark.parametrize("config", CONFIGS)
def test_configs_round_trip(types, config):
    assert exact(round_trip(param(types, "stream", 1), config)) == exact(config)  # 0.5 is f32


@pytest.mark.parametrize("results", TOOL_RESULTS)
def test_tool_results_round_trip(types, results):
    ty = param(types, "continue", 1)
    assert exact(round_trip(ty, list(results))) == exact(results)


@pytest.mark.parametrize("event", CHAT_EVENTS)
def test_chat_events_round_trip(types, event):
    assert exact(round_trip(types["send"].result, event)) == exact(event)


@pytest.mark.parametrize("batch", BATCHES)
def test_stream_batches_round_trip(types, batch):
    assert exact(round_trip(types["[method]chat-stream.blocking-get-next"].result, batch)) \
        == exact(batch)
    assert exact(round_trip(types["[method]chat-stream.get-next"].result, batch)) \
        == exact(batch)


def test_no_batch_yet_is_none_not_an_empty_batch(types):
    ty = types["[method]chat-stream.get-next"].result
    assert round_trip(ty, None) is None
    assert round_trip(ty, ()) == ()


def test_wasmtime_py_tags_only_variants_whose_payloads_look_alike(types):
    """The one decision the conversion takes about wasmtime-py's representation: whether a
    value is `Variant(tag, payload)` or the bare payload."""
    content_part = dict(param(types, "send", 0).element.fields)["content"].element
    assert sorted(dict(content_part.cases)) == ["image", "text"]
    assert not tagged(case_types(content_part))  # a str or an image-reference Variant
    assert tagged(case_types(types["send"].result))  # three record cases
    assert not tagged(case_types(types["[method]chat-stream.get-next"].result))
    lowered = LLM_VALUES.lowerer(content_part)(URL)
    assert isinstance(lowered, wc.Variant) and lowered.tag == "url"  # image-reference's tag


def test_values_the_types_refuse_fail_before_the_guest_sees_them(types):
    send = types["send"].params
    with pytest.raises(TypeError):  # not a content part: the model has no case for it
        LLM_VALUES.lowerer(send[0][1])([v.Message(v.Role.USER, ("not a part",))])
    for bad in (v.Config(model=3), v.Config(model="m", temperature=1)):  # f32 needs a float
        with pytest.raises((TypeError, ValueError)):  # wasmtime-py refuses it
            Echo(send[1][1])(LLM_VALUES.lowerer(send[1][1])(bad))


def test_the_chat_stream_resource_goes_out_and_comes_back(host, fresh_emulator):
    """`stream` returns an own<chat-stream>; each get-next borrows it; dropping it ends it."""
    llm = host.instantiate({"OPENAI_API_KEY": EMULATOR_KEY,
                            "OPENAI_BASE_URL": fresh_emulator.base_url})
    with llm.stream(MESSAGES[0], CONFIGS[0]) as stream:
        assert isinstance(stream._handle, wc.ResourceAny) and stream._handle.owned
        events = []
        while batch := stream.blocking_get_next():
            events += batch
    assert isinstance(events[-1], v.Finish)
    assert stream._handle is None  # dropped
    assert llm.clock.guest_s > 0 and llm.clock.conversion_s > 0
