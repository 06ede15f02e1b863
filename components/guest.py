"""The exported `llm` interface, shared by every provider's component and both flavours.

`send` and `continue` are the stream, drained into the accumulator: there is one code path
from bytes to events, and one for trying again (`durability/recovery.py`).  Each operation
goes through a `Durability` strategy: straight through in the portable flavour, one oplog
entry per LLM call in the durable one (`components/durable_guest.py`).  The request is built inside the operation's live half, so
a replayed call builds none.  The environment (API key, base URL) is read at call time,
because module-level code in a component runs at build time.  Every export runs under the
never-trap guard (`durability.guard.never_trap`): an uncaught exception would trap the
instance for good, so it becomes an `error` value; only an oplog divergence gets through,
because it must fail the worker (host_api.py).  Every value returned goes through the
call's `Outbound` first (valid Unicode, no API key: `providers/outbound.py`), and so does
every value the durable flavour persists (`durability/outbound_codec.py`), so a replay
returns exactly what the live call did.  The instance remembers the reasoning of answers
that asked for tools, learnt from those returned values (so replay rebuilds it), and
`continue` sends it back (`providers/reasoning_memory.py`).
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

from wit_world.exports import llm as w

from components import convert
from components.chat_stream import ChatStream, open_stream
from durability.batch_window import batch_window_ms
from durability.call_stream import drain
from durability.continuation import Partial
from durability.guard import never_trap
from durability.http_witness import Witness
from durability.source import FailedSource, Source, SourceWrapper
from durability.strategy import Durability, PassThrough
from normalizer.values import (ChatEvent, Config, LlmError, Message, StreamEvent, ToolCall,
                              ToolResult)
from providers.outbound import Outbound
from providers.provider import Provider
from providers.reasoning_memory import ReasoningMemory, StreamWatcher


class WatchedSource(SourceWrapper):
    """`source`, each batch shown to `watcher` (the instance's reasoning memory) as the
    caller receives it, live or replayed."""

    __slots__ = ("_watcher",)

    def __init__(self, source: Source, watcher: StreamWatcher) -> None:
        super().__init__(source)
        self._watcher = watcher

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        events = self._source.next_batch(block)
        self._watcher.observe(events)
        return events


class OutboundSource(SourceWrapper):
    """`source`, each batch through `outbound` on its way to the caller."""

    __slots__ = ("_outbound",)

    def __init__(self, source: Source, outbound: Outbound) -> None:
        super().__init__(source)
        self._outbound = outbound

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        return self._outbound.stream_events(self._source.next_batch(block))


class LlmGuest:
    """Mixed into the generated `Llm` protocol by each provider's entry module."""

    provider: Provider

    def reasoning_memory(self) -> ReasoningMemory:
        """The component instance's memory of reasoning by tool-call id.

        componentize-py makes a new object of the exported class for every call, so the
        memory is held by the class, and made at the first call that needs it: at run time,
        never at build time, when module and class state is frozen into the component
        (each component instance, i.e. each worker, has its own)."""
        owner = type(self)
        memory = owner.__dict__.get("_reasoning_memory")
        if memory is None:
            memory = ReasoningMemory(self.provider.reasoning_echo_key)
            setattr(owner, "_reasoning_memory", memory)
        return memory

    def durability(self, outbound: Outbound) -> Durability:
        """The strategy for this flavour (the durable guest overrides it); `outbound` is
        the call's, for what the strategy persists."""
        return PassThrough()

    @never_trap("send", convert.chat_event_out)
    def send(self, messages: list[w.Message], config: w.Config) -> w.ChatEvent:
        msgs, cfg = convert.messages_in(messages), convert.config_in(config)
        env = dict(os.environ)
        outbound = self.provider.outbound(env)
        durability = self.durability(outbound)
        answer = outbound.chat_event(durability.send(
            msgs, cfg, lambda: self._answer(msgs, cfg, (), env, durability.witness)))
        self.reasoning_memory().learn_event(answer)
        return convert.chat_event_out(answer)

    @never_trap("continue", convert.chat_event_out)
    def continue_(self, messages: list[w.Message],
                  tool_results: Sequence[tuple[w.ToolCall, w.ToolResult]],
                  config: w.Config) -> w.ChatEvent:
        msgs, cfg = convert.messages_in(messages), convert.config_in(config)
        pairs = convert.tool_pairs_in(tool_results)
        memory = self.reasoning_memory()
        cfg = memory.config_for_continue(cfg, pairs)
        env = dict(os.environ)
        outbound = self.provider.outbound(env)
        durability = self.durability(outbound)
        answer = outbound.chat_event(durability.continue_(
            msgs, pairs, cfg, lambda: self._answer(msgs, cfg, pairs, env, durability.witness)))
        memory.learn_event(answer)
        return convert.chat_event_out(answer)

    @never_trap("stream", lambda error: ChatStream(FailedSource(error)))
    def stream(self, messages: list[w.Message], config: w.Config) -> w.ChatStream:
        msgs, cfg = convert.messages_in(messages), convert.config_in(config)
        env = dict(os.environ)
        provider = self.provider
        outbound = provider.outbound(env)
        durability = self.durability(outbound)
        witness = durability.witness

        resource: list[ChatStream] = []  # told if the stream is evicted (chat_stream.py)

        def evicted(error: LlmError) -> None:
            if resource:
                resource[0].evicted(error)

        def open_live() -> Source:
            return open_stream(provider, msgs, cfg, env, on_evict=evicted, witness=witness)

        def open_resume(partial: Partial) -> Source:
            return open_stream(provider, msgs, cfg, env, partial=partial, on_evict=evicted,
                               witness=witness)

        source = durability.stream(msgs, cfg, open_live, open_resume,
                                   batch_window_ms(env, cfg))
        watched = WatchedSource(OutboundSource(source, outbound),
                                self.reasoning_memory().watcher())
        resource.append(ChatStream(watched))
        return resource[0]

    def _answer(self, messages: Sequence[Message], config: Config,
                tool_results: Sequence[tuple[ToolCall, ToolResult]],
                env: dict[str, str], witness: Witness) -> ChatEvent:
        """The live half of `send`/`continue` (never run on replay): the stream, with every
        event held until the answer is whole (so any retry starts it over), drained."""
        return drain(open_stream(self.provider, messages, config, env, deliver=False,
                                  tool_results=tool_results,
                                  operation="continue" if tool_results else "send",
                                  witness=witness),
                     self.provider.reasoning_echo_key)
