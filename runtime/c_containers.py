"""The C side of container values (record, list, tuple, option, variant) for the compiled
conversion plans, given the plans of their elements.

Why: runtime/compiled_values.py (engine dataclasses) and runtime/golem/plain_values.py
(plain tuples) move the same C containers with the same C calls and the same release
discipline; they differ only in how the Python side is taken apart or built.  Each
container kind is written here once, as a closure over the element plans already compiled
by the caller, so a plan still goes straight from slot to element plan.

The discipline is wasmtime-py 50's `convert_to_c` / `convert_from_c`:
- lifting releases as it reads: each slot is lifted, then marked consumed (`clear`) so that
  deleting the container (always, in `finally`) does not release it a second time;
- lowering allocates the container uninitialised and fills it slot by slot; if an element
  fails, the slots not yet written are marked consumed and the container is deleted
  (`abandon`), so only what was really written is released.
Lowerers take `(value, C value to fill, store)`; the store is passed down untouched (only
resource plans use it), so it may default to None where no resource can occur.
"""

from __future__ import annotations

from ctypes import byref, string_at
from itertools import repeat
from typing import Any, Callable, Iterable, Optional, Sequence

import wasmtime._ffi as ffi

Val = Any  # a `ffi.wasmtime_component_val_t` (a ctypes view onto C memory)
Lower = Callable[[Any, Val, Any], None]  # (value, C value to fill, store)
Lift = Callable[[Val], Any]  # C value (released as it is read) -> value
NameMaker = Callable[[], Any]  # makes a fresh `wasm_name_t` (a field or case name)

_BOOL = ffi.WASMTIME_COMPONENT_BOOL.value
_LIST = ffi.WASMTIME_COMPONENT_LIST.value
_RECORD = ffi.WASMTIME_COMPONENT_RECORD.value
_TUPLE = ffi.WASMTIME_COMPONENT_TUPLE.value
_VARIANT = ffi.WASMTIME_COMPONENT_VARIANT.value
_OPTION = ffi.WASMTIME_COMPONENT_OPTION.value

_val_t = ffi.wasmtime_component_val_t
_val_new = ffi.wasmtime_component_val_new
_val_delete = ffi.wasmtime_component_val_delete
_delete_bytes = ffi.wasm_byte_vec_delete


def clear(val: Val) -> None:
    """Mark a C value as consumed, so releasing its container does not release it again."""
    val.kind = _BOOL
    val.of.boolean = False


def abandon(raw: Any, delete: Any, slots: Any, filled: int) -> None:
    """Release a half-filled C container after a lowering error: the slots not yet filled
    are marked consumed first, so only the values really written are released."""
    for slot in slots[filled:]:
        clear(slot)
    delete(byref(raw))


# ---- value -> C ----------------------------------------------------------------------------

def boxed(sub: Optional[Lower], payload: Any, store: Any) -> Any:
    """A heap C value holding `payload` (what an option, variant or result points to), or
    None when the case has no payload (`sub` None)."""
    if sub is None:
        return None
    raw = _val_t()
    sub(payload, raw, store)
    return _val_new(byref(raw))


def option_lowerer(sub: Lower) -> Lower:
    """option<T> from None or T's value (`sub`: T's plan)."""
    def lower(value: Any, c: Val, store: Any = None) -> None:
        box = None if value is None else boxed(sub, value, store)
        c.kind = _OPTION
        c.of.option = box
    return lower


def case_lowerer(name: NameMaker, sub: Optional[Lower]) -> Callable[[Val, Any, Any], None]:
    """Writes one variant case (`name`, payload plan `sub` or None) into a C value:
    `put(c, payload, store)`; the payload is lowered before `c` is touched."""
    def put(c: Val, payload: Any, store: Any) -> None:
        box = boxed(sub, payload, store)
        c.kind = _VARIANT
        variant = c.of.variant
        variant.discriminant = name()
        variant.val = box
    return put


def record_lowerer(fields: Sequence[tuple[NameMaker, Lower]],
                   values_of: Callable[[Any], Iterable[Any]]) -> Lower:
    """record from a value whose field values, in WIT order, `values_of` gives (called
    before anything is allocated, so it may check the value's shape)."""
    count = len(fields)
    new = ffi.wasmtime_component_valrecord_new_uninit
    delete = ffi.wasmtime_component_valrecord_delete

    def lower(value: Any, c: Val, store: Any = None) -> None:
        items = values_of(value)
        raw = ffi.wasmtime_component_valrecord_t()
        new(byref(raw), count)
        data = raw.data
        i = 0
        try:
            for (name, sub), item in zip(fields, items):
                entry = data[i]
                sub(item, entry.val, store)
                entry.name = name()
                i += 1
        except BaseException:
            abandon(raw, delete, [data[j].val for j in range(count)], i)
            raise
        c.kind = _RECORD
        c.of.record = raw
    return lower


