"""Put one worker's Golem host functions into a wasmtime-py component linker.

Only the two interfaces with functions are linked: `golem:durability/durability@1.2.0` and
`golem:api/host@1.1.6`.  The type-only imports (`golem:api/oplog@1.1.6`,
`golem:rpc/types@0.2.0`) need no linker entry.  Each function converts its wasmtime-py
arguments to plain values, calls the executor (which counts, crashes, validates and
records) and converts the answer back; an exception raised here traps the guest.
"""

from __future__ import annotations

from typing import Any, Callable

from wasmtime import component as wc

from runtime.golem import wasmtime_values as wv
from runtime.golem.executor import DurableExecutor

DURABILITY = "golem:durability/durability@1.2.0"
HOST = "golem:api/host@1.1.6"


def durability_functions(ex: DurableExecutor) -> dict[str, Callable[..., Any]]:
    def observe(_store: Any, iface: str, function: str) -> None:
        ex.observe_function_call(iface, function)

    def begin(_store: Any, function_type: Any) -> int:
        return ex.begin_durable_function(wv.function_type_in(function_type))

    def end(_store: Any, function_type: Any, begin_index: int, forced_commit: bool) -> None:
        ex.end_durable_function(wv.function_type_in(function_type), begin_index, forced_commit)

    def state(_store: Any) -> Any:
        s = ex.current_durable_execution_state()
        return wv.record(is_live=s.is_live, persistence_level=wv.level_out(s.persistence_level))

    def persist(_store: Any, function_name: str, request: Any, response: Any,
                function_type: Any) -> None:
        ex.persist_typed_durable_function_invocation(
            function_name, wv.value_and_type_in(request), wv.value_and_type_in(response),
            wv.function_type_in(function_type))

    def read(_store: Any) -> Any:
        p = ex.read_persisted_typed_durable_function_invocation()
        return wv.record(timestamp=wv.datetime_out(p.timestamp_ns),
                         function_name=p.function_name,
                         response=wv.value_and_type_out(p.response),
                         function_type=wv.function_type_out(p.function_type),
                         entry_version=p.entry_version)

    return {
        "observe-function-call": observe,
        "begin-durable-function": begin,
        "end-durable-function": end,
        "current-durable-execution-state": state,
        "persist-typed-durable-function-invocation": persist,
        "read-persisted-typed-durable-function-invocation": read,
    }


def host_functions(ex: DurableExecutor) -> dict[str, Callable[..., Any]]:
    def get_level(_store: Any) -> Any:
        return wv.level_out(ex.get_oplog_persistence_level())

    def set_level(_store: Any, level: Any) -> None:
        ex.set_oplog_persistence_level(wv.level_in(level))

    return {"get-oplog-persistence-level": get_level,
            "set-oplog-persistence-level": set_level}


def link_golem(linker: wc.Linker, ex: DurableExecutor) -> None:
    """Define both Golem instances in `linker`, bound to `ex`."""
    with linker.root() as root:
        for name, functions in ((DURABILITY, durability_functions(ex)),
                                (HOST, host_functions(ex))):
            with root.add_instance(name) as instance:
                for function, impl in functions.items():
                    instance.add_func(function, impl)
