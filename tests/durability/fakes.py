"""In-memory stand-ins for the Golem host and for live streams, for native wrapper tests.

`FakeGolem` keeps an oplog as a list and follows the documented semantics the wrapper relies
on: a fresh `FakeGolem(previous.oplog)` replays (`is-live` false while recorded invocations
remain), persisting during replay or reading past the end is a divergence.  Payloads pass
through as Python values (`IdentityCodec`), so these tests exercise the wrapper's control
flow; the real codec and host are tested on their own and end to end in wasmtime.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from durability.host_api import ExecutionState, Replayed, SMART


class InjectedCrash(Exception):
    pass


@dataclass
class FakeGolem:
    oplog: list[tuple] = field(default_factory=list)
    crash_at_persist: Optional[int] = None  # crash instead of the N-th persist (1-based)
    level: str = SMART
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.oplog = list(self.oplog)
        self._cursor = 0
        self._persists = 0
        self._begun = 0

    def _recorded(self) -> list[tuple]:
        return [e for e in self.oplog if e[0] == "invoke"]

    @property
    def live(self) -> bool:
        return self._cursor >= len(self._recorded())

    def observe_function_call(self, iface: str, function: str) -> None:
        self.calls.append("observe")

    def begin_durable_function(self, function_type: str) -> int:
        self.calls.append("begin")
        self._begun += 1
        return len(self.oplog)

    def end_durable_function(self, function_type: str, begin_index: int, forced: bool) -> None:
        self.calls.append("end")

    def current_durable_execution_state(self) -> ExecutionState:
        self.calls.append("state")
        return ExecutionState(self.live, self.level)

    def persist_typed_durable_function_invocation(self, name, request, response, ftype) -> None:
        self.calls.append("persist")
        if not self.live:
            raise AssertionError("persist during replay")
        self._persists += 1
        if self.crash_at_persist == self._persists:
            raise InjectedCrash(name)
        self.oplog.append(("invoke", name, request, response, ftype))
        self._cursor += 1

    def read_persisted_typed_durable_function_invocation(self) -> Replayed:
        self.calls.append("read")
        recorded = self._recorded()
        if self._cursor >= len(recorded):
            raise AssertionError("read past the end of the oplog")
        _, name, _, response, ftype = recorded[self._cursor]
        self._cursor += 1
        return Replayed(name, response, ftype)

    def get_oplog_persistence_level(self) -> str:
        self.calls.append("get-level")
        return self.level

    def set_oplog_persistence_level(self, level: str) -> None:
        self.calls.append("set-level")
        if self.live:
            self.oplog.append(("level", level))
        self.level = level


class IdentityCodec:
    """Payloads as plain Python values (the real codec is durability/codec.py)."""

    def send_request(self, messages, config): return ("send", tuple(messages), config)
    def continue_request(self, messages, pairs, config): return ("continue", tuple(messages), tuple(pairs), config)
    def stream_request(self, messages, config): return ("stream", tuple(messages), config)
    def stream_response(self): return ()
    def decode_stream_response(self, value): return None
    def get_next_request(self): return ()
    def chat_event(self, event): return event
    def decode_chat_event(self, value): return value
    def get_next_response(self, batch): return None if batch is None else tuple(batch)
    def decode_get_next_response(self, value): return None if value is None else list(value)


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
