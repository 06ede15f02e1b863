"""Why an emulated Golem worker stops.

Each of these is raised from inside a host function, so the guest sees a trap (wasmtime-py
re-raises the original Python exception from the export call that trapped).  The instance is
dead afterwards.  What happens to the oplog depends on how it died (executor.py): a trap
commits the buffer with an `error` entry and leaves the worker retrying (or failed, after
Golem's three retries); an injected crash of kind "crash" is the executor process dying,
which loses the buffer.
"""

from __future__ import annotations


class GolemHostError(Exception):
    """Base class: the worker failed because of its oplog, its payloads or a test's plan."""


class Divergence(GolemHostError):
    """The guest did not do what the oplog says it did (Golem's "unexpected oplog entry"):
    e.g. it persisted during replay, read past the recorded entries, or changed the
    persistence level where the oplog has something else."""


class InvalidPayload(GolemHostError):
    """A persisted value-and-type whose value does not match its type (or is malformed).
    Golem would fail serialising it; here the message names the offending path."""


class InjectedCrash(GolemHostError):
    """Raised by a `CrashPlan` at a chosen host call: a trap (kind "trap") or the executor
    process dying (kind "crash")."""

    def __init__(self, message: str, kind: str = "crash") -> None:
        super().__init__(message)
        self.kind = kind


class UnfinishedRemoteWrite(GolemHostError):
    """Replay met a non-idempotent remote write (idempotence mode off) whose
    `end-remote-write` was never recorded: Golem cannot know whether it happened, so it
    refuses to retry it ("Non-idempotent remote write operation was not completed, cannot
    retry")."""


class WorkerFailed(GolemHostError):
    """The oplog ends in a failure Golem gave up retrying (three retries after the first
    trap, or a non-retriable error): no new worker may run on it."""


class WorkerDead(GolemHostError):
    """The worker trapped (crash, divergence, ...) and cannot be called again: start a fresh
    worker on the same oplog to recover it."""


class OplogInUse(GolemHostError):
    """Another live worker (or writer) already holds this oplog file."""
