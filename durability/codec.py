"""Encode Python values into `wit-value` nodes and decode them back, driven by a descriptor.

`encode(value, T)` walks the value and its descriptor (`durability/wit_schema.py`) once and
emits value nodes in pre-order (a parent before its children, one subtree after another),
the same layout `type_nodes(T)` uses.  `decode((value_nodes, type_nodes), T)` first checks
that the stored type is T (structurally, so a host that numbers its nodes differently still
matches), then rebuilds the value following the indices.  Decoding validates as it goes:
every index in range, every node visited exactly once (no sharing, no cycles, nothing
unreachable), every case the one the type calls for, every primitive within its range.  Any
failure is a `CodecError` carrying the path.

Speed matters because the durable component encodes every streamed batch: one tuple per
node, descriptor fields precomputed, `list<u8>` encoded without a Python-level loop.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Optional, Sequence

from durability.codec_error import CodecError
from durability.wit_nodes import (ValueAndType, contiguous_bytes, prim_problem,
                                  string_problem, take_node, walk_from_root)
from durability.wit_schema import (
    EnumT,
    FlagsT,
    ListT,
    OptionT,
    PrimT,
    RecordT,
    ResultT,
    Some,
    TupleT,
    VariantT,
    WitT,
    describe,
    type_nodes,
)

_U8_NODES = tuple(("prim-u8", b) for b in range(256))
"""Every `prim-u8` node, shared: a byte string encodes without allocating per byte."""

_BYTES_LIKE = (bytes, bytearray, memoryview)
_SEQUENCES = (tuple, list)


# ----------------------------------------------------------------------------- encode


def encode(value: Any, t: WitT) -> tuple:
    """The `wit-value` node list of `value` as type `t`, root at index 0."""
    out: list = []
    _enc(value, t, out)
    return tuple(out)


def value_and_type(value: Any, t: WitT, t_nodes: Optional[tuple] = None) -> ValueAndType:
    """`(value_nodes, type_nodes)`; pass `t_nodes` (precomputed `type_nodes(t)`) to skip
    rebuilding the constant type list on every call."""
    return encode(value, t), (type_nodes(t) if t_nodes is None else t_nodes)


def _enc(value: Any, t: WitT, out: list) -> int:
    index = len(out)
    kind = t.__class__
    if kind is PrimT:
        case = t.value_case
        if case == "prim-string":
            if type(value) is not str:
                raise CodecError(f"expected a str, got {type(value).__name__}")
            if not value.isascii():
                problem = string_problem(value)
                if problem:
                    raise CodecError(problem)
        else:
            if (case == "prim-float32" or case == "prim-float64") and type(value) is int:
                value = float(value)
            problem = prim_problem(case, value)
            if problem:
                raise CodecError(problem)
        out.append((case, value))
        return index

    out.append(None)  # placeholder: the parent precedes its children
    if kind is RecordT:
        out[index] = ("record-value", _enc_record(value, t, out))
    elif kind is ListT:
        element = t.element
        if isinstance(value, _BYTES_LIKE) and element.__class__ is PrimT and element.name == "u8":
            data = bytes(value)
            out[index] = ("list-value", tuple(range(index + 1, index + 1 + len(data))))
            out.extend(map(_U8_NODES.__getitem__, data))
            return index
        if not isinstance(value, _SEQUENCES):
            raise CodecError(f"expected a tuple or list for {describe(t)}, "
                             f"got {type(value).__name__}")
        children = []
        position = 0
        try:
            for position, item in enumerate(value):
                children.append(_enc(item, element, out))
        except CodecError as err:
            raise err.at(position)
        out[index] = ("list-value", tuple(children))
    elif kind is OptionT:
        if value is None:
            out[index] = ("option-value", None)
        else:
            if t.boxed:
                if type(value) is not Some:
                    raise CodecError("an option of an option needs Some(value) or None")
                value = value.value
            out[index] = ("option-value", _enc(value, t.inner, out))
    elif kind is VariantT:
        out[index] = ("variant-value", _enc_variant(value, t, out))
    elif kind is EnumT:
        try:
            out[index] = ("enum-value", t.members.index(value))
        except ValueError:
            raise CodecError(f"{value!r} is not a case of {describe(t)}") from None
    elif kind is TupleT:
        if not isinstance(value, _SEQUENCES) or len(value) != len(t.items):
            raise CodecError(f"expected a {len(t.items)}-tuple for {describe(t)}, got {value!r:.80}")
        children = []
        position = 0
        try:
            for position, item_t in enumerate(t.items):
                children.append(_enc(value[position], item_t, out))
        except CodecError as err:
            raise err.at(position)
        out[index] = ("tuple-value", tuple(children))
    elif kind is ResultT:
        if not isinstance(value, _SEQUENCES) or len(value) != 2 or value[0] not in ("ok", "err"):
            raise CodecError(f"expected ('ok', value) or ('err', value), got {value!r:.80}")
        tag, payload = value
        payload_t = t.ok if tag == "ok" else t.err
        if payload_t is None:
            if payload is not None:
                raise CodecError(f"result case {tag} carries no payload")
            out[index] = ("result-value", (tag, None))
        else:
            try:
                out[index] = ("result-value", (tag, _enc(payload, payload_t, out)))
            except CodecError as err:
                raise err.at(tag)
    elif kind is FlagsT:
        if not isinstance(value, (set, frozenset)) or not value <= set(t.flags):
            raise CodecError(f"expected a set of flags of {describe(t)}, got {value!r:.80}")
        out[index] = ("flags-value", tuple(flag in value for flag in t.flags))
    else:
        raise CodecError(f"not a WIT type descriptor: {t!r:.80}")
    return index


def _enc_record(value: Any, t: RecordT, out: list) -> tuple:
    if t.cls is not None:
        if value.__class__ is not t.cls:
            raise CodecError(f"expected {t.cls.__name__}, got {type(value).__name__}")
        items = [getattr(value, attr) for attr in t.attrs]
    else:
        if not isinstance(value, _SEQUENCES) or len(value) != len(t.fields):
            raise CodecError(f"expected a {len(t.fields)}-tuple for {describe(t)}, "
                             f"got {value!r:.80}")
        items = value
    children = []
    position = 0
    try:
        for position, field_t in enumerate(t.types):
            children.append(_enc(items[position], field_t, out))
    except CodecError as err:
        raise err.at(t.names[position])
    return tuple(children)


def _enc_variant(value: Any, t: VariantT, out: list) -> tuple:
    if t.bound:
        try:
            position = t.classes.index(value.__class__)
        except ValueError:
            raise CodecError(f"{type(value).__name__} is not a case of {describe(t)}") from None
        case = t.cases[position]
        payload = value if not case.attr else getattr(value, case.attr)
    else:
        if not isinstance(value, _SEQUENCES) or len(value) != 2 or value[0] not in t.names:
            raise CodecError(f"expected (case, payload) of {describe(t)}, got {value!r:.80}")
        position = t.names.index(value[0])
        case = t.cases[position]
        payload = value[1]
        if case.type is None and payload is not None:
            raise CodecError(f"case {case.name} carries no payload")
    if case.type is None:
        return (position, None)
    try:
        return (position, _enc(payload, case.type, out))
    except CodecError as err:
        raise err.at(case.name)


# ----------------------------------------------------------------------------- decode


def decode(vt: Any, t: WitT, t_nodes: Optional[Sequence] = None) -> Any:
    """The value stored in value-and-type `vt`, which must have type `t`.

    `t_nodes` is `type_nodes(t)` if the caller has it precomputed: a stored type list equal
    to it is accepted without the structural walk."""
    try:
        value_nodes, stored_type = vt
    except (TypeError, ValueError):
        raise CodecError("a value-and-type is a (value_nodes, type_nodes) pair") from None
    check_type(stored_type, t, t_nodes)
    return decode_value(value_nodes, t)


def check_type(stored_type: Any, t: WitT, t_nodes: Optional[Sequence] = None) -> None:
    """Raise `CodecError` unless the `wit-type` node list `stored_type` describes `t`."""
    expected = type_nodes(t) if t_nodes is None else t_nodes
    try:
        if stored_type == expected:
            return
    except Exception:  # a malformed list may not even compare; the walk reports it
        pass
    if not isinstance(stored_type, Sequence) or isinstance(stored_type, (str, bytes)):
        raise CodecError("the stored type is not a node list")
    try:
        _match(stored_type, 0, t)
    except CodecError as err:
        err.reason = f"stored type does not match {describe(t)}: {err.reason}"
        raise
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as exc:
        raise CodecError(f"malformed stored type: {exc}") from None


def _type_node(nodes: Sequence, i: Any) -> tuple:
    if type(i) is not int or not 0 <= i < len(nodes):
        raise CodecError(f"type node index {i!r} is out of range (0..{len(nodes) - 1})")
    node = nodes[i]
    if not isinstance(node, _SEQUENCES) or len(node) != 2 or type(node[0]) is not str:
        raise CodecError(f"type node {i} is not a (case, payload) pair")
    return node


def _match(nodes: Sequence, i: Any, t: WitT) -> None:
    """Compare stored type node `i` (and below) with `t`; depth is bounded by `t`'s, so a
    cyclic stored list cannot recurse forever."""
    case, payload = _type_node(nodes, i)
    kind = t.__class__
    if kind is PrimT:
        if case != t.type_case:
            raise CodecError(f"found {case}, expected {t.type_case}")
        return
    wanted = _TYPE_CASES[kind]
    if case != wanted:
        raise CodecError(f"found {case}, expected {wanted}")
    if kind is RecordT:
        pairs = _pairs(payload, len(t.fields), "field")
        for (name, child), field in zip(pairs, t.fields):
            if name != field.name:
                raise CodecError(f"found field {name!r}, expected {field.name!r}")
            try:
                _match(nodes, child, field.type)
            except CodecError as err:
                raise err.at(field.name)
    elif kind is VariantT:
        pairs = _pairs(payload, len(t.cases), "case")
        for (name, child), vcase in zip(pairs, t.cases):
            if name != vcase.name:
                raise CodecError(f"found case {name!r}, expected {vcase.name!r}")
            if (child is None) != (vcase.type is None):
                raise CodecError(f"case {name!r}: payload presence differs")
            if child is not None:
                try:
                    _match(nodes, child, vcase.type)
                except CodecError as err:
                    raise err.at(vcase.name)
    elif kind is EnumT or kind is FlagsT:
        names = t.cases if kind is EnumT else t.flags
        if not isinstance(payload, _SEQUENCES) or tuple(payload) != names:
            raise CodecError(f"found names {payload!r:.120}, expected {names}")
    elif kind is ListT:
        try:
            _match(nodes, payload, t.element)
        except CodecError as err:
            raise err.at("[]")
    elif kind is OptionT:
        _match(nodes, payload, t.inner)
    elif kind is TupleT:
        if not isinstance(payload, _SEQUENCES) or len(payload) != len(t.items):
            raise CodecError(f"found a tuple of {payload!r:.80}, expected {len(t.items)} items")
        for position, (child, item_t) in enumerate(zip(payload, t.items)):
            try:
                _match(nodes, child, item_t)
            except CodecError as err:
                raise err.at(position)
    elif kind is ResultT:
        if not isinstance(payload, _SEQUENCES) or len(payload) != 2:
            raise CodecError("result-type payload is not an (ok, err) pair")
        for tag, child, side in (("ok", payload[0], t.ok), ("err", payload[1], t.err)):
            if (child is None) != (side is None):
                raise CodecError(f"result {tag}: payload presence differs")
            if child is not None:
                try:
                    _match(nodes, child, side)
                except CodecError as err:
                    raise err.at(tag)


def _pairs(payload: Any, count: int, what: str) -> list:
    if not isinstance(payload, _SEQUENCES) or len(payload) != count:
        raise CodecError(f"found {payload!r:.120}, expected {count} {what}s")
    pairs = []
    for pair in payload:
        if not isinstance(pair, _SEQUENCES) or len(pair) != 2:
            raise CodecError(f"malformed {what} entry {pair!r:.80}")
        pairs.append(pair)
    return pairs


_TYPE_CASES = MappingProxyType({
    RecordT: "record-type", VariantT: "variant-type", EnumT: "enum-type", FlagsT: "flags-type",
    TupleT: "tuple-type", ListT: "list-type", OptionT: "option-type", ResultT: "result-type",
})


def decode_value(value_nodes: Any, t: WitT) -> Any:
    """The value of `wit-value` node list `value_nodes` read as type `t`, without looking at
    any stored type (use `decode` for a value-and-type)."""
    if not isinstance(value_nodes, Sequence) or isinstance(value_nodes, (str, bytes)):
        raise CodecError("the value is not a node list")
    if not value_nodes:
        raise CodecError("the value node list is empty; the root must be node 0")
    return walk_from_root(value_nodes, lambda seen: _dec(value_nodes, 0, t, seen))


def _indices(payload: Any, i: int) -> Sequence:
    if not isinstance(payload, _SEQUENCES):
        raise CodecError(f"value node {i}: expected a list of node indices")
    return payload


def _dec(nodes: Sequence, i: Any, t: WitT, seen: bytearray) -> Any:
    kind = t.__class__
    if kind is PrimT:
        payload = take_node(nodes, i, seen, t.value_case)
        problem = prim_problem(t.value_case, payload)
        if problem:
            raise CodecError(problem)
        return payload
    if kind is RecordT:
        children = _indices(take_node(nodes, i, seen, "record-value"), i)
        if len(children) != len(t.fields):
            raise CodecError(f"record has {len(children)} fields, expected {len(t.fields)}")
        values = []
        position = 0
        try:
            for position, field_t in enumerate(t.types):
                values.append(_dec(nodes, children[position], field_t, seen))
        except CodecError as err:
            raise err.at(t.names[position])
        if t.cls is None:
            return tuple(values)
        return t.cls(**dict(zip(t.attrs, values)))
    if kind is ListT:
        children = _indices(take_node(nodes, i, seen, "list-value"), i)
        element = t.element
        if element.__class__ is PrimT and element.name == "u8":
            return _dec_bytes(nodes, children, seen)
        values = []
        position = 0
        try:
            for position, child in enumerate(children):
                values.append(_dec(nodes, child, element, seen))
        except CodecError as err:
            raise err.at(position)
        return tuple(values)
    if kind is OptionT:
        child = take_node(nodes, i, seen, "option-value")
        if child is None:
            return None
        value = _dec(nodes, child, t.inner, seen)
        return Some(value) if t.boxed else value
    if kind is VariantT:
        payload = take_node(nodes, i, seen, "variant-value")
        if not isinstance(payload, _SEQUENCES) or len(payload) != 2:
            raise CodecError(f"value node {i}: variant payload is not (case, child)")
        position, child = payload
        if type(position) is not int or not 0 <= position < len(t.cases):
            raise CodecError(f"variant case index {position!r} is out of range for {describe(t)}")
        case = t.cases[position]
        if (child is None) != (case.type is None):
            raise CodecError(f"variant case {case.name}: payload presence does not match its type")
        inner = None
        if child is not None:
            try:
                inner = _dec(nodes, child, case.type, seen)
            except CodecError as err:
                raise err.at(case.name)
        if not t.bound:
            return (case.name, inner)
        if case.attr:
            return case.cls(**{case.attr: inner})
        return inner if case.type is not None else case.cls()
    if kind is EnumT:
        position = take_node(nodes, i, seen, "enum-value")
        if type(position) is not int or not 0 <= position < len(t.cases):
            raise CodecError(f"enum case index {position!r} is out of range for {describe(t)}")
        return t.members[position]
    if kind is TupleT:
        children = _indices(take_node(nodes, i, seen, "tuple-value"), i)
        if len(children) != len(t.items):
            raise CodecError(f"tuple has {len(children)} items, expected {len(t.items)}")
        values = []
        position = 0
        try:
            for position, item_t in enumerate(t.items):
                values.append(_dec(nodes, children[position], item_t, seen))
        except CodecError as err:
            raise err.at(position)
        return tuple(values)
    if kind is ResultT:
        payload = take_node(nodes, i, seen, "result-value")
        if not isinstance(payload, _SEQUENCES) or len(payload) != 2 or payload[0] not in ("ok", "err"):
            raise CodecError(f"value node {i}: result payload is not ('ok'|'err', child)")
        tag, child = payload
        side = t.ok if tag == "ok" else t.err
        if (child is None) != (side is None):
            raise CodecError(f"result {tag}: payload presence does not match its type")
        if child is None:
            return (tag, None)
        try:
            return (tag, _dec(nodes, child, side, seen))
        except CodecError as err:
            raise err.at(tag)
    if kind is FlagsT:
        payload = take_node(nodes, i, seen, "flags-value")
        if (not isinstance(payload, _SEQUENCES) or len(payload) != len(t.flags)
                or any(type(b) is not bool for b in payload)):
            raise CodecError(f"value node {i}: expected {len(t.flags)} flag booleans")
        return frozenset(name for name, on in zip(t.flags, payload) if on)
    raise CodecError(f"not a WIT type descriptor: {t!r:.80}")


def _dec_bytes(nodes: Sequence, children: Sequence, seen: bytearray) -> bytes:
    """`list<u8>` as bytes: the contiguous case in C-level passes, any other element by
    element so the error names the offending one."""
    data = contiguous_bytes(nodes, children, seen)
    if data is not None:
        return data
    values = bytearray()
    position = 0
    try:
        for position, child in enumerate(children):
            payload = take_node(nodes, child, seen, "prim-u8")
            problem = prim_problem("prim-u8", payload)
            if problem:
                raise CodecError(problem)
            values.append(payload)
    except CodecError as err:
        raise err.at(position)
    return bytes(values)
