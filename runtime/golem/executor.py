"""The emulated Golem 1.2 worker executor: durable execution state over one oplog.

Every public method here is one host function of `golem:durability/durability@1.2.0` or
`golem:api/host@1.1.6`, taking and returning plain values (WIT case names, neutral
value-and-type pairs), so the wrapper's `DurableHost` protocol (durability/host_api.py) is
satisfied natively too.  linking.py adapts these methods to wasmtime-py.

Semantics, after Golem 1.2.2+ (reference/golem-llm-anchor.md §2.1):

- Replay.  A worker opened on an oplog with recorded `imported-function-invoked` entries
  starts in replay; `is-live` is false until the last of them (outside persist-nothing
  zones) has been read back.  Trailing entries that replay could never return (level
  changes, an unfinished zone) do not hold the worker in replay.
- `read-persisted-typed-...` returns the next `imported-function-invoked` entry, skipping
  every entry recorded inside a persist-nothing zone (from a `change-persistence-level` to
  persist-nothing up to the next level change).  Reading with nothing left to replay, or
  while the level is persist-nothing, is a divergence.
- `persist-typed-...` during replay is a divergence (the guest ignored `is-live`).  Live, it
  validates request and response with `runtime.golem.wit_check.check` (an invalid payload
  traps with its path) and appends the entry, also at persist-nothing, where it is kept for
  observability and skipped by replay, as Golem does.
- `set-oplog-persistence-level` to the current level does nothing.  A change is appended and
  committed when live; during replay the next entry must be the same change (else a
  divergence), and entering persist-nothing jumps over the recorded zone.
- Commits: `end-durable-function` for write-remote, write-remote-batched or forced-commit
  (read-remote does not commit), each persistence-level change, the `create` entry, and the
  end of every export call (`invocation_completed`, called by the worker: Golem's
  invocation boundary).  A crash loses everything else.
- `begin-durable-function` returns the current oplog index; for `write-remote-batched(none)`
  it first writes `begin-remote-write`, and the matching end writes `end-remote-write`.
  Replay does not check these markers (the components never batch).

Simplified against Golem: no idempotence mode (write-remote always idempotent), no atomic
regions, retries, `jump` entries or snapshots; exported-function entries are not written,
because the caller, not the oplog, drives the invocations (a test re-runs its script).
Any exception out of a host function kills the worker: the oplog buffer is discarded and
the file released, as when the executor process dies.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TypeVar

from durability.host_api import ExecutionState
from runtime.golem.wit_check import check
from durability.wit_nodes import ValueAndType
from runtime.golem.crash import CrashPlan, CrashTrigger
from runtime.golem.errors import Divergence, InjectedCrash, InvalidPayload, WorkerDead
from runtime.golem.oplog import Oplog
from runtime.golem.oplog_entry import (
    BEGIN_REMOTE_WRITE,
    CHANGE_PERSISTENCE_LEVEL,
    CREATE,
    END_REMOTE_WRITE,
    IMPORTED_FUNCTION_INVOKED,
    PERSIST_NOTHING,
    PERSISTENCE_LEVELS,
    SMART,
    WRITE_REMOTE,
    WRITE_REMOTE_BATCHED,
    FunctionType,
    OplogEntry,
    batched_begin,
    function_type_case,
    function_type_text,
    normalize_function_type,
)

DURABILITY_FUNCTIONS = (
    "observe-function-call", "begin-durable-function", "end-durable-function",
    "current-durable-execution-state", "persist-typed-durable-function-invocation",
    "read-persisted-typed-durable-function-invocation")
HOST_FUNCTIONS = ("get-oplog-persistence-level", "set-oplog-persistence-level")
_MARKERS = (CREATE, BEGIN_REMOTE_WRITE, END_REMOTE_WRITE)


@dataclass(frozen=True)
class PersistedInvocation:
    """`persisted-typed-durable-function-invocation`, plus the oplog index it came from."""

    timestamp_ns: int
    function_name: str
    response: ValueAndType
    function_type: FunctionType
    entry_version: str
    index: int


@dataclass
class Counters:
    """What a worker did, for tests: host calls by WIT function name, entries written live,
    entries consumed by replay (invocations read back and level changes matched), commits,
    and entries a crash threw away."""

    host_calls: Counter = field(default_factory=Counter)
    entries_written: int = 0
    entries_replayed: int = 0
    commits: int = 0
    entries_lost: int = 0


F = TypeVar("F", bound=Callable[..., Any])


def host_function(name: str) -> Callable[[F], F]:
    """Mark a method as the host function `name`: counted, crashable, and fatal on error."""
    def wrap(method: F) -> F:
        @functools.wraps(method)
        def call(self: "DurableExecutor", *args: Any) -> Any:
            try:
                self._enter(name)
                return method(self, *args)
            except BaseException as exc:
                self.fail(exc)
                raise
        call.wit_name = name  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]
    return wrap


class DurableExecutor:
    """One worker's durable execution over `oplog` (which it owns and closes)."""

    def __init__(self, oplog: Oplog, crash: Optional[CrashPlan] = None,
                 component: Optional[dict[str, str]] = None) -> None:
        self.oplog = oplog
        self.counters = Counters()
        self.death: Optional[BaseException] = None
        self._closed = False
        self._trigger = CrashTrigger(crash)
        self._level = SMART
        if len(oplog) == 0:
            oplog.append(CREATE, detail=json.dumps(component or {}, sort_keys=True))
            self._commit()
        self._recorded: list[OplogEntry] = oplog.committed()
        self._cursor = 0  # position in _recorded of the next entry replay looks at
        self._recorded_level = SMART  # the level the recorded entries at _cursor were made at
        self._last_replayable = _last_replayable(self._recorded)

    # ---- state, for the worker and for tests ----------------------------------------------

    @property
    def live(self) -> bool:
        """False while recorded invocations remain to be replayed."""
        return self._cursor > self._last_replayable

    @property
    def persistence_level(self) -> str:
        return self._level

    @property
    def dead(self) -> bool:
        return self.death is not None or self._closed

    @property
    def crash_plan(self) -> Optional[CrashPlan]:
        return self._trigger.plan

    def arm(self, plan: Optional[CrashPlan]) -> None:
        """Set (or clear) the crash plan; its counts start now."""
        self._trigger = CrashTrigger(plan)

    def entries(self) -> list[OplogEntry]:
        return self.oplog.entries()

    def remaining(self) -> list[OplogEntry]:
        """Recorded entries replay has not passed yet."""
        return self._recorded[self._cursor:]

    # ---- lifecycle -------------------------------------------------------------------------

    def invocation_completed(self) -> None:
        """An export call returned: Golem's invocation boundary, which commits."""
        if not self.dead:
            self._commit()

    def crash(self, reason: str = "crash") -> None:
        """Die as if the executor process were killed: the buffer is lost."""
        self.fail(InjectedCrash(reason))

    def fail(self, exc: BaseException) -> None:
        """The guest trapped (here or elsewhere): the worker is gone, the buffer lost and
        the oplog file released."""
        if self.dead:
            return
        self.death = exc
        if not self.oplog.closed:
            self.counters.entries_lost += self.oplog.discard_pending()
            self.oplog.close()

    def close(self) -> None:
        """Stop the worker cleanly: commit, then release the oplog file."""
        if not self.dead:
            self._commit()
        self._closed = True
        self.oplog.close()

    # ---- golem:durability/durability@1.2.0 -------------------------------------------------

    @host_function("observe-function-call")
    def observe_function_call(self, iface: str, function: str) -> None:
        """Golem only records metrics here."""

    @host_function("begin-durable-function")
    def begin_durable_function(self, function_type: FunctionType) -> int:
        function_type = normalize_function_type(function_type)
        if self.live and function_type == (WRITE_REMOTE_BATCHED, None):
            return self._append(BEGIN_REMOTE_WRITE, function_type=function_type).index
        return self._current_index()

    @host_function("end-durable-function")
    def end_durable_function(self, function_type: FunctionType, begin_index: int,
                             forced_commit: bool) -> None:
        function_type = normalize_function_type(function_type)
        if not self.live:
            return
        case = function_type_case(function_type)
        if case == WRITE_REMOTE_BATCHED and batched_begin(function_type) is None:
            self._append(END_REMOTE_WRITE, function_type=function_type, begin_index=begin_index)
        if case in (WRITE_REMOTE, WRITE_REMOTE_BATCHED) or forced_commit:
            self._commit()

    @host_function("current-durable-execution-state")
    def current_durable_execution_state(self) -> ExecutionState:
        return ExecutionState(self.live, self._level)

    @host_function("persist-typed-durable-function-invocation")
    def persist_typed_durable_function_invocation(
            self, function_name: str, request: ValueAndType, response: ValueAndType,
            function_type: FunctionType) -> None:
        function_type = normalize_function_type(function_type)
        if not self.live:
            raise Divergence(
                f"{function_name} was persisted during replay; the oplog still has "
                f"recorded entries to replay (next: {_describe(self._next_replayable())}), "
                f"so the guest should have read it back (is-live was false)")
        when = self._trigger.on_persist(function_name)
        if when == "before":
            raise InjectedCrash(f"{self._trigger.plan.describe()}: nothing recorded")
        _validate(function_name, "request", request)
        _validate(function_name, "response", response)
        self._append(IMPORTED_FUNCTION_INVOKED, function_name=function_name,
                     function_type=function_type, persistence_level=self._level,
                     request=request, response=response)
        if when == "after-commit":
            self._commit()
        if when is not None:
            state = "committed" if when == "after-commit" else "not committed"
            raise InjectedCrash(f"{self._trigger.plan.describe()}: entry "
                                f"#{self.oplog.last_index} {state}")

    @host_function("read-persisted-typed-durable-function-invocation")
    def read_persisted_typed_durable_function_invocation(self) -> PersistedInvocation:
        if self._level == PERSIST_NOTHING:
            raise Divergence("read-persisted-typed-durable-function-invocation was called "
                             "inside a persist-nothing zone, which is never replayed")
        if self.live:
            raise Divergence(
                "read-persisted-typed-durable-function-invocation found nothing left to "
                f"replay ({len(self._recorded)} recorded entries, all replayed); the guest "
                "should be live here")
        while True:  # live is False, so a replayable entry lies ahead
            entry = self._recorded[self._cursor]
            self._cursor += 1
            if entry.kind == CHANGE_PERSISTENCE_LEVEL:
                self._recorded_level = entry.persistence_level or SMART
            elif (entry.kind == IMPORTED_FUNCTION_INVOKED
                  and self._recorded_level != PERSIST_NOTHING):
                break
        self.counters.entries_replayed += 1
        assert entry.function_name is not None and entry.response is not None
        assert entry.function_type is not None
        return PersistedInvocation(entry.timestamp_ns, entry.function_name, entry.response,
                                   entry.function_type, "v2", entry.index)

    # ---- golem:api/host@1.1.6 --------------------------------------------------------------

    @host_function("get-oplog-persistence-level")
    def get_oplog_persistence_level(self) -> str:
        return self._level

    @host_function("set-oplog-persistence-level")
    def set_oplog_persistence_level(self, level: str) -> None:
        if level not in PERSISTENCE_LEVELS:
            raise ValueError(f"unknown persistence level {level!r}")
        if level == self._level:
            return
        if self.live:
            self._append(CHANGE_PERSISTENCE_LEVEL, persistence_level=level)
            self._commit()
        else:
            self._replay_level_change(level)
        self._level = level

    # ---- internals -------------------------------------------------------------------------

    def _replay_level_change(self, level: str) -> None:
        pos = self._cursor
        while pos < len(self._recorded) and self._recorded[pos].kind in _MARKERS:
            pos += 1
        found = self._recorded[pos] if pos < len(self._recorded) else None
        if found is None or found.kind != CHANGE_PERSISTENCE_LEVEL:
            raise Divergence(f"the guest changed the persistence level to {level} during "
                             f"replay, but the next oplog entry is {_describe(found)}")
        if found.persistence_level != level:
            raise Divergence(f"the guest changed the persistence level to {level} during "
                             f"replay, but the oplog recorded a change to "
                             f"{found.persistence_level} (#{found.index})")
        self._cursor = pos + 1
        self._recorded_level = level
        self.counters.entries_replayed += 1
        if level == PERSIST_NOTHING:  # the zone's entries are never replayed
            while (self._cursor < len(self._recorded)
                   and self._recorded[self._cursor].kind != CHANGE_PERSISTENCE_LEVEL):
                self._cursor += 1

    def _next_replayable(self) -> Optional[OplogEntry]:
        level = self._recorded_level
        for entry in self._recorded[self._cursor:]:
            if entry.kind == CHANGE_PERSISTENCE_LEVEL:
                level = entry.persistence_level or SMART
            elif entry.kind == IMPORTED_FUNCTION_INVOKED and level != PERSIST_NOTHING:
                return entry
        return None

    def _current_index(self) -> int:
        if self.live:
            return self.oplog.last_index
        return self._recorded[self._cursor - 1].index if self._cursor else 0

    def _append(self, kind: str, **fields: Any) -> OplogEntry:
        entry = self.oplog.append(kind, **fields)
        self.counters.entries_written += 1
        return entry

    def _commit(self) -> None:
        if self.oplog.commit():
            self.counters.commits += 1

    def _enter(self, name: str) -> None:
        if self.dead:
            raise WorkerDead(f"{name} called on a {'dead' if self.death else 'closed'} worker"
                             + (f" ({self.death!r})" if self.death else ""))
        self.counters.host_calls[name] += 1
        if self._trigger.on_host_call(name):
            raise InjectedCrash(f"{self._trigger.plan.describe()} ({name})")



def _validate(function_name: str, which: str, vat: Any) -> None:
    if not isinstance(vat, (tuple, list)) or len(vat) != 2:
        raise InvalidPayload(f"{function_name}: invalid {which}: not a (value nodes, "
                             f"type nodes) pair")
    try:
        check(*vat)
    except (TypeError, ValueError) as err:  # CodecError is a ValueError
        raise InvalidPayload(f"{function_name}: invalid {which} value-and-type: {err}") from None


def _last_replayable(entries: list[OplogEntry]) -> int:
    """Position of the last entry replay will return (-1 if none)."""
    level, last = SMART, -1
    for pos, entry in enumerate(entries):
        if entry.kind == CHANGE_PERSISTENCE_LEVEL:
            level = entry.persistence_level or SMART
        elif entry.kind == IMPORTED_FUNCTION_INVOKED and level != PERSIST_NOTHING:
            last = pos
    return last


def _describe(entry: Optional[OplogEntry]) -> str:
    if entry is None:
        return "the end of the oplog"
    what = entry.function_name or entry.persistence_level or ""
    if entry.function_type is not None:
        what += f" ({function_type_text(entry.function_type)})"
    return f"#{entry.index} {entry.kind} {what}".rstrip()
