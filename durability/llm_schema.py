"""Descriptors for every golem:llm@1.0.0 type, bound to the engine's dataclasses.

Field and case names and their order are exactly those of `wit/golem-llm.wit` (the stored
type must be the type Golem's oplog viewer shows), while the Python side is
`normalizer.values`: encode takes engine values and decode returns engine values equal to
them.  Binding checks run when this module is imported (at component build time), so a
field added to an engine dataclass without its WIT counterpart fails the build, not a replay.

The payload types of design.md's durability table are at the bottom, each with its
precomputed `wit-type` node list.
"""

from __future__ import annotations

from types import MappingProxyType

from normalizer import values as v
from durability.wit_schema import (
    STRING,
    U8,
    U32,
    F32,
    Case,
    ListT,
    OptionT,
    RecordT,
    ResultT,
    TupleT,
    VariantT,
    enum,
    record,
    type_nodes,
)

ROLE = enum("user", "assistant", "system", "tool", cls=v.Role)
ERROR_CODE = enum("invalid-request", "authentication-failed", "rate-limit-exceeded",
                  "internal-error", "unsupported", "unknown", cls=v.ErrorCode)
FINISH_REASON = enum("stop", "length", "tool-calls", "content-filter", "error", "other",
                     cls=v.FinishReason)
IMAGE_DETAIL = enum("low", "high", "auto", cls=v.ImageDetail)

IMAGE_URL = record(("url", STRING), ("detail", OptionT(IMAGE_DETAIL)), cls=v.ImageUrl)
IMAGE_SOURCE = record(("data", ListT(U8)), ("mime-type", STRING),
                      ("detail", OptionT(IMAGE_DETAIL)), cls=v.ImageSource)
IMAGE_REFERENCE = VariantT((
    Case("url", IMAGE_URL, v.ImageUrl),
    Case("inline", IMAGE_SOURCE, v.ImageSource),
))
CONTENT_PART = VariantT((
    Case("text", STRING, v.Text, "text"),
    Case("image", IMAGE_REFERENCE, v.Image, "reference"),
))
MESSAGE = record(("role", ROLE), ("name", OptionT(STRING)),
                 ("content", ListT(CONTENT_PART)), cls=v.Message)

TOOL_DEFINITION = record(("name", STRING), ("description", OptionT(STRING)),
                         ("parameters-schema", STRING), cls=v.ToolDefinition)
TOOL_CALL = record(("id", STRING), ("name", STRING), ("arguments-json", STRING),
                   cls=v.ToolCall)
TOOL_SUCCESS = record(("id", STRING), ("name", STRING), ("result-json", STRING),
                      ("execution-time-ms", OptionT(U32)), cls=v.ToolSuccess)
TOOL_FAILURE = record(("id", STRING), ("name", STRING), ("error-message", STRING),
                      ("error-code", OptionT(STRING)), cls=v.ToolFailure)
TOOL_RESULT = VariantT((
    Case("success", TOOL_SUCCESS, v.ToolSuccess),
    Case("error", TOOL_FAILURE, v.ToolFailure),
))

KV = record(("key", STRING), ("value", STRING), cls=v.Kv)
CONFIG = record(
    ("model", STRING),
    ("temperature", OptionT(F32)),
    ("max-tokens", OptionT(U32)),
    ("stop-sequences", OptionT(ListT(STRING))),
    ("tools", ListT(TOOL_DEFINITION)),
    ("tool-choice", OptionT(STRING)),
    ("provider-options", ListT(KV)),
    cls=v.Config,
)

USAGE = record(("input-tokens", OptionT(U32)), ("output-tokens", OptionT(U32)),
               ("total-tokens", OptionT(U32)), cls=v.Usage)
RESPONSE_METADATA = record(
    ("finish-reason", OptionT(FINISH_REASON)),
    ("usage", OptionT(USAGE)),
    ("provider-id", OptionT(STRING)),
    ("timestamp", OptionT(STRING)),
    ("provider-metadata-json", OptionT(STRING)),
    cls=v.ResponseMetadata,
)
ERROR = record(("code", ERROR_CODE), ("message", STRING),
               ("provider-error-json", OptionT(STRING)), cls=v.LlmError)


