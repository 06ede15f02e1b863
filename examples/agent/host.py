"""Run a composition of the example agent in wasmtime-py: as a plain WASI 0.2 instance
(`AgentHost(wasm).instantiate(env)`, for the portable compositions) or as an emulated
Golem 1.2 worker with an oplog, replay and crash injection
(`AgentGolemHost(wasm).worker(oplog, env, crash)`, for the durable ones).

Both are the project's hosts (runtime/host, runtime/golem), with the calls made on the
agent's exported interface instead of golem:llm's; compiled artifacts are cached by
`CompiledComponent` like the components'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from runtime.golem import GolemHost, GolemWorker
from runtime.host import ComponentHost, LlmInstance, ValueModel
from runtime.host.value_model import Err, Ok, records_by_fields

from examples.agent.build import AGENT_INTERFACE


@dataclass(frozen=True)
class Answer:
    """`agent.answer`: the final text, the model calls made, each tool call as
    `name(arguments) = result`."""

    text: str
    rounds: int
    tool_calls: tuple[str, ...]


@dataclass(frozen=True)
class Streamed:
    """`agent.streamed`: the streamed text, its non-empty batches, the finish reason."""

    text: str
    batches: int
    finish: str


AGENT_VALUES = ValueModel(records=records_by_fields((Answer, Streamed)), enums={}, variants={})
AGENT_FUNCTIONS = ("ask", "stream-answer")


class AgentCalls:
    """The agent's exports, each returning `Ok(value)` or `Err(message)`."""

    interface: str = AGENT_INTERFACE
    functions: Sequence[str] = AGENT_FUNCTIONS
    values: ValueModel = AGENT_VALUES

    def ask(self, model: str, prompt: str, max_rounds: int) -> Ok | Err:
        return self._call("ask", model, prompt, max_rounds)

    def stream_answer(self, model: str, prompt: str) -> Ok | Err:
        return self._call("stream-answer", model, prompt)


class AgentInstance(AgentCalls, LlmInstance):
    """One plain WASI instance of a composition."""


class AgentWorker(AgentCalls, GolemWorker):
    """One emulated Golem worker running a durable composition."""


class AgentHost(ComponentHost):
    """A compiled composition; `instantiate(env)` gives an `AgentInstance`."""

    instance_class = AgentInstance


class AgentGolemHost(GolemHost):
    """A compiled durable composition; `worker(oplog, env, crash)` gives an `AgentWorker`."""

    worker_class = AgentWorker
