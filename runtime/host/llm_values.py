"""golem:llm's table for the host's value conversion (runtime/host/value_model.py): which
engine dataclass (normalizer/values.py) stands for each golem:llm record, enum and variant.

Records and enums are recognised by their field and case names; variants by their case
names, with the engine class that stands for each case: golem:llm's `content-part` is
`Text` / `Image` wrapping a string / an image reference, its stream event `Finish` wraps
response metadata, and so on.
"""

from __future__ import annotations

from normalizer import values as v
from runtime.host.value_model import (
    Case,
    ValueModel,
    enums_by_names,
    record_case,
    records_by_fields,
)

LLM_VALUES = ValueModel(
    records=records_by_fields(
        (v.ImageUrl, v.ImageSource, v.Message, v.ToolDefinition, v.ToolCall, v.ToolSuccess,
         v.ToolFailure, v.Kv, v.Config, v.Usage, v.ResponseMetadata, v.CompleteResponse,
         v.LlmError, v.StreamDelta)),
    enums=enums_by_names((v.Role, v.ErrorCode, v.FinishReason, v.ImageDetail)),
    variants={
        frozenset({"text", "image"}): {
            "text": Case(v.Text, lambda x: x.text, v.Text),
            "image": Case(v.Image, lambda x: x.reference, v.Image)},
        frozenset({"url", "inline"}): {
            "url": record_case(v.ImageUrl),
            "inline": record_case(v.ImageSource)},
        frozenset({"success", "error"}): {
            "success": record_case(v.ToolSuccess),
            "error": record_case(v.ToolFailure)},
        frozenset({"message", "tool-request", "error"}): {
            "message": record_case(v.CompleteResponse),
            "tool-request": Case(v.ToolRequest, lambda x: x.tool_calls, v.ToolRequest),
            "error": record_case(v.LlmError)},
        frozenset({"delta", "finish", "error"}): {
            "delta": record_case(v.StreamDelta),
            "finish": Case(v.Finish, lambda x: x.metadata, v.Finish),
            "error": record_case(v.LlmError)},
    },
)
