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
way; the leaves are runtime/compiled_values.py's).  Kinds the Golem interfaces do not use
(flags, resources, futures, streams, error-context) raise `Unsupported` when compiled, so a
function that needed them would stay on the generic path rather than be half-converted.
"""

from __future__ import annotations

from ctypes import byref
from itertools import repeat
from typing import Any, Callable

import wasmtime._ffi as ffi
from wasmtime import component as wc

from runtime.compiled_values import (
    _LIST, _OPTION, _RECORD, _SCALARS, _TUPLE, _VARIANT, _abandon, _clear,
    _constant_name, _delete_bytes, _lift_char, _lift_string, _lower_char, _lower_string,
    _name, _scalar_lifter, _scalar_lowerer, _string_at, _take_text, _val_delete, _val_new,
    _val_t)

Val = Any  # a `ffi.wasmtime_component_val_t`
Lower = Callable[[Any, Val], None]  # (plain value, C value to fill)
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
        lower_scalar = _scalar_lowerer(*scalar)
        return lambda value, c: lower_scalar(value, c, None)
    if isinstance(ty, wc.String):
        return lambda value, c: _lower_string(value, c, None)
    if isinstance(ty, wc.Char):
        return lambda value, c: _lower_char(value, c, None)
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
    new = ffi.wasmtime_component_valrecord_new_uninit
    delete = ffi.wasmtime_component_valrecord_delete

    def lower(value: Any, c: Val) -> None:
        if len(value) != count:
            raise TypeError(f"expected {count} record fields, got {len(value)}")
        raw = ffi.wasmtime_component_valrecord_t()
        new(byref(raw), count)
        data = raw.data
        i = 0
        try:
            for (name, sub), item in zip(fields, value):
                entry = data[i]
                sub(item, entry.val)
                entry.name = name()
                i += 1
        except BaseException:
            _abandon(raw, delete, [data[j].val for j in range(count)], i)
            raise
        c.kind = _RECORD
        c.of.record = raw
    return lower


def _enum_lowerer(ty: Any) -> Lower:
    names = {name: _constant_name(name) for name in ty.names}

    def lower(value: Any, c: Val) -> None:
        if not isinstance(value, str):
            raise TypeError("expected str type")
        make = names.get(value)
        c.kind = _ENUM  # a name the type lacks is the guest's to reject, as in wasmtime-py
        c.of.enumeration = make() if make is not None else _name(value)
    return lower


def _option_lowerer(ty: Any) -> Lower:
    if isinstance(ty.payload, wc.OptionType):
        raise Unsupported("option<option<…>> has no unambiguous plain form")
    sub = lowerer(ty.payload)

    def lower(value: Any, c: Val) -> None:
        if value is None:
            boxed = None
        else:
            raw = _val_t()
            sub(value, raw)
            boxed = _val_new(byref(raw))
        c.kind = _OPTION
        c.of.option = boxed
    return lower


def _sequence_lowerer(subs: Callable[[int], Any], kind: int, field: str
                      ) -> Callable[[Any, Val, int], None]:
    """The shared body of list and tuple lowering: fill `count` slots, release on error."""
    make = getattr(ffi, f"wasmtime_component_val{field}_t")
    new = getattr(ffi, f"wasmtime_component_val{field}_new_uninit")
    delete = getattr(ffi, f"wasmtime_component_val{field}_delete")

    def lower(items: Any, c: Val, count: int) -> None:
        raw = make()
        new(byref(raw), count)
        data = raw.data
        i = 0
        try:
            for sub, item in zip(subs(count), items):
                sub(item, data[i])
                i += 1
        except BaseException:
            _abandon(raw, delete, [data[j] for j in range(count)], i)
            raise
        c.kind = kind
        setattr(c.of, field, raw)
    return lower


def _list_lowerer(ty: Any) -> Lower:
    element = ty.element
    is_bytes = isinstance(element, wc.U8)
    sub = lowerer(element)
    fill = _sequence_lowerer(lambda count: repeat(sub, count), _LIST, "list")

    def lower(value: Any, c: Val) -> None:
        if isinstance(value, (bytes, bytearray)) != is_bytes or isinstance(value, str):
            raise TypeError("expected bytes value" if is_bytes else "expected list value")
        fill(value, c, len(value))
    return lower


def _tuple_lowerer(ty: Any) -> Lower:
    subs = tuple(lowerer(element) for element in ty.elements)
    count = len(subs)
    fill = _sequence_lowerer(lambda _: subs, _TUPLE, "tuple")

    def lower(value: Any, c: Val) -> None:
        if len(value) != count:
            raise TypeError("tuple length mismatch")
        fill(value, c, count)
    return lower


def _boxed(sub: Any, payload: Any) -> Any:
    """A heap C value holding `payload` (what a variant, option or result points to)."""
    if sub is None:
        return None
    raw = _val_t()
    sub(payload, raw)
    return _val_new(byref(raw))


def _variant_lowerer(ty: Any) -> Lower:
    cases = {name: (_constant_name(name), None if case_ty is None else lowerer(case_ty))
             for name, case_ty in ty.cases}

    def lower(value: Any, c: Val) -> None:
        tag, payload = value
        found = cases.get(tag)
        if found is None:
            raise ValueError("value not valid for this variant")
        name, sub = found
        boxed = _boxed(sub, payload)
        c.kind = _VARIANT
        variant = c.of.variant
        variant.discriminant = name()
        variant.val = boxed
    return lower


def _result_lowerer(ty: Any) -> Lower:
    ok = None if ty.ok is None else lowerer(ty.ok)
    err = None if ty.err is None else lowerer(ty.err)

    def lower(value: Any, c: Val) -> None:
        tag, payload = value
        if tag not in ("ok", "err"):
            raise ValueError("value not valid for this variant")
        boxed = _boxed(ok if tag == "ok" else err, payload)
        c.kind = _RESULT
        c.of.result.is_ok = tag == "ok"
        c.of.result.val = boxed
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
        return _record_lifter(ty)
    if isinstance(ty, wc.EnumType):
        return lambda c: _take_text(c.of.enumeration)
    if isinstance(ty, wc.OptionType):
        return _option_lifter(ty)
    if isinstance(ty, wc.ListType):
        return _list_lifter(ty)
    if isinstance(ty, wc.TupleType):
        return _tuple_lifter(ty)
    if isinstance(ty, wc.VariantType):
        return _variant_lifter(ty)
    if isinstance(ty, wc.ResultType):
        return _result_lifter(ty)
    raise Unsupported(f"no plain plan for {type(ty).__name__}")


def _unboxed(sub: Any, boxed: Any) -> Any:
    """The plain value a heap C value holds; the box is released."""
    if sub is None or not boxed:
        return None
    val = boxed.contents
    payload = sub(val)
    _clear(val)
    _val_delete(boxed)
    return payload


def _record_lifter(ty: Any) -> Lift:
    subs = tuple(lifter(field_ty) for _, field_ty in ty.fields)
    delete = ffi.wasmtime_component_valrecord_delete

    def lift(c: Val) -> tuple:
        record = c.of.record
        try:
            data = record.data
            out = []
            for i, sub in zip(range(record.size), subs):
                val = data[i].val
                out.append(sub(val))
                _clear(val)
        finally:
            delete(byref(record))
        return tuple(out)
    return lift


def _option_lifter(ty: Any) -> Lift:
    if isinstance(ty.payload, wc.OptionType):
        raise Unsupported("option<option<…>> has no unambiguous plain form")
    sub = lifter(ty.payload)
    return lambda c: _unboxed(sub, c.of.option)


def _list_lifter(ty: Any) -> Lift:
    element = ty.element
    is_bytes = isinstance(element, wc.U8)
    sub = lifter(element)
    delete = ffi.wasmtime_component_vallist_delete

    def lift(c: Val) -> Any:
        items = c.of.list
        try:
            data = items.data
            out = []
            for i in range(items.size):
                val = data[i]
                out.append(sub(val))
                _clear(val)
        finally:
            delete(byref(items))
        return bytes(out) if is_bytes else tuple(out)
    return lift


def _tuple_lifter(ty: Any) -> Lift:
    subs = tuple(lifter(element) for element in ty.elements)
    delete = ffi.wasmtime_component_valtuple_delete

    def lift(c: Val) -> tuple:
        items = c.of.tuple
        try:
            data = items.data
            out = []
            for i, sub in zip(range(items.size), subs):
                val = data[i]
                out.append(sub(val))
                _clear(val)
        finally:
            delete(byref(items))
        return tuple(out)
    return lift


def _variant_lifter(ty: Any) -> Lift:
    cases = {name.encode("utf-8"): (name, None if case_ty is None else lifter(case_ty))
             for name, case_ty in ty.cases}

    def lift(c: Val) -> tuple:
        variant = c.of.variant
        discriminant = variant.discriminant
        tag = _string_at(discriminant.data, discriminant.size)
        _delete_bytes(byref(discriminant))
        found = cases.get(tag)
        if found is None:
            raise ValueError(f"tag {tag.decode('utf-8', 'replace')} not found in variant cases")
        name, sub = found
        return name, _unboxed(sub, variant.val)
    return lift


def _result_lifter(ty: Any) -> Lift:
    ok = None if ty.ok is None else lifter(ty.ok)
    err = None if ty.err is None else lifter(ty.err)

    def lift(c: Val) -> tuple:
        result = c.of.result
        if result.is_ok:
            return "ok", _unboxed(ok, result.val)
        return "err", _unboxed(err, result.val)
    return lift

