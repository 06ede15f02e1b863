"""Hayride's table for the host's value conversion (runtime/host/value_model.py): which
`formats.values` dataclass (or `formats.errors.ErrorCode`) stands for each record, enum and
variant of the Hayride message model, for hosting a model-format component (formats/host.py).

Records are recognised by their field names, except where two records share them
(`image-content` and `audio-content`), which only occur as variant cases and take their
class from the case (`record_case`).  Host-only: never staged into the component.
"""

from __future__ import annotations

from formats import values as v
from formats.errors import ErrorCode
from runtime.host.value_model import (
    Case,
    ValueModel,
    enums_by_names,
    record_case,
    records_by_fields,
)

_NONE = Case(v.Empty, value_of=lambda _: v.Empty())

FORMAT_VALUES = ValueModel(
    records=records_by_fields(
        (v.Message, v.Tool, v.ToolSchema, v.ToolAnnotations, v.CallToolParams,
         v.CallToolResult, v.TextContent, v.ResourceLinkContent, v.EmbeddedResourceContent,
         v.TextResourceContents, v.BlobResourceContents)),
    enums=enums_by_names((v.Role, ErrorCode)),
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
