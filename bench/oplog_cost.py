"""What one durable call left in its worker's oplog: entries by kind, payload bytes, file size.

Read back from the closed oplog file (`open_oplog`), as a restarted worker would see it, so
the figures count only what was committed.  Payload bytes are the stored encoding of each
entry's request and response (`OplogEntry.request_bytes` / `response_bytes`: JSON of the
value-and-type nodes), the part that grows with the answer; the file size is SQLite's, in
whole pages, with the `create` entry and the table overhead included.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.golem import open_oplog
from runtime.golem.oplog_entry import CHANGE_PERSISTENCE_LEVEL, CREATE, IMPORTED_FUNCTION_INVOKED


@dataclass(frozen=True)
class OplogCost:
    kinds: dict[str, int]  # entries by kind, `create` included
    calls: dict[str, int]  # imported-function-invoked entries by function name
    call_bytes: dict[str, int]  # their payload bytes (request + response) by function name
    request_bytes: int
    response_bytes: int
    file_bytes: int
    commits: int  # SQLite transactions the worker made (each one is synced to disk)

    @property
    def invocations(self) -> int:
        """The golem:llm entries (the WASI calls Golem also records, such as the
        environment an instance reads at its start, are in `calls` under their own names)."""
        return sum(n for name, n in self.calls.items() if name.startswith("golem_llm::"))

    @property
    def level_changes(self) -> int:
        return self.kinds.get(CHANGE_PERSISTENCE_LEVEL, 0)

    @property
    def payload_bytes(self) -> int:
        return self.request_bytes + self.response_bytes

    def kinds_text(self) -> str:
        """"1 imported-function-invoked, 2 change-persistence-level" (without `create`, which
        every worker writes once, whatever it does)."""
        return ", ".join(f"{n} {kind}" for kind, n in self.kinds.items() if kind != CREATE)

    def as_json(self) -> dict[str, Any]:
        return {"kinds": self.kinds, "calls": self.calls, "call_bytes": self.call_bytes,
                "request_bytes": self.request_bytes,
                "response_bytes": self.response_bytes, "file_bytes": self.file_bytes,
                "commits": self.commits}


def oplog_cost(path: Path, commits: int) -> OplogCost:
    """The cost recorded in the oplog file at `path` (its worker closed)."""
    with open_oplog(path) as log:
        entries = log.entries()
    kinds = Counter(entry.kind for entry in entries)
    calls: Counter[str] = Counter()
    call_bytes: Counter[str] = Counter()
    for entry in entries:
        if entry.kind == IMPORTED_FUNCTION_INVOKED and entry.function_name:
            calls[entry.function_name] += 1
            call_bytes[entry.function_name] += entry.request_bytes + entry.response_bytes
    return OplogCost(dict(kinds), dict(calls), dict(call_bytes),
                     sum(entry.request_bytes for entry in entries),
                     sum(entry.response_bytes for entry in entries),
                     path.stat().st_size, commits)
