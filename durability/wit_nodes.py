"""The neutral node representation of `golem:rpc/types@0.2.0` values and types.

Guest (componentize-py) and host (wasmtime-py) each have their own classes for `wit-node`
and `wit-type-node`.  The codec and the checker work on plain tuples instead, so that they
run natively, test without either binding, and cost one small tuple per node.  A thin adapter
on each side maps these tuples 1:1 to the binding classes; nothing else crosses.

Every node is a 2-tuple `(case, payload)` where `case` is exactly the WIT case name.  A
`wit-value` is a sequence of value nodes, a `wit-type` a sequence of type nodes; the root is
node 0 in both and children are referred to by their index (`node-index = s32`).  Readers
accept any sequence (list or tuple) where a tuple is shown, so an adapter need not convert.

Value nodes (`wit-node`):

| case             | payload                                   | WIT payload                       |
|------------------|-------------------------------------------|-----------------------------------|
| `record-value`   | `(i, ...)` field nodes, in field order     | `list<node-index>`                |
| `variant-value`  | `(case_index, i_or_None)`                 | `tuple<u32, option<node-index>>`  |
| `enum-value`     | `case_index`                              | `u32`                             |
| `flags-value`    | `(bool, ...)` one per flag                | `list<bool>`                      |
| `tuple-value`    | `(i, ...)`                                | `list<node-index>`                |
| `list-value`     | `(i, ...)`                                | `list<node-index>`                |
| `option-value`   | `i_or_None`                               | `option<node-index>`              |
| `result-value`   | `("ok", i_or_None)` or `("err", i_or_None)` | `result<option<node-index>, option<node-index>>` |
| `prim-u8` … `prim-s64` | `int`                               | `u8` … `s64`                      |
| `prim-float32`, `prim-float64` | `float`                     | `f32`, `f64`                      |
| `prim-char`      | `str` of one Unicode scalar value         | `char`                            |
| `prim-bool`      | `bool`                                    | `bool`                            |
| `prim-string`    | `str`                                     | `string`                          |
| `handle`         | `(uri_value: str, resource_id: int)`       | `tuple<uri, u64>` (`uri.value`)   |

Type nodes (`wit-type-node`):

| case              | payload                                  | WIT payload                            |
|-------------------|------------------------------------------|----------------------------------------|
| `record-type`     | `(("field-name", i), ...)`               | `list<tuple<string, node-index>>`      |
| `variant-type`    | `(("case-name", i_or_None), ...)`        | `list<tuple<string, option<node-index>>>` |
| `enum-type`       | `("case-name", ...)`                     | `list<string>`                         |
| `flags-type`      | `("flag-name", ...)`                     | `list<string>`                         |
| `tuple-type`      | `(i, ...)`                               | `list<node-index>`                     |
| `list-type`       | `i`                                      | `node-index`                           |
| `option-type`     | `i`                                      | `node-index`                           |
| `result-type`     | `(ok_i_or_None, err_i_or_None)`          | `tuple<option<node-index>, option<node-index>>` |
| `prim-u8-type` … `prim-string-type` | `None`                 | (no payload)                           |
| `handle-type`     | `(resource_id: int, "owned" or "borrowed")` | `tuple<resource-id, resource-mode>`  |

A `value-and-type` is the pair `(value_nodes, type_nodes)`.
"""

from __future__ import annotations

from operator import itemgetter
from types import MappingProxyType
from typing import Any, Callable, Mapping, Optional, Sequence, Tuple

from durability.codec_error import CodecError

Node = Tuple[str, Any]
"""One value or type node: `(wit_case_name, payload)`."""

ValueNodes = Sequence[Node]
TypeNodes = Sequence[Node]
ValueAndType = Tuple[ValueNodes, TypeNodes]

S32_MAX = 2**31 - 1
"""`node-index` is an s32: no index can exceed this."""

INT_RANGES: Mapping[str, Tuple[int, int]] = MappingProxyType({
    "prim-u8": (0, 2**8 - 1),
    "prim-u16": (0, 2**16 - 1),
    "prim-u32": (0, 2**32 - 1),
    "prim-u64": (0, 2**64 - 1),
    "prim-s8": (-(2**7), 2**7 - 1),
    "prim-s16": (-(2**15), 2**15 - 1),
    "prim-s32": (-(2**31), 2**31 - 1),
    "prim-s64": (-(2**63), 2**63 - 1),
})
"""Inclusive bounds of every integer value case."""

PRIM_VALUE_CASE_OF_TYPE: Mapping[str, str] = MappingProxyType({
    "prim-u8-type": "prim-u8",
    "prim-u16-type": "prim-u16",
    "prim-u32-type": "prim-u32",
    "prim-u64-type": "prim-u64",
    "prim-s8-type": "prim-s8",
    "prim-s16-type": "prim-s16",
    "prim-s32-type": "prim-s32",
    "prim-s64-type": "prim-s64",
    "prim-f32-type": "prim-float32",
    "prim-f64-type": "prim-float64",
    "prim-char-type": "prim-char",
    "prim-bool-type": "prim-bool",
    "prim-string-type": "prim-string",
})
"""The value case that each primitive type case admits (the names differ: f32 vs float32)."""


