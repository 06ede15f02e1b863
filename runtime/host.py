"""Host a built golem:llm component in wasmtime-py, the way a WASI 0.2 runtime would.

`ComponentHost(path)` compiles the component once (the compiled artifact is cached on disk,
keyed by the wasm's hash, because compiling an 18 MB Python component takes seconds) and
`instantiate(env)` gives a fresh `LlmInstance` with WASI and wasi:http linked and only the
chosen environment variables visible.  Calls take and return the engine's dataclasses.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import wasmtime
from wasmtime import component as wc

from normalizer import values as v
from runtime.compiled_call import Signature, call
from runtime.wit_values import signature

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "compiled"
LLM_INTERFACE = "golem:llm/llm@1.0.0"


def _wasmtime_version() -> str:
    """Part of the cache key: a compiled artifact only loads in the engine build that made it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wasmtime")
    except PackageNotFoundError:
        return "unknown"


def _engine() -> wasmtime.Engine:
    return wasmtime.Engine(wasmtime.Config())


class ComponentHost:
    """A compiled component, ready to be instantiated any number of times."""

    def __init__(self, wasm: Path, cache_dir: Path = CACHE) -> None:
        self.path = Path(wasm)
        self.engine = _engine()
        self.component = self._load(cache_dir)
        self.linker = self.new_linker()
        #: Each export's compiled conversions, by name: the same for every instance of
        #: this component, so only the first instance to call an export reads its type.
        self.signatures: dict[str, Signature] = {}

    def new_linker(self) -> wc.Linker:
        """WASI 0.2 and wasi:http, plus whatever `extend_linker` adds.  Cheap (well under a
        millisecond), so a host whose imports are bound to one instance's state (the
        emulated Golem worker) builds one linker per instance."""
        linker = wc.Linker(self.engine)
        linker.add_wasip2()
        linker.add_wasi_http()
        self.extend_linker(linker)
        # Not `define_unknown_imports_as_traps`: in wasmtime-py 50 it shadows the WASI
        # 0.2.0 imports that add_wasip2 serves through semver matching (0.2.0 -> 0.2.x).
        return linker

    def extend_linker(self, linker: wc.Linker) -> None:
        """Hook for hosts that provide more imports shared by all instances."""

    def _load(self, cache_dir: Path) -> wc.Component:
        wasm = self.path.read_bytes()
        self.sha256 = hashlib.sha256(wasm).hexdigest()
        key = hashlib.sha256(wasm + _wasmtime_version().encode()).hexdigest()[:32]
        cached = cache_dir / f"{key}.cwasm"
        self.from_cache = cached.exists()
        if cached.exists():
            try:
                return wc.Component.deserialize_file(self.engine, str(cached))
            except wasmtime.WasmtimeError:
                cached.unlink()  # stale or from another engine build: recompile
                self.from_cache = False
        component = wc.Component(self.engine, wasm)
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(bytes(component.serialize()))
        tmp.replace(cached)
        return component

    def instantiate(self, env: Optional[Mapping[str, str]] = None) -> "LlmInstance":
        store = self.new_store(env)
        instance = self.linker.instantiate(store, self.component)
        return LlmInstance(store, instance, self.signatures)

    def new_store(self, env: Optional[Mapping[str, str]] = None) -> wasmtime.Store:
        """A store with WASI (only `env` visible) and wasi:http set up."""
        store = wasmtime.Store(self.engine)
        wasi = wasmtime.WasiConfig()
        wasi.env = list((env or {}).items())
        wasi.inherit_stderr()
        store.set_wasi(wasi)
        store.set_wasi_http()
        self.prepare_store(store)
        return store

    def prepare_store(self, store: wasmtime.Store) -> None:
        """Hook for hosts that keep per-instance state in the store."""


class LlmInstance:
    """One instance of the component; calls the golem:llm exports with engine values.

    `signatures` caches each export's type and compiled conversions (shared by the
    instances of one `ComponentHost`); wasmtime-py's own `Func.__call__` would read the
    type and walk it again on every call, which cost about 1 ms per streamed event."""

    def __init__(self, store: wasmtime.Store, instance: wc.Instance,
                 signatures: Optional[dict[str, Signature]] = None) -> None:
        self.store = store
        self.instance = instance
        self._signatures: dict[str, Signature] = {} if signatures is None else signatures
        iface = instance.get_export_index(store, LLM_INTERFACE)
        if iface is None:
            raise LookupError(f"component does not export {LLM_INTERFACE}")
        self._funcs: dict[str, wc.Func] = {}
        for name in ("send", "continue", "stream", "[method]chat-stream.get-next",
                     "[method]chat-stream.blocking-get-next"):
            index = instance.get_export_index(store, name, iface)
            func = instance.get_func(store, index) if index is not None else None
            if func is None:
                raise LookupError(f"{LLM_INTERFACE} has no function {name!r}")
            self._funcs[name] = func

    def _call(self, name: str, *args: Any) -> Any:
        """Call export `name` with engine values; returns its result as an engine value."""
        func = self._funcs[name]
        store = self.store
        compiled = self._signatures.get(name)
        if compiled is None:
            compiled = self._signatures[name] = signature(func, store)
        result = call(func, store, compiled, args)
        func.post_return(store)
        return result

    def _drop_resource(self, handle: wc.ResourceAny) -> None:
        """Drop a guest resource (runs the guest's destructor, like an export call)."""
        handle.drop(self.store)

    def send(self, messages: Sequence[v.Message], config: v.Config) -> v.ChatEvent:
        return self._call("send", messages, config)

    def continue_(self, messages: Sequence[v.Message],
                  tool_results: Sequence[tuple[v.ToolCall, v.ToolResult]],
                  config: v.Config) -> v.ChatEvent:
        return self._call("continue", messages, tool_results, config)

    def stream(self, messages: Sequence[v.Message], config: v.Config) -> "HostChatStream":
        return HostChatStream(self, self._call("stream", messages, config))


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
