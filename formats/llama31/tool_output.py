"""A tool result as the text of an `ipython` turn.

Llama 3.1 reads tool output as plain text (Meta's examples pass JSON or prose).  Text
content goes in as is; what a text model cannot read (images, audio, binary resources)
becomes a one-line placeholder naming its type and size, rather than a dump of its bytes.
Structured content is used when the result has no unstructured content, as a JSON object.
"""

from __future__ import annotations

import json
from typing import Any

from formats.llama31.json_scan import loads
from formats.values import (AudioContent, BlobResourceContents, CallToolResult, Content,
                            EmbeddedResourceContent, Empty, ImageContent, ResourceLinkContent,
                            TextContent, TextResourceContents)


def render_result(result: CallToolResult) -> str:
    pieces = [piece for piece in map(render_content, result.content) if piece is not None]
    if not pieces and result.structured_content:
        structured = {key: _json_or_text(value) for key, value in result.structured_content}
        pieces.append(json.dumps(structured, ensure_ascii=False))
    return "\n".join(pieces)


def render_content(content: Content) -> str | None:
    if isinstance(content, TextContent):
        return content.text
    if isinstance(content, ImageContent):
        return f"[image: {content.mime_type or 'unknown type'}, {len(content.data)} bytes]"
    if isinstance(content, AudioContent):
        return f"[audio: {content.mime_type or 'unknown type'}, {len(content.data)} bytes]"
    if isinstance(content, ResourceLinkContent):
        return f"[resource link: {content.uri}]"
    if isinstance(content, EmbeddedResourceContent):
        inner = content.resource_contents
        if isinstance(inner, TextResourceContents):
            return inner.text
        if isinstance(inner, BlobResourceContents):
            return (f"[resource: {inner.uri}, {inner.mime_type or 'unknown type'}, "
                    f"{len(inner.blob)} bytes]")
        return None
    if isinstance(content, Empty):
        return None
    raise TypeError(f"not a tool result content: {type(content).__name__}")


def _json_or_text(text: str) -> Any:
    try:
        return loads(text)
    except ValueError:
        return text
