"""The emulated Golem host for native wrapper tests, and stand-ins for live streams.

`Golem` is the emulated executor itself (`runtime.golem.DurableExecutor`) on an in-memory
oplog, so the wrapper's native tests run under the same replay rules as the components:
`Golem(previous)` is a new worker on what `previous` committed (a crash loses the rest),
zones are skipped eagerly, reads are strict, persisting in replay diverges.  It adds only
what the tests look at: the sequence of host calls by short name, and the level.
"""

from __future__ import annotations

from typing import Optional

from runtime.golem import CrashPlan, DurableExecutor, InjectedCrash, Oplog
from runtime.golem.oplog_entry import IMPORTED_FUNCTION_INVOKED

__all__ = ["FakeClock", "Golem", "InjectedCrash", "ScriptedSource", "invocations"]

_SHORT = {
    "observe-function-call": "observe", "begin-durable-function": "begin",
    "end-durable-function": "end", "current-durable-execution-state": "state",
    "persist-typed-durable-function-invocation": "persist",
    "read-persisted-typed-durable-function-invocation": "read",
    "get-oplog-persistence-level": "get-level", "set-oplog-persistence-level": "set-level",
}


class Golem(DurableExecutor):
    """A worker on an in-memory oplog holding what `previous` committed (a fresh one
    without; a `previous` still running is stopped cleanly first, committing its buffer); `crash_at_persist=k` crashes (the executor process dies) at the k-th persist
    of any function, or traps with `kind="trap"`."""

    def __init__(self, previous: Optional["Golem"] = None,
                 crash_at_persist: Optional[int] = None, kind: str = "crash") -> None:
        log = Oplog(None)
        if previous is not None and not previous.dead:
            previous.close()  # stopped cleanly: its buffer is committed
        for e in previous.oplog.committed() if previous is not None else ():
            log.append(e.kind, function_name=e.function_name, function_type=e.function_type,
                       persistence_level=e.persistence_level, begin_index=e.begin_index,
                       request=e.request, response=e.response, detail=e.detail,
                       timestamp_ns=e.timestamp_ns)
        log.commit()
        plan = (CrashPlan.at_persist(crash_at_persist, function=None, kind=kind)
                if crash_at_persist else None)
        self.calls: list[str] = []
        super().__init__(log, plan)

    @property
    def level(self) -> str:
        return self.persistence_level

    def _enter(self, name: str) -> None:
        self.calls.append(_SHORT.get(name, name))
        super()._enter(name)


def invocations(golem: Golem) -> list[tuple]:
    """`("invoke", name, request, response, function type)` of every golem:llm entry,
    committed or not."""
    return [("invoke", e.function_name, e.request, e.response, e.function_type)
            for e in golem.oplog.entries() if e.kind == IMPORTED_FUNCTION_INVOKED]


class ScriptedSource:
    """A live stream that hands out `batches` in order (None = nothing ready yet)."""

    def __init__(self, batches: list, log: Optional[list] = None) -> None:
        self._batches = list(batches)
        self.ended = False
        self.closed = False
        self.failure = None  # an `Attempt` of durability/recovery.py that never fails
        self.log = log if log is not None else []

    def next_batch(self, block: bool):
        while self._batches:
            batch = self._batches.pop(0)
            if batch is None and block:
                continue
            if batch and any(type(e).__name__ in ("Finish", "LlmError") for e in batch):
                self.ended = True
            return batch
        self.ended = True
        return []

    def close(self) -> None:
        self.closed = True
        self.log.append("close")


class FakeClock:
    """`durability.recovery.Clock` on a fake timeline: `sleep_until` moves time forward (and
    records the pause), `random` returns `rand`, `wall_s` is `wall`."""

    def __init__(self, rand: float = 0.0, wall: float = 1_700_000_000.0) -> None:
        self.now = 0
        self.rand = rand
        self.wall = wall
        self.sleeps: list[int] = []

    def now_ns(self) -> int:
        return self.now

    def sleep_until(self, when_ns: int) -> None:
        self.sleeps.append(max(0, when_ns - self.now))
        self.now = max(self.now, when_ns)

    def random(self) -> float:
        return self.rand

    def wall_s(self) -> float:
        return self.wall
