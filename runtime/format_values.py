"""Convert between `formats.values` (the Hayride message model) and wasmtime-py component
values, for hosting a model-format component.

Like `runtime.wit_values` for golem:llm, and for the same reason: driven by the types
wasmtime-py reports for each function, so the conversion follows the component's WIT rather
than a second copy of it.  Records are recognised by their field names, except where two
records share them (`image-content` and `audio-content`), which only occur as variant cases
and take their class from the case.  Variants are handled whether wasmtime-py tags them
(`Variant(tag, payload)`) or not.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, Optional

from wasmtime import component as wc

from formats import values as v


def _fields(cls: type) -> frozenset[str]:
    return frozenset(f.name.replace("_", "-") for f in dataclasses.fields(cls))


_RECORDS: dict[frozenset[str], type] = {
    _fields(cls): cls
    for cls in (v.Message, v.Tool, v.ToolSchema, v.ToolAnnotations, v.CallToolParams,
                v.CallToolResult, v.TextContent, v.ResourceLinkContent,
                v.EmbeddedResourceContent, v.TextResourceContents, v.BlobResourceContents)
}
_ENUMS: dict[frozenset[str], type[Enum]] = {frozenset(m.value for m in v.Role): v.Role}

# Each variant, by its case names: case → (class, payload of a value, value of a payload).
_Case = tuple[type, Any, Any]
_VARIANTS: dict[frozenset[str], dict[str, _Case]] = {
    frozenset({"none", "text", "blob", "tools", "tool-input", "tool-output"}): {
        "none": (v.Empty, None, lambda _: v.Empty()),
        "text": (v.Text, lambda x: x.text, v.Text),
        "blob": (v.Blob, lambda x: x.data, v.Blob),
        "tools": (v.Tools, lambda x: x.tools, v.Tools),
        "tool-input": (v.CallToolParams, lambda x: x, lambda p: p),
        "tool-output": (v.CallToolResult, lambda x: x, lambda p: p),
    },
    frozenset({"none", "text", "image", "audio", "resource-link", "resource-content"}): {
        "none": (v.Empty, None, lambda _: v.Empty()),
        "text": (v.TextContent, lambda x: x, lambda p: p),
        "image": (v.ImageContent, lambda x: x, lambda p: p),
        "audio": (v.AudioContent, lambda x: x, lambda p: p),
        "resource-link": (v.ResourceLinkContent, lambda x: x, lambda p: p),
        "resource-content": (v.EmbeddedResourceContent, lambda x: x, lambda p: p),
    },
    frozenset({"none", "text", "blob"}): {
        "none": (v.Empty, None, lambda _: v.Empty()),
        "text": (v.TextResourceContents, lambda x: x, lambda p: p),
        "blob": (v.BlobResourceContents, lambda x: x, lambda p: p),
    },
}


def _snake(name: str) -> str:
    return name.replace("-", "_")


def lower(value: Any, ty: Any) -> Any:
    """A `formats.values` value → the wasmtime-py value of type `ty`."""
    if isinstance(ty, wc.RecordType):
        record = wc.Record()
        for name, field_ty in ty.fields:
            setattr(record, name, lower(getattr(value, _snake(name)), field_ty))
        return record
    if isinstance(ty, wc.EnumType):
        return value.value
    if isinstance(ty, wc.ListType):
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return [lower(item, ty.element) for item in value]
    if isinstance(ty, wc.TupleType):
        return tuple(lower(item, item_ty) for item, item_ty in zip(value, ty.elements))
    if isinstance(ty, wc.VariantType):
        cases = dict(ty.cases)
        for tag, (cls, payload_of, _) in _VARIANTS[frozenset(cases)].items():
            if type(value) is cls:
                payload = None if cases[tag] is None else lower(payload_of(value), cases[tag])
                return wc.Variant(tag, payload) if ty._tagged() else payload
        raise TypeError(f"{type(value).__name__} is not a case of variant {sorted(cases)}")
    return value


def lift(value: Any, ty: Any, cls: Optional[type] = None) -> Any:
    """A wasmtime-py value of type `ty` → a `formats.values` value (`cls`: the record class
    when the context knows it)."""
    if isinstance(ty, wc.RecordType):
        fields = ty.fields
        cls = cls or _RECORDS[frozenset(name for name, _ in fields)]
        return cls(**{_snake(name): lift(getattr(value, name), field_ty)
                      for name, field_ty in fields})
    if isinstance(ty, wc.EnumType):
        return _ENUMS[frozenset(ty.names)](value)
    if isinstance(ty, wc.ListType):
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return tuple(lift(item, ty.element) for item in value)
    if isinstance(ty, wc.TupleType):
        return tuple(lift(item, item_ty) for item, item_ty in zip(value, ty.elements))
    if isinstance(ty, wc.VariantType):
        cases = dict(ty.cases)
        if isinstance(value, wc.Variant):
            tag, payload = value.tag, value.payload
        else:
            tag, payload = _untagged_case(value, ty), value
        case_cls, _, wrap = _VARIANTS[frozenset(cases)][tag]
        if cases[tag] is None:
            return wrap(None)
        record_cls = case_cls if isinstance(cases[tag], wc.RecordType) else None
        return wrap(lift(payload, cases[tag], record_cls))
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