SequenceFill = Callable[[Iterable[Lower], Iterable[Any], int, Val, Any], None]


def _sequence_filler(field: str, kind: int) -> SequenceFill:
    """`fill(subs, items, count, c, store)`: a list or tuple of `count` slots, slot i
    lowered from the i-th item by the i-th plan of `subs`."""
    make = getattr(ffi, f"wasmtime_component_val{field}_t")
    new = getattr(ffi, f"wasmtime_component_val{field}_new_uninit")
    delete = getattr(ffi, f"wasmtime_component_val{field}_delete")

    def fill(subs: Iterable[Lower], items: Iterable[Any], count: int, c: Val,
             store: Any) -> None:
        raw = make()
        new(byref(raw), count)
        data = raw.data
        i = 0
        try:
            for sub, item in zip(subs, items):
                sub(item, data[i], store)
                i += 1
        except BaseException:
            abandon(raw, delete, [data[j] for j in range(count)], i)
            raise
        c.kind = kind
        setattr(c.of, field, raw)
    return fill


#: The list and tuple fillers; the caller checks the value's shape first (list plans pass
#: `repeat(sub, count)` as the plans).
fill_list: SequenceFill = _sequence_filler("list", _LIST)
fill_tuple: SequenceFill = _sequence_filler("tuple", _TUPLE)


# ---- C -> value ----------------------------------------------------------------------------

def unboxed(sub: Optional[Lift], box: Any) -> Any:
    """The value a heap C value holds (None for no box or no payload); the box is
    released."""
    if sub is None or not box:
        return None
    val = box.contents
    payload = sub(val)
    clear(val)
    _val_delete(box)
    return payload


def option_lifter(sub: Lift) -> Lift:
    """option<T> to None or T's value (`sub`: T's plan)."""
    return lambda c: unboxed(sub, c.of.option)


def variant_lifter(cases: dict[bytes, tuple[Any, Optional[Lift]]]) -> Lift:
    """variant to `(info, payload)`, `cases` mapping each UTF-8 case name to the caller's
    `info` for it and its payload plan (None: no payload, and a payload of None)."""
    def lift(c: Val) -> tuple[Any, Any]:
        variant = c.of.variant
        discriminant = variant.discriminant
        tag = string_at(discriminant.data, discriminant.size)
        _delete_bytes(byref(discriminant))
        found = cases.get(tag)
        if found is None:
            raise ValueError(f"tag {tag.decode('utf-8', 'replace')} not found in variant cases")
        info, sub = found
        return info, unboxed(sub, variant.val)
    return lift


def record_lifter(subs: Sequence[Lift], build: Callable[[list], Any]) -> Lift:
    """record to `build(field values in WIT order)` (extra C fields are ignored, missing
    ones left out, as wasmtime-py's `zip` did)."""
    delete = ffi.wasmtime_component_valrecord_delete

    def lift(c: Val) -> Any:
        record = c.of.record
        try:
            data = record.data
            out = []
            for i, sub in zip(range(record.size), subs):
                val = data[i].val
                out.append(sub(val))
                clear(val)
        finally:
            delete(byref(record))
        return build(out)
    return lift


def _sequence_lifter(field: str, subs: Iterable[Lift], build: Callable[[list], Any]) -> Lift:
    """list or tuple to `build(element values)`, slot i lifted by the i-th plan of `subs`
    (which may be endless: the slot count bounds the walk)."""
    delete = getattr(ffi, f"wasmtime_component_val{field}_delete")

    def lift(c: Val) -> Any:
        items = getattr(c.of, field)
        try:
            data = items.data
            out = []
            for i, sub in zip(range(items.size), subs):
                val = data[i]
                out.append(sub(val))
                clear(val)
        finally:
            delete(byref(items))
        return build(out)
    return lift


def list_lifter(sub: Lift, is_bytes: bool) -> Lift:
    """list<T> to a tuple (list<u8>: bytes).  One endless `repeat` serves every call: `zip`
    stops at the slot count without consuming it."""
    return _sequence_lifter("list", repeat(sub), bytes if is_bytes else tuple)


def tuple_lifter(subs: Sequence[Lift]) -> Lift:
    """tuple<…> to a tuple."""
    return _sequence_lifter("tuple", tuple(subs), tuple)
