"""Put one worker's Golem host functions into a wasmtime-py component linker.

Only the two interfaces with functions are linked: `golem:durability/durability@1.2.0` and
`golem:api/host@1.1.6`.  The type-only imports (`golem:api/oplog@1.1.6`,
`golem:rpc/types@0.2.0`) need no linker entry.  Each function converts its arguments to
the executor's values, calls the executor (which counts, crashes, validates and records)
and converts the answer back; an exception raised here traps the guest.

Each function comes twice: over plain values (runtime/golem/plain_payloads.py), converted
by plans compiled once per function (runtime/golem/plain_host_func.py), which is what is
linked; and over wasmtime-py's `Record` / `Variant` values (wasmtime_values.py), its
generic conversion, kept as the fallback for a type the plans do not convert and as the
reference the fast path is tested against (`link_golem(..., plain=False)`).
"""

from __future__ import annotations

from typing import Any, Callable

from wasmtime import component as wc

from runtime.golem import plain_payloads as pp
from runtime.golem import wasmtime_values as wv
from runtime.golem.executor import DurableExecutor
from runtime.golem.plain_host_func import add_plain_func

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


def plain_durability_functions(ex: DurableExecutor) -> dict[str, Callable[..., Any]]:
    """`durability_functions`, over plain values and without the store argument."""
    def state() -> Any:
        s = ex.current_durable_execution_state()
        return s.is_live, pp.level_out(s.persistence_level)

    def read() -> Any:
        p = ex.read_persisted_typed_durable_function_invocation()
        return (pp.datetime_out(p.timestamp_ns), p.function_name,
                pp.value_and_type_out(p.response), pp.function_type_out(p.function_type),
                p.entry_version)

    return {
        "observe-function-call": ex.observe_function_call,
        "begin-durable-function":
            lambda function_type: ex.begin_durable_function(pp.function_type_in(function_type)),
        "end-durable-function":
            lambda function_type, begin_index, forced_commit: ex.end_durable_function(
                pp.function_type_in(function_type), begin_index, forced_commit),
        "current-durable-execution-state": state,
        "persist-typed-durable-function-invocation":
            lambda function_name, request, response, function_type:
                ex.persist_typed_durable_function_invocation(
                    function_name, pp.value_and_type_in(request),
                    pp.value_and_type_in(response), pp.function_type_in(function_type)),
        "read-persisted-typed-durable-function-invocation": read,
    }


def host_functions(ex: DurableExecutor) -> dict[str, Callable[..., Any]]:
    def get_level(_store: Any) -> Any:
        return wv.level_out(ex.get_oplog_persistence_level())

    def set_level(_store: Any, level: Any) -> None:
        ex.set_oplog_persistence_level(wv.level_in(level))

    return {"get-oplog-persistence-level": get_level,
            "set-oplog-persistence-level": set_level}


def plain_host_functions(ex: DurableExecutor) -> dict[str, Callable[..., Any]]:
    """`host_functions`, over plain values and without the store argument."""
    return {"get-oplog-persistence-level": lambda: pp.level_out(ex.get_oplog_persistence_level()),
            "set-oplog-persistence-level":
                lambda level: ex.set_oplog_persistence_level(pp.level_in(level))}


def link_golem(linker: wc.Linker, ex: DurableExecutor, plain: bool = True) -> None:
    """Define both Golem instances in `linker`, bound to `ex` (`plain=False`: through
    wasmtime-py's generic conversion only, the reference)."""
    with linker.root() as root:
        for name, generic, fast in ((DURABILITY, durability_functions(ex),
                                     plain_durability_functions(ex)),
                                    (HOST, host_functions(ex), plain_host_functions(ex))):
            with root.add_instance(name) as instance:
                for function, impl in generic.items():
                    if plain:
                        add_plain_func(instance, function, fast[function], impl)
                    else:
                        instance.add_func(function, impl)
