"""The golem:llm@1.0.0 values as plain frozen dataclasses.

The engine (sse, normalizer, providers, durability) works on these, never on the
componentize-py bindings, so that it runs natively in tests and benchmarks and unchanged
inside the component.  `components/convert.py` and `runtime/host/llm_values.py` translate at the
two boundaries.  Each type mirrors one WIT type of `wit/golem-llm.wit`; a WIT variant whose
cases carry distinct payload types is a plain union of those types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional, Union


class Role(Enum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL = "tool"


class ErrorCode(Enum):
    INVALID_REQUEST = "invalid-request"
    AUTHENTICATION_FAILED = "authentication-failed"
    RATE_LIMIT_EXCEEDED = "rate-limit-exceeded"
    INTERNAL_ERROR = "internal-error"
    UNSUPPORTED = "unsupported"
    UNKNOWN = "unknown"


class FinishReason(Enum):
    STOP = "stop"
    LENGTH = "length"
    TOOL_CALLS = "tool-calls"
    CONTENT_FILTER = "content-filter"
    ERROR = "error"
    OTHER = "other"


class ImageDetail(Enum):
    LOW = "low"
    HIGH = "high"
    AUTO = "auto"


@dataclass(frozen=True)
class ImageUrl:
    """`image-reference.url`: an image the provider fetches itself."""

    url: str
    detail: Optional[ImageDetail] = None


@dataclass(frozen=True)
class ImageSource:
    """`image-reference.inline`: raw image bytes; base64 is the provider module's business."""

    data: bytes
    mime_type: str
    detail: Optional[ImageDetail] = None


ImageReference = Union[ImageUrl, ImageSource]


@dataclass(frozen=True)
class Text:
    """`content-part.text`."""

    text: str


@dataclass(frozen=True)
class Image:
    """`content-part.image`."""

    reference: ImageReference


ContentPart = Union[Text, Image]


@dataclass(frozen=True)
class Message:
    role: Role
    content: tuple[ContentPart, ...]
    name: Optional[str] = None


@dataclass(frozen=True)
class ToolDefinition:
    name: str
    parameters_schema: str
    description: Optional[str] = None


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments_json: str


@dataclass(frozen=True)
class ToolSuccess:
    id: str
    name: str
    result_json: str
    execution_time_ms: Optional[int] = None


@dataclass(frozen=True)
class ToolFailure:
    id: str
    name: str
    error_message: str
    error_code: Optional[str] = None


ToolResult = Union[ToolSuccess, ToolFailure]


@dataclass(frozen=True)
class Kv:
    key: str
    value: str


@dataclass(frozen=True)
class Config:
    model: str
    temperature: Optional[float] = None
    max_tokens: Optional[int] = None
    stop_sequences: Optional[tuple[str, ...]] = None
    tools: tuple[ToolDefinition, ...] = ()
    tool_choice: Optional[str] = None
    provider_options: tuple[Kv, ...] = ()


@dataclass(frozen=True)
class Usage:
    input_tokens: Optional[int] = None
    output_tokens: Optional[int] = None
    total_tokens: Optional[int] = None


@dataclass(frozen=True)
class ResponseMetadata:
    finish_reason: Optional[FinishReason] = None
    usage: Optional[Usage] = None
    provider_id: Optional[str] = None
    timestamp: Optional[str] = None
    provider_metadata_json: Optional[str] = None


@dataclass(frozen=True)
class CompleteResponse:
    id: str
    content: tuple[ContentPart, ...]
    tool_calls: tuple[ToolCall, ...]
    metadata: ResponseMetadata


@dataclass(frozen=True)
class LlmError:
    """`error`: named so it is never confused with Python's exceptions; it is a value."""

    code: ErrorCode
    message: str
    provider_error_json: Optional[str] = None


@dataclass(frozen=True)
class ToolRequest:
    """`chat-event.tool-request`: the model wants these tools run and nothing else."""

    tool_calls: tuple[ToolCall, ...]


ChatEvent = Union[CompleteResponse, ToolRequest, LlmError]


@dataclass(frozen=True)
class StreamDelta:
    """`stream-event.delta`.  `None` and an empty tuple are different on the wire; keep both."""

    content: Optional[tuple[ContentPart, ...]] = None
    tool_calls: Optional[tuple[ToolCall, ...]] = None


@dataclass(frozen=True)
class Finish:
    """`stream-event.finish`: the one terminal success event of a stream."""

    metadata: ResponseMetadata = field(default_factory=ResponseMetadata)


StreamEvent = Union[StreamDelta, Finish, LlmError]


def is_terminal(event: StreamEvent) -> bool:
    """A stream ends at its first `finish` or `error`; nothing may follow it."""
    return isinstance(event, (Finish, LlmError))
