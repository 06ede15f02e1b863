"""The exported `llm` interface, shared by every provider's component.

`send` and `continue` are the stream, drained into the accumulator: there is one code path
from bytes to events.  The environment (API key, base URL) is read at call time, because
module-level code in a component runs at build time.  Every export catches every exception
and returns an `error` value: an uncaught exception would trap the instance for good.
"""

from __future__ import annotations

import os
from typing import Sequence

from wit_world.exports import llm as w

from components import convert
from components.chat_stream import ChatStream, EventSource
from normalizer.accumulator import Accumulator
from normalizer.values import ChatEvent, ErrorCode, LlmError
from providers.base import Provider


def _internal(where: str, exc: BaseException) -> LlmError:
    return LlmError(ErrorCode.INTERNAL_ERROR, f"internal error in {where}: {exc!r}")


def _drain(source: EventSource) -> ChatEvent:
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

    def send(self, messages: list[w.Message], config: w.Config) -> w.ChatEvent:
        try:
            request = self.provider.chat_request(
                convert.messages_in(messages), convert.config_in(config), os.environ)
            return convert.chat_event_out(_drain(EventSource(self.provider, request, os.environ)))
        except BaseException as exc:
            return convert.chat_event_out(_internal("send", exc))

    def continue_(self, messages: list[w.Message],
                  tool_results: Sequence[tuple[w.ToolCall, w.ToolResult]],
                  config: w.Config) -> w.ChatEvent:
        try:
            request = self.provider.chat_request(
                convert.messages_in(messages), convert.config_in(config), os.environ,
                convert.tool_pairs_in(tool_results))
            return convert.chat_event_out(_drain(EventSource(self.provider, request, os.environ)))
        except BaseException as exc:
            return convert.chat_event_out(_internal("continue", exc))

    def stream(self, messages: list[w.Message], config: w.Config) -> w.ChatStream:
        try:
            request = self.provider.chat_request(
                convert.messages_in(messages), convert.config_in(config), os.environ)
            return ChatStream(EventSource(self.provider, request, os.environ))
        except BaseException as exc:
            return ChatStream(EventSource(self.provider, _internal("stream", exc)))
