"""The emulated worker's oplog: a SQLite file of typed entries that outlives the process.

Commit model (Golem's): entries are appended to an in-memory buffer and become durable only
when the oplog is committed; a crash loses the buffer.  Who commits, and when, is the
executor's business (executor.py): `end-durable-function` for write-remote,
write-remote-batched or forced-commit (not read-remote), every persistence-level change, and
the end of each export call (an invocation boundary, where Golem writes and commits
`exported-function-completed`).  This module only keeps the two halves apart: the committed
rows in SQLite and the pending buffer in memory.

One writer at a time: a writer holds an exclusive `flock` on the file, so a second live
worker on the same oplog fails fast instead of interleaving entries.  Read-only opens take
no lock and see exactly what a restarted worker would see: the committed entries.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, Optional, Union

from durability.wit_nodes import ValueAndType
from runtime.golem import payload_json
from runtime.golem.errors import OplogInUse
from runtime.golem.oplog_entry import (
    KINDS,
    FunctionType,
    OplogEntry,
    function_type_text,
    parse_function_type,
)

FORMAT = "golem-llm-oplog"
VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    idx               INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL,
    timestamp_ns      INTEGER NOT NULL,
    function_name     TEXT,
    function_type     TEXT,
    persistence_level TEXT,
    begin_index       INTEGER,
    request           TEXT,
    response          TEXT,
    request_bytes     INTEGER NOT NULL DEFAULT 0,
    response_bytes    INTEGER NOT NULL DEFAULT 0,
    detail            TEXT
);
"""
_COLUMNS = ("idx, kind, timestamp_ns, function_name, function_type, persistence_level, "
            "begin_index, request, response, request_bytes, response_bytes, detail")

PathLike = Union[str, os.PathLike]


