"""Convert between the engine's golem:llm dataclasses and wasmtime-py component values.

Driven by the component's own types (wasmtime-py hands us each function's parameter and
result types), so the conversion follows the WIT exactly instead of a second hand-written
copy of it.  Records and enums are recognised by their field and case names; variants by
their case names.  wasmtime-py represents a variant as a plain payload when its cases have
distinct Python types ("untagged") and as `Variant(tag, payload)` otherwise; both are
handled by asking the type.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, Callable

from wasmtime import component as wc

from normalizer import values as v

_RECORDS: dict[frozenset[str], type] = {}
for _cls in (v.ImageUrl, v.ImageSource, v.Message, v.ToolDefinition, v.ToolCall,
             v.ToolSuccess, v.ToolFailure, v.Kv, v.Config, v.Usage, v.ResponseMetadata,
             v.CompleteResponse, v.LlmError, v.StreamDelta):
    _RECORDS[frozenset(f.name.replace("_", "-") for f in dataclasses.fields(_cls))] = _cls

_ENUMS: dict[frozenset[str], type[Enum]] = {
    frozenset(m.value for m in e): e
    for e in (v.Role, v.ErrorCode, v.FinishReason, v.ImageDetail)
}

# variant case names → {case: (engine class, payload → engine value)} and the reverse.
_Wrap = Callable[[Any], Any]
_VARIANTS: dict[frozenset[str], dict[str, tuple[type, _Wrap]]] = {
    frozenset({"text", "image"}): {"text": (v.Text, v.Text), "image": (v.Image, v.Image)},
    frozenset({"url", "inline"}): {"url": (v.ImageUrl, lambda p: p),
                                   "inline": (v.ImageSource, lambda p: p)},
    frozenset({"success", "error"}): {"success": (v.ToolSuccess, lambda p: p),
                                      "error": (v.ToolFailure, lambda p: p)},
    frozenset({"message", "tool-request", "error"}): {
        "message": (v.CompleteResponse, lambda p: p),
        "tool-request": (v.ToolRequest, v.ToolRequest),
        "error": (v.LlmError, lambda p: p)},
    frozenset({"delta", "finish", "error"}): {
        "delta": (v.StreamDelta, lambda p: p),
        "finish": (v.Finish, v.Finish),
        "error": (v.LlmError, lambda p: p)},
}
# What each wrapper class carries as its variant payload.
_UNWRAP: dict[type, Callable[[Any], Any]] = {
    v.Text: lambda x: x.text, v.Image: lambda x: x.reference,
    v.ToolRequest: lambda x: x.tool_calls, v.Finish: lambda x: x.metadata,
}


def _snake(name: str) -> str:
    return name.replace("-", "_")


def lower(value: Any, ty: Any) -> Any:
    """Engine value → wasmtime-py value of type `ty`."""
    if isinstance(ty, wc.RecordType):
        record = wc.Record()
        for name, field_ty in ty.fields:
            setattr(record, name, lower(getattr(value, _snake(name)), field_ty))
        return record
    if isinstance(ty, wc.EnumType):
        return value.value
    if isinstance(ty, wc.OptionType):
        if value is None:
            return wc.Variant("none") if ty._tagged() else None
        payload = lower(value, ty.payload)
        return wc.Variant("some", payload) if ty._tagged() else payload
    if isinstance(ty, wc.ListType):
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return [lower(item, ty.element) for item in value]
    if isinstance(ty, wc.TupleType):
        return tuple(lower(item, item_ty) for item, item_ty in zip(value, ty.elements))
    if isinstance(ty, wc.VariantType):
        cases = dict(ty.cases)
        table = _VARIANTS[frozenset(cases)]
        for tag, (cls, _) in table.items():
            if isinstance(value, cls):
                raw = _UNWRAP.get(cls, lambda x: x)(value)
                payload = lower(raw, cases[tag]) if cases[tag] is not None else None
                return wc.Variant(tag, payload) if ty._tagged() else payload
        raise TypeError(f"{type(value).__name__} is not a case of variant {sorted(cases)}")
    return value


def lift(value: Any, ty: Any) -> Any:
    """wasmtime-py value of type `ty` → engine value."""
    if isinstance(ty, wc.RecordType):
        fields = ty.fields
        cls = _RECORDS[frozenset(name for name, _ in fields)]
        return cls(**{_snake(name): lift(getattr(value, name), field_ty)
                      for name, field_ty in fields})
    if isinstance(ty, wc.EnumType):
        return _ENUMS[frozenset(ty.names)](value)
    if isinstance(ty, wc.OptionType):
        if isinstance(value, wc.Variant):
            return None if value.tag == "none" else lift(value.payload, ty.payload)
        return None if value is None else lift(value, ty.payload)
    if isinstance(ty, wc.ListType):
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return tuple(lift(item, ty.element) for item in value)
    if isinstance(ty, wc.TupleType):
        return tuple(lift(item, item_ty) for item, item_ty in zip(value, ty.elements))
    if isinstance(ty, wc.VariantType):
        cases = dict(ty.cases)
        table = _VARIANTS[frozenset(cases)]
        if isinstance(value, wc.Variant):
            tag, payload = value.tag, value.payload
        else:
            tag, payload = _untagged_case(value, ty), value
        _, wrap = table[tag]
        return wrap(lift(payload, cases[tag]))
    return value


def _untagged_case(value: Any, ty: Any) -> str:
    for tag, case_ty in ty.cases:
        classes: set[type] = set()
        if case_ty is None:
            classes.add(type(None))
        else:
            case_ty.add_classes(classes)
        if isinstance(value, tuple(classes)):
            return tag
    raise TypeError(f"{type(value).__name__} matches no case of {[t for t, _ in ty.cases]}")
