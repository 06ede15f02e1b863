"""The real Golem host behind `durability.host_api.DurableHost`, inside the durable component.

It adapts componentize-py's bindings of `golem:durability@1.2.0` and `golem:api/host@1.1.6`
to the wrapper's plain values, and maps the neutral `(case, payload)` nodes of
`durability/wit_nodes.py` 1:1 to the generated `golem:rpc/types` classes and back.  Only the
durable flavour imports this module: the portable component has no Golem bindings at all.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from componentize_py_types import Err, Ok
from wit_world.imports import durability_host as d
from wit_world.imports import golem_host as h
from wit_world.imports import golem_oplog as o
from wit_world.imports import golem_rpc_types as t

from durability.host_api import ExecutionState, Replayed


def _camel(case: str) -> str:
    return "".join(part.capitalize() for part in case.split("-"))


_VALUE_CASES = ("record-value", "variant-value", "enum-value", "flags-value", "tuple-value",
                "list-value", "option-value", "result-value", "prim-u8", "prim-u16", "prim-u32",
                "prim-u64", "prim-s8", "prim-s16", "prim-s32", "prim-s64", "prim-float32",
                "prim-float64", "prim-char", "prim-bool", "prim-string", "handle")
_TYPE_CASES = ("record-type", "variant-type", "enum-type", "flags-type", "tuple-type",
               "list-type", "option-type", "result-type", "prim-u8-type", "prim-u16-type",
               "prim-u32-type", "prim-u64-type", "prim-s8-type", "prim-s16-type",
               "prim-s32-type", "prim-s64-type", "prim-f32-type", "prim-f64-type",
               "prim-char-type", "prim-bool-type", "prim-string-type", "handle-type")

VALUE_CLASS: Mapping[str, Any] = MappingProxyType(
    {c: getattr(t, "WitNode_" + _camel(c)) for c in _VALUE_CASES})
TYPE_CLASS: Mapping[str, Any] = MappingProxyType(
    {c: getattr(t, "WitTypeNode_" + _camel(c)) for c in _TYPE_CASES})
VALUE_CASE: Mapping[type, str] = MappingProxyType({cls: c for c, cls in VALUE_CLASS.items()})
TYPE_CASE: Mapping[type, str] = MappingProxyType({cls: c for c, cls in TYPE_CLASS.items()})
_LIST_PAYLOAD = frozenset(("record-value", "tuple-value", "list-value", "flags-value"))

_FUNCTION_TYPE: Mapping[str, Any] = MappingProxyType({
    "read-local": o.WrappedFunctionType_ReadLocal,
    "write-local": o.WrappedFunctionType_WriteLocal,
    "read-remote": o.WrappedFunctionType_ReadRemote,
    "write-remote": o.WrappedFunctionType_WriteRemote,
})
_LEVEL: Mapping[str, Any] = MappingProxyType({
    "persist-nothing": h.PersistenceLevel_PersistNothing,
    "persist-remote-side-effects": h.PersistenceLevel_PersistRemoteSideEffects,
    "smart": h.PersistenceLevel_Smart,
})
_LEVEL_NAME: Mapping[type, str] = MappingProxyType({cls: n for n, cls in _LEVEL.items()})
_FUNCTION_TYPE_NAME: Mapping[type, str] = MappingProxyType(
    {cls: n for n, cls in _FUNCTION_TYPE.items()})


# ---- neutral nodes <-> bindings ----------------------------------------------------------

def value_node_out(node: tuple) -> Any:
    case, payload = node
    cls = VALUE_CLASS[case]
    if case in _LIST_PAYLOAD:
        return cls(list(payload))
    if case == "result-value":
        tag, index = payload
        return cls(Ok(index) if tag == "ok" else Err(index))
    if case == "handle":
        return cls((t.Uri(payload[0]), payload[1]))
    return cls(payload)


def type_node_out(node: tuple) -> Any:
    case, payload = node
    cls = TYPE_CLASS[case]
    if payload is None and case.startswith("prim-"):
        return cls()
    if case in ("record-type", "variant-type"):
        return cls([tuple(item) for item in payload])
    if case in ("enum-type", "flags-type", "tuple-type"):
        return cls(list(payload))
    if case == "result-type":
        return cls(tuple(payload))
    if case == "handle-type":
        return cls((payload[0], t.ResourceMode.OWNED if payload[1] == "owned"
                    else t.ResourceMode.BORROWED))
    return cls(payload)


def value_and_type_out(vt: tuple) -> Any:
    values, types = vt
    return t.ValueAndType(t.WitValue([value_node_out(n) for n in values]),
                          t.WitType([type_node_out(n) for n in types]))


def value_node_in(node: Any) -> tuple:
    case = VALUE_CASE[type(node)]
    payload = node.value
    if case in _LIST_PAYLOAD:
        return case, tuple(payload)
    if case == "result-value":
        return case, ("ok" if isinstance(payload, Ok) else "err", payload.value)
    if case == "handle":
        return case, (payload[0].value, payload[1])
    if case == "variant-value":
        return case, tuple(payload)
    return case, payload


def type_node_in(node: Any) -> tuple:
    case = TYPE_CASE[type(node)]
    if case.startswith("prim-"):
        return case, None
    payload = node.value
    if case in ("record-type", "variant-type"):
        return case, tuple(tuple(item) for item in payload)
    if case in ("enum-type", "flags-type", "tuple-type", "result-type"):
        return case, tuple(payload)
    if case == "handle-type":
        return case, (payload[0], "owned" if payload[1] == t.ResourceMode.OWNED else "borrowed")
    return case, payload


def value_and_type_in(vt: Any) -> tuple:
    return (tuple(value_node_in(n) for n in vt.value.nodes),
            tuple(type_node_in(n) for n in vt.typ.nodes))


# ---- the host ------------------------------------------------------------------------------

class GolemHost:
    """`DurableHost` over the imported Golem interfaces."""

    def observe_function_call(self, iface: str, function: str) -> None:
        d.observe_function_call(iface, function)

    def begin_durable_function(self, function_type: str) -> int:
        return d.begin_durable_function(_FUNCTION_TYPE[function_type]())

    def end_durable_function(self, function_type: str, begin_index: int,
                             forced_commit: bool) -> None:
        d.end_durable_function(_FUNCTION_TYPE[function_type](), begin_index, forced_commit)

    def current_durable_execution_state(self) -> ExecutionState:
        state = d.current_durable_execution_state()
        return ExecutionState(state.is_live, _LEVEL_NAME[type(state.persistence_level)])

    def persist_typed_durable_function_invocation(self, function_name: str, request: Any,
                                                  response: Any, function_type: str) -> None:
        d.persist_typed_durable_function_invocation(
            function_name, value_and_type_out(request), value_and_type_out(response),
            _FUNCTION_TYPE[function_type]())

    def read_persisted_typed_durable_function_invocation(self) -> Replayed:
        entry = d.read_persisted_typed_durable_function_invocation()
        return Replayed(entry.function_name, value_and_type_in(entry.response),
                        _FUNCTION_TYPE_NAME.get(type(entry.function_type), "write-remote-batched"))

    def get_oplog_persistence_level(self) -> str:
        return _LEVEL_NAME[type(h.get_oplog_persistence_level())]

    def set_oplog_persistence_level(self, level: str) -> None:
        h.set_oplog_persistence_level(_LEVEL[level]())
