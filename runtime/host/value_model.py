"""Type-driven conversion between frozen-dataclass value models and wasmtime-py component
values: the one conversion of every host here (golem:llm's in runtime/host/llm_values.py,
Hayride's in formats/host_values.py).

Driven by the component's own types (wasmtime-py hands out each function's parameter and
result types), so the conversion follows the WIT instead of a second hand-written copy of it.
What differs between two WIT packages is only data, a `ValueModel`: records recognised by
their field names, enums by their case names, variants by their case names with a `Case` per
case saying which class stands for it and how its payload maps.

`lowerer(ty)` / `lifter(ty)` read a type once and return a function for its values, so a
host reads each export's types once, not at every call.  They speak wasmtime-py's public
value representation: `Record` objects (attributes named as the WIT fields), `Variant(tag,
payload)`, lists as `list`, tuples as `tuple`, `list<u8>` as `bytes`, enums as their case
name, resources as `ResourceAny`.  A variant, option or result is a `Variant` only when its
cases cannot be told apart by their payloads' Python classes, and the bare payload
otherwise ("untagged"); `tagged` decides it as wasmtime-py does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from wasmtime import component as wc

Lower = Callable[[Any], Any]
"""A model value → the wasmtime-py value of one type."""

Lift = Callable[[Any], Any]
"""A wasmtime-py value of one type → the model value."""

CaseTypes = Sequence[tuple[str, Optional[Any]]]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Case:
    """One variant case: values of `cls` are this case; `payload_of` gives the payload of such
    a value (ignored for a case without payload), `value_of` the value for a lifted payload
    (None for a case without one); `record` is the class to lift a record payload into, for
    records whose field names alone are ambiguous."""

    cls: type
    payload_of: Callable[[Any], Any] = _same
    value_of: Callable[[Any], Any] = _same
    record: Optional[type] = None


@dataclass(frozen=True)
class Ok:
    """The `ok` case of a WIT `result` (no model names one: a result is the caller's to
    unpack, as the format host's `result<T, error>`)."""

    value: Any = None


@dataclass(frozen=True)
class Err:
    """The `err` case of a WIT `result`."""

    value: Any = None


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


def case_types(ty: Any) -> CaseTypes:
    """The cases of a variant, option or result type, with their payload types."""
    if isinstance(ty, wc.OptionType):
        return (("none", None), ("some", ty.payload))
    if isinstance(ty, wc.ResultType):
        return (("ok", ty.ok), ("err", ty.err))
    return tuple(ty.cases)


def _classes(ty: Optional[Any]) -> set[type]:
    """The Python classes wasmtime-py uses for values of `ty` (`object` for no payload)."""
    classes: set[type] = set()
    if ty is None:
        classes.add(object)
    else:
        ty.add_classes(classes)
    return classes


def tagged(cases: CaseTypes) -> bool:
    """Does wasmtime-py represent values with these cases as `Variant(tag, payload)`?  Yes
    when two cases share a payload class, so the bare payload would not say its case: its
    rule, stated on the public `ValType.add_classes`."""
    seen: set[type] = set()
    for _, ty in cases:
        classes = _classes(ty)
        if classes & seen:
            return True
        seen |= classes
    return False


def _untagged_case(cases: CaseTypes) -> Callable[[Any], str]:
    """Which case an untagged value is: the first whose payload classes it matches, in case
    order, as wasmtime-py picks the case when it converts such a value (None: the first case
    without payload)."""
    tests = tuple((tag, None if ty is None else tuple(_classes(ty))) for tag, ty in cases)

    def case_of(value: Any) -> str:
        for tag, classes in tests:
            if value is None if classes is None else isinstance(value, classes):
                return tag
        raise TypeError(f"{type(value).__name__} matches no case of {[t for t, _ in cases]}")
    return case_of


@dataclass(frozen=True)
class ValueModel:
    """One value model's records, enums and variants, and the conversion driven by them."""

    records: Mapping[frozenset[str], type]
    enums: Mapping[frozenset[str], type[Enum]]
    variants: Mapping[frozenset[str], Mapping[str, Case]]

    def lowerer(self, ty: Any) -> Lower:
        """Model values → wasmtime-py values of type `ty`."""
        if isinstance(ty, wc.RecordType):
            return self._record_lowerer(ty)
        if isinstance(ty, wc.EnumType):
            return _enum_value
        if isinstance(ty, wc.ListType):
            element = ty.element
            if isinstance(element, wc.U8):
                return bytes
            lower_item = self.lowerer(element)
            return lambda value: [lower_item(item) for item in value]
        if isinstance(ty, wc.TupleType):
            lowers = tuple(self.lowerer(item) for item in ty.elements)
            return lambda value: tuple(lower(item) for lower, item in zip(lowers, value))
        if isinstance(ty, (wc.OptionType, wc.ResultType, wc.VariantType)):
            return self._variant_like_lowerer(ty)
        return _same  # scalars, strings, resources: as they are

    def lifter(self, ty: Any, cls: Optional[type] = None) -> Lift:
        """wasmtime-py values of type `ty` → model values (`cls`: the record class when the
        context knows it)."""
        if isinstance(ty, wc.RecordType):
            return self._record_lifter(ty, cls)
        if isinstance(ty, wc.EnumType):
            return self.enums[frozenset(ty.names)]
        if isinstance(ty, wc.ListType):
            element = ty.element
            if isinstance(element, wc.U8):
                return bytes
            lift_item = self.lifter(element)
            return lambda value: tuple(lift_item(item) for item in value)
        if isinstance(ty, wc.TupleType):
            lifts = tuple(self.lifter(item) for item in ty.elements)
            return lambda value: tuple(lift(item) for lift, item in zip(lifts, value))
        if isinstance(ty, (wc.OptionType, wc.ResultType, wc.VariantType)):
            return self._variant_like_lifter(ty)
        return _same

    # ---- records -----------------------------------------------------------------------

    def _record_lowerer(self, ty: Any) -> Lower:
        fields = tuple((name, _snake(name), self.lowerer(field_ty))
                       for name, field_ty in ty.fields)

        def lower(value: Any) -> wc.Record:
            record = wc.Record()
            for name, attribute, lower_field in fields:
                setattr(record, name, lower_field(getattr(value, attribute)))
            return record
        return lower

    def _record_lifter(self, ty: Any, cls: Optional[type]) -> Lift:
        fields = tuple((name, _snake(name), self.lifter(field_ty))
                       for name, field_ty in ty.fields)
        target = cls or self.records[frozenset(name for name, _, _ in fields)]

        def lift(value: Any) -> Any:
            return target(**{attribute: lift_field(getattr(value, name))
                             for name, attribute, lift_field in fields})
        return lift

    # ---- variants, options, results ------------------------------------------------------

    def _variant_like_lowerer(self, ty: Any) -> Lower:
        """Options from None or the payload, results from `Ok` / `Err`, variants through the
        model's `Case`s."""
        cases = case_types(ty)
        lowers = {tag: None if case_ty is None else self.lowerer(case_ty)
                  for tag, case_ty in cases}
        split = self._splitter(ty, cases)
        is_tagged = tagged(cases)

        def lower(value: Any) -> Any:
            tag, payload = split(value)
            lower_payload = lowers[tag]
            payload = None if lower_payload is None else lower_payload(payload)
            return wc.Variant(tag, payload) if is_tagged else payload
        return lower

    def _splitter(self, ty: Any, cases: CaseTypes) -> Callable[[Any], tuple[str, Any]]:
        """How a model value of the variant-like `ty` splits into its case and payload."""
        if isinstance(ty, wc.OptionType):
            return lambda value: ("none", None) if value is None else ("some", value)
        if isinstance(ty, wc.ResultType):
            plans: tuple[tuple[str, type, Callable[[Any], Any]], ...] = (
                ("ok", Ok, _result_value), ("err", Err, _result_value))
        else:
            model = self.variants[frozenset(tag for tag, _ in cases)]
            plans = tuple((tag, case.cls, case.payload_of) for tag, case in model.items())

        def split(value: Any) -> tuple[str, Any]:
            for tag, cls, payload_of in plans:
                if isinstance(value, cls):
                    return tag, payload_of(value)
            raise TypeError(f"{type(value).__name__} is not a case of "
                            f"{[tag for tag, _ in cases]}")
        return split

    def _variant_like_lifter(self, ty: Any) -> Lift:
        """Options lift to None or the payload, results to `Ok` / `Err`, variants through
        the model's `Case`s."""
        cases = case_types(ty)
        if isinstance(ty, wc.OptionType):
            make: dict[str, Callable[[Any], Any]] = {"none": lambda _: None, "some": _same}
            records: Mapping[str, Optional[type]] = {}
        elif isinstance(ty, wc.ResultType):
            make, records = {"ok": Ok, "err": Err}, {}
        else:
            model = self.variants[frozenset(tag for tag, _ in cases)]
            make = {tag: case.value_of for tag, case in model.items()}
            records = {tag: case.record for tag, case in model.items()}
        lifts = {tag: None if case_ty is None else self.lifter(case_ty, records.get(tag))
                 for tag, case_ty in cases}
        if tagged(cases):
            def split(value: Any) -> tuple[str, Any]:
                return value.tag, value.payload
        else:
            case_of = _untagged_case(cases)

            def split(value: Any) -> tuple[str, Any]:
                return case_of(value), value

        def lift(value: Any) -> Any:
            tag, payload = split(value)
            lift_payload = lifts[tag]
            return make[tag](None if lift_payload is None else lift_payload(payload))
        return lift


def _result_value(value: Ok | Err) -> Any:
    return value.value


def _enum_value(value: Enum) -> str:
    return value.value


def _snake(name: str) -> str:
    return name.replace("-", "_")
