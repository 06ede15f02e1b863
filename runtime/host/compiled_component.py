"""Compile a component once, and keep the compiled artifact on disk keyed by the wasm's hash.

Compiling an 18 MB Python component takes seconds; loading the cached artifact
(`Component.deserialize_file`) takes milliseconds.  Every host here (the golem:llm host, the
emulated Golem worker, the Hayride format host) starts from `CompiledComponent.load`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import wasmtime
from wasmtime import component as wc

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "compiled"


@dataclass(frozen=True)
class CompiledComponent:
    """A component compiled for `engine` (or loaded from the cache: `from_cache`)."""

    path: Path
    engine: wasmtime.Engine
    component: wc.Component
    sha256: str  # of the wasm file, as Golem identifies a component version
    from_cache: bool

    @classmethod
    def load(cls, wasm: Path, cache_dir: Path = CACHE) -> "CompiledComponent":
        path = Path(wasm)
        engine = wasmtime.Engine(wasmtime.Config())
        data = path.read_bytes()
        # A compiled artifact only loads in the engine build that made it.
        key = hashlib.sha256(data + _wasmtime_version().encode()).hexdigest()[:32]
        cached = cache_dir / f"{key}.cwasm"
        sha256 = hashlib.sha256(data).hexdigest()
        if cached.exists():
            try:
                return cls(path, engine, wc.Component.deserialize_file(engine, str(cached)),
                           sha256, from_cache=True)
            except wasmtime.WasmtimeError:
                cached.unlink()  # stale or from another engine build: recompile
        component = wc.Component(engine, data)
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(bytes(component.serialize()))
        tmp.replace(cached)  # atomic: parallel test processes share the cache
        return cls(path, engine, component, sha256, from_cache=False)


def _wasmtime_version() -> str:
    try:
        return version("wasmtime")
    except PackageNotFoundError:
        return "unknown"
