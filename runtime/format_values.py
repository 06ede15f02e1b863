"""Convert between `formats.values` (the Hayride message model) and wasmtime-py component
values, for hosting a model-format component.

The conversion itself is `runtime.component_values` (shared with `runtime.wit_values` for
golem:llm); this module is the Hayride table for it.  Records are recognised by their field
names, except where two records share them (`image-content` and `audio-content`), which
only occur as variant cases and take their class from the case (`record_case`).
"""

from __future__ import annotations

from typing import Any, Optional

from formats import values as v
from runtime.component_values import (
    Case,
    ValueModel,
    enums_by_names,
    record_case,
    records_by_fields,
)

_NONE = Case(v.Empty, value_of=lambda _: v.Empty())

_MODEL = ValueModel(
    records=records_by_fields(
        (v.Message, v.Tool, v.ToolSchema, v.ToolAnnotations, v.CallToolParams,
         v.CallToolResult, v.TextContent, v.ResourceLinkContent, v.EmbeddedResourceContent,
         v.TextResourceContents, v.BlobResourceContents)),
    enums=enums_by_names((v.Role,)),
    variants={
        frozenset({"none", "text", "blob", "tools", "tool-input", "tool-output"}): {
            "none": _NONE,
            "text": Case(v.Text, lambda x: x.text, v.Text),
            "blob": Case(v.Blob, lambda x: x.data, v.Blob),
            "tools": Case(v.Tools, lambda x: x.tools, v.Tools),
            "tool-input": record_case(v.CallToolParams),
            "tool-output": record_case(v.CallToolResult),
        },
        frozenset({"none", "text", "image", "audio", "resource-link", "resource-content"}): {
            "none": _NONE,
            "text": record_case(v.TextContent),
            "image": record_case(v.ImageContent),
            "audio": record_case(v.AudioContent),
            "resource-link": record_case(v.ResourceLinkContent),
            "resource-content": record_case(v.EmbeddedResourceContent),
        },
        frozenset({"none", "text", "blob"}): {
            "none": _NONE,
            "text": record_case(v.TextResourceContents),
            "blob": record_case(v.BlobResourceContents),
        },
    },
)


def lower(value: Any, ty: Any) -> Any:
    """A `formats.values` value → the wasmtime-py value of type `ty`."""
    return _MODEL.lower(value, ty)


def lift(value: Any, ty: Any, cls: Optional[type] = None) -> Any:
    """A wasmtime-py value of type `ty` → a `formats.values` value (`cls`: the record class
    when the context knows it)."""
    return _MODEL.lift(value, ty, cls)
