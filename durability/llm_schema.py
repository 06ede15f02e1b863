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
COMPLETE_RESPONSE = record(("id", STRING), ("content", ListT(CONTENT_PART)),
                           ("tool-calls", ListT(TOOL_CALL)), ("metadata", RESPONSE_METADATA),
                           cls=v.CompleteResponse)

ERROR = record(("code", ERROR_CODE), ("message", STRING),
               ("provider-error-json", OptionT(STRING)), cls=v.LlmError)

CHAT_EVENT = VariantT((
    Case("message", COMPLETE_RESPONSE, v.CompleteResponse),
    Case("tool-request", ListT(TOOL_CALL), v.ToolRequest, "tool_calls"),
    Case("error", ERROR, v.LlmError),
))

STREAM_DELTA = record(("content", OptionT(ListT(CONTENT_PART))),
                      ("tool-calls", OptionT(ListT(TOOL_CALL))), cls=v.StreamDelta)
STREAM_EVENT = VariantT((
    Case("delta", STREAM_DELTA, v.StreamDelta),
    Case("finish", RESPONSE_METADATA, v.Finish, "metadata"),
    Case("error", ERROR, v.LlmError),
))

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

EMPTY = RecordT(())
"""`record {}`: what golem-rust stores for "no input" / "no output"."""

SEND_REQUEST = record(("messages", ListT(MESSAGE)), ("config", CONFIG))
CONTINUE_REQUEST = record(("messages", ListT(MESSAGE)),
                          ("tool-results", ListT(TupleT((TOOL_CALL, TOOL_RESULT)))),
                          ("config", CONFIG))
STREAM_REQUEST = SEND_REQUEST
SEND_RESPONSE = CONTINUE_RESPONSE = CHAT_EVENT
STREAM_RESPONSE = EMPTY
GET_NEXT_REQUEST = EMPTY
GET_NEXT_RESPONSE = OptionT(ListT(STREAM_EVENT))

SEND_REQUEST_NODES = type_nodes(SEND_REQUEST)
CONTINUE_REQUEST_NODES = type_nodes(CONTINUE_REQUEST)
CHAT_EVENT_NODES = type_nodes(CHAT_EVENT)
EMPTY_NODES = type_nodes(EMPTY)
GET_NEXT_RESPONSE_NODES = type_nodes(GET_NEXT_RESPONSE)
