"""Conversion plans between a `ValueModel`'s values and wasmtime's C component values
(`wasmtime_component_val_t`), compiled once per WIT type.

Why: wasmtime-py converts in two steps and re-reads the types through ctypes at every value
of every call.  `func(store, ...)` fetches the function's type again, and its
`convert_to_c` / `convert_from_c` ask each record for its fields and each variant for its
cases (and work out whether it is "tagged") as they walk the value; then `ValueModel.lower`
/ `lift` walk the same types a second time.  On the first event of a stream that was about
1 ms of the 2 ms the component added (bench section 3).  Here each type is read once into a
pair of closures that go straight between the model's dataclasses and the C value: no
intermediate `Record` / `Variant` objects, no dispatch on the type per value.

Each closure does what wasmtime-py 50's `convert_to_c` / `convert_from_c` do for its kind
(the same C calls, and every nested value released the same way) combined with what
`ValueModel.lower` / `lift` do (the same classes and results; a value of the wrong shape
still fails before the call, with a TypeError where wasmtime-py's untagged options raised
ValueError).  `ValueModel` stays the reference: tests/test_host_values.py checks these
plans against it on the component's own types.  Kinds the model leaves alone (result,
flags, future, stream, error-context) fall back to wasmtime-py's own conversion, as before.
Plans are compiled once per export and kept by the host (runtime/compiled_call.py).  The C
side of records, lists, tuples, options and variants is runtime/c_containers.py's, shared
with the Golem host functions' plain-value plans; this module says how the model's values
are taken apart and built.  The scalar leaves take the store as optional, so those plans
use them as they are.
"""

from __future__ import annotations

import ctypes
from ctypes import byref
from itertools import repeat
from typing import Any, Callable, Optional

import wasmtime._ffi as ffi
from wasmtime import component as wc
from wasmtime.component import ResourceAny, ResourceHost

from runtime.c_containers import (
    Lift, Lower, Val, case_lowerer, fill_list, fill_tuple, list_lifter, option_lifter,
    option_lowerer, record_lifter, record_lowerer, tuple_lifter, variant_lifter)
from runtime.component_values import ValueModel

_BOOL = ffi.WASMTIME_COMPONENT_BOOL.value
_CHAR = ffi.WASMTIME_COMPONENT_CHAR.value
_STRING = ffi.WASMTIME_COMPONENT_STRING.value
_ENUM = ffi.WASMTIME_COMPONENT_ENUM.value
_RESOURCE = ffi.WASMTIME_COMPONENT_RESOURCE.value

#: Scalars by wasmtime-py type: (C kind, union field, Python class, the name in errors).
_SCALARS: dict[type, tuple[int, str, type, str]] = {
    wc.Bool: (_BOOL, "boolean", bool, "Bool"),
    wc.S8: (ffi.WASMTIME_COMPONENT_S8.value, "s8", int, "S8"),
    wc.U8: (ffi.WASMTIME_COMPONENT_U8.value, "u8", int, "U8"),
    wc.S16: (ffi.WASMTIME_COMPONENT_S16.value, "s16", int, "S16"),
    wc.U16: (ffi.WASMTIME_COMPONENT_U16.value, "u16", int, "U16"),
    wc.S32: (ffi.WASMTIME_COMPONENT_S32.value, "s32", int, "S32"),
    wc.U32: (ffi.WASMTIME_COMPONENT_U32.value, "u32", int, "U32"),
    wc.S64: (ffi.WASMTIME_COMPONENT_S64.value, "s64", int, "S64"),
    wc.U64: (ffi.WASMTIME_COMPONENT_U64.value, "u64", int, "U64"),
    wc.F32: (ffi.WASMTIME_COMPONENT_F32.value, "f32", float, "F32"),
    wc.F64: (ffi.WASMTIME_COMPONENT_F64.value, "f64", float, "F64"),
}

_byte_vec_t = ffi.wasm_byte_vec_t
_new_bytes = ffi.wasm_byte_vec_new_uninitialized
_delete_bytes = ffi.wasm_byte_vec_delete
_string_at = ctypes.string_at
_memmove = ctypes.memmove


def _name(text: str) -> Any:
    """A `wasm_name_t` holding `text` (what `ffi.str_to_capi` makes, without its copies)."""
    data = text.encode("utf-8")
    vec = _byte_vec_t()
    _new_bytes(byref(vec), len(data))
    _memmove(vec.data, data, len(data))
    return vec


def _constant_name(text: str) -> Callable[[], Any]:
    """A maker of `wasm_name_t`s holding `text`, for the names a type fixes (fields, cases):
    the bytes are encoded once and copied by one C call."""
    data = text.encode("utf-8")
    if not data:
        return lambda: _name(text)
    size = len(data)
    array = (ctypes.c_uint8 * size).from_buffer_copy(data)
    new = ffi.wasm_byte_vec_new

    def make() -> Any:
        vec = _byte_vec_t()
        new(byref(vec), size, array)
        return vec
    return make


