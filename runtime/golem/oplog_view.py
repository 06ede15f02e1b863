"""The oplog as a person (or a script) reads it: what `golem-llm oplog FILE` prints.

Payloads are decoded from their own stored types with `runtime.golem.wit_check.render`, the
way Golem's oplog viewer has to treat custom entries, so the view needs no knowledge of
golem:llm.  Sizes are those of the stored encoding (JSON of the value and type nodes).
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional, TextIO

from runtime.golem.wit_check import render
from durability.wit_nodes import ValueAndType
from runtime.golem.oplog_entry import (
    CHANGE_PERSISTENCE_LEVEL,
    CREATE,
    END_REMOTE_WRITE,
    OplogEntry,
    function_type_text,
)


def decoded(vat: Optional[ValueAndType]) -> Any:
    """The payload rendered to JSON-able values, or a note saying why it cannot be."""
    if vat is None:
        return None
    try:
        return render(*vat)
    except ValueError as err:  # CodecError: a corrupt payload is shown, not fatal
        return {"invalid-payload": str(err)}


def as_json(entry: OplogEntry) -> dict[str, Any]:
    return {
        "index": entry.index,
        "kind": entry.kind,
        "timestamp": _iso(entry),
        "function_name": entry.function_name,
        "function_type": (function_type_text(entry.function_type)
                          if entry.function_type is not None else None),
        "persistence_level": entry.persistence_level,
        "begin_index": entry.begin_index,
        "request": decoded(entry.request),
        "response": decoded(entry.response),
        "request_bytes": entry.request_bytes,
        "response_bytes": entry.response_bytes,
        "detail": json.loads(entry.detail) if entry.detail else None,
    }


def write_json_lines(entries: Iterable[OplogEntry], out: TextIO) -> None:
    for entry in entries:
        out.write(json.dumps(as_json(entry), ensure_ascii=False) + "\n")


def write_text(entries: Iterable[OplogEntry], out: TextIO) -> None:
    for entry in entries:
        out.write(f"#{entry.index:<4} {_iso(entry)}  {entry.kind:<26} {_summary(entry)}\n")
        for label, vat in (("request", entry.request), ("response", entry.response)):
            if vat is not None:
                body = json.dumps(decoded(vat), ensure_ascii=False)
                out.write(f"      {label + ':':<10}{body}\n")


def _summary(entry: OplogEntry) -> str:
    if entry.kind == CREATE:
        detail = json.loads(entry.detail) if entry.detail else {}
        bits = [detail.get("component", "")]
        if detail.get("sha256"):
            bits.append(f"sha256 {detail['sha256'][:16]}…")
        return "  ".join(b for b in bits if b)
    if entry.kind == CHANGE_PERSISTENCE_LEVEL:
        return entry.persistence_level or ""
    bits = [entry.function_name or ""]
    if entry.function_type is not None:
        bits.append(function_type_text(entry.function_type))
    if entry.kind == END_REMOTE_WRITE and entry.begin_index is not None:
        bits.append(f"begin #{entry.begin_index}")
    if entry.kind == END_REMOTE_WRITE and entry.detail:
        bits.append(f"({entry.detail})")  # the witnessed release that ended a request
    if entry.persistence_level and entry.function_name:
        bits.append(f"at {entry.persistence_level}")
    if entry.request is not None or entry.response is not None:
        bits.append(f"request {entry.request_bytes} B, response {entry.response_bytes} B")
    return "  ".join(b for b in bits if b)


def _iso(entry: OplogEntry) -> str:
    stamp = entry.timestamp.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{entry.nanoseconds // 1_000_000:03d}Z"
