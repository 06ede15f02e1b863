"""A tiny type-descriptor language for WIT types, and their `wit-type` node lists.

The codec is driven by these descriptors instead of by hand-written per-type functions, so
one encoder, one decoder and one type comparison serve every golem:llm type and every
payload of the durability table.  Descriptors are frozen dataclasses; build them once, as
module constants, and they are free to reuse on every call.

A descriptor may be *bound* to engine classes (`normalizer.values`): a bound record encodes
the attributes of a dataclass and decodes back into it, a bound enum uses a Python `Enum`
whose member values are the WIT case names, and a bound variant picks its case from the
value's class.  Unbound descriptors use plain Python values instead:

| descriptor  | Python value when unbound                                          |
|-------------|--------------------------------------------------------------------|
| `PrimT`     | `int`, `float`, `bool`, `str` (a `char` is a one-character `str`)   |
| `ListT`     | a tuple (any sequence on encode); `ListT(U8)` is `bytes`            |
| `OptionT`   | `None` or the value; `Some(value)` when the inner type is an option |
| `TupleT`    | a tuple                                                            |
| `ResultT`   | `("ok", value)` or `("err", value)`; value is `None` with no payload |
| `RecordT`   | a tuple in field order (`()` for `record {}`)                       |
| `VariantT`  | `(case_name, payload)`; payload `None` for a case without one       |
| `EnumT`     | the case name                                                      |
| `FlagsT`    | a `frozenset` of flag names                                        |
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Optional, Tuple, Union


@dataclass(frozen=True)
class PrimT:
    """A primitive: `u8` … `s64`, `f32`, `f64`, `char`, `bool`, `string`."""

    name: str
    value_case: str = field(init=False, compare=False, repr=False)
    type_case: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.name not in _PRIM_NAMES:
            raise ValueError(f"unknown primitive {self.name!r}")
        value_case = {"f32": "prim-float32", "f64": "prim-float64"}.get(self.name, f"prim-{self.name}")
        object.__setattr__(self, "value_case", value_case)
        object.__setattr__(self, "type_case", f"prim-{self.name}-type")


_PRIM_NAMES = ("u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
               "f32", "f64", "char", "bool", "string")

U8, U16, U32, U64 = PrimT("u8"), PrimT("u16"), PrimT("u32"), PrimT("u64")
S8, S16, S32, S64 = PrimT("s8"), PrimT("s16"), PrimT("s32"), PrimT("s64")
F32, F64 = PrimT("f32"), PrimT("f64")
CHAR, BOOL, STRING = PrimT("char"), PrimT("bool"), PrimT("string")


@dataclass(frozen=True)
class ListT:
    element: "WitT"


@dataclass(frozen=True)
class OptionT:
    inner: "WitT"
    boxed: bool = field(init=False, compare=False, repr=False)
    """True when the inner type is itself an option: then `some(x)` is `Some(x)` in Python,
    because a bare `None` could not tell `none` from `some(none)`."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "boxed", isinstance(self.inner, OptionT))


@dataclass(frozen=True)
class Some:
    """`some(value)` of an option whose inner type is an option (see `OptionT.boxed`)."""

    value: Any


@dataclass(frozen=True)
class TupleT:
    items: Tuple["WitT", ...]


@dataclass(frozen=True)
class ResultT:
    ok: Optional["WitT"] = None
    err: Optional["WitT"] = None


@dataclass(frozen=True)
class Field:
    """One record field: its WIT (kebab-case) name, its type, and the dataclass attribute
    that holds it when the record is bound (the name in snake_case unless given)."""

    name: str
    type: "WitT"
    attr: str = ""

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", self.name.replace("-", "_"))


@dataclass(frozen=True)
class RecordT:
    """A record; bound to dataclass `cls` when given, a tuple in field order otherwise."""

    fields: Tuple[Field, ...]
    cls: Optional[type] = None
    names: Tuple[str, ...] = field(init=False, compare=False, repr=False)
    attrs: Tuple[str, ...] = field(init=False, compare=False, repr=False)
    types: Tuple["WitT", ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(f.name for f in self.fields))
        object.__setattr__(self, "attrs", tuple(f.attr for f in self.fields))
        object.__setattr__(self, "types", tuple(f.type for f in self.fields))
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"duplicate field names in {self.names}")
        if self.cls is not None:
            # A binding that misses or adds an attribute would lose data silently.
            declared = {f.name for f in dataclasses.fields(self.cls)}
            if declared != set(self.attrs):
                raise ValueError(f"{self.cls.__name__} has fields {sorted(declared)}, "
                                 f"the record binds {sorted(self.attrs)}")


@dataclass(frozen=True)
class Case:
    """One variant case.  Bound (`cls` given): a value of class `cls` selects this case; its
    payload is the value itself when `attr` is empty (the payload's own bound record), or
    `getattr(value, attr)` when `cls` merely wraps the payload."""

    name: str
    type: Optional["WitT"] = None
    cls: Optional[type] = None
    attr: str = ""


