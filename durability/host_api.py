"""What the durable wrapper needs from Golem, as a protocol over plain Python values.

The wrapper (`durability/call.py`, `durability/stream.py`) talks to this protocol, not to
componentize-py's bindings: inside the component `components/golem_host.py` adapts the real
`golem:durability@1.2.0` and `golem:api/host@1.1.6` imports to it; natively, the emulated
executor (`runtime/golem/executor.py`) satisfies it directly.  That keeps the replay logic testable without building a component.

Payloads cross this boundary as `value-and-type` pairs in the neutral node form of
`durability/wit_nodes.py`; function types and persistence levels as their WIT case names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

# golem:api/oplog wrapped-function-type cases the wrapper uses.
WRITE_REMOTE = "write-remote"
READ_REMOTE = "read-remote"

# golem:api/host persistence-level cases.
PERSIST_NOTHING = "persist-nothing"
PERSIST_REMOTE_SIDE_EFFECTS = "persist-remote-side-effects"
SMART = "smart"


@dataclass(frozen=True)
class ExecutionState:
    is_live: bool
    persistence_level: str


@dataclass(frozen=True)
class Replayed:
    """One `imported-function-invoked` entry read back during replay."""

    function_name: str
    response: Any  # value-and-type, neutral form
    function_type: str


class DurableHost(Protocol):
    def observe_function_call(self, iface: str, function: str) -> None: ...

    def begin_durable_function(self, function_type: str) -> int: ...

    def end_durable_function(self, function_type: str, begin_index: int,
                             forced_commit: bool) -> None: ...

    def current_durable_execution_state(self) -> ExecutionState: ...

    def persist_typed_durable_function_invocation(self, function_name: str, request: Any,
                                                  response: Any, function_type: str) -> None: ...

    def read_persisted_typed_durable_function_invocation(self) -> Replayed: ...

    def get_oplog_persistence_level(self) -> str: ...

    def set_oplog_persistence_level(self, level: str) -> None: ...


class DurabilityError(Exception):
    """The oplog does not match what this code would do (Golem calls it divergence).  It is
    not turned into an `error` value: continuing would hand the caller made-up data, so the
    wrapper lets it trap and Golem fails the worker, which is the documented behaviour."""
