"""Type-driven conversion between frozen-dataclass value models and wasmtime-py component
values, shared by the golem:llm host (`wit_values`) and the model-format host
(`format_values`).

Driven by the component's own types (wasmtime-py hands us each function's parameter and
result types), so the conversion follows the WIT exactly instead of a second hand-written
copy of it.  What differs between the two WIT packages is only data, a `ValueModel`:
records recognised by their field names, enums by their case names, variants by their case
names with a `Case` per case saying which class stands for it and how its payload maps.
wasmtime-py represents a variant (and an option) as a plain payload when its cases have
distinct Python types ("untagged") and as `Variant(tag, payload)` otherwise; both are
handled by asking the type.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable, Mapping, Optional

from wasmtime import component as wc


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Case:
    """One variant case: values of `cls` are this case; `payload_of` gives the payload of such
    a value (not called for a case without payload), `value_of` the value for a lifted
    payload (None for a case without one); `record` is the class to lift a record payload
    into, for records whose field names alone are ambiguous."""

    cls: type
    payload_of: Callable[[Any], Any] = _same
    value_of: Callable[[Any], Any] = _same
    record: Optional[type] = None


def record_case(cls: type) -> Case:
    """A case whose payload is the record `cls` itself."""
    return Case(cls, record=cls)


def record_fields(cls: type) -> frozenset[str]:
    """The WIT field names of a dataclass (kebab-case)."""
    return frozenset(f.name.replace("_", "-") for f in dataclasses.fields(cls))


def records_by_fields(classes: Iterable[type]) -> dict[frozenset[str], type]:
    return {record_fields(cls): cls for cls in classes}


def enums_by_names(enums: Iterable[type[Enum]]) -> dict[frozenset[str], type[Enum]]:
    return {frozenset(m.value for m in e): e for e in enums}


@dataclass(frozen=True)
class ValueModel:
    """One value model's records, enums and variants, and the conversion driven by them."""

    records: Mapping[frozenset[str], type]
    enums: Mapping[frozenset[str], type[Enum]]
    variants: Mapping[frozenset[str], Mapping[str, Case]]

    def lower(self, value: Any, ty: Any) -> Any:
        """Model value → wasmtime-py value of type `ty`."""
        if isinstance(ty, wc.RecordType):
            record = wc.Record()
            for name, field_ty in ty.fields:
                setattr(record, name, self.lower(getattr(value, _snake(name)), field_ty))
            return record
        if isinstance(ty, wc.EnumType):
            return value.value
        if isinstance(ty, wc.OptionType):
            if value is None:
                return wc.Variant("none") if ty._tagged() else None
            payload = self.lower(value, ty.payload)
            return wc.Variant("some", payload) if ty._tagged() else payload
        if isinstance(ty, wc.ListType):
            if isinstance(value, (bytes, bytearray)):
                return bytes(value)
            return [self.lower(item, ty.element) for item in value]
        if isinstance(ty, wc.TupleType):
            return tuple(self.lower(item, item_ty) for item, item_ty in zip(value, ty.elements))
        if isinstance(ty, wc.VariantType):
            cases = dict(ty.cases)
            for tag, case in self.variants[frozenset(cases)].items():
                if isinstance(value, case.cls):
                    payload = (None if cases[tag] is None
                               else self.lower(case.payload_of(value), cases[tag]))
                    return wc.Variant(tag, payload) if ty._tagged() else payload
            raise TypeError(f"{type(value).__name__} is not a case of variant {sorted(cases)}")
        return value

    def lift(self, value: Any, ty: Any, cls: Optional[type] = None) -> Any:
        """wasmtime-py value of type `ty` → model value (`cls`: the record class when the
        context knows it)."""
        if isinstance(ty, wc.RecordType):
            fields = ty.fields
            cls = cls or self.records[frozenset(name for name, _ in fields)]
            return cls(**{_snake(name): self.lift(getattr(value, name), field_ty)
                          for name, field_ty in fields})
        if isinstance(ty, wc.EnumType):
            return self.enums[frozenset(ty.names)](value)
        if isinstance(ty, wc.OptionType):
            # Ask the type, not the value: an untagged option's payload may be a Variant.
            if ty._tagged():
                return None if value.tag == "none" else self.lift(value.payload, ty.payload)
            return None if value is None else self.lift(value, ty.payload)
        if isinstance(ty, wc.ListType):
            if isinstance(value, (bytes, bytearray)):
                return bytes(value)
            return tuple(self.lift(item, ty.element) for item in value)
        if isinstance(ty, wc.TupleType):
            return tuple(self.lift(item, item_ty) for item, item_ty in zip(value, ty.elements))
        if isinstance(ty, wc.VariantType):
            cases = dict(ty.cases)
            if ty._tagged():  # golem:llm's content-part is untagged with a Variant payload
                tag, payload = value.tag, value.payload
            else:
                tag, payload = _untagged_case(value, ty), value
            case = self.variants[frozenset(cases)][tag]
            if cases[tag] is None:
                return case.value_of(None)
            return case.value_of(self.lift(payload, cases[tag], case.record))
        return value


def _snake(name: str) -> str:
    return name.replace("-", "_")


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
