"""Put one worker's Golem host functions into a wasmtime-py component linker.

Only the two Golem interfaces with functions are linked: `golem:durability/durability@1.2.0` and
`golem:api/host@1.1.6`.  The type-only imports (`golem:api/oplog@1.1.6`,
`golem:rpc/types@0.2.0`) need no linker entry.

Each host function is one row of a table: the executor method it runs (executor.py, which
counts, crashes, validates and records) and how its arguments and result cross between
wasmtime-py's values and the executor's (wasmtime_values.py).  `link_golem` turns every row
into a wasmtime-py host function the same way, and times the conversion apart from the
executor's work (host_call_clock.py).  An exception raised here traps the guest.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import Any, Callable, Optional

from wasmtime import component as wc

from runtime.golem import wasmtime_values as wv
from runtime.golem.executor import DurableExecutor
from runtime.golem.host_call_clock import HostCallClock

DURABILITY = "golem:durability/durability@1.2.0"
HOST = "golem:api/host@1.1.6"


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class HostFunction:
    """One Golem host function: `run(executor, *arguments)` on the executor's values;
    `params` converts each wasmtime-py argument for it, `result` its answer back (None: the
    function returns nothing).  The WIT name is the one `run` is marked with."""

    run: Callable[..., Any]
    params: tuple[Callable[[Any], Any], ...] = ()
    result: Optional[Callable[[Any], Any]] = None

    @property
    def name(self) -> str:
        return self.run.wit_name  # set by executor.host_function


E = DurableExecutor
FUNCTIONS: dict[str, tuple[HostFunction, ...]] = {
    DURABILITY: (
        HostFunction(E.observe_function_call, (_same, _same)),
        HostFunction(E.begin_durable_function, (wv.function_type_in,), _same),
        HostFunction(E.end_durable_function, (wv.function_type_in, _same, _same)),
        HostFunction(E.current_durable_execution_state, (), wv.execution_state_out),
        HostFunction(E.persist_typed_durable_function_invocation,
                     (_same, wv.value_and_type_in, wv.value_and_type_in, wv.function_type_in)),
        HostFunction(E.read_persisted_typed_durable_function_invocation, (),
                     wv.persisted_invocation_out),
    ),
    HOST: (
        HostFunction(E.get_oplog_persistence_level, (), wv.level_out),
        HostFunction(E.set_oplog_persistence_level, (wv.level_in,)),
        # Golem 1.2's `set-idempotence-mode: func(idempotent: bool)`; linked for guests
        # that import it (ours do not: wit/golem/api/host.wit leaves it out, so the
        # components' imports are unchanged).
        HostFunction(E.set_idempotence_mode, (_same,)),
    ),
}


def bind(function: HostFunction, executor: DurableExecutor,
         clock: HostCallClock) -> Callable[..., Any]:
    """`function` as wasmtime-py's `add_func` takes it: `(store, *wasmtime_py_args)`."""
    run, params, result = function.run, function.params, function.result

    def host_function(_store: Any, *args: Any) -> Any:
        started = perf_counter()
        values = [convert(arg) for convert, arg in zip(params, args, strict=True)]
        entered = perf_counter()
        answer = run(executor, *values)
        returned = perf_counter()
        out = None if result is None else result(answer)
        clock.executor_s += returned - entered
        clock.conversion_s += (entered - started) + (perf_counter() - returned)
        return out
    return host_function


def link_golem(linker: wc.Linker, executor: DurableExecutor,
               clock: Optional[HostCallClock] = None) -> None:
    """Define both Golem instances in `linker`, bound to `executor`, timed into `clock`."""
    clock = clock or HostCallClock()
    with linker.root() as root:
        for interface, functions in FUNCTIONS.items():
            with root.add_instance(interface) as instance:
                for function in functions:
                    instance.add_func(function.name, bind(function, executor, clock))
