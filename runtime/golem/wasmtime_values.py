"""wasmtime-py values of the Golem host interfaces <-> the executor's plain values: the one
conversion of the emulated Golem's host functions (runtime/golem/linking.py).

wasmtime-py 50 hands a host function records as `Record` objects whose attributes are the
WIT field names (with hyphens, so `getattr(record, "is-live")`), variants whose cases do not
have distinct Python types as `Variant(tag, payload)` (`wit-node`, `wit-type-node`,
`persistence-level`, `wrapped-function-type`, `result<…>`), options with a plain payload as
None-or-value, enums as their case name, lists as `list` and tuples as `tuple`.  It is
strict the other way: a list must be a `list` and a tuple a `tuple`.  Payloads become the
neutral `(case, payload)` nodes of durability/wit_nodes.py, where every structured payload
is a tuple.
"""

from __future__ import annotations

from typing import Any

from wasmtime.component import Record, Variant

from durability.host_api import ExecutionState
from durability.wit_nodes import Node, ValueAndType
from runtime.golem.executor import PersistedInvocation
from runtime.golem.oplog_entry import WRITE_REMOTE_BATCHED, FunctionType

_SEQUENCE_VALUE_CASES = frozenset(("record-value", "tuple-value", "list-value", "flags-value"))


def record(**fields: Any) -> Record:
    """A wasmtime `Record`; pass WIT field names with underscores for hyphens."""
    out = Record()
    for name, value in fields.items():
        setattr(out, name.replace("_", "-"), value)
    return out


# ---- value-and-type ------------------------------------------------------------------------

def value_and_type_in(vat: Any) -> ValueAndType:
    return (tuple(value_node_in(n) for n in vat.value.nodes),
            tuple(type_node_in(n) for n in vat.typ.nodes))


def value_and_type_out(vat: ValueAndType) -> Record:
    value_nodes, type_nodes = vat
    return record(value=record(nodes=[value_node_out(n) for n in value_nodes]),
                  typ=record(nodes=[type_node_out(n) for n in type_nodes]))


def value_node_in(node: Variant) -> Node:
    case, payload = node.tag, node.payload
    if case in _SEQUENCE_VALUE_CASES or case == "variant-value":
        return case, tuple(payload)
    if case == "result-value":
        return case, (payload.tag, payload.payload)
    if case == "handle":
        uri, resource = payload
        return case, (uri.value, resource)
    return case, payload


def value_node_out(node: Node) -> Variant:
    case, payload = node
    if case in _SEQUENCE_VALUE_CASES:
        return Variant(case, list(payload))
    if case == "variant-value":
        return Variant(case, tuple(payload))
    if case == "result-value":
        tag, child = payload
        return Variant(case, Variant(tag, child))
    if case == "handle":
        uri, resource = payload
        return Variant(case, (record(value=uri), resource))
    return Variant(case, payload)


def type_node_in(node: Variant) -> Node:
    case, payload = node.tag, node.payload
    if case in ("record-type", "variant-type"):
        return case, tuple(tuple(item) for item in payload)
    if case in ("enum-type", "flags-type", "tuple-type", "result-type", "handle-type"):
        return case, tuple(payload)
    return case, payload  # list-type / option-type index, or None for primitives


def type_node_out(node: Node) -> Variant:
    case, payload = node
    if case in ("record-type", "variant-type"):
        return Variant(case, [tuple(item) for item in payload])
    if case in ("enum-type", "flags-type", "tuple-type"):
        return Variant(case, list(payload))
    if case in ("result-type", "handle-type"):
        return Variant(case, tuple(payload))
    return Variant(case, payload)


# ---- records of the durability interface ----------------------------------------------

def execution_state_out(state: ExecutionState) -> Record:
    """`durable-execution-state`."""
    return record(is_live=state.is_live, persistence_level=level_out(state.persistence_level))


def persisted_invocation_out(p: PersistedInvocation) -> Record:
    """`persisted-typed-durable-function-invocation`."""
    return record(timestamp=datetime_out(p.timestamp_ns), function_name=p.function_name,
                  response=value_and_type_out(p.response),
                  function_type=function_type_out(p.function_type),
                  entry_version=p.entry_version)


# ---- small variants ------------------------------------------------------------------------

def function_type_in(value: Variant) -> FunctionType:
    if value.tag == WRITE_REMOTE_BATCHED:
        return (WRITE_REMOTE_BATCHED, value.payload)
    return value.tag


def function_type_out(function_type: FunctionType) -> Variant:
    if isinstance(function_type, str):
        return Variant(function_type, None)
    case, begin = function_type
    return Variant(case, begin)


def level_in(value: Variant) -> str:
    return value.tag


def level_out(level: str) -> Variant:
    return Variant(level, None)


def datetime_out(timestamp_ns: int) -> Record:
    return record(seconds=timestamp_ns // 1_000_000_000,
                  nanoseconds=timestamp_ns % 1_000_000_000)