class Oplog:
    """An oplog file (or an in-memory one with `path=None`), opened for writing unless
    `read_only`."""

    def __init__(self, path: Optional[PathLike], *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._unlock: Optional[weakref.finalize] = None
        self._pending: list[OplogEntry] = []
        self._db: Optional[sqlite3.Connection]
        if self.path is None:
            if read_only:
                raise ValueError("an in-memory oplog cannot be opened read-only")
            self._db = sqlite3.connect(":memory:", isolation_level=None)
        elif read_only:
            if not self.path.exists():
                raise FileNotFoundError(f"no oplog at {self.path}")
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                       isolation_level=None)
        else:
            self._lock()
            self._db = sqlite3.connect(str(self.path), isolation_level=None)
        try:
            if not read_only:
                self._db.executescript(_SCHEMA)
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('version', ?)", (VERSION,))
            self._check_format()
            self._committed: list[OplogEntry] = self._load()
        except BaseException:
            self.close()
            raise

    @classmethod
    def open_read_only(cls, path: PathLike) -> "Oplog":
        return cls(path, read_only=True)

    # ---- reading -----------------------------------------------------------------------

    def entries(self, include_pending: bool = True) -> list[OplogEntry]:
        """Every entry in index order; a read-only oplog re-reads the file each time, so it
        follows a worker that is still writing."""
        if self.read_only:
            self._committed = self._load()
        return list(self._committed) + (list(self._pending) if include_pending else [])

    def committed(self) -> list[OplogEntry]:
        return self.entries(include_pending=False)

    @property
    def pending(self) -> tuple[OplogEntry, ...]:
        return tuple(self._pending)

    @property
    def last_index(self) -> int:
        """The index of the newest entry, committed or not (0 for an empty oplog)."""
        if self._pending:
            return self._pending[-1].index
        return self._committed[-1].index if self._committed else 0

    def __len__(self) -> int:
        return len(self._committed) + len(self._pending)

    def __iter__(self) -> Iterator[OplogEntry]:
        return iter(self.entries())

    # ---- writing -----------------------------------------------------------------------

    def append(self, kind: str, *, function_name: Optional[str] = None,
               function_type: Optional[FunctionType] = None,
               persistence_level: Optional[str] = None, begin_index: Optional[int] = None,
               request: Optional[ValueAndType] = None,
               response: Optional[ValueAndType] = None, detail: Optional[str] = None,
               timestamp_ns: Optional[int] = None) -> OplogEntry:
        """Buffer a new entry (not durable until `commit`)."""
        self._writable()
        if kind not in KINDS:
            raise ValueError(f"unknown oplog entry kind {kind!r}")
        request_text = payload_json.encode(request) if request is not None else None
        response_text = payload_json.encode(response) if response is not None else None
        entry = OplogEntry(
            index=self.last_index + 1,
            kind=kind,
            timestamp_ns=time.time_ns() if timestamp_ns is None else timestamp_ns,
            function_name=function_name,
            function_type=function_type,
            persistence_level=persistence_level,
            begin_index=begin_index,
            # Stored and returned in the decoded (canonical tuple) form, so a live entry and
            # the same entry read back from the file compare equal.
            request=payload_json.decode(request_text) if request_text is not None else None,
            response=payload_json.decode(response_text) if response_text is not None else None,
            request_bytes=_size(request_text),
            response_bytes=_size(response_text),
            detail=detail,
            committed=False,
        )
        self._pending.append(entry)
        return entry

    def commit(self) -> int:
        """Make every buffered entry durable, atomically; returns how many there were."""
        self._writable()
        if not self._pending:
            return 0
        rows = [_row(e) for e in self._pending]
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                f"INSERT INTO entries ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        done = [replace(e, committed=True) for e in self._pending]
        self._committed.extend(done)
        self._pending.clear()
        return len(done)

    def discard_pending(self) -> int:
        """What a crash does to the buffer; returns how many entries were lost."""
        lost = len(self._pending)
        self._pending.clear()
        return lost

    def close(self) -> None:
        """Close without committing (pending entries are dropped, as in a crash); callers
        that want them kept commit first."""
        self._pending.clear()
        db, self._db = self._db, None
        if db is not None:
            db.close()
        if self._unlock is not None:
            self._unlock()
            self._unlock = None

    @property
    def closed(self) -> bool:
        return self._db is None

    def __enter__(self) -> "Oplog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- internals ---------------------------------------------------------------------

    def _lock(self) -> None:
        assert self.path is not None
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OplogInUse(f"{self.path} is open by another worker; close it (or let it "
                             f"crash) before starting a new one") from None
        # Released by close(), or when the Oplog is garbage-collected unclosed.
        self._unlock = weakref.finalize(self, _release_lock, fd)

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise ValueError("the oplog is closed")
        return self._db

    def _writable(self) -> None:
        self._conn()
        if self.read_only:
            raise PermissionError(f"{self.path} was opened read-only")

    def _check_format(self) -> None:
        try:
            meta = dict(self._conn().execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{self.path} is not a golem-llm oplog: {exc}") from None
        if meta.get("format") != FORMAT or meta.get("version") != VERSION:
            raise ValueError(f"{self.path} is not a {FORMAT} v{VERSION} file: {meta}")

    def _load(self) -> list[OplogEntry]:
        rows = self._conn().execute(f"SELECT {_COLUMNS} FROM entries ORDER BY idx")
        return [_entry(row) for row in rows]


def _release_lock(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def _size(text: Optional[str]) -> int:
    return len(text.encode("utf-8")) if text is not None else 0


def _row(e: OplogEntry) -> tuple[Any, ...]:
    return (e.index, e.kind, e.timestamp_ns, e.function_name,
            function_type_text(e.function_type) if e.function_type is not None else None,
            e.persistence_level, e.begin_index,
            payload_json.encode(e.request) if e.request is not None else None,
            payload_json.encode(e.response) if e.response is not None else None,
            e.request_bytes, e.response_bytes, e.detail)


def _entry(row: tuple[Any, ...]) -> OplogEntry:
    (idx, kind, ts, name, ftype, level, begin, request, response, req_b, resp_b,
     detail) = row
    return OplogEntry(
        index=idx, kind=kind, timestamp_ns=ts, function_name=name,
        function_type=parse_function_type(ftype) if ftype is not None else None,
        persistence_level=level, begin_index=begin,
        request=payload_json.decode(request) if request is not None else None,
        response=payload_json.decode(response) if response is not None else None,
        request_bytes=req_b, response_bytes=resp_b, detail=detail, committed=True)
