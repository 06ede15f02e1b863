"""Host a built Hayride model-format component (`dist/model-<format>.wasm`) in wasmtime-py.

`FormatHost(path).instantiate()` gives a `FormatInstance`: one instance with one `format`
resource, whose `encode` / `decode` take and return `formats.values` and raise
`formats.errors.FormatError` when the component returns its `error` resource, the way
Hayride's runner sees them.  It is built from the wasmtime host's parts (runtime/host/): the
compile cache, the WASI linker and store, and `Exports` with the Hayride value table
(formats/host_values.py).  Host-only: never staged into the component.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import wasmtime
from wasmtime import component as wc

from formats.errors import FormatError
from formats.host_values import FORMAT_VALUES
from formats.values import Message
from runtime.host import CompiledComponent, Exports, Ok, Signature, wasi_linker, wasi_store
from runtime.host.compiled_component import CACHE

MODEL_INTERFACE = "hayride:ai/model@0.0.65"
FUNCTIONS = ("[constructor]format", "[method]format.encode", "[method]format.decode",
             "[method]error.code", "[method]error.data")


class FormatHost:
    """A compiled format component, ready to be instantiated any number of times."""

    def __init__(self, wasm: Path, cache_dir: Path = CACHE) -> None:
        compiled = CompiledComponent.load(wasm, cache_dir)
        self.path = compiled.path
        self.engine = compiled.engine
        self.component = compiled.component
        self.linker = wasi_linker(self.engine)
        self.signatures: dict[str, Signature] = {}

    def instantiate(self, env: Optional[Mapping[str, str]] = None) -> "FormatInstance":
        store = wasi_store(self.engine, env)
        return FormatInstance(store, self.linker.instantiate(store, self.component),
                              self.signatures)


class FormatInstance:
    """One instance of the component and one `format` resource made by its constructor."""

    def __init__(self, store: wasmtime.Store, instance: wc.Instance,
                 signatures: Optional[dict[str, Signature]] = None) -> None:
        self._exports = Exports(store, instance, MODEL_INTERFACE, FUNCTIONS, FORMAT_VALUES,
                                {} if signatures is None else signatures)
        self._format: Optional[wc.ResourceAny] = self._exports.call("[constructor]format")

    def _ok(self, result: Any) -> Any:
        """The ok value of a `result<T, error>`, or the error resource raised as FormatError."""
        if isinstance(result, Ok):
            return result.value
        error = result.value
        try:
            code = self._exports.call("[method]error.code", error)
            data = self._exports.call("[method]error.data", error)
        finally:
            self._exports.drop(error)
        raise FormatError(code, data)

    def encode(self, messages: Sequence[Message]) -> bytes:
        return self._ok(self._exports.call("[method]format.encode", self._format, messages))

    def decode(self, raw_output: bytes) -> Message:
        return self._ok(self._exports.call("[method]format.decode", self._format,
                                           bytes(raw_output)))

    def close(self) -> None:
        handle, self._format = self._format, None
        if handle is not None:
            self._exports.drop(handle)

    def __enter__(self) -> "FormatInstance":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
