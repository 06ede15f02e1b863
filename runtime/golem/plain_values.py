"""Conversion plans between wasmtime's C component values and plain Python data, compiled
once per WIT type, for the Golem host functions.

Why: each `persist-typed-durable-function-invocation` carries two value-and-type payloads of
a few hundred `wit-node` / `wit-type-node` variants.  wasmtime-py's generic host-function
path (`convert_from_c` / `convert_to_c`) re-reads every variant's cases through ctypes at
every node (and again to decide whether the variant is "tagged"), and builds a `Record` or
`Variant` per node that runtime/golem/wasmtime_values.py then takes apart: profiled, that
was ~95% of a durable `get-next`'s host-call time.  A plan reads each type once and goes
straight between the C value and the shapes the neutral nodes of durability/wit_nodes.py
are already made of:

| WIT                 | plain value                                   |
|---------------------|-----------------------------------------------|
| record              | tuple of the field values, in field order     |
| variant, result     | `(case_name, payload_or_None)`                |
| enum                | the case name                                 |
| option<T>           | None or T's value (option<option<…>> is refused) |
| list<T>, tuple<…>   | tuple (lowering takes any sequence); list<u8>: bytes |
| scalars, string, char | as wasmtime-py gives them                   |

The C side is what wasmtime-py 50 does (same C calls, every nested value released the same
way): the containers are runtime/c_containers.py's and the leaves runtime/compiled_values.py's,
shared with the engine's plans; this module only says how plain values are taken apart and
built.  Lowerers take an optional third argument (the store, unused here) so the shared
container code calls them as it calls the engine's.  Kinds the Golem interfaces do not use
(flags, resources, futures, streams, error-context) raise `Unsupported` when compiled, so a
function that needed them would stay on the generic path rather than be half-converted.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, Callable

import wasmtime._ffi as ffi
from wasmtime import component as wc

from runtime.c_containers import (
    Val, boxed, case_lowerer, fill_list, fill_tuple, list_lifter, option_lifter,
    option_lowerer, record_lifter, record_lowerer, tuple_lifter, unboxed, variant_lifter)
from runtime.compiled_values import (
    _SCALARS, _constant_name, _lift_char, _lift_string, _lower_char, _lower_string, _name,
    _scalar_lifter, _scalar_lowerer, _take_text)

Lower = Callable[[Any, Val], None]  # (plain value, C value to fill); also takes a store=None
Lift = Callable[[Val], Any]  # C value (released as it is read) -> plain value

_ENUM = ffi.WASMTIME_COMPONENT_ENUM.value
_RESULT = ffi.WASMTIME_COMPONENT_RESULT.value


class Unsupported(TypeError):
    """A WIT type these plans do not convert (the caller keeps wasmtime-py's conversion)."""


# ---- plain value -> C ----------------------------------------------------------------------

def lowerer(ty: Any) -> Lower:
    """How to write a plain value of WIT type `ty` into a C value."""
    scalar = _SCALARS.get(type(ty))
    if scalar is not None:
        return _scalar_lowerer(*scalar)
    if isinstance(ty, wc.String):
        return _lower_string
    if isinstance(ty, wc.Char):
        return _lower_char
    if isinstance(ty, wc.RecordType):
        return _record_lowerer(ty)
    if isinstance(ty, wc.EnumType):
        return _enum_lowerer(ty)
    if isinstance(ty, wc.OptionType):
        return _option_lowerer(ty)
    if isinstance(ty, wc.ListType):
        return _list_lowerer(ty)
    if isinstance(ty, wc.TupleType):
        return _tuple_lowerer(ty)
    if isinstance(ty, wc.VariantType):
        return _variant_lowerer(ty)
    if isinstance(ty, wc.ResultType):
        return _result_lowerer(ty)
    raise Unsupported(f"no plain plan for {type(ty).__name__}")


def _record_lowerer(ty: Any) -> Lower:
    fields = tuple((_constant_name(name), lowerer(field_ty)) for name, field_ty in ty.fields)
    count = len(fields)

    def values_of(value: Any) -> Any:
        if len(value) != count:
            raise TypeError(f"expected {count} record fields, got {len(value)}")
        return value
    return record_lowerer(fields, values_of)


def _enum_lowerer(ty: Any) -> Lower:
    names = {name: _constant_name(name) for name in ty.names}

    def lower(value: Any, c: Val, store: Any = None) -> None:
        if not isinstance(value, str):
            raise TypeError("expected str type")
        make = names.get(value)
        c.kind = _ENUM  # a name the type lacks is the guest's to reject, as in wasmtime-py
        c.of.enumeration = make() if make is not None else _name(value)
    return lower


def _option_lowerer(ty: Any) -> Lower:
    if isinstance(ty.payload, wc.OptionType):
        raise Unsupported("option<option<…>> has no unambiguous plain form")
    return option_lowerer(lowerer(ty.payload))


def _list_lowerer(ty: Any) -> Lower:
    element = ty.element
    is_bytes = isinstance(element, wc.U8)
    sub = lowerer(element)

    def lower(value: Any, c: Val, store: Any = None) -> None:
        if isinstance(value, (bytes, bytearray)) != is_bytes or isinstance(value, str):
            raise TypeError("expected bytes value" if is_bytes else "expected list value")
        count = len(value)
        fill_list(repeat(sub, count), value, count, c, store)
    return lower


def _tuple_lowerer(ty: Any) -> Lower:
    subs = tuple(lowerer(element) for element in ty.elements)
    count = len(subs)

    def lower(value: Any, c: Val, store: Any = None) -> None:
        if len(value) != count:
            raise TypeError("tuple length mismatch")
        fill_tuple(subs, value, count, c, store)
    return lower


def _variant_lowerer(ty: Any) -> Lower:
    cases = {name: case_lowerer(_constant_name(name),
                                None if case_ty is None else lowerer(case_ty))
             for name, case_ty in ty.cases}

    def lower(value: Any, c: Val, store: Any = None) -> None:
        tag, payload = value
        put = cases.get(tag)
        if put is None:
            raise ValueError("value not valid for this variant")
        put(c, payload, store)
    return lower


def _result_lowerer(ty: Any) -> Lower:
    ok = None if ty.ok is None else lowerer(ty.ok)
    err = None if ty.err is None else lowerer(ty.err)

    def lower(value: Any, c: Val, store: Any = None) -> None:
        tag, payload = value
        if tag not in ("ok", "err"):
            raise ValueError("value not valid for this variant")
        box = boxed(ok if tag == "ok" else err, payload, store)
        c.kind = _RESULT
        c.of.result.is_ok = tag == "ok"
        c.of.result.val = box
    return lower


# ---- C -> plain value ----------------------------------------------------------------------

def lifter(ty: Any) -> Lift:
    """How to read a C value of WIT type `ty` into a plain value."""
    scalar = _SCALARS.get(type(ty))
    if scalar is not None:
        return _scalar_lifter(scalar[1], scalar[2])
    if isinstance(ty, wc.String):
        return _lift_string
    if isinstance(ty, wc.Char):
        return _lift_char
    if isinstance(ty, wc.RecordType):
        return record_lifter(tuple(lifter(field_ty) for _, field_ty in ty.fields), tuple)
    if isinstance(ty, wc.EnumType):
        return lambda c: _take_text(c.of.enumeration)
    if isinstance(ty, wc.OptionType):
        return _option_lifter(ty)
    if isinstance(ty, wc.ListType):
        return list_lifter(lifter(ty.element), isinstance(ty.element, wc.U8))
    if isinstance(ty, wc.TupleType):
        return tuple_lifter([lifter(element) for element in ty.elements])
    if isinstance(ty, wc.VariantType):
        return variant_lifter({name.encode("utf-8"): (name, None if case_ty is None
                                                      else lifter(case_ty))
                               for name, case_ty in ty.cases})
    if isinstance(ty, wc.ResultType):
        return _result_lifter(ty)
    raise Unsupported(f"no plain plan for {type(ty).__name__}")


def _option_lifter(ty: Any) -> Lift:
    if isinstance(ty.payload, wc.OptionType):
        raise Unsupported("option<option<…>> has no unambiguous plain form")
    return option_lifter(lifter(ty.payload))


def _result_lifter(ty: Any) -> Lift:
    ok = None if ty.ok is None else lifter(ty.ok)
    err = None if ty.err is None else lifter(ty.err)

    def lift(c: Val) -> tuple:
        result = c.of.result
        if result.is_ok:
            return "ok", unboxed(ok, result.val)
        return "err", unboxed(err, result.val)
    return lift

