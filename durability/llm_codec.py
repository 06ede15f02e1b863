"""The value-and-type payloads of the four durable golem:llm operations.

This module is the `codec` the durable wrapper (`durability/strategy.py`,
`durability/stream.py`) is given: one function per payload, each returning or taking a
`(value_nodes, type_nodes)` pair in the neutral form of `durability/wit_nodes.py`.  Type node
lists are the precomputed constants of `durability/llm_schema.py`, so each call encodes only
the value.  A recorded payload that does not decode (a corrupted entry, or one of no known
shape) raises `CodecError`.

What is written is exactly golem-llm v0.2.x's payloads (`llm_schema.py`):

| oplog function        | request                                     | response                                      |
|-----------------------|---------------------------------------------|-----------------------------------------------|
| `golem_llm::send`     | `record { messages, config }`               | `result<chat-event, record {}>`               |
| `golem_llm::continue` | `record { messages, tool-results, config }` | `result<chat-event, record {}>`               |
| `golem_llm::stream`   | `record { messages, config }`               | `result<record {}, record {}>`                |
| `golem_llm::get_next` | `record {}`                                 | `result<option<list<stream-event>>, record {}>` |

A response is read in any of three shapes, chosen by its stored type: golem-llm v0.2.x's,
golem-llm v0.1.x's and the bare types our first release wrote (`legacy_schema.py`).  So a
worker moved here from either golem-llm release, or from our first release, by a component
update replays its oplog.  Requests are never read on replay (the caller passes them
again); their decoders here read what we write, for tools and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

from durability import legacy_schema as old
from durability import llm_schema as s
from durability.codec import check_type, decode, decode_value, encode
from durability.codec_error import CodecError
from durability.wit_nodes import ValueAndType
from durability.wit_schema import WitT, describe, type_nodes
from normalizer.values import ChatEvent, Config, Message, StreamEvent, ToolCall, ToolResult

_EMPTY_VALUE = (("record-value", ()),)
_OK_EMPTY = (("result-value", ("ok", 1)), ("record-value", ()))


@dataclass(frozen=True)
class Shape:
    """One way a response may be stored: its type, that type's node list, and whether the
    value sits in the `ok` of a `result` (golem-rust's `persist_infallible`)."""

    name: str
    type: WitT
    nodes: tuple
    wrapped: bool


def _shape(name: str, t: WitT, wrapped: bool) -> Shape:
    return Shape(name, t, type_nodes(t), wrapped)


CHAT_EVENT_SHAPES = (
    Shape("golem-llm v0.2", s.SEND_RESPONSE, s.SEND_RESPONSE_NODES, True),
    _shape("golem-llm v0.1", old.SEND_RESPONSE_V01, True),
    _shape("bare", old.SEND_RESPONSE_BARE, False),
)
STREAM_RESPONSE_SHAPES = (
    Shape("golem-llm v0.2", s.STREAM_RESPONSE, s.STREAM_RESPONSE_NODES, True),
    _shape("golem-llm v0.1", old.STREAM_RESPONSE_V01, True),
    _shape("bare", old.STREAM_RESPONSE_BARE, False),
)
GET_NEXT_RESPONSE_SHAPES = (
    Shape("golem-llm v0.2", s.GET_NEXT_RESPONSE, s.GET_NEXT_RESPONSE_NODES, True),
    _shape("golem-llm v0.1", old.GET_NEXT_RESPONSE_V01, True),
    _shape("bare", old.GET_NEXT_RESPONSE_BARE, False),
)


def shape_of(vt: Any, shapes: Sequence[Shape]) -> Shape:
    """The shape whose type `vt` was stored with; `CodecError` if none."""
    try:
        _, stored = vt
    except (TypeError, ValueError):
        raise CodecError("a value-and-type is a (value_nodes, type_nodes) pair") from None
    for shape in shapes:  # the usual case: the node list is one of ours, verbatim
        try:
            if stored == shape.nodes:
                return shape
        except Exception:  # a malformed list may not even compare
            break
    for shape in shapes:  # another host may number the nodes differently
        try:
            check_type(stored, shape.type, shape.nodes)
            return shape
        except CodecError:
            continue
    raise CodecError("the stored type is none of the known shapes: "
                     + "; ".join(f"{x.name}: {describe(x.type)}" for x in shapes))


def decode_response(vt: Any, shapes: Sequence[Shape]) -> Any:
    """The value of a recorded response in any of `shapes`."""
    shape = shape_of(vt, shapes)
    value = decode_value(vt[0], shape.type)
    if not shape.wrapped:
        return value
    tag, inner = value
    if tag != "ok":
        raise CodecError(f"the recorded response is an err ({shape.name}), which "
                         f"golem-llm never writes")
    return inner


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
    """The response of `send` and `continue`: `ok(event)`."""
    return encode(("ok", event), s.SEND_RESPONSE), s.SEND_RESPONSE_NODES


def decode_chat_event(vt: ValueAndType) -> ChatEvent:
    return decode_response(vt, CHAT_EVENT_SHAPES)


def get_next_request() -> ValueAndType:
    """`record {}` (golem-llm's `NoInput`)."""
    return _EMPTY_VALUE, s.EMPTY_NODES


def decode_get_next_request(vt: ValueAndType) -> None:
    decode(vt, s.EMPTY, s.EMPTY_NODES)


def stream_response() -> ValueAndType:
    """`ok(record {})` (golem-llm's `Ok(NoOutput)`)."""
    return _OK_EMPTY, s.STREAM_RESPONSE_NODES


def decode_stream_response(vt: ValueAndType) -> None:
    decode_response(vt, STREAM_RESPONSE_SHAPES)


def get_next_response(batch: Optional[Sequence[StreamEvent]]) -> ValueAndType:
    """`ok(batch)`; `None` is "nothing ready yet", recorded like any batch."""
    return encode(("ok", batch), s.GET_NEXT_RESPONSE), s.GET_NEXT_RESPONSE_NODES


def decode_get_next_response(vt: ValueAndType) -> Optional[list[StreamEvent]]:
    """A list, like the live batch it replays (so live and replayed batches compare equal)."""
    batch = decode_response(vt, GET_NEXT_RESPONSE_SHAPES)
    return None if batch is None else list(batch)