def _take_text(vec: Any) -> str:
    """The text of a `wasm_name_t`, which is released (as `ffi.to_str` + delete do)."""
    text = _string_at(vec.data, vec.size).decode("utf-8")
    _delete_bytes(byref(vec))
    return text


class Plans:
    """Compiles the plans of one `ValueModel` (one per WIT package), type by type."""

    def __init__(self, model: ValueModel) -> None:
        self.model = model

    # ---- model value -> C --------------------------------------------------------------

    def lowerer(self, ty: Any) -> Lower:
        """How to write a model value of WIT type `ty` into a C value."""
        scalar = _SCALARS.get(type(ty))
        if scalar is not None:
            return _scalar_lowerer(*scalar)
        if isinstance(ty, wc.String):
            return _lower_string
        if isinstance(ty, wc.Char):
            return _lower_char
        if isinstance(ty, wc.RecordType):
            return self._record_lowerer(ty)
        if isinstance(ty, wc.EnumType):
            return _enum_lowerer(ty)
        if isinstance(ty, wc.OptionType):
            return self._option_lowerer(ty)
        if isinstance(ty, wc.ListType):
            return self._list_lowerer(ty)
        if isinstance(ty, wc.TupleType):
            return self._tuple_lowerer(ty)
        if isinstance(ty, wc.VariantType):
            return self._variant_lowerer(ty)
        if isinstance(ty, wc.OwnType):
            return _lower_own
        if isinstance(ty, wc.BorrowType):
            return _lower_borrow
        return _fallback_lowerer(ty)

    def _record_lowerer(self, ty: Any) -> Lower:
        attrs = tuple(name.replace("-", "_") for name, _ in ty.fields)
        return record_lowerer(
            tuple((_constant_name(name), self.lowerer(field_ty)) for name, field_ty in ty.fields),
            lambda value: [getattr(value, attr) for attr in attrs])

    def _option_lowerer(self, ty: Any) -> Lower:
        return option_lowerer(self.lowerer(ty.payload))

    def _list_lowerer(self, ty: Any) -> Lower:
        element = ty.element
        is_bytes = isinstance(element, wc.U8)
        sub = self.lowerer(element)

        def lower(value: Any, c: Val, store: Any) -> None:
            if isinstance(value, (bytes, bytearray)):
                if not is_bytes:
                    raise TypeError("expected list value")
            elif is_bytes:
                raise TypeError("expected bytes value")
            elif not isinstance(value, (list, tuple)):
                value = list(value)
            count = len(value)
            fill_list(repeat(sub, count), value, count, c, store)
        return lower

    def _tuple_lowerer(self, ty: Any) -> Lower:
        subs = tuple(self.lowerer(element) for element in ty.elements)
        count = len(subs)

        def lower(value: Any, c: Val, store: Any) -> None:
            items = tuple(value)
            if len(items) < count:  # longer ones are cut, as `zip` did in ValueModel.lower
                raise TypeError("tuple length mismatch")
            fill_tuple(subs, items, count, c, store)
        return lower

    def _variant_lowerer(self, ty: Any) -> Lower:
        cases = dict(ty.cases)
        model_cases = self.model.variants.get(frozenset(cases))
        if model_cases is None:
            return _missing("variant", sorted(cases))
        order = tuple((case.cls, None if cases[tag] is None else case.payload_of,
                       case_lowerer(_constant_name(tag),
                                    None if cases[tag] is None else self.lowerer(cases[tag])))
                      for tag, case in model_cases.items())
        names = sorted(cases)

        def lower(value: Any, c: Val, store: Any) -> None:
            for cls, payload_of, put in order:
                if isinstance(value, cls):  # `payload_of` is not called for a case without one
                    put(c, None if payload_of is None else payload_of(value), store)
                    return
            raise TypeError(f"{type(value).__name__} is not a case of variant {names}")
        return lower

    # ---- C -> model value --------------------------------------------------------------

    def lifter(self, ty: Any, cls: Optional[type] = None) -> Lift:
        """How to read a C value of WIT type `ty` into a model value (`cls`: the record class
        when the context knows it, as in `ValueModel.lift`)."""
        scalar = _SCALARS.get(type(ty))
        if scalar is not None:
            return _scalar_lifter(scalar[1], scalar[2])
        if isinstance(ty, wc.String):
            return _lift_string
        if isinstance(ty, wc.Char):
            return _lift_char
        if isinstance(ty, wc.RecordType):
            return self._record_lifter(ty, cls)
        if isinstance(ty, wc.EnumType):
            return self._enum_lifter(ty)
        if isinstance(ty, wc.OptionType):
            return self._option_lifter(ty)
        if isinstance(ty, wc.ListType):
            return self._list_lifter(ty)
        if isinstance(ty, wc.TupleType):
            return self._tuple_lifter(ty)
        if isinstance(ty, wc.VariantType):
            return self._variant_lifter(ty)
        if isinstance(ty, (wc.OwnType, wc.BorrowType)):
            return _lift_resource
        return ty.convert_from_c  # result, flags, ...: left as wasmtime-py gives them

    def _record_lifter(self, ty: Any, cls: Optional[type]) -> Lift:
        fields = ty.fields
        names = tuple(name for name, _ in fields)
        record_cls = cls or self.model.records.get(frozenset(names))
        if record_cls is None:
            return _missing("record", sorted(names))
        attrs = tuple(name.replace("-", "_") for name in names)
        return record_lifter(tuple(self.lifter(field_ty) for _, field_ty in fields),
                             lambda values: record_cls(**dict(zip(attrs, values))))

    def _enum_lifter(self, ty: Any) -> Lift:
        enum = self.model.enums.get(frozenset(ty.names))
        if enum is None:
            return _missing("enum", sorted(ty.names))
        members = {member.value: member for member in enum}

        def lift(c: Val) -> Any:
            text = _take_text(c.of.enumeration)
            member = members.get(text)
            return member if member is not None else enum(text)
        return lift

    def _option_lifter(self, ty: Any) -> Lift:
        return option_lifter(self.lifter(ty.payload))

    def _list_lifter(self, ty: Any) -> Lift:
        return list_lifter(self.lifter(ty.element), isinstance(ty.element, wc.U8))

    def _tuple_lifter(self, ty: Any) -> Lift:
        return tuple_lifter([self.lifter(element) for element in ty.elements])

    def _variant_lifter(self, ty: Any) -> Lift:
        cases = dict(ty.cases)
        model_cases = self.model.variants.get(frozenset(cases))
        if model_cases is None:
            return _missing("variant", sorted(cases))
        split = variant_lifter({
            tag.encode("utf-8"): (case.value_of, None if cases[tag] is None
                                  else self.lifter(cases[tag], case.record))
            for tag, case in model_cases.items()})

        def lift(c: Val) -> Any:
            value_of, payload = split(c)
            return value_of(payload)
        return lift


