"""One entry of the emulated oplog, and the small vocabularies it uses.

Kinds follow Golem 1.2's oplog entry names.  Only what the durable components touch is
emulated: `imported-function-invoked` (one typed durable call, or one recorded WASI call),
`change-persistence-level`, `begin-remote-write` / `end-remote-write` (written for
`write-remote-batched(none)`, and around every write-remote call with idempotence mode
off), `error` (a trap, committed with the buffer), and `create` (the first entry of every
oplog, as in Golem, where index 1 is the worker's creation).  `create` and `error` are
hint entries: replay skips them (Golem's `OplogEntry::is_hint`).  Function types and persistence levels are kept as their WIT case names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional, Tuple, Union

from durability.host_api import (  # re-exported: the host speaks the same case names
    PERSIST_NOTHING,
    PERSIST_REMOTE_SIDE_EFFECTS,
    READ_REMOTE,
    SMART,
    WRITE_REMOTE,
)
from durability.wit_nodes import ValueAndType

CREATE = "create"
IMPORTED_FUNCTION_INVOKED = "imported-function-invoked"
CHANGE_PERSISTENCE_LEVEL = "change-persistence-level"
BEGIN_REMOTE_WRITE = "begin-remote-write"
END_REMOTE_WRITE = "end-remote-write"
ERROR = "error"
KINDS = (CREATE, IMPORTED_FUNCTION_INVOKED, CHANGE_PERSISTENCE_LEVEL, BEGIN_REMOTE_WRITE,
         END_REMOTE_WRITE, ERROR)
HINTS = (CREATE, ERROR)
"""Entries a replay read skips (the emulated subset of Golem's hint entries)."""

# golem:api/host persistence-level cases (named once, in the guest's host protocol).
PERSISTENCE_LEVELS = (PERSIST_NOTHING, PERSIST_REMOTE_SIDE_EFFECTS, SMART)

# golem:api/oplog wrapped-function-type cases.
READ_LOCAL = "read-local"
WRITE_LOCAL = "write-local"
WRITE_REMOTE_BATCHED = "write-remote-batched"
FUNCTION_TYPE_CASES = (READ_LOCAL, WRITE_LOCAL, READ_REMOTE, WRITE_REMOTE, WRITE_REMOTE_BATCHED)

FunctionType = Union[str, Tuple[str, Optional[int]]]
"""A wrapped-function-type: the case name, or `("write-remote-batched", begin_or_None)`.
A bare `"write-remote-batched"` means `write-remote-batched(none)`."""


def function_type_case(function_type: FunctionType) -> str:
    return function_type if isinstance(function_type, str) else function_type[0]


def batched_begin(function_type: FunctionType) -> Optional[int]:
    """The begin index carried by `write-remote-batched(some(i))`, else None."""
    return None if isinstance(function_type, str) else function_type[1]


def normalize_function_type(function_type: FunctionType) -> FunctionType:
    """Check the case name and give the canonical form (a str unless batched with an index)."""
    case, begin = function_type_case(function_type), batched_begin(function_type)
    if case not in FUNCTION_TYPE_CASES:
        raise ValueError(f"unknown wrapped-function-type {function_type!r}")
    if case == WRITE_REMOTE_BATCHED:
        return (case, begin)
    if begin is not None:
        raise ValueError(f"{case} carries no index, got {function_type!r}")
    return case


def function_type_text(function_type: FunctionType) -> str:
    """`write-remote`, `write-remote-batched(none)`, `write-remote-batched(7)`: how the
    oplog file and the CLI show it."""
    case, begin = function_type_case(function_type), batched_begin(function_type)
    if case != WRITE_REMOTE_BATCHED:
        return case
    return f"{case}({'none' if begin is None else begin})"


_BATCHED = re.compile(r"write-remote-batched\((none|\d+)\)")


def parse_function_type(text: str) -> FunctionType:
    match = _BATCHED.fullmatch(text)
    if match:
        return (WRITE_REMOTE_BATCHED, None if match[1] == "none" else int(match[1]))
    return normalize_function_type(text)


@dataclass(frozen=True)
class OplogEntry:
    """An entry as stored.  `request`/`response` are value-and-type pairs in the neutral
    node form of durability/wit_nodes.py; `*_bytes` is the size of their stored encoding.
    `committed` is False for entries still in the worker's buffer (lost on a crash)."""

    index: int
    kind: str
    timestamp_ns: int
    function_name: Optional[str] = None
    function_type: Optional[FunctionType] = None
    persistence_level: Optional[str] = None
    begin_index: Optional[int] = None
    request: Optional[ValueAndType] = None
    response: Optional[ValueAndType] = None
    request_bytes: int = 0
    response_bytes: int = 0
    detail: Optional[str] = None
    committed: bool = True

    @property
    def timestamp(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ns / 1e9, tz=timezone.utc)

    @property
    def seconds(self) -> int:
        return self.timestamp_ns // 1_000_000_000

    @property
    def nanoseconds(self) -> int:
        return self.timestamp_ns % 1_000_000_000
