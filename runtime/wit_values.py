"""Convert between the engine's golem:llm dataclasses and wasmtime-py component values.

The conversion itself is `runtime.component_values` (shared with the model-format host);
this module is golem:llm's table for it.  Records and enums are recognised by their field
and case names; variants by their case names, with the engine class that stands for each
case (golem:llm's `content-part` is `Text` / `Image` wrapping a string / an image reference,
its stream event `Finish` wraps response metadata, and so on).
"""

from __future__ import annotations

from typing import Any

from normalizer import values as v
from runtime.component_values import (
    Case,
    ValueModel,
    enums_by_names,
    record_case,
    records_by_fields,
)

_MODEL = ValueModel(
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


def lower(value: Any, ty: Any) -> Any:
    """Engine value → wasmtime-py value of type `ty`."""
    return _MODEL.lower(value, ty)


def lift(value: Any, ty: Any) -> Any:
    """wasmtime-py value of type `ty` → engine value."""
    return _MODEL.lift(value, ty)
