"""Host a built golem:llm component in wasmtime-py, the way a WASI 0.2 runtime would.

`ComponentHost(path)` compiles the component once (cached on disk,
runtime/host/compiled_component.py) and `instantiate(env)` gives a fresh `LlmInstance` with
WASI and wasi:http linked and only the chosen environment variables visible.  Calls take and
return the engine's dataclasses (normalizer/values.py); `LlmInstance.clock` says how long
they spent in the guest and in converting values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import wasmtime
from wasmtime import component as wc

from normalizer import values as v
from runtime.host.call_clock import CallClock
from runtime.host.compiled_component import CACHE, CompiledComponent
from runtime.host.exports import Exports, Signature
from runtime.host.llm_values import LLM_VALUES
from runtime.host.value_model import ValueModel
from runtime.host.wasi import wasi_linker, wasi_store

LLM_INTERFACE = "golem:llm/llm@1.0.0"
LLM_FUNCTIONS = ("send", "continue", "stream", "[method]chat-stream.get-next",
                 "[method]chat-stream.blocking-get-next")


class ComponentHost:
    """A compiled golem:llm component, ready to be instantiated any number of times.

    `instance_class` is what `instantiate` makes: a subclass of `LlmInstance` that names
    another exported interface hosts a component exporting that one instead (the example
    agent, examples/agent/host.py)."""

    instance_class: type["LlmInstance"]  # LlmInstance, set below its definition

    def __init__(self, wasm: Path, cache_dir: Path = CACHE) -> None:
        compiled = CompiledComponent.load(wasm, cache_dir)
        self.path = compiled.path
        self.engine = compiled.engine
        self.component = compiled.component
        self.sha256 = compiled.sha256
        self.from_cache = compiled.from_cache
        self.linker = wasi_linker(self.engine)
        #: Each export's conversions, by name: the same for every instance of this
        #: component, so only the first instance to call an export reads its type.
        self.signatures: dict[str, Signature] = {}

    def instantiate(self, env: Optional[Mapping[str, str]] = None,
                    memory_size: Optional[int] = None) -> "LlmInstance":
        """A fresh instance seeing only `env`; `memory_size` caps its linear memories."""
        store = wasi_store(self.engine, env, memory_size)
        return self.instance_class(store, self.linker.instantiate(store, self.component),
                                   self.signatures)


class LlmInstance:
    """One instance of the component; calls the golem:llm exports with engine values.

    The exported interface, its functions and their value model are class attributes, so a
    subclass can call another interface through the same machinery."""

    interface: str = LLM_INTERFACE
    functions: Sequence[str] = LLM_FUNCTIONS
    values: ValueModel = LLM_VALUES

    def __init__(self, store: wasmtime.Store, instance: wc.Instance,
                 signatures: Optional[dict[str, Signature]] = None) -> None:
        self.store = store
        self.instance = instance
        self.clock = CallClock()
        self._exports = Exports(store, instance, self.interface, self.functions, self.values,
                                {} if signatures is None else signatures, self.clock)

    def _call(self, name: str, *args: Any) -> Any:
        """Call export `name` with engine values; returns its result as an engine value."""
        return self._exports.call(name, *args)

    def _drop_resource(self, handle: wc.ResourceAny) -> None:
        """Drop a guest resource (runs the guest's destructor, like an export call)."""
        self._exports.drop(handle)

    def send(self, messages: Sequence[v.Message], config: v.Config) -> v.ChatEvent:
        return self._call("send", messages, config)

    def continue_(self, messages: Sequence[v.Message],
                  tool_results: Sequence[tuple[v.ToolCall, v.ToolResult]],
                  config: v.Config) -> v.ChatEvent:
        return self._call("continue", messages, tool_results, config)

    def stream(self, messages: Sequence[v.Message], config: v.Config) -> "HostChatStream":
        return HostChatStream(self, self._call("stream", messages, config))


ComponentHost.instance_class = LlmInstance


class HostChatStream:
    """The guest's `chat-stream` resource, seen from the host."""

    def __init__(self, owner: LlmInstance, handle: wc.ResourceAny) -> None:
        self._owner = owner
        self._handle: Optional[wc.ResourceAny] = handle

    def get_next(self) -> Optional[list[v.StreamEvent]]:
        events = self._owner._call("[method]chat-stream.get-next", self._handle)
        return None if events is None else list(events)

    def blocking_get_next(self) -> list[v.StreamEvent]:
        return list(self._owner._call("[method]chat-stream.blocking-get-next", self._handle))

    def drop(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            self._owner._drop_resource(handle)

    def __enter__(self) -> "HostChatStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()
