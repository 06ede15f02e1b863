"""Call the functions of one exported interface with model values.

`Exports` looks the functions up once per instance and converts through a `ValueModel`
(runtime/host/value_model.py), with each function's conversions read from its type once per
component (`signatures`, shared by the instances of one component), not at every call.
(wasmtime-py's `Func.__call__` still reads the type at every call for its own conversion.)
Every call is timed into a `CallClock`, guest and conversion apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import Any, MutableMapping, Optional, Sequence

import wasmtime
from wasmtime import component as wc

from runtime.host.call_clock import CallClock
from runtime.host.value_model import Lift, Lower, ValueModel


@dataclass(frozen=True)
class Signature:
    """One function's conversions: a lowerer per parameter, the result's lifter (None: the
    function returns nothing)."""

    params: tuple[Lower, ...]
    result: Optional[Lift]

    @classmethod
    def of(cls, func_type: wc.FuncType, model: ValueModel) -> "Signature":
        result = func_type.result
        return cls(tuple(model.lowerer(ty) for _, ty in func_type.params),
                   None if result is None else model.lifter(result))


class Exports:
    """The functions `names` of the exported interface `interface` of one instance."""

    def __init__(self, store: wasmtime.Store, instance: wc.Instance, interface: str,
                 names: Sequence[str], model: ValueModel,
                 signatures: MutableMapping[str, Signature],
                 clock: Optional[CallClock] = None) -> None:
        self.store = store
        self.model = model
        self.clock = clock or CallClock()
        self._signatures = signatures
        iface = instance.get_export_index(store, interface)
        if iface is None:
            raise LookupError(f"component does not export {interface}")
        self._funcs: dict[str, wc.Func] = {}
        for name in names:
            index = instance.get_export_index(store, name, iface)
            func = instance.get_func(store, index) if index is not None else None
            if func is None:
                raise LookupError(f"{interface} has no function {name!r}")
            self._funcs[name] = func

    def call(self, name: str, *args: Any) -> Any:
        """Export `name` called with model values; its result as a model value."""
        func, store, clock = self._funcs[name], self.store, self.clock
        signature = self._signatures.get(name)
        if signature is None:
            signature = self._signatures[name] = Signature.of(func.type(store), self.model)
        if len(args) != len(signature.params):
            raise TypeError(f"{name} takes {len(signature.params)} arguments, "
                            f"{len(args)} given")
        started = perf_counter()
        lowered = [lower(arg) for lower, arg in zip(signature.params, args)]
        entered = perf_counter()
        raw = func(store, *lowered)
        func.post_return(store)
        returned = perf_counter()
        result = None if signature.result is None else signature.result(raw)
        clock.guest_s += returned - entered
        clock.conversion_s += (entered - started) + (perf_counter() - returned)
        return result

    def drop(self, resource: wc.ResourceAny) -> None:
        """Drop a guest resource: runs the guest's destructor, like an export call."""
        started = perf_counter()
        resource.drop(self.store)
        self.clock.guest_s += perf_counter() - started
