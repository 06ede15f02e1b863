"""Validate and render any value-and-type, knowing nothing of golem:llm (host side only:
never staged into a component).

The emulated Golem host runs `check` on every payload a component persists, so a codec bug
shows up where it is made instead of at some later replay; the oplog viewer
(`golem-llm oplog FILE`) shows payloads through `render`.  Both are driven by the stored
type nodes alone, exactly as Golem's own viewer has to be.

What `check` enforces, beyond the case/payload shapes of `durability/wit_nodes.py`:

- type nodes: every index in range, no cycle, every node reachable from node 0, nesting no
  deeper than `MAX_DEPTH` (type nodes may be shared: a DAG describes the same tree);
- value nodes: every index in range, every node used exactly once (no sharing, no cycle,
  nothing unreachable), and each node the case its type calls for: record field count,
  tuple arity, variant case index and payload presence, enum index, flag count, result
  payload presence, integer ranges, one non-surrogate `char`, strings without lone
  surrogates.

Both walks are bounded by the (checked) type depth, so hostile input cannot exhaust the
stack; every failure is a `CodecError` with a path such as `messages[2].content[0]`.
"""

from __future__ import annotations

import base64
import math
from typing import Any, Sequence

from durability.codec_error import CodecError
from durability.wit_nodes import (PRIM_VALUE_CASE_OF_TYPE, contiguous_bytes, is_index,
                                  prim_problem, take_node, walk_from_root)

MAX_DEPTH = 100
"""Deepest type nesting accepted; golem:llm payloads nest about a dozen levels."""

BYTES_SHOWN = 48
"""How many bytes of a `list<u8>` `render` spells out (base64) before eliding the rest."""

_SEQUENCES = (tuple, list)


def check(value_nodes: Any, type_nodes: Any) -> None:
    """Raise `CodecError` unless `value_nodes` is a well-formed value of `type_nodes`."""
    _check_types(type_nodes)
    if not isinstance(value_nodes, _SEQUENCES) or not value_nodes:
        raise CodecError("the value must be a non-empty node list (root at node 0)")
    walk_from_root(value_nodes, lambda seen: _check_value(value_nodes, 0, type_nodes, 0, seen))


def render(value_nodes: Any, type_nodes: Any) -> Any:
    """A readable, JSON-able form of a checked value: records as dicts keyed by field name,
    variants as `{case: payload}` (or the bare case name), enums as names, options as the
    value or None, results as `{"ok": …}`/`{"err": …}`, `list<u8>` as its length and a
    base64 head.  Raises `CodecError` (via `check`) on a malformed payload."""
    check(value_nodes, type_nodes)
    return _render(value_nodes, 0, type_nodes, 0)


# ----------------------------------------------------------------------------- type nodes


def _type_children(nodes: Sequence, i: int) -> list:
    """Child indices of type node `i`, after checking the node's shape."""
    node = nodes[i]
    if not isinstance(node, _SEQUENCES) or len(node) != 2 or type(node[0]) is not str:
        raise CodecError(f"type node {i} is not a (case, payload) pair")
    case, payload = node
    if case in PRIM_VALUE_CASE_OF_TYPE:
        return []
    if case == "record-type" or case == "variant-type":
        if not isinstance(payload, _SEQUENCES):
            raise CodecError(f"type node {i}: {case} needs a list of (name, index) pairs")
        children, names = [], set()
        for pair in payload:
            if not isinstance(pair, _SEQUENCES) or len(pair) != 2 or type(pair[0]) is not str:
                raise CodecError(f"type node {i}: malformed {case} entry {pair!r:.80}")
            if pair[0] in names:
                raise CodecError(f"type node {i}: duplicate name {pair[0]!r}")
            names.add(pair[0])
            if pair[1] is not None or case == "record-type":
                children.append(pair[1])
        if case == "variant-type" and not payload:
            raise CodecError(f"type node {i}: a variant needs at least one case")
    elif case == "enum-type" or case == "flags-type":
        if (not isinstance(payload, _SEQUENCES) or any(type(n) is not str for n in payload)
                or len(set(payload)) != len(payload)):
            raise CodecError(f"type node {i}: {case} needs a list of distinct names")
        if case == "enum-type" and not payload:
            raise CodecError(f"type node {i}: an enum needs at least one case")
        children = []
    elif case == "tuple-type":
        if not isinstance(payload, _SEQUENCES):
            raise CodecError(f"type node {i}: tuple-type needs a list of indices")
        children = list(payload)
    elif case == "list-type" or case == "option-type":
        children = [payload]
    elif case == "result-type":
        if not isinstance(payload, _SEQUENCES) or len(payload) != 2:
            raise CodecError(f"type node {i}: result-type needs an (ok, err) pair")
        children = [c for c in payload if c is not None]
    elif case == "handle-type":
        if (not isinstance(payload, _SEQUENCES) or len(payload) != 2
                or prim_problem("prim-u64", payload[0]) or payload[1] not in ("owned", "borrowed")):
            raise CodecError(f"type node {i}: handle-type needs (resource-id, owned|borrowed)")
        children = []
    else:
        raise CodecError(f"type node {i}: unknown case {case!r}")
    for child in children:
        if not is_index(child) or child >= len(nodes):
            raise CodecError(f"type node {i}: child index {child!r} is out of range "
                             f"(0..{len(nodes) - 1})")
    return children