# ---- leaves -------------------------------------------------------------------------------

def _scalar_lowerer(kind: int, field: str, cls: type, name: str) -> Lower:
    message = f"expected {cls.__name__} for {name} type"

    def lower(value: Any, c: Val, store: Any = None) -> None:
        if not isinstance(value, cls):
            raise TypeError(message)
        c.kind = kind
        setattr(c.of, field, value)
    return lower


def _scalar_lifter(field: str, cls: type) -> Lift:
    def lift(c: Val) -> Any:
        return cls(getattr(c.of, field))
    return lift


def _lower_string(value: Any, c: Val, store: Any = None) -> None:
    if not isinstance(value, str):
        raise TypeError("expected string type")
    c.kind = _STRING
    c.of.string = _name(value)


def _lift_string(c: Val) -> str:
    return _take_text(c.of.string)


def _lower_char(value: Any, c: Val, store: Any = None) -> None:
    if not isinstance(value, str) or len(value) != 1:
        raise TypeError("expected single-character string for Char type")
    c.kind = _CHAR
    c.of.character = ord(value)


def _lift_char(c: Val) -> str:
    return chr(c.of.character)


def _enum_lowerer(ty: Any) -> Lower:
    names = {name: _constant_name(name) for name in ty.names}

    def lower(value: Any, c: Val, store: Any) -> None:
        text = value.value  # an engine Enum member
        if not isinstance(text, str):
            raise TypeError("expected str type")
        make = names.get(text)
        c.kind = _ENUM  # a name the type lacks is the guest's to reject, as before
        c.of.enumeration = make() if make is not None else _name(text)
    return lower


def _lower_own(value: Any, c: Val, store: Any) -> None:
    if isinstance(value, ResourceAny):
        resource = value._consume()
    elif isinstance(value, ResourceHost):
        resource = value.to_any(store)._consume()
    else:
        raise TypeError("expected ResourceAny or ResourceHost for Own type")
    c.kind = _RESOURCE
    c.of.resource = resource


def _lower_borrow(value: Any, c: Val, store: Any) -> None:
    if isinstance(value, ResourceAny):
        resource = ffi.wasmtime_component_resource_any_clone(value.ptr())
    elif isinstance(value, ResourceHost):
        resource = value.to_any(store)._consume()
    else:
        raise TypeError("expected ResourceAny or ResourceHost for Own type")
    c.kind = _RESOURCE
    c.of.resource = resource


def _lift_resource(c: Val) -> Any:
    return ResourceAny._from_ptr(ffi.take_pointer(c.of, "resource"))


def _fallback_lowerer(ty: Any) -> Lower:
    """Kinds `ValueModel.lower` passes through unchanged: wasmtime-py converts them."""
    convert = ty.convert_to_c

    def lower(value: Any, c: Val, store: Any) -> None:
        convert(store, value, ctypes.pointer(c))
    return lower


def _missing(kind: str, names: list[str]) -> Any:
    """A plan for a type the model does not know: fails when used, as `ValueModel` does
    (a `KeyError` on its table), not when the function's plans are compiled."""
    def fail(*_: Any) -> Any:
        raise KeyError(frozenset(names))
    return fail