def answer_types(content_part: VariantT) -> tuple[RecordT, VariantT, RecordT, VariantT]:
    """`complete-response`, `chat-event`, `stream-delta` and `stream-event` over a given
    `content-part`: golem-llm v0.1.x's `content-part` had `image(image-url)`, so its
    answers are these same types over that one (`durability/legacy_schema.py`)."""
    complete = record(("id", STRING), ("content", ListT(content_part)),
                      ("tool-calls", ListT(TOOL_CALL)), ("metadata", RESPONSE_METADATA),
                      cls=v.CompleteResponse)
    chat = VariantT((
        Case("message", complete, v.CompleteResponse),
        Case("tool-request", ListT(TOOL_CALL), v.ToolRequest, "tool_calls"),
        Case("error", ERROR, v.LlmError),
    ))
    delta = record(("content", OptionT(ListT(content_part))),
                   ("tool-calls", OptionT(ListT(TOOL_CALL))), cls=v.StreamDelta)
    event = VariantT((
        Case("delta", delta, v.StreamDelta),
        Case("finish", RESPONSE_METADATA, v.Finish, "metadata"),
        Case("error", ERROR, v.LlmError),
    ))
    return complete, chat, delta, event


COMPLETE_RESPONSE, CHAT_EVENT, STREAM_DELTA, STREAM_EVENT = answer_types(CONTENT_PART)

ALL_TYPES = MappingProxyType({
    "role": ROLE, "error-code": ERROR_CODE, "finish-reason": FINISH_REASON,
    "image-detail": IMAGE_DETAIL, "image-url": IMAGE_URL, "image-source": IMAGE_SOURCE,
    "image-reference": IMAGE_REFERENCE, "content-part": CONTENT_PART, "message": MESSAGE,
    "tool-definition": TOOL_DEFINITION, "tool-call": TOOL_CALL, "tool-success": TOOL_SUCCESS,
    "tool-failure": TOOL_FAILURE, "tool-result": TOOL_RESULT, "kv": KV, "config": CONFIG,
    "usage": USAGE, "response-metadata": RESPONSE_METADATA,
    "complete-response": COMPLETE_RESPONSE, "error": ERROR, "chat-event": CHAT_EVENT,
    "stream-delta": STREAM_DELTA, "stream-event": STREAM_EVENT,
})
"""Every golem:llm type by its WIT name (for tests and tools)."""

# --- Payloads of design.md's durability table --------------------------------------------
#
# Exactly what golem-llm v0.2.x writes (verified at its v0.2.1 tag, `llm/src/durability.rs`,
# with golem-rust 1.6's derives): its inputs are derived records whose fields are named after
# the Rust fields in kebab-case; `NoInput`, `NoOutput` and `UnusedError` are derived unit
# structs, i.e. `record {}`; and `Durability::persist_infallible` stores the response as
# `Ok(value)` of `Result<T, UnusedError>`.  So a worker can move between golem-llm's
# component and ours by a component update, and Golem's oplog viewer shows one structure for
# both.  The shapes replay also reads are in `durability/legacy_schema.py`.

EMPTY = RecordT(())
"""`record {}`: golem-rust 1.6's derive of a unit struct (`NoInput`, `NoOutput`,
`UnusedError`)."""
UNUSED_ERROR = EMPTY

SEND_REQUEST = record(("messages", ListT(MESSAGE)), ("config", CONFIG))
CONTINUE_REQUEST = record(("messages", ListT(MESSAGE)),
                          ("tool-results", ListT(TupleT((TOOL_CALL, TOOL_RESULT)))),
                          ("config", CONFIG))
STREAM_REQUEST = SEND_REQUEST
GET_NEXT_REQUEST = EMPTY
SEND_RESPONSE = CONTINUE_RESPONSE = ResultT(CHAT_EVENT, UNUSED_ERROR)
STREAM_RESPONSE = ResultT(EMPTY, UNUSED_ERROR)
GET_NEXT_RESPONSE = ResultT(OptionT(ListT(STREAM_EVENT)), UNUSED_ERROR)

SEND_REQUEST_NODES = type_nodes(SEND_REQUEST)
CONTINUE_REQUEST_NODES = type_nodes(CONTINUE_REQUEST)
EMPTY_NODES = type_nodes(EMPTY)
SEND_RESPONSE_NODES = type_nodes(SEND_RESPONSE)
STREAM_RESPONSE_NODES = type_nodes(STREAM_RESPONSE)
GET_NEXT_RESPONSE_NODES = type_nodes(GET_NEXT_RESPONSE)
