"""The emulated Golem 1.2 worker executor: durable execution state over one oplog.

Every public method here is one host function of `golem:durability/durability@1.2.0` or
`golem:api/host@1.1.6`, taking and returning plain values (WIT case names, neutral
value-and-type pairs), so the wrapper's `DurableHost` protocol (durability/host_api.py) is
satisfied natively too.  linking.py adapts these methods to wasmtime-py, and records the
WASI calls Golem makes durable through `wasi_call` (wasi_durable.py).

Semantics, after Golem 1.2.2-1.2.5 (worker-executor `durable_host/`, `replay_state.rs`;
/work/shared/reference/golem-1.2-fidelity.md section 3):

- Replay.  A worker opened on an oplog with committed entries starts in replay; `is-live`
  is false until every one of them has been read or skipped (Golem: the last replayed index
  reaches the replay target).
- Skipping, eagerly.  Right after each entry is read (and once when the worker starts),
  replay skips hint entries (`create`, `error`) and every closed persist-nothing zone, from
  its `change-persistence-level` to persist-nothing through the change that closes it (an
  unclosed zone runs to the end of the oplog).  So a zone is gone before the guest gets
  there: a guest that enters persist-nothing during replay reads the entry after the zone,
  normally its own call's `imported-function-invoked`, and diverges, as in Golem's
  `transactions.rs::persist_nothing` test.
- Strict reads.  Every replayed host call reads the next entry and needs it to be the kind
  it expects: `read-persisted-typed-...` an `imported-function-invoked` (name checked by the
  guest); a WASI call an `imported-function-invoked` of its own name; a level change a
  `change-persistence-level` (level not compared, as Golem); a non-idempotent write-remote
  `begin-remote-write` / `end-remote-write`.  Anything else is a `Divergence` ("unexpected
  oplog entry").  Reading at persist-nothing, or with nothing left, is a divergence too.
- WASI.  Clocks, random and environment/arguments are recorded live as
  `imported-function-invoked` entries (read-local) at every level, persist-nothing included,
  and replayed in order (wasi_durable.py says which calls and what is not modelled).
- wasi:http releases, as the guest witnesses them.  wasmtime-py runs wasi:http where the
  executor cannot see a drop, so the guest calls `observe-function-call` with the release's
  component-model name just before it lets go of a resource (durability/http_witness.py;
  Golem only counts such calls as metrics).  Each witness is counted per persistence level
  (`Counters.releases`).  One that can end an HTTP request (the future, response, body or
  its stream) at a level other than persist-nothing is recorded as Golem records that end:
  live, an `end-remote-write` (write-remote-batched(none), committed), and in replay it
  must read one (strict, like any other entry).  So a guest that releases a response
  outside a zone on its live path only diverges at its next replayed read.  At
  persist-nothing nothing is written: Golem writes the end inside the zone, which replay
  skips, and the emulation leaves every wasi:http step in a zone out.
- `persist-typed-...` during replay is a divergence (Golem appends silently; stricter here).
  Live, it validates request and response with `runtime.golem.wit_check.check` and appends.
- Idempotence mode (`set-idempotence-mode`, default on, reset when a worker starts): with it
  off, a write-remote call is bracketed by `begin-remote-write` (appended and committed by
  `begin-durable-function`) and `end-remote-write` (by `end-durable-function`); replaying a
  begin whose end was never recorded fails with `UnfinishedRemoteWrite`.
  `write-remote-batched(none)` is bracketed the same way.
- Commits: `end-durable-function` for write-remote, write-remote-batched or forced-commit
  (read-remote does not commit), each live persistence-level change, `create`, a begin
  marker, an `error`, and the end of every export call (`invocation_completed`: Golem's
  invocation boundary).
- Failure, two ways.  A trap (any exception out of a host function or the guest: a
  divergence, an invalid payload, a guest panic, a `CrashPlan` of kind "trap") commits the
  buffer together with an `error` entry.  Golem then retries the worker (default retry
  config: 3 retries, 100 ms x3 up to 1 s); the emulation counts the trailing `error` entries
  instead of waiting, and after the third retry has failed too the worker is `failed`:
  opening it again raises `WorkerFailed`.  The caller drives each retry by opening a new
  worker on the same oplog and re-running its calls.  An injected crash of kind "crash"
  (`crash()`) is the executor process dying: the buffer is lost, no `error` is written.

Simplified against Golem: no atomic regions, `jump` entries or snapshots; exported-function
entries are not written, because the caller, not the oplog, drives the invocations; the
retry backoff is recorded, not slept.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TypeVar

from durability.host_api import ExecutionState
from durability.http_witness import RELEASES
from runtime.golem.wit_check import check
from durability.wit_nodes import ValueAndType
from runtime.golem.crash import CrashPlan, CrashTrigger
from runtime.golem.errors import (
    Divergence,
    InjectedCrash,
    InvalidPayload,
    UnfinishedRemoteWrite,
    WorkerDead,
    WorkerFailed,
)
from runtime.golem.oplog import Oplog
from runtime.golem.oplog_entry import (
    BEGIN_REMOTE_WRITE,
    CHANGE_PERSISTENCE_LEVEL,
    CREATE,
    END_REMOTE_WRITE,
    ERROR,
    HINTS,
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
HOST_FUNCTIONS = ("get-oplog-persistence-level", "set-oplog-persistence-level",
                  "set-idempotence-mode")

#: Golem's default retry config (`RetryConfig::max_attempts_3`): a trapped worker is retried
#: while fewer than this many `error` entries precede the new one; the delays grow from
#: 100 ms by x3 up to 1 s (jitter left out).
MAX_RETRIES = 3
RETRY_MIN_DELAY_MS, RETRY_MAX_DELAY_MS, RETRY_MULTIPLIER = 100, 1000, 3
RETRYING, FAILED = "retrying", "failed"


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
    """What a worker did, for tests: host calls by WIT function name (WASI ones by oplog
    name), the wasi:http releases the guest witnessed, entries written live, entries consumed by replay (invocations, WASI calls, level
    changes and markers read back), commits, and entries a crash threw away."""

    host_calls: Counter = field(default_factory=Counter)
    releases: Counter = field(default_factory=Counter)
    """Witnessed wasi:http releases by `(function, persistence level)`, e.g.
    `("[resource-drop]incoming-body", "persist-nothing")`."""
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


def retry_delay_ms(previous_errors: int) -> int:
    """The pause Golem takes before retry number `previous_errors` (1-based)."""
    return min(RETRY_MAX_DELAY_MS,
               RETRY_MIN_DELAY_MS * RETRY_MULTIPLIER ** max(0, previous_errors - 1))


class DurableExecutor:
    """One worker's durable execution over `oplog` (which it owns and closes).  Raises
    `WorkerFailed` (and releases the oplog) when the oplog ends in a failure Golem gave up
    retrying."""

    def __init__(self, oplog: Oplog, crash: Optional[CrashPlan] = None,
                 component: Optional[dict[str, str]] = None) -> None:
        self.oplog = oplog
        self.counters = Counters()
        self.death: Optional[BaseException] = None
        self._closed = False
        self._trigger = CrashTrigger(crash)
        self._level = SMART
        self._idempotent = True
        if len(oplog) == 0:
            oplog.append(CREATE, detail=json.dumps(component or {}, sort_keys=True))
            self._commit()
        self._recorded: list[OplogEntry] = oplog.committed()
        failed = self.status == FAILED
        if failed:
            oplog.close()
            raise WorkerFailed(f"the worker failed after {MAX_RETRIES} retries: "
                               f"{self._recorded[-1].detail}")
        self._cursor = 0  # position in _recorded of the next entry replay reads
        self._skip_forward()

    # ---- state, for the worker and for tests ----------------------------------------------

    @property
    def live(self) -> bool:
        """False while recorded entries remain to be replayed (Golem's `is-live`)."""
        return self._cursor >= len(self._recorded)

    @property
    def persistence_level(self) -> str:
        return self._level

    @property
    def dead(self) -> bool:
        return self.death is not None or self._closed

    @property
    def crash_plan(self) -> Optional[CrashPlan]:
        return self._trigger.plan

    @property
    def trailing_errors(self) -> int:
        """`error` entries at the end of the committed oplog (Golem's retry count)."""
        entries = self.oplog.committed() if not self.oplog.closed else self._recorded
        count = 0
        for entry in reversed(entries):
            if entry.kind != ERROR:
                break
            count += 1
        return count

    @property
    def status(self) -> str:
        """`running`, `retrying` (the oplog ends in a trap Golem would retry) or `failed`."""
        errors = self.trailing_errors
        if errors == 0:
            return "running"
        return RETRYING if errors <= MAX_RETRIES else FAILED

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
        self.fail(InjectedCrash(reason, "crash"))

    def fail(self, exc: BaseException) -> None:
        """The worker stops for good.  An `InjectedCrash` of kind "crash" is the executor
        process dying: the buffer is lost.  Anything else is a trap: the buffer is committed
        with an `error` entry that says whether Golem retries (and after what pause) or
        gives up.  Either way the oplog file is released."""
        if self.dead:
            return
        self.death = exc
        if self.oplog.closed:
            return
        if isinstance(exc, InjectedCrash) and exc.kind == "crash":
            self.counters.entries_lost += self.oplog.discard_pending()
        else:
            self._record_error(exc)
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
        """Golem only records metrics here (`durability.rs` -> `metrics::
        record_host_function_call`).  The emulation also models the wasi:http release a
        guest witnesses with it (see the module docstring)."""
        release = RELEASES.get((iface, function))
        if release is None:
            return
        self.counters.releases[function, self._level] += 1
        if not release.ends_request or self._level == PERSIST_NOTHING:
            return
        if self.live:
            # Golem's entry also carries the request's begin index, which the emulation
            # never sees (the begin is inside the zone); `detail` says which release.
            self._append(END_REMOTE_WRITE, function_type=(WRITE_REMOTE_BATCHED, None),
                         detail=f"{iface} {function}")
            self._commit()
        else:
            self._read(END_REMOTE_WRITE, f"{iface} {function} outside persist-nothing")

    @host_function("begin-durable-function")
    def begin_durable_function(self, function_type: FunctionType) -> int:
        function_type = normalize_function_type(function_type)
        if not self._bracketed(function_type):
            return self._current_index()
        if self.live:
            entry = self._append(BEGIN_REMOTE_WRITE, function_type=function_type)
            self._commit()
            return entry.index
        begin = self._read(BEGIN_REMOTE_WRITE, "begin-durable-function")
        if not any(e.kind == END_REMOTE_WRITE and e.begin_index == begin.index
                   for e in self._recorded[self._cursor:]):
            raise UnfinishedRemoteWrite(
                f"the remote write begun at #{begin.index} never ended (idempotence mode "
                f"off): non-idempotent remote write operation was not completed, cannot retry")
        return begin.index

    @host_function("end-durable-function")
    def end_durable_function(self, function_type: FunctionType, begin_index: int,
                             forced_commit: bool) -> None:
        function_type = normalize_function_type(function_type)
        bracketed = self._bracketed(function_type)
        if not self.live:
            if bracketed:
                self._read(END_REMOTE_WRITE, "end-durable-function")
            return
        if bracketed:
            self._append(END_REMOTE_WRITE, function_type=function_type, begin_index=begin_index)
        if function_type_case(function_type) in (WRITE_REMOTE, WRITE_REMOTE_BATCHED) \
                or forced_commit:
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
                f"recorded entries to replay (next: {_describe(self._peek())}), "
                f"so the guest should have read it back (is-live was false)")
        when = self._trigger.on_persist(function_name)
        kind = self._trigger.plan.kind if self._trigger.plan else "crash"
        if when == "before":
            raise InjectedCrash(f"{self._trigger.plan.describe()}: nothing recorded", kind)
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
                                f"#{self.oplog.last_index} {state}", kind)

    @host_function("read-persisted-typed-durable-function-invocation")
    def read_persisted_typed_durable_function_invocation(self) -> PersistedInvocation:
        if self._level == PERSIST_NOTHING:
            raise Divergence("read-persisted-typed-durable-function-invocation was called "
                             "inside a persist-nothing zone, which is never replayed")
        entry = self._read(IMPORTED_FUNCTION_INVOKED,
                           "read-persisted-typed-durable-function-invocation")
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
            # Golem reads the next entry as a level change without comparing the level.
            # Closed zones are already skipped, so entering one here reads what follows it.
            self._read(CHANGE_PERSISTENCE_LEVEL, f"set-oplog-persistence-level({level})")
        self._level = level

    @host_function("set-idempotence-mode")
    def set_idempotence_mode(self, idempotent: bool) -> None:
        """In memory only, as in Golem: a restarted worker is idempotent again until the
        guest sets it."""
        self._idempotent = bool(idempotent)

    # ---- WASI calls Golem makes durable ----------------------------------------------------

    def wasi_call(self, name: str, live: Callable[[], Any],
                  encode: Callable[[Any], ValueAndType],
                  decode: Callable[[ValueAndType], Any]) -> Any:
        """One durable WASI call (read-local), named as Golem names it (`wall_clock::now`):
        live, `live()` answers and the answer is appended at the current level (any level,
        as Golem does); in replay the next entry must be this call's, and its answer is
        returned.  Counted and crashable like a host function."""
        try:
            self._enter(name)
            if self.live:
                value = live()
                self._append(IMPORTED_FUNCTION_INVOKED, function_name=name,
                             function_type="read-local", persistence_level=self._level,
                             request=_NO_INPUT, response=encode(value))
                return value
            entry = self._read(IMPORTED_FUNCTION_INVOKED, name, function_name=name)
            assert entry.response is not None
            return decode(entry.response)
        except BaseException as exc:
            self.fail(exc)
            raise

    # ---- internals -------------------------------------------------------------------------

    def _bracketed(self, function_type: FunctionType) -> bool:
        """Begin/end markers: write-remote-batched(none), and write-remote with idempotence
        mode off."""
        case = function_type_case(function_type)
        if case == WRITE_REMOTE_BATCHED:
            return batched_begin(function_type) is None
        return case == WRITE_REMOTE and not self._idempotent

    def _read(self, kind: str, caller: str, function_name: Optional[str] = None) -> OplogEntry:
        """Golem's `get_oplog_entry!`: the next entry must be `kind` (and, for a WASI call,
        of `function_name`); then hints and closed zones are skipped."""
        if self.live:
            raise Divergence(
                f"{caller} found nothing left to replay ({len(self._recorded)} recorded "
                f"entries, all replayed); the guest should be live here")
        entry = self._recorded[self._cursor]
        if entry.kind != kind or (function_name is not None
                                  and entry.function_name != function_name):
            raise Divergence(f"unexpected oplog entry: {caller} expects "
                             f"{function_name or kind}, the next entry is {_describe(entry)}")
        self._cursor += 1
        self.counters.entries_replayed += 1
        self._skip_forward()
        return entry

    def _skip_forward(self) -> None:
        """Skip hint entries and closed persist-nothing zones (replay_state.rs
        `skip_forward`): a zone runs from its change to persist-nothing through the next
        change to another level, which is consumed with it; an unclosed one to the end."""
        recorded = self._recorded
        while self._cursor < len(recorded):
            entry = recorded[self._cursor]
            if entry.kind in HINTS:
                self._cursor += 1
            elif (entry.kind == CHANGE_PERSISTENCE_LEVEL
                  and entry.persistence_level == PERSIST_NOTHING):
                end = self._cursor + 1
                while end < len(recorded) and not (
                        recorded[end].kind == CHANGE_PERSISTENCE_LEVEL
                        and recorded[end].persistence_level != PERSIST_NOTHING):
                    end += 1
                self._cursor = min(end + 1, len(recorded))
            else:
                return

    def _peek(self) -> Optional[OplogEntry]:
        return self._recorded[self._cursor] if not self.live else None

    def _current_index(self) -> int:
        """Golem returns the oplog's current (last) index, also during replay."""
        return self.oplog.last_index

    def _append(self, kind: str, **fields: Any) -> OplogEntry:
        entry = self.oplog.append(kind, **fields)
        self.counters.entries_written += 1
        return entry

    def _commit(self) -> None:
        if self.oplog.commit():
            self.counters.commits += 1

    def _record_error(self, exc: BaseException) -> None:
        """Golem's `on_invocation_failure`: `add_and_commit(Error)`, which commits the
        buffer too; the status follows from the errors before this one."""
        previous = self.trailing_errors if not self.oplog.pending else 0
        retried = previous < MAX_RETRIES
        detail = {"error": f"{type(exc).__name__}: {exc}"[:2000],
                  "retry": previous + 1 if retried else None,
                  "delay_ms": retry_delay_ms(previous + 1) if retried else None,
                  "status": RETRYING if retried else FAILED}
        self._append(ERROR, detail=json.dumps(detail, sort_keys=True))
        self._commit()

    def _enter(self, name: str) -> None:
        if self.dead:
            raise WorkerDead(f"{name} called on a {'dead' if self.death else 'closed'} worker"
                             + (f" ({self.death!r})" if self.death else ""))
        self.counters.host_calls[name] += 1
        if self._trigger.on_host_call(name):
            plan = self._trigger.plan
            raise InjectedCrash(f"{plan.describe()} ({name})", plan.kind)


_NO_INPUT: ValueAndType = ((("record-value", ()),), (("record-type", ()),))


def _validate(function_name: str, which: str, vat: Any) -> None:
    if not isinstance(vat, (tuple, list)) or len(vat) != 2:
        raise InvalidPayload(f"{function_name}: invalid {which}: not a (value nodes, "
                             f"type nodes) pair")
    try:
        check(*vat)
    except (TypeError, ValueError) as err:  # CodecError is a ValueError
        raise InvalidPayload(f"{function_name}: invalid {which} value-and-type: {err}") from None


def _describe(entry: Optional[OplogEntry]) -> str:
    if entry is None:
        return "the end of the oplog"
    what = entry.function_name or entry.persistence_level or ""
    if entry.function_type is not None:
        what += f" ({function_type_text(entry.function_type)})"
    return f"#{entry.index} {entry.kind} {what}".rstrip()
