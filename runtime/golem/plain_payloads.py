"""Plain values of the Golem host interfaces (runtime/golem/plain_values.py) <-> the
executor's values: the fast path's counterpart of runtime/golem/wasmtime_values.py.

Why so little: in plain form a record is a tuple in field order and a variant a
`(case, payload)` pair, which is already how durability/wit_nodes.py writes a node.  A
`value-and-type` is `((nodes,), (nodes,))` (two one-field records), and the one node whose
payload differs is `handle`, whose `uri` record arrives as a one-element tuple.  The same
values must come out as wasmtime_values.py gives them: tests/test_golem_host_values.py
checks both paths against each other on real payloads.
"""

from __future__ import annotations

from typing import Any

from durability.wit_nodes import Node, ValueAndType
from runtime.golem.oplog_entry import WRITE_REMOTE_BATCHED, FunctionType

Plain = Any


def value_and_type_in(vat: Plain) -> ValueAndType:
    (value_nodes,), (type_nodes,) = vat
    if any(case == "handle" for case, _ in value_nodes):
        value_nodes = tuple(_handle_in(node) for node in value_nodes)
    return value_nodes, type_nodes


def value_and_type_out(vat: ValueAndType) -> Plain:
    value_nodes, type_nodes = vat
    if any(case == "handle" for case, _ in value_nodes):
        value_nodes = [_handle_out(node) for node in value_nodes]
    return (value_nodes,), (type_nodes,)


def _handle_in(node: Node) -> Node:
    case, payload = node
    if case != "handle":
        return node
    (uri,), resource = payload
    return case, (uri, resource)


def _handle_out(node: Node) -> Node:
    case, payload = node
    if case != "handle":
        return node
    uri, resource = payload
    return case, ((uri,), resource)


def function_type_in(value: Plain) -> FunctionType:
    case, payload = value
    return (WRITE_REMOTE_BATCHED, payload) if case == WRITE_REMOTE_BATCHED else case


def function_type_out(function_type: FunctionType) -> Plain:
    if isinstance(function_type, str):
        return function_type, None
    case, begin = function_type
    return case, begin


def level_in(value: Plain) -> str:
    return value[0]


def level_out(level: str) -> Plain:
    return level, None


def datetime_out(timestamp_ns: int) -> Plain:
    return divmod(timestamp_ns, 1_000_000_000)
