"""The durable codec with the outbound step before every encode: what is persisted is what is
returned.

The guest returns every value through the call's `Outbound` (valid Unicode, no API key;
`providers/outbound.py`).  The oplog must hold that same value: one with a lone surrogate
cannot even be written (the host call would trap, and the call would be made again on
replay), and one with the key would put it in the oplog.  So `Durable` is given this codec,
which passes each request and response through the same step and then encodes it with
`llm_codec`.  The step is idempotent, so a replayed value, returned through it again, is
exactly the live one.  Decoding is `llm_codec`'s, unchanged.
"""

from __future__ import annotations

from typing import Optional, Sequence

from durability import llm_codec
from durability.wit_nodes import ValueAndType
from normalizer.values import ChatEvent, Config, Message, StreamEvent, ToolCall, ToolResult
from providers.outbound import Outbound


class OutboundCodec:
    """`llm_codec`, with `outbound` applied to each value before it is encoded."""

    decode_send_request = staticmethod(llm_codec.decode_send_request)
    decode_continue_request = staticmethod(llm_codec.decode_continue_request)
    decode_stream_request = staticmethod(llm_codec.decode_stream_request)
    decode_chat_event = staticmethod(llm_codec.decode_chat_event)
    decode_stream_response = staticmethod(llm_codec.decode_stream_response)
    decode_get_next_request = staticmethod(llm_codec.decode_get_next_request)
    decode_get_next_response = staticmethod(llm_codec.decode_get_next_response)
    stream_response = staticmethod(llm_codec.stream_response)
    get_next_request = staticmethod(llm_codec.get_next_request)

    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound

    def send_request(self, messages: Sequence[Message], config: Config) -> ValueAndType:
        messages, config, _ = self._outbound.request(messages, config)
        return llm_codec.send_request(messages, config)

    def continue_request(self, messages: Sequence[Message],
                         tool_results: Sequence[tuple[ToolCall, ToolResult]],
                         config: Config) -> ValueAndType:
        messages, config, tool_results = self._outbound.request(messages, config, tool_results)
        return llm_codec.continue_request(messages, tool_results, config)

    def stream_request(self, messages: Sequence[Message], config: Config) -> ValueAndType:
        return self.send_request(messages, config)

    def chat_event(self, event: ChatEvent) -> ValueAndType:
        return llm_codec.chat_event(self._outbound.chat_event(event))

    def get_next_response(self, batch: Optional[Sequence[StreamEvent]]) -> ValueAndType:
        return llm_codec.get_next_response(self._outbound.stream_events(batch))
