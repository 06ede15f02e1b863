"""componentize-py's generated `hayride:ai` / `hayride:mcp` classes ↔ `formats.values`.

Guest-only (it imports the generated `wit_world` package, which exists only inside the
component).  Kept apart from the formats so that they never see generated classes and run
natively; this module is the whole of the mapping, one function per WIT type.
"""

from __future__ import annotations

from typing import Any

from wit_world.imports import hayride_ai_types as ai
from wit_world.imports import hayride_mcp_types as mcp

from formats import values as v


# --- WIT → values (what encode receives) ---------------------------------------------------

def message_from_wit(message: ai.Message) -> v.Message:
    return v.Message(v.Role[message.role.name],
                     tuple(_message_content(part) for part in message.content),
                     bool(message.final))


def _message_content(part: Any) -> v.MessageContent:
    if isinstance(part, ai.MessageContent_Text):
        return v.Text(part.value)
    if isinstance(part, ai.MessageContent_Blob):
        return v.Blob(bytes(part.value))
    if isinstance(part, ai.MessageContent_Tools):
        return v.Tools(tuple(_tool(tool) for tool in part.value))
    if isinstance(part, ai.MessageContent_ToolInput):
        return _call(part.value)
    if isinstance(part, ai.MessageContent_ToolOutput):
        return _result(part.value)
    return v.Empty()


def _pairs(pairs: Any) -> v.Pairs:
    return tuple((str(key), str(value)) for key, value in pairs)


def _schema(schema: mcp.ToolSchema) -> v.ToolSchema:
    return v.ToolSchema(schema.schema_type, _pairs(schema.properties), tuple(schema.required))


def _tool(tool: mcp.Tool) -> v.Tool:
    notes = tool.annotations
    return v.Tool(tool.name, tool.title, tool.description, _schema(tool.input_schema),
                  _schema(tool.output_schema),
                  v.ToolAnnotations(notes.title, notes.read_only_hint, notes.destructive_hint,
                                    notes.idempotent_hint, notes.open_world_hint))


def _call(call: mcp.CallToolParams) -> v.CallToolParams:
    return v.CallToolParams(call.name, _pairs(call.arguments))


def _result(result: mcp.CallToolResult) -> v.CallToolResult:
    return v.CallToolResult(tuple(_content(item) for item in result.content),
                            _pairs(result.structured_content), bool(result.is_error),
                            _pairs(result.meta))


def _content(item: Any) -> v.Content:
    value = getattr(item, "value", None)
    if isinstance(item, mcp.Content_Text):
        return v.TextContent(value.text, value.content_type)
    if isinstance(item, mcp.Content_Image):
        return v.ImageContent(bytes(value.data), value.mime_type, value.content_type)
    if isinstance(item, mcp.Content_Audio):
        return v.AudioContent(bytes(value.data), value.mime_type, value.content_type)
    if isinstance(item, mcp.Content_ResourceLink):
        return v.ResourceLinkContent(value.uri, value.name, value.description, value.mime_type,
                                     value.content_type)
    if isinstance(item, mcp.Content_ResourceContent):
        return v.EmbeddedResourceContent(_resource(value.resource_contents), value.content_type)
    return v.Empty()


def _resource(contents: Any) -> v.ResourceContents:
    value = getattr(contents, "value", None)
    if isinstance(contents, mcp.ResourceContents_Text):
        return v.TextResourceContents(value.uri, value.text, value.name, value.title,
                                      value.mime_type)
    if isinstance(contents, mcp.ResourceContents_Blob):
        return v.BlobResourceContents(value.uri, bytes(value.blob), value.name, value.title,
                                      value.mime_type)
    return v.Empty()


# --- values → WIT (what decode returns) ----------------------------------------------------

def message_to_wit(message: v.Message) -> ai.Message:
    return ai.Message(ai.Role[message.role.name],
                      [_message_content_to_wit(part) for part in message.content],
                      message.final)


def _message_content_to_wit(part: v.MessageContent) -> Any:
    if isinstance(part, v.Text):
        return ai.MessageContent_Text(part.text)
    if isinstance(part, v.Blob):
        return ai.MessageContent_Blob(part.data)
    if isinstance(part, v.Tools):
        return ai.MessageContent_Tools([_tool_to_wit(tool) for tool in part.tools])
    if isinstance(part, v.CallToolParams):
        return ai.MessageContent_ToolInput(mcp.CallToolParams(part.name, list(part.arguments)))
    if isinstance(part, v.CallToolResult):
        return ai.MessageContent_ToolOutput(_result_to_wit(part))
    return ai.MessageContent_None_()


def _schema_to_wit(schema: v.ToolSchema) -> mcp.ToolSchema:
    return mcp.ToolSchema(schema.schema_type, list(schema.properties), list(schema.required))


def _tool_to_wit(tool: v.Tool) -> mcp.Tool:
    notes = tool.annotations
    return mcp.Tool(tool.name, tool.title, tool.description, _schema_to_wit(tool.input_schema),
                    _schema_to_wit(tool.output_schema),
                    mcp.ToolAnnotations(notes.title, notes.read_only_hint,
                                        notes.destructive_hint, notes.idempotent_hint,
                                        notes.open_world_hint))


def _result_to_wit(result: v.CallToolResult) -> mcp.CallToolResult:
    return mcp.CallToolResult([_content_to_wit(item) for item in result.content],
                              list(result.structured_content), result.is_error,
                              list(result.meta))


def _content_to_wit(item: v.Content) -> Any:
    if isinstance(item, v.TextContent):
        return mcp.Content_Text(mcp.TextContent(item.content_type, item.text))
    if isinstance(item, v.ImageContent):
        return mcp.Content_Image(mcp.ImageContent(item.content_type, item.data, item.mime_type))
    if isinstance(item, v.AudioContent):
        return mcp.Content_Audio(mcp.AudioContent(item.content_type, item.data, item.mime_type))
    if isinstance(item, v.ResourceLinkContent):
        return mcp.Content_ResourceLink(mcp.ResourceLinkContent(
            item.content_type, item.uri, item.name, item.description, item.mime_type))
    if isinstance(item, v.EmbeddedResourceContent):
        return mcp.Content_ResourceContent(mcp.EmbeddedResourceContent(
            item.content_type, _resource_to_wit(item.resource_contents)))
    return mcp.Content_None_()


def _resource_to_wit(contents: v.ResourceContents) -> Any:
    if isinstance(contents, v.TextResourceContents):
        return mcp.ResourceContents_Text(mcp.TextResourceContents(
            contents.uri, contents.name, contents.title, contents.mime_type, contents.text))
    if isinstance(contents, v.BlobResourceContents):
        return mcp.ResourceContents_Blob(mcp.BlobResourceContents(
            contents.uri, contents.name, contents.title, contents.mime_type, contents.blob))
    return mcp.ResourceContents_None_()
