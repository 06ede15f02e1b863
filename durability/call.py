"""One durable function call: run it live and record it, or read its result back.

This is the shape every golem:llm operation takes under durability (design.md's table):

    begin-durable-function
    current-durable-execution-state
    live:   the provider call inside persist-nothing (restored afterwards, also on error)
            persist-typed-durable-function-invocation(name, request, response)
            end-durable-function
    replay: read-persisted-typed-durable-function-invocation, check the name, decode
            end-durable-function                      (no HTTP at all)

A recorded entry of another function, or a response that does not decode, is a divergence
(`DurabilityError`, which traps and fails the worker, as golem-rust panics): returning an
`internal-error` instead would hand the caller something the live call never returned.

The live function never raises: it runs under the never-trap guard (`durability.guard`), and
its failure becomes the operation's own error value (`on_error` of the `internal-error`), so
an error is recorded and replayed like any answer instead of leaving a
begun-but-never-persisted call that would make the next replay diverge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from durability.guard import guarded
from durability.host_api import (
    PERSIST_NOTHING,
    READ_REMOTE,
    WRITE_REMOTE,
    DurabilityError,
    DurableHost,
)
from durability.zone import persist_nothing
from normalizer.values import LlmError

R = TypeVar("R")


@dataclass(frozen=True)
class Operation:
    """An oplog function name (`interface::function`), its wrapped function type, and the
    golem:llm export it serves (what an internal error says it happened in)."""

    name: str
    function_type: str
    export: str

    @property
    def interface(self) -> str:
        return self.name.partition("::")[0]

    @property
    def function(self) -> str:
        return self.name.partition("::")[2]


SEND = Operation("golem_llm::send", WRITE_REMOTE, "send")
CONTINUE = Operation("golem_llm::continue", WRITE_REMOTE, "continue")
STREAM = Operation("golem_llm::stream", WRITE_REMOTE, "stream")
GET_NEXT = Operation("golem_llm::get_next", READ_REMOTE, "chat-stream")


@dataclass(frozen=True)
class Outcome:
    """What `durable_call` returns: the result, and whether it was computed live."""

    value: Any
    live: bool


def durable_call(
    host: DurableHost,
    op: Operation,
    request: Callable[[], Any],
    live: Callable[[], R],
    on_error: Callable[[LlmError], R],
    encode: Callable[[R], Any],
    decode: Callable[[Any], R],
) -> Outcome:
    """Run `op` durably.  `request()` and `encode(result)` give the value-and-type payloads
    (computed only when recording); `decode` turns a recorded response back into a result;
    `on_error` makes the result for the `internal-error` of a `live` that raised."""
    host.observe_function_call(op.interface, op.function)
    begin = host.begin_durable_function(op.function_type)
    state = host.current_durable_execution_state()
    if state.is_live or state.persistence_level == PERSIST_NOTHING:
        with persist_nothing(host):
            result = guarded(op.export, live, on_error)
        if state.persistence_level != PERSIST_NOTHING:
            host.persist_typed_durable_function_invocation(
                op.name, request(), encode(result), op.function_type)
        host.end_durable_function(op.function_type, begin, False)
        return Outcome(result, True)
    replayed = host.read_persisted_typed_durable_function_invocation()
    if replayed.function_name != op.name:
        raise DurabilityError(
            f"oplog divergence: expected an entry for {op.name}, found "
            f"{replayed.function_name!r}; the caller did not repeat the same calls")
    try:
        value = decode(replayed.response)
    except Exception as exc:  # a payload this code cannot read: never made-up data
        raise DurabilityError(
            f"oplog divergence: the recorded {op.name} response does not decode "
            f"({exc}); the oplog was written by another version of this component") from exc
    host.end_durable_function(op.function_type, begin, False)
    return Outcome(value, False)
