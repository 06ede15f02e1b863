"""Where a durable call's time goes on the host side: the Golem host functions the guest
calls, split into the conversion of their values and the executor's own work.

Why: a durable `get-next` costs several times a portable one, and the section should say
what of that is the durability itself (the executor checking, encoding and committing the
oplog entry, runtime/golem/executor.py) and what is the emulator's host binding: every host
call's arguments (the value-and-type payload of the oplog entry) cross from the guest
through Python conversions (compiled plans, runtime/golem/plain_host_func.py), which a
Rust host such as Golem's does natively.  Like bench/component.py's `GuestClock`, it times
by wrapping, for the duration of a `with`: wasmtime-py's `catch_exceptions` (the frame
around every host function call, conversion included; runtime/golem/plain_host_func.py
calls it through its module, so it is seen too) and the worker's executor methods that the
host functions and the end of each export call run.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator


class HostCallClock:
    """Cumulative seconds, while `running`: in host function calls (`host_s`, conversion
    included), in the executor within them, and in the executor's commit at the end of each
    export call (which the worker runs after the guest returns)."""

    def __init__(self) -> None:
        self.host_s = 0.0
        self.executor_in_host_s = 0.0
        self.completion_s = 0.0

    @property
    def conversion_s(self) -> float:
        """Host call time outside the executor: wasmtime-py converting values, mostly."""
        return self.host_s - self.executor_in_host_s

    @property
    def executor_s(self) -> float:
        return self.executor_in_host_s + self.completion_s

    @contextmanager
    def running(self, executor: Any) -> Iterator["HostCallClock"]:
        import wasmtime.component._linker as linker

        clock = time.perf_counter
        original = linker.catch_exceptions

        def frame(context: Any, run: Callable[[Any], None]) -> Any:
            started = clock()
            try:
                return original(context, run)
            finally:
                self.host_s += clock() - started

        def in_host(method: Callable[..., Any]) -> Callable[..., Any]:
            def call(*args: Any) -> Any:
                started = clock()
                try:
                    return method(*args)
                finally:
                    self.executor_in_host_s += clock() - started
            return call

        completed = executor.invocation_completed

        def completion() -> None:
            started = clock()
            try:
                completed()
            finally:
                self.completion_s += clock() - started

        names = [name for name in dir(type(executor))
                 if getattr(getattr(type(executor), name, None), "wit_name", None)]
        linker.catch_exceptions = frame
        for name in names:  # instance attributes shadow the methods until deleted
            setattr(executor, name, in_host(getattr(executor, name)))
        executor.invocation_completed = completion
        try:
            yield self
        finally:
            linker.catch_exceptions = original
            for name in names:
                delattr(executor, name)
            del executor.invocation_completed