@dataclass(frozen=True)
class VariantT:
    cases: Tuple[Case, ...]
    names: Tuple[str, ...] = field(init=False, compare=False, repr=False)
    classes: Tuple[Optional[type], ...] = field(init=False, compare=False, repr=False)
    bound: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(c.name for c in self.cases))
        object.__setattr__(self, "classes", tuple(c.cls for c in self.cases))
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"duplicate case names in {self.names}")
        bound = [c.cls is not None for c in self.cases]
        if any(bound) and not all(bound):
            raise ValueError(f"variant {self.names}: bind every case or none")
        object.__setattr__(self, "bound", all(bound) and bool(bound))
        if self.bound and len(set(self.classes)) != len(self.classes):
            raise ValueError(f"variant {self.names}: two cases share a class")
        for case in self.cases:
            if case.cls is None or case.attr or case.type is None:
                continue
            if not (isinstance(case.type, RecordT) and case.type.cls is case.cls):
                raise ValueError(f"case {case.name}: an unwrapped payload must be a record "
                                 f"bound to {case.cls.__name__}")


@dataclass(frozen=True)
class EnumT:
    """An enum; bound to a Python `Enum` whose member values are the case names."""

    cases: Tuple[str, ...]
    cls: Optional[type] = None
    members: Tuple[Any, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(set(self.cases)) != len(self.cases):
            raise ValueError(f"duplicate enum cases in {self.cases}")
        members: Tuple[Any, ...] = self.cases
        if self.cls is not None:
            members = tuple(self.cls(case) for case in self.cases)
            if len(members) != len(self.cls):
                raise ValueError(f"{self.cls.__name__} has members the enum does not bind")
        object.__setattr__(self, "members", members)


@dataclass(frozen=True)
class FlagsT:
    flags: Tuple[str, ...]


WitT = Union[PrimT, ListT, OptionT, TupleT, ResultT, RecordT, VariantT, EnumT, FlagsT]


def record(*fields: Tuple[str, WitT], cls: Optional[type] = None) -> RecordT:
    """`record(("url", STRING), ("detail", OptionT(DETAIL)), cls=ImageUrl)`."""
    return RecordT(tuple(Field(name, t) for name, t in fields), cls)


def enum(*cases: str, cls: Optional[type] = None) -> EnumT:
    return EnumT(tuple(cases), cls)


def type_nodes(t: WitT) -> tuple:
    """The `wit-type` node list of `t`, root first (pre-order; children follow their parent,
    one subtree after another; nothing shared).  Compute it once per payload type: it is a
    constant."""
    out: list = []
    _type_node(t, out)
    return tuple(out)


def _type_node(t: WitT, out: list) -> int:
    index = len(out)
    kind = type(t)
    if kind is PrimT:
        out.append((t.type_case, None))
        return index
    out.append(None)  # placeholder: the parent comes before its children
    if kind is RecordT:
        node = ("record-type", tuple((f.name, _type_node(f.type, out)) for f in t.fields))
    elif kind is ListT:
        node = ("list-type", _type_node(t.element, out))
    elif kind is OptionT:
        node = ("option-type", _type_node(t.inner, out))
    elif kind is VariantT:
        node = ("variant-type", tuple(
            (c.name, None if c.type is None else _type_node(c.type, out)) for c in t.cases))
    elif kind is EnumT:
        node = ("enum-type", tuple(t.cases))
    elif kind is TupleT:
        node = ("tuple-type", tuple(_type_node(item, out) for item in t.items))
    elif kind is ResultT:
        ok = None if t.ok is None else _type_node(t.ok, out)
        err = None if t.err is None else _type_node(t.err, out)
        node = ("result-type", (ok, err))
    elif kind is FlagsT:
        node = ("flags-type", tuple(t.flags))
    else:
        raise TypeError(f"not a WIT type descriptor: {t!r}")
    out[index] = node
    return index


def describe(t: WitT) -> str:
    """A short WIT-like spelling of `t`, for error messages."""
    kind = type(t)
    if kind is PrimT:
        return t.name
    if kind is ListT:
        return f"list<{describe(t.element)}>"
    if kind is OptionT:
        return f"option<{describe(t.inner)}>"
    if kind is TupleT:
        return "tuple<" + ", ".join(describe(i) for i in t.items) + ">"
    if kind is ResultT:
        return f"result<{'_' if t.ok is None else describe(t.ok)}, " \
               f"{'_' if t.err is None else describe(t.err)}>"
    if kind is RecordT:
        return "record { " + ", ".join(t.names) + " }" if t.names else "record {}"
    if kind is VariantT:
        return "variant { " + ", ".join(t.names) + " }"
    if kind is EnumT:
        return "enum { " + ", ".join(t.cases) + " }"
    if kind is FlagsT:
        return "flags { " + ", ".join(t.flags) + " }"
    return repr(t)
