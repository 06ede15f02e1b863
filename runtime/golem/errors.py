"""Why an emulated Golem worker stops.

Each of these is raised from inside a host function, so the guest sees a trap (wasmtime-py
re-raises the original Python exception from the export call that trapped).  That is the
emulation of Golem failing the worker: the instance is dead afterwards, and whatever the
oplog had not committed is lost.
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
    """Raised by a `CrashPlan` to simulate the executor dying at a chosen host call."""


class WorkerDead(GolemHostError):
    """The worker trapped (crash, divergence, ...) and cannot be called again: start a fresh
    worker on the same oplog to recover it."""


class OplogInUse(GolemHostError):
    """Another live worker (or writer) already holds this oplog file."""
