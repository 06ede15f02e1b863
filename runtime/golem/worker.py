"""Run a durable component as emulated Golem 1.2 workers, each with its own oplog.

    host = GolemHost(dist / "llm-openai.wasm")          # compiled once (cached on disk)
    worker = host.worker("w.oplog", env={...}, crash=CrashPlan.at_persist(3))
    stream = worker.stream(messages, config)            # as LlmInstance / HostChatStream
    ...                                                 # InjectedCrash at the 3rd get-next
    again = host.worker("w.oplog", env={...})           # replays what was committed
    again.live, again.oplog.entries(), again.counters

A worker is an `LlmInstance` whose linker binds the Golem host functions to its own
`DurableExecutor`.  Each export call (and each resource drop) is an invocation: when it
returns, the oplog is committed, as Golem commits at the end of an invocation.  When it
traps (an injected crash, a divergence, an invalid payload, a guest bug) the worker is dead:
its uncommitted entries are gone, the oplog file is released, and every later call raises
`WorkerDead`.
"""

from __future__ import annotations

from pathlib import Path
from time import perf_counter
from typing import Any, Mapping, Optional

from wasmtime import component as wc

from runtime.golem.crash import CrashPlan
from runtime.golem.errors import WorkerDead
from runtime.golem.executor import Counters, DurableExecutor
from runtime.golem.host_call_clock import HostCallClock
from runtime.golem.linking import link_golem
from runtime.golem.oplog import Oplog, PathLike
from runtime.golem.oplog_entry import OplogEntry
from runtime.golem.wasi_durable import shadow_wasi
from runtime.host import ComponentHost, LlmInstance, Signature, wasi_linker, wasi_store


class GolemHost(ComponentHost):
    """A compiled durable component, ready to run as any number of workers (of
    `worker_class`: a subclass calls another exported interface, as the example agent's)."""

    worker_class: type["GolemWorker"]  # GolemWorker, set below its definition

    def worker(self, oplog: Optional[PathLike] = None,
               env: Optional[Mapping[str, str]] = None,
               crash: Optional[CrashPlan] = None,
               memory_size: Optional[int] = None) -> "GolemWorker":
        """A worker on the oplog file `oplog` (created if missing; replayed if it has
        entries), or on a throwaway in-memory oplog when `oplog` is None."""
        log = Oplog(oplog)
        try:
            executor = DurableExecutor(log, crash, component={
                "component": self.path.name, "sha256": self.sha256})
            store = wasi_store(self.engine, env, memory_size)
            linker = wasi_linker(self.engine)
            host_clock = HostCallClock()
            link_golem(linker, executor, host_clock)
            shadow_wasi(linker, executor, env)
            instance = linker.instantiate(store, self.component)
        except BaseException:
            log.close()
            raise
        return self.worker_class(store, instance, executor, self.signatures, host_clock)

    def instantiate(self, env: Optional[Mapping[str, str]] = None,
                    memory_size: Optional[int] = None) -> "GolemWorker":
        """Drop-in for `ComponentHost.instantiate`: a worker on an in-memory oplog."""
        return self.worker(None, env, memory_size=memory_size)


class GolemWorker(LlmInstance):
    """One emulated worker: `send`, `continue_` and `stream` as on `LlmInstance`.
    `clock` times its export calls (guest time includes the Golem host functions);
    `host_clock` splits the host functions' time into conversion and the executor's work."""

    def __init__(self, store: Any, instance: wc.Instance, executor: DurableExecutor,
                 signatures: Optional[dict[str, Signature]] = None,
                 host_clock: Optional[HostCallClock] = None) -> None:
        super().__init__(store, instance, signatures)
        self.executor = executor
        self.host_clock = host_clock or HostCallClock()

    # ---- views for tests -------------------------------------------------------------------

    @property
    def oplog(self) -> Oplog:
        return self.executor.oplog

    @property
    def live(self) -> bool:
        """False while the worker is still replaying recorded invocations."""
        return self.executor.live

    @property
    def dead(self) -> bool:
        return self.executor.dead

    @property
    def death(self) -> Optional[BaseException]:
        """What killed the worker, if it died."""
        return self.executor.death

    @property
    def counters(self) -> Counters:
        return self.executor.counters

    def entries(self) -> list[OplogEntry]:
        return self.executor.entries()

    def arm(self, plan: Optional[CrashPlan]) -> None:
        """Set a crash plan now (counted from this moment); None disarms."""
        self.executor.arm(plan)

    def close(self) -> None:
        """Stop cleanly: commit and release the oplog (a new worker may then open it)."""
        self.executor.close()

    def __enter__(self) -> "GolemWorker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- invocations -----------------------------------------------------------------------

    def _call(self, name: str, *args: Any) -> Any:
        self._check_alive(name)
        try:
            result = super()._call(name, *args)
        except BaseException as exc:
            self.executor.fail(exc)
            raise
        self._complete_invocation()
        return result

    def _drop_resource(self, handle: wc.ResourceAny) -> None:
        if self.dead:
            return  # nothing to run a destructor in; also keeps `with` from masking a crash
        try:
            super()._drop_resource(handle)
        except BaseException as exc:
            self.executor.fail(exc)
            raise
        self._complete_invocation()

    def _complete_invocation(self) -> None:
        """Golem's invocation boundary: commit (timed as executor work)."""
        started = perf_counter()
        self.executor.invocation_completed()
        self.host_clock.executor_s += perf_counter() - started

    def _check_alive(self, name: str) -> None:
        if self.dead:
            raise WorkerDead(f"cannot call {name}: the worker is dead "
                             f"({self.death!r}); start a new worker on the same oplog")


GolemHost.worker_class = GolemWorker


def open_oplog(path: PathLike) -> Oplog:
    """The committed entries of an oplog file, read-only (no lock is taken)."""
    return Oplog.open_read_only(Path(path))
