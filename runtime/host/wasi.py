"""The WASI 0.2 environment every component here runs in: a linker with WASI and wasi:http,
and a store that shows the guest only the environment variables it is given."""

from __future__ import annotations

from typing import Mapping, Optional

import wasmtime
from wasmtime import component as wc


def wasi_linker(engine: wasmtime.Engine) -> wc.Linker:
    """WASI 0.2 and wasi:http.  Cheap (well under a millisecond), so a host whose imports are
    bound to one instance's state (the emulated Golem worker) builds one per instance."""
    linker = wc.Linker(engine)
    linker.add_wasip2()
    linker.add_wasi_http()
    # Not `define_unknown_imports_as_traps`: in wasmtime-py 50 it shadows the WASI 0.2.0
    # imports that add_wasip2 serves through semver matching (0.2.0 -> 0.2.x).
    return linker


def wasi_store(engine: wasmtime.Engine, env: Optional[Mapping[str, str]] = None,
               memory_size: Optional[int] = None) -> wasmtime.Store:
    """A store with WASI (only `env` visible, stderr inherited) and wasi:http set up;
    `memory_size` caps each linear memory, in bytes."""
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.env = list((env or {}).items())
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    store.set_wasi_http()
    if memory_size is not None:
        store.set_limits(memory_size=memory_size)
    return store
