"""The value-and-type payloads of the four durable golem:llm operations.

This module is the `codec` the durable wrapper (`durability/strategy.py`,
`durability/stream.py`) is given: one function per payload, each returning or taking a
`(value_nodes, type_nodes)` pair in the neutral form of `durability/wit_nodes.py`.  Type node
lists are the precomputed constants of `durability/llm_schema.py`, so each call encodes only
the value.  A recorded payload that does not decode (a corrupted entry, or one of another
shape) raises `CodecError`.  That is not an oplog divergence (`DurabilityError`, the one
exception that fails the worker): the export's never-trap guard (`durability/guard.py`)
turns it into an `internal-error` value, like any other unexpected exception.

| oplog function        | request                                  | response                      |
|-----------------------|------------------------------------------|-------------------------------|
| `golem_llm::send`     | `record { messages, config }`            | `chat-event`                  |
| `golem_llm::continue` | `record { messages, tool-results, config }` | `chat-event`               |
| `golem_llm::stream`   | `record { messages, config }`            | `record {}`                   |
| `golem_llm::get_next` | `record {}`                              | `option<list<stream-event>>`  |
"""

from __future__ import annotations

from typing import Optional, Sequence

from durability import llm_schema as s
from durability.codec import decode, encode
from durability.wit_nodes import ValueAndType
from normalizer.values import ChatEvent, Config, Message, StreamEvent, ToolCall, ToolResult

_EMPTY_VALUE = (("record-value", ()),)


def send_request(messages: Sequence[Message], config: Config) -> ValueAndType:
    return encode((messages, config), s.SEND_REQUEST), s.SEND_REQUEST_NODES


def decode_send_request(vt: ValueAndType) -> tuple[tuple[Message, ...], Config]:
    return decode(vt, s.SEND_REQUEST, s.SEND_REQUEST_NODES)


def continue_request(messages: Sequence[Message],
                     tool_results: Sequence[tuple[ToolCall, ToolResult]],
                     config: Config) -> ValueAndType:
    return (encode((messages, tool_results, config), s.CONTINUE_REQUEST),
            s.CONTINUE_REQUEST_NODES)


def decode_continue_request(vt: ValueAndType) -> tuple[
        tuple[Message, ...], tuple[tuple[ToolCall, ToolResult], ...], Config]:
    return decode(vt, s.CONTINUE_REQUEST, s.CONTINUE_REQUEST_NODES)


def stream_request(messages: Sequence[Message], config: Config) -> ValueAndType:
    return send_request(messages, config)


decode_stream_request = decode_send_request


def chat_event(event: ChatEvent) -> ValueAndType:
    """The response of `send` and `continue`."""
    return encode(event, s.CHAT_EVENT), s.CHAT_EVENT_NODES


def decode_chat_event(vt: ValueAndType) -> ChatEvent:
    return decode(vt, s.CHAT_EVENT, s.CHAT_EVENT_NODES)


def empty() -> ValueAndType:
    """`record {}`: the request of `get-next`, the response of `stream`."""
    return _EMPTY_VALUE, s.EMPTY_NODES


def decode_empty(vt: ValueAndType) -> None:
    decode(vt, s.EMPTY, s.EMPTY_NODES)


stream_response = get_next_request = empty
decode_stream_response = decode_get_next_request = decode_empty


def get_next_response(batch: Optional[Sequence[StreamEvent]]) -> ValueAndType:
    """`None` is "nothing ready yet", recorded like any batch."""
    return encode(batch, s.GET_NEXT_RESPONSE), s.GET_NEXT_RESPONSE_NODES


def decode_get_next_response(vt: ValueAndType) -> Optional[list[StreamEvent]]:
    """A list, like the live batch it replays (so live and replayed batches compare equal)."""
    batch = decode(vt, s.GET_NEXT_RESPONSE, s.GET_NEXT_RESPONSE_NODES)
    return None if batch is None else list(batch)