def prim_problem(case: str, value: object) -> Optional[str]:
    """Why `value` cannot be the payload of primitive value node `case`, or None if it can.

    Shared by encoder, decoder and checker so that all three agree on what a valid
    primitive is: a WIT `string`/`char` cannot carry a lone surrogate (the canonical ABI
    would trap lowering it), and integers must fit their width.
    """
    bounds = INT_RANGES.get(case)
    if bounds is not None:
        if type(value) is not int:
            return f"{case} needs an int, got {type(value).__name__}"
        if not bounds[0] <= value <= bounds[1]:
            return f"{value} is out of range for {case}"
        return None
    if case == "prim-string":
        if type(value) is not str:
            return f"prim-string needs a str, got {type(value).__name__}"
        return string_problem(value)
    if case == "prim-bool":
        return None if type(value) is bool else f"prim-bool needs a bool, got {type(value).__name__}"
    if case == "prim-float32" or case == "prim-float64":
        return None if type(value) is float else f"{case} needs a float, got {type(value).__name__}"
    if case == "prim-char":
        if type(value) is not str or len(value) != 1:
            return f"prim-char needs a one-character str, got {value!r}"
        return "prim-char cannot be a surrogate" if 0xD800 <= ord(value) <= 0xDFFF else None
    return f"unknown primitive case {case!r}"


def string_problem(value: str) -> Optional[str]:
    """None if `value` is a valid WIT string (no lone surrogates); cheap for ASCII text."""
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "string contains a lone surrogate"
    return None


def is_index(value: object) -> bool:
    """True if `value` can be a `node-index` at all (an int, not a bool, within s32)."""
    return type(value) is int and 0 <= value <= S32_MAX


# -------------------------------------------------------- walking a value node list
# The two steps every walk of a value node list takes, shared by the guest's decoder
# (`durability.codec`) and the host's checker (`runtime/golem/wit_check.py`) so both reject
# the same malformed lists with the same words.

_SEQUENCES = (tuple, list)
_CASE, _PAYLOAD = itemgetter(0), itemgetter(1)


def walk_from_root(value_nodes: Sequence, walk: Callable[[bytearray], Any]) -> Any:
    """`walk(seen)` over a whole node list from its root, then the rule that every node was
    reached; a malformed list's Python error (a wrong type where a node or index should be)
    becomes a `CodecError` like any other."""
    seen = bytearray(len(value_nodes))
    try:
        result = walk(seen)
    except CodecError:
        raise
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as exc:
        raise CodecError(f"malformed value node list: {exc!r}") from None
    unreached = seen.find(0)
    if unreached != -1:
        raise CodecError(f"value node {unreached} is not reachable from the root")
    return result


def take_node(nodes: Sequence, i: Any, seen: bytearray, case: str) -> Any:
    """Mark node `i` visited and return its payload, which must be of `case`: every node is
    used exactly once (no sharing, no cycle), so a hostile list cannot make a walk loop."""
    if not is_index(i) or i >= len(nodes):
        raise CodecError(f"value node index {i!r} is out of range (0..{len(nodes) - 1})")
    if seen[i]:
        raise CodecError(f"value node {i} is referenced twice (shared or cyclic)")
    seen[i] = 1
    node = nodes[i]
    if not isinstance(node, _SEQUENCES) or len(node) != 2:
        raise CodecError(f"value node {i} is not a (case, payload) pair")
    if node[0] != case:
        raise CodecError(f"value node {i} is {node[0]!r}, its type needs {case}")
    return node[1]


def contiguous_bytes(nodes: Sequence, children: Sequence, seen: bytearray) -> Optional[bytes]:
    """A `list<u8>` whose element nodes are contiguous and unvisited (what every encoder
    emits), read with C-level passes instead of one Python step per byte; None leaves it to
    the per-element walk, which then names the offending element."""
    count = len(children)
    if not count:
        return b""
    start = children[0]
    if not (is_index(start) and start + count <= len(nodes)
            and tuple(children) == tuple(range(start, start + count))
            and seen.find(1, start, start + count) == -1):
        return None
    block = nodes[start:start + count]
    try:
        if not (set(map(len, block)) == {2} and set(map(_CASE, block)) == {"prim-u8"}
                and set(map(type, map(_PAYLOAD, block))) == {int}):
            return None
        data = bytes(map(_PAYLOAD, block))  # ValueError when a value is outside 0..255
    except (TypeError, ValueError, IndexError):
        return None
    seen[start:start + count] = b"\x01" * count
    return data
