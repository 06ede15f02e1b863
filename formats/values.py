"""The Hayride message model (`hayride:ai/types` and the `hayride:mcp/types` it uses, 0.0.65)
as frozen dataclasses.

The formats work on these rather than on componentize-py's generated classes so that they run,
test and fuzz natively; `formats.wit_convert` maps between the two at the component boundary.
Each WIT variant is a union of distinct classes, one per case, so a case is told by its class;
every `none` case is `Empty`.  Lists are tuples, so values are hashable and immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Union

Pairs = tuple[tuple[str, str], ...]


class Role(Enum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL = "tool"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Empty:
    """The `none` case of a variant."""


# --- hayride:mcp/types: tool definitions -------------------------------------------------

@dataclass(frozen=True)
class ToolAnnotations:
    title: str = ""
    read_only_hint: bool = False
    destructive_hint: bool = False
    idempotent_hint: bool = False
    open_world_hint: bool = False


@dataclass(frozen=True)
class ToolSchema:
    """`properties` pairs a parameter name with its JSON Schema as JSON text."""

    schema_type: str = "object"
    properties: Pairs = ()
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tool:
    name: str
    title: str = ""
    description: str = ""
    input_schema: ToolSchema = field(default_factory=ToolSchema)
    output_schema: ToolSchema = field(default_factory=ToolSchema)
    annotations: ToolAnnotations = field(default_factory=ToolAnnotations)


# --- hayride:mcp/types: tool calls and results --------------------------------------------

@dataclass(frozen=True)
class CallToolParams:
    """A tool call.  Argument values are strings; a JSON value that is not a string travels
    as its JSON text."""

    name: str
    arguments: Pairs = ()


@dataclass(frozen=True)
class TextContent:
    text: str
    content_type: str = "text"


@dataclass(frozen=True)
class ImageContent:
    data: bytes
    mime_type: str
    content_type: str = "image"


@dataclass(frozen=True)
class AudioContent:
    data: bytes
    mime_type: str
    content_type: str = "audio"


@dataclass(frozen=True)
class ResourceLinkContent:
    uri: str
    name: str = ""
    description: str = ""
    mime_type: str = ""
    content_type: str = "resource_link"


@dataclass(frozen=True)
class TextResourceContents:
    uri: str
    text: str
    name: str = ""
    title: str = ""
    mime_type: str = ""


@dataclass(frozen=True)
class BlobResourceContents:
    uri: str
    blob: bytes
    name: str = ""
    title: str = ""
    mime_type: str = ""


ResourceContents = Union[Empty, TextResourceContents, BlobResourceContents]


@dataclass(frozen=True)
class EmbeddedResourceContent:
    resource_contents: ResourceContents
    content_type: str = "resource"


Content = Union[Empty, TextContent, ImageContent, AudioContent, ResourceLinkContent,
                EmbeddedResourceContent]


@dataclass(frozen=True)
class CallToolResult:
    content: tuple[Content, ...] = ()
    structured_content: Pairs = ()
    is_error: bool = False
    meta: Pairs = ()


# --- hayride:ai/types: the message --------------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Blob:
    data: bytes


@dataclass(frozen=True)
class Tools:
    tools: tuple[Tool, ...]


# `tool-input` is a CallToolParams, `tool-output` a CallToolResult.
MessageContent = Union[Empty, Text, Blob, Tools, CallToolParams, CallToolResult]


@dataclass(frozen=True)
class Message:
    role: Role
    content: tuple[MessageContent, ...] = ()
    final: bool = False