def _check_types(nodes: Any) -> None:
    """Shapes, ranges, acyclicity, reachability and depth of a type node list, iteratively
    (a hostile list must not be able to recurse)."""
    if not isinstance(nodes, _SEQUENCES) or not nodes:
        raise CodecError("the type must be a non-empty node list (root at node 0)")
    state = bytearray(len(nodes))  # 0 unvisited, 1 on the current path, 2 done
    state[0] = 1
    stack = [(0, iter(_type_children(nodes, 0)))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            state[node] = 2
            stack.pop()
            continue
        if state[child] == 1:
            raise CodecError(f"type node {node} refers back to type node {child} (a cycle)")
        if state[child] == 0:
            if len(stack) >= MAX_DEPTH:
                raise CodecError(f"type nesting is deeper than {MAX_DEPTH}")
            state[child] = 1
            stack.append((child, iter(_type_children(nodes, child))))
    unreached = state.find(0)
    if unreached != -1:
        raise CodecError(f"type node {unreached} is not reachable from the root")


# ----------------------------------------------------------------------------- value nodes


def _list_of(payload: Any, i: int, count: int = -1) -> Sequence:
    if not isinstance(payload, _SEQUENCES):
        raise CodecError(f"value node {i}: expected a list")
    if count >= 0 and len(payload) != count:
        raise CodecError(f"value node {i} has {len(payload)} items, its type has {count}")
    return payload


def _check_value(vnodes: Sequence, vi: Any, tnodes: Sequence, ti: int, seen: bytearray) -> None:
    tcase, tpayload = tnodes[ti]
    prim_case = PRIM_VALUE_CASE_OF_TYPE.get(tcase)
    if prim_case is not None:
        problem = prim_problem(prim_case, take_node(vnodes, vi, seen, prim_case))
        if problem:
            raise CodecError(problem)
        return
    if tcase == "record-type":
        children = _list_of(take_node(vnodes, vi, seen, "record-value"), vi, len(tpayload))
        for child, (name, field_t) in zip(children, tpayload):
            try:
                _check_value(vnodes, child, tnodes, field_t, seen)
            except CodecError as err:
                raise err.at(name)
    elif tcase == "list-type":
        children = _list_of(take_node(vnodes, vi, seen, "list-value"), vi)
        if tnodes[tpayload][0] == "prim-u8-type" and contiguous_bytes(vnodes, children, seen) is not None:
            return
        for position, child in enumerate(children):
            try:
                _check_value(vnodes, child, tnodes, tpayload, seen)
            except CodecError as err:
                raise err.at(position)
    elif tcase == "option-type":
        child = take_node(vnodes, vi, seen, "option-value")
        if child is not None:
            _check_value(vnodes, child, tnodes, tpayload, seen)
    elif tcase == "variant-type":
        payload = take_node(vnodes, vi, seen, "variant-value")
        if not isinstance(payload, _SEQUENCES) or len(payload) != 2:
            raise CodecError(f"value node {vi}: variant payload is not (case, child)")
        position, child = payload
        if prim_problem("prim-u32", position) or position >= len(tpayload):
            raise CodecError(f"variant case index {position!r} is out of range "
                             f"(0..{len(tpayload) - 1})")
        name, case_t = tpayload[position]
        if (child is None) != (case_t is None):
            raise CodecError(f"variant case {name}: payload presence does not match its type")
        if child is not None:
            try:
                _check_value(vnodes, child, tnodes, case_t, seen)
            except CodecError as err:
                raise err.at(name)
    elif tcase == "enum-type":
        position = take_node(vnodes, vi, seen, "enum-value")
        if prim_problem("prim-u32", position) or position >= len(tpayload):
            raise CodecError(f"enum case index {position!r} is out of range "
                             f"(0..{len(tpayload) - 1})")
    elif tcase == "tuple-type":
        children = _list_of(take_node(vnodes, vi, seen, "tuple-value"), vi, len(tpayload))
        for position, (child, item_t) in enumerate(zip(children, tpayload)):
            try:
                _check_value(vnodes, child, tnodes, item_t, seen)
            except CodecError as err:
                raise err.at(position)
    elif tcase == "result-type":
        payload = take_node(vnodes, vi, seen, "result-value")
        if not isinstance(payload, _SEQUENCES) or len(payload) != 2 or payload[0] not in ("ok", "err"):
            raise CodecError(f"value node {vi}: result payload is not ('ok'|'err', child)")
        tag, child = payload
        side = tpayload[0] if tag == "ok" else tpayload[1]
        if (child is None) != (side is None):
            raise CodecError(f"result {tag}: payload presence does not match its type")
        if child is not None:
            try:
                _check_value(vnodes, child, tnodes, side, seen)
            except CodecError as err:
                raise err.at(tag)
    elif tcase == "flags-type":
        flags = _list_of(take_node(vnodes, vi, seen, "flags-value"), vi, len(tpayload))
        if any(type(flag) is not bool for flag in flags):
            raise CodecError(f"value node {vi}: flags must be booleans")
    elif tcase == "handle-type":
        payload = take_node(vnodes, vi, seen, "handle")
        if (not isinstance(payload, _SEQUENCES) or len(payload) != 2
                or prim_problem("prim-string", payload[0]) or prim_problem("prim-u64", payload[1])):
            raise CodecError(f"value node {vi}: handle needs (uri, u64)")
    else:  # unreachable after _check_types
        raise CodecError(f"type node {ti}: unknown case {tcase!r}")


# ----------------------------------------------------------------------------- render


def _render(vnodes: Sequence, vi: int, tnodes: Sequence, ti: int) -> Any:
    tcase, tpayload = tnodes[ti]
    case, payload = vnodes[vi]
    if tcase in PRIM_VALUE_CASE_OF_TYPE:
        if type(payload) is float and not math.isfinite(payload):
            return str(payload)  # NaN and infinities have no JSON spelling
        return payload
    if tcase == "record-type":
        return {name: _render(vnodes, child, tnodes, field_t)
                for child, (name, field_t) in zip(payload, tpayload)}
    if tcase == "list-type":
        if tnodes[tpayload][0] == "prim-u8-type":
            data = bytes(vnodes[child][1] for child in payload)
            head = base64.b64encode(data[:BYTES_SHOWN]).decode("ascii")
            return {"bytes": len(data),
                    "base64": head + ("…" if len(data) > BYTES_SHOWN else "")}
        return [_render(vnodes, child, tnodes, tpayload) for child in payload]
    if tcase == "option-type":
        if payload is None:
            return None
        inner = _render(vnodes, payload, tnodes, tpayload)
        # option<option<T>>: keep `some(none)` apart from `none`.
        return {"some": inner} if tnodes[tpayload][0] == "option-type" else inner
    if tcase == "variant-type":
        position, child = payload
        name, case_t = tpayload[position]
        return name if child is None else {name: _render(vnodes, child, tnodes, case_t)}
    if tcase == "enum-type":
        return tpayload[payload]
    if tcase == "tuple-type":
        return [_render(vnodes, child, tnodes, item_t) for child, item_t in zip(payload, tpayload)]
    if tcase == "result-type":
        tag, child = payload
        side = tpayload[0] if tag == "ok" else tpayload[1]
        return {tag: None if child is None else _render(vnodes, child, tnodes, side)}
    if tcase == "flags-type":
        return [name for name, on in zip(tpayload, payload) if on]
    if tcase == "handle-type":
        return {"handle": payload[0], "resource-id": payload[1]}
    raise CodecError(f"type node {ti}: unknown case {tcase!r}")
