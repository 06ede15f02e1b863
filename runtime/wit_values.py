"""Convert between the engine's golem:llm dataclasses and wasmtime-py component values.

The conversion itself is `runtime.component_values` (shared with the model-format host);
this module is golem:llm's table for it.  Records and enums are recognised by their field
and case names; variants by their case names, with the engine class that stands for each
case (golem:llm's `content-part` is `Text` / `Image` wrapping a string / an image reference,
its stream event `Finish` wraps response metadata, and so on).

runtime/host.py calls the exports through `signature`: the same table compiled once per
export into plans that go straight between engine values and wasmtime's C values
(runtime/compiled_values.py).  `lower` / `lift` are the reference those plans are tested
against (tests/test_host_values.py), and what a caller holding wasmtime-py values uses.
"""

from __future__ import annotations

from typing import Any

from normalizer import values as v
from runtime.compiled_call import Signature
from runtime.compiled_values import Plans
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


_PLANS = Plans(_MODEL)


def signature(func: Any, store: Any) -> Signature:
    """A golem:llm export's compiled conversions (runtime/compiled_call.py): engine values
    straight to and from wasmtime's C values, as `lower` / `lift` + wasmtime-py would."""
    return Signature.of(func, store, _PLANS)


def lower(value: Any, ty: Any) -> Any:
    """Engine value → wasmtime-py value of type `ty`."""
    return _MODEL.lower(value, ty)


def lift(value: Any, ty: Any) -> Any:
    """wasmtime-py value of type `ty` → engine value."""
    return _MODEL.lift(value, ty)
