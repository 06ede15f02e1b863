"""Host a built Hayride model-format component (`dist/model-<format>.wasm`) in wasmtime-py.

`FormatHost(path)` is a `ComponentHost` (same compile cache and WASI linking) whose
`instantiate()` gives a `FormatInstance`: one instance with one `format` resource, whose
`encode`/`decode` take and return `formats.values` and raise `formats.errors.FormatError`
when the component returns its `error` resource, the way Hayride's runner sees them.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import wasmtime
from wasmtime import component as wc

from formats.errors import ErrorCode, FormatError
from formats.values import Message
from runtime.format_values import lift, lower
from runtime.host import ComponentHost

MODEL_INTERFACE = "hayride:ai/model@0.0.65"
FUNCTIONS = ("[constructor]format", "[method]format.encode", "[method]format.decode",
             "[method]error.code", "[method]error.data")


class FormatHost(ComponentHost):
    """A compiled format component, ready to be instantiated any number of times."""

    def instantiate(  # type: ignore[override]  # a FormatInstance, not an LlmInstance
            self, env: Optional[Mapping[str, str]] = None) -> "FormatInstance":
        store = self.new_store(env)
        return FormatInstance(store, self.linker.instantiate(store, self.component))


class FormatInstance:
    """One instance of the component and one `format` resource made by its constructor."""

    def __init__(self, store: wasmtime.Store, instance: wc.Instance) -> None:
        self.store = store
        iface = instance.get_export_index(store, MODEL_INTERFACE)
        if iface is None:
            raise LookupError(f"component does not export {MODEL_INTERFACE}")
        self._funcs: dict[str, wc.Func] = {}
        for name in FUNCTIONS:
            index = instance.get_export_index(store, name, iface)
            func = instance.get_func(store, index) if index is not None else None
            if func is None:
                raise LookupError(f"{MODEL_INTERFACE} has no function {name!r}")
            self._funcs[name] = func
        self._format: Optional[wc.ResourceAny] = self._call("[constructor]format")[0]

    def _call(self, name: str, *args: Any) -> tuple[Any, Any]:
        func = self._funcs[name]
        ftype = func.type(self.store)
        lowered = [arg if isinstance(arg, wc.ResourceAny) else lower(arg, ty)
                   for arg, (_, ty) in zip(args, ftype.params)]
        raw = func(self.store, *lowered)
        func.post_return(self.store)
        return raw, ftype.result

    def _result(self, raw: Any, ty: Any) -> Any:
        """The ok value of a `result<T, error>`, or the error resource raised as FormatError."""
        if isinstance(raw, wc.Variant):
            tag, payload = raw.tag, raw.payload
        else:
            tag, payload = ("err" if isinstance(raw, wc.ResourceAny) else "ok"), raw
        if tag == "ok":
            return lift(payload, ty.ok)
        try:
            code = self._call("[method]error.code", payload)[0]
            data = self._call("[method]error.data", payload)[0]
        finally:
            payload.drop(self.store)
        raise FormatError(ErrorCode(code), data)

    def encode(self, messages: Sequence[Message]) -> bytes:
        raw, ty = self._call("[method]format.encode", self._format, list(messages))
        return bytes(self._result(raw, ty))

    def decode(self, raw_output: bytes) -> Message:
        raw, ty = self._call("[method]format.decode", self._format, bytes(raw_output))
        return self._result(raw, ty)

    def close(self) -> None:
        handle, self._format = self._format, None
        if handle is not None:
            handle.drop(self.store)

    def __enter__(self) -> "FormatInstance":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
