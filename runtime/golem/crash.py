"""Crash injection: make an emulated worker die at a chosen Golem host call.

A plan raises `InjectedCrash` from inside a host function; the guest sees a trap and the
instance is dead.  Its `kind` says what Golem would do with the oplog:

- `"crash"` (the default): the executor process dies; whatever the oplog had not committed
  is lost.
- `"trap"`: the guest trapped (as on a divergence or a guest panic); Golem commits the
  buffer together with an `error` entry and retries the worker (executor.py).

Either way a test then starts a fresh worker on the same oplog file and re-runs the same
calls (the retry, or the restarted executor's recovery); the new worker replays what was
committed.

Two ways to aim:

- `CrashPlan.at_call(n)`: the n-th Golem host call of the worker (all functions of
  `golem:durability` and `golem:api/host`, counted from when the plan was armed), or the
  n-th call of one function with `at_call(n, "end-durable-function")`; the call does not
  run.
- `CrashPlan.at_persist(k, function="golem_llm::get_next", when=...)`: the k-th
  `persist-typed-durable-function-invocation` of that oplog function name, with `when`
  - `"before"`: nothing recorded (the batch was received from the provider but never
    written);
  - `"after"`: the entry is written to the buffer, then the worker dies: under Golem's
    commit rules a read-remote entry is not yet durable there, so a crash loses it (a trap
    commits it with the `error` entry);
  - `"after-commit"`: the entry is written and committed (as if the executor had flushed
    its buffer), then the worker dies before the guest gets the call back: on replay the
    entry is returned although the guest never saw it live.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

WHEN = ("before", "after", "after-commit")
KINDS = ("crash", "trap")
DEFAULT_FUNCTION = "golem_llm::get_next"


@dataclass(frozen=True)
class CrashPlan:
    """Where to crash; build one with `at_call` or `at_persist`."""

    host_call: Optional[int] = None
    host_function: Optional[str] = None
    persist: Optional[int] = None
    function: Optional[str] = DEFAULT_FUNCTION
    when: str = "before"
    kind: str = "crash"

    def __post_init__(self) -> None:
        if (self.host_call is None) == (self.persist is None):
            raise ValueError("a CrashPlan aims at either a host call or a persist, not both")
        n = self.host_call if self.host_call is not None else self.persist
        if n is None or n < 1:
            raise ValueError("crash counts start at 1")
        if self.when not in WHEN:
            raise ValueError(f"when must be one of {WHEN}, not {self.when!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.host_call is not None and self.when != "before":
            raise ValueError("a host-call crash happens before the call runs")

    @classmethod
    def at_call(cls, n: int, host_function: Optional[str] = None,
                kind: str = "crash") -> "CrashPlan":
        """Crash instead of the n-th Golem host call (of `host_function` only, if given: a
        WIT name such as `persist-typed-durable-function-invocation`)."""
        return cls(host_call=n, host_function=host_function, kind=kind)

    @classmethod
    def at_persist(cls, k: int, function: Optional[str] = DEFAULT_FUNCTION,
                   when: str = "before", kind: str = "crash") -> "CrashPlan":
        """Crash at the k-th persist of oplog function `function` (None: of any function)."""
        return cls(persist=k, function=function, when=when, kind=kind)

    def describe(self) -> str:
        if self.host_call is not None:
            what = self.host_function or "Golem host call"
            return f"injected {self.kind} at {what} #{self.host_call}"
        function = self.function or "any function"
        return f"injected {self.kind} {self.when} persist #{self.persist} of {function}"


class CrashTrigger:
    """Counts the calls a plan aims at, from the moment it is armed."""

    def __init__(self, plan: Optional[CrashPlan]) -> None:
        self.plan = plan
        self._calls = 0
        self._persists = 0

    def on_host_call(self, name: str) -> bool:
        """True if this call (about to run) is the one to crash at."""
        plan = self.plan
        if plan is None or plan.host_call is None:
            return False
        if plan.host_function is None or plan.host_function == name:
            self._calls += 1
        return self._calls == plan.host_call

    def on_persist(self, function_name: str) -> Optional[str]:
        """`when` if this persist is the one to crash at, else None."""
        plan = self.plan
        if plan is None or plan.persist is None:
            return None
        if plan.function is None or plan.function == function_name:
            self._persists += 1
            if self._persists == plan.persist:
                return plan.when
        return None
