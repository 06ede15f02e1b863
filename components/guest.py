"""The exported `llm` interface, shared by every provider's component and both flavours.

`send` and `continue` are the stream, drained into the accumulator: there is one code path
from bytes to events.  Each operation goes through a `Durability` strategy: straight through
in the portable flavour, one oplog entry per LLM call in the durable one
(`components/durable_guest.py`).  The environment (API key, base URL) is read at call time,
because module-level code in a component runs at build time.  Every export catches every
exception and returns an `error` value: an uncaught exception would trap the instance for
good.  The one exception is an oplog divergence, which must fail the worker (host_api.py).
"""

from __future__ import annotations

import os
from typing import Sequence

from wit_world.exports import llm as w

from components import convert
from components.chat_stream import ChatStream, EventSource
from durability.continuation import Partial, continuation_request
from durability.host_api import DurabilityError
from durability.source import FailedSource, Source
from durability.strategy import Durability, PassThrough
from normalizer.accumulator import Accumulator
from normalizer.values import ChatEvent, ErrorCode, LlmError
from providers.base import Provider


def _internal(where: str, exc: BaseException) -> LlmError:
    return LlmError(ErrorCode.INTERNAL_ERROR, f"internal error in {where}: {exc!r}")


def _drain(source: Source) -> ChatEvent:
    accumulator = Accumulator()
    try:
        while True:
            events = source.next_batch(block=True)
            if not events:
                break
            accumulator.add(events)
    finally:
        source.close()
    return accumulator.result()


class LlmGuest:
    """Mixed into the generated `Llm` protocol by each provider's entry module."""

    provider: Provider

    def durability(self) -> Durability:
        """The strategy for this flavour; the durable guest overrides it."""
        return PassThrough()

    def send(self, messages: list[w.Message], config: w.Config) -> w.ChatEvent:
        try:
            msgs, cfg = convert.messages_in(messages), convert.config_in(config)
            env = dict(os.environ)
            request = self.provider.chat_request(msgs, cfg, env)
            run = lambda: _drain(EventSource(self.provider, request, env))
            return convert.chat_event_out(self.durability().send(msgs, cfg, run))
        except DurabilityError:
            raise
        except BaseException as exc:
            return convert.chat_event_out(_internal("send", exc))

    def continue_(self, messages: list[w.Message],
                  tool_results: Sequence[tuple[w.ToolCall, w.ToolResult]],
                  config: w.Config) -> w.ChatEvent:
        try:
            msgs, cfg = convert.messages_in(messages), convert.config_in(config)
            pairs = convert.tool_pairs_in(tool_results)
            env = dict(os.environ)
            request = self.provider.chat_request(msgs, cfg, env, pairs)
            run = lambda: _drain(EventSource(self.provider, request, env))
            return convert.chat_event_out(self.durability().continue_(msgs, pairs, cfg, run))
        except DurabilityError:
            raise
        except BaseException as exc:
            return convert.chat_event_out(_internal("continue", exc))

    def stream(self, messages: list[w.Message], config: w.Config) -> w.ChatStream:
        try:
            msgs, cfg = convert.messages_in(messages), convert.config_in(config)
            env = dict(os.environ)
            provider = self.provider

            def open_live() -> Source:
                return EventSource(provider, provider.chat_request(msgs, cfg, env), env)

            def open_resume(partial: Partial) -> tuple[Source, bool]:
                request, trimmed = continuation_request(provider, msgs, cfg, env, partial)
                return EventSource(provider, request, env), trimmed

            return ChatStream(self.durability().stream(msgs, cfg, open_live, open_resume))
        except DurabilityError:
            raise
        except BaseException as exc:
            return ChatStream(FailedSource(_internal("stream", exc)))
