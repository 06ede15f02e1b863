"""Call a component export with its type read once and its conversions compiled.

`wasmtime.component.Func.__call__` fetches the function's type on every call and converts
through wasmtime-py's generic, type-walking `convert_to_c` / `convert_from_c`.  A
`Signature` reads the type once (per component and export: instances of one component share
it) and holds the compiled plans of runtime/compiled_values.py; `call` then does what
`Func.__call__` does (same C call, same error handling through wasmtime-py's `enter_wasm`,
arguments released after the call) with those plans.  The C entry point is looked up on
`wasmtime._ffi` at each call, so bench/component.py's `GuestClock` still sees every call.

This reaches under wasmtime-py's public API (`_ffi`, `Func._func`, `Store._context`), which
is why wasmtime is pinned (requirements-dev.txt, 50.0.1); tests/test_host_values.py and the
component tests are what would catch a release that changes them.
"""

from __future__ import annotations

from ctypes import byref
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import wasmtime._ffi as ffi
from wasmtime.component._enter import enter_wasm

from runtime.compiled_values import Lift, Lower, Plans


@dataclass(frozen=True)
class Signature:
    """One export's parameter lowerers and result lifter (None: no result)."""

    lowerers: tuple[Lower, ...]
    lift: Optional[Lift]
    func_type: Any  # wasmtime-py's FuncType, kept alive with the type objects it gave

    @classmethod
    def of(cls, func: Any, store: Any, plans: Plans) -> "Signature":
        func_type = func.type(store)
        result = func_type.result
        return cls(tuple(plans.lowerer(ty) for _, ty in func_type.params),
                   None if result is None else plans.lifter(result), func_type)


def call(func: Any, store: Any, signature: Signature, args: Sequence[Any]) -> Any:
    """`func(store, *args)` with model values in and out (the caller runs `post_return`)."""
    lowerers = signature.lowerers
    if len(args) != len(lowerers):
        raise TypeError("wrong number of parameters provided: given %s, expected %s"
                        % (len(args), len(lowerers)))
    params = (ffi.wasmtime_component_val_t * len(args))()
    done = 0
    try:
        for lower, arg in zip(lowerers, args):
            lower(arg, params[done], store)
            done += 1
        lift = signature.lift
        if lift is None:
            result, result_ptr, result_len = None, None, 0
        else:
            result = ffi.wasmtime_component_val_t()
            result_ptr, result_len = byref(result), 1
        context = store._context()
        raw_func = byref(func._func)
        enter_wasm(lambda: ffi.wasmtime_component_func_call(
            raw_func, context, params, done, result_ptr, result_len))
        return None if lift is None else lift(result)
    finally:
        delete = ffi.wasmtime_component_val_delete
        for i in range(done):
            delete(byref(params[i]))
