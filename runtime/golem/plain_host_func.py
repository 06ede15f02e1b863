"""Define a component host function that takes and returns plain values
(runtime/golem/plain_values.py), converted by plans compiled from its type at its first call.

Why: wasmtime-py 50's `LinkerInstance.add_func` has no raw entry point.  Its C callback
(`wasmtime.component._linker.func_impl`) rebuilds the function's `FuncType` and parameter
types at every call and converts every argument and the result with the generic,
type-walking `convert_from_c` / `convert_to_c`.  Here the same C entry point
(`wasmtime_component_linker_instance_add_func`) gets a callback of ours that receives the
raw argument and result slots and runs the compiled plans on them.  Everything else is
wasmtime-py's own: the function slab and its finalizer (so the function lives as long as the
linker holds it), and `catch_exceptions`, looked up on its module at each call so that an
exception still traps the guest the same way (and bench/host_call_clock.py still sees every
call).

This reaches under wasmtime-py's public API (`_ffi`, the `_linker` module's slab, callback
type and finalizer), which is why wasmtime is pinned (50.0.1); tests/test_golem_host_values.py
is what would catch a release that changes them.
"""

from __future__ import annotations

from ctypes import c_size_t, create_string_buffer
from typing import Any, Callable, Optional

import wasmtime._ffi as ffi
import wasmtime.component._linker as wasmtime_linker
from wasmtime import WasmtimeError
from wasmtime.component import FuncType

from runtime.golem.plain_values import Lift, Lower, Unsupported, lifter, lowerer

PlainFunc = Callable[..., Any]
"""`impl(*plain_args) -> plain_result` (None when the function has no result)."""

GenericFunc = Callable[..., Any]
"""`fallback(store, *wasmtime_py_args) -> wasmtime_py_result`, as `add_func` takes."""


class PlainHostFunc:
    """One host function over plain values; its plans are compiled at the first call, from
    the type wasmtime gives the callback (the import's type), and kept.  If the type has a
    kind the plans do not convert, every call goes to `fallback` through wasmtime-py's own
    conversion instead, exactly as `add_func` would have."""

    def __init__(self, impl: PlainFunc, fallback: GenericFunc) -> None:
        self.impl = impl
        self.fallback = fallback
        self._lifts: Optional[tuple[Lift, ...]] = None
        self._lower: Optional[Lower] = None
        self._has_result = False
        self._generic = False

    def _compile(self, ty_raw: Any, store: Any) -> None:
        with FuncType._from_ptr(ty_raw, owner=store) as func_type:
            result = func_type.result
            self._has_result = result is not None
            try:
                lower = None if result is None else lowerer(result)
                self._lifts = tuple(lifter(ty) for _, ty in func_type.params)
            except Unsupported:
                self._generic = True
                return
            self._lower = lower

    def _call_generic(self, store: Any, ty_raw: Any, args: Any, nargs: int,
                      results: Any) -> None:
        """wasmtime-py's `func_impl`, verbatim in effect."""
        with FuncType._from_ptr(ty_raw, owner=store) as func_type:
            params = func_type.params
            result_ty = func_type.result
            assert len(params) == nargs
            result = self.fallback(store, *[ty.convert_from_c(args[i])
                                            for i, (_, ty) in enumerate(params)])
            if result_ty is None:
                assert result is None
            else:
                result_ty.convert_to_c(store, result, results)

    def call(self, store: Any, ty_raw: Any, args: Any, nargs: int, results: Any,
             nresults: int) -> None:
        """What `func_impl`'s `run` does, with the compiled plans."""
        if self._lifts is None and not self._generic:
            self._compile(ty_raw, store)
        assert nresults == (1 if self._has_result else 0)
        if self._generic:
            self._call_generic(store, ty_raw, args, nargs, results)
            return
        lifts = self._lifts
        assert lifts is not None and len(lifts) == nargs
        result = self.impl(*[lift(args[i]) for i, lift in enumerate(lifts)])
        lower = self._lower
        if lower is None:
            assert result is None
        else:
            lower(result, results[0])


@ffi.wasmtime_component_func_callback_t
def _plain_func_impl(idx, context, ty_raw, args, nargs, results, nresults):  # type: ignore
    def run(store: Any) -> None:
        func: PlainHostFunc = wasmtime_linker.FUNCTIONS.get(idx or 0)  # type: ignore
        func.call(store, ty_raw, args, nargs, results, nresults)
    return wasmtime_linker.catch_exceptions(context, run)


def add_plain_func(instance: Any, name: str, impl: PlainFunc, fallback: GenericFunc) -> None:
    """`instance.add_func(name, fallback)`, but converting through plain values into `impl`
    whenever the function's type allows (`instance`: a wasmtime-py `LinkerInstance`)."""
    instance._assert_not_locked()
    name_bytes = name.encode("utf-8")
    idx = wasmtime_linker.FUNCTIONS.allocate(PlainHostFunc(impl, fallback))  # type: ignore[arg-type]
    err = ffi.wasmtime_component_linker_instance_add_func(
        instance.ptr(), create_string_buffer(name_bytes), c_size_t(len(name_bytes)),
        _plain_func_impl, idx, wasmtime_linker.func_finalize)
    if err:
        raise WasmtimeError._from_ptr(err)

