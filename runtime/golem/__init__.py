"""An emulated Golem 1.2 worker in wasmtime-py: SQLite oplog, replay, crash injection.

Public API: `GolemHost(wasm).worker(oplog_path, env=..., crash=...)` (worker.py),
`CrashPlan` (crash.py), `Oplog` / `open_oplog` and `OplogEntry` (oplog.py, oplog_entry.py),
`DurableExecutor` for driving the host functions directly (executor.py), `HostCallClock`
(a worker's `host_clock`: the host functions' time, host_call_clock.py), and the errors
that kill a worker (errors.py).
"""

from runtime.golem.crash import CrashPlan
from runtime.golem.errors import (
    Divergence,
    GolemHostError,
    InjectedCrash,
    InvalidPayload,
    OplogInUse,
    UnfinishedRemoteWrite,
    WorkerDead,
    WorkerFailed,
)
from runtime.golem.executor import Counters, DurableExecutor, ExecutionState, PersistedInvocation
from runtime.golem.host_call_clock import HostCallClock
from runtime.golem.oplog import Oplog
from runtime.golem.oplog_entry import OplogEntry
from runtime.golem.worker import GolemHost, GolemWorker, open_oplog

__all__ = [
    "Counters", "CrashPlan", "Divergence", "DurableExecutor", "ExecutionState", "GolemHost",
    "GolemHostError", "GolemWorker", "HostCallClock", "InjectedCrash", "InvalidPayload",
    "Oplog", "OplogEntry", "OplogInUse", "PersistedInvocation", "UnfinishedRemoteWrite", "WorkerDead", "WorkerFailed",
    "open_oplog",
]
