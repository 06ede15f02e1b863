"""Small, hand-built value-and-type payloads for the emulated Golem host's tests.

Written as neutral nodes (durability/wit_nodes.py) so the host tests depend on nothing but
the node format: a string, a `record { name: string, count: u32 }`, and deliberately
invalid ones.
"""

from __future__ import annotations

from durability.wit_nodes import ValueAndType

STRING_TYPE = (("prim-string-type", None),)
RECORD_TYPE = (("record-type", (("name", 1), ("count", 2))),
               ("prim-string-type", None), ("prim-u32-type", None))
EMPTY_RECORD: ValueAndType = ((("record-value", ()),), (("record-type", ()),))


def text(value: str) -> ValueAndType:
    return ((("prim-string", value),), STRING_TYPE)


def named(name: str, count: int) -> ValueAndType:
    return ((("record-value", (1, 2)), ("prim-string", name), ("prim-u32", count)), RECORD_TYPE)


def wrong_field() -> ValueAndType:
    """`name` holds a u32 where its type says string."""
    return ((("record-value", (1, 2)), ("prim-u32", 7), ("prim-u32", 1)), RECORD_TYPE)


def out_of_range() -> ValueAndType:
    """`count` does not fit a u32."""
    return ((("record-value", (1, 2)), ("prim-string", "x"), ("prim-u32", 2**32)), RECORD_TYPE)
