"""Chat Completions `finish_reason` → golem:llm `finish-reason`.

One table for OpenAI, xAI and OpenRouter (which normalizes its upstreams' reasons to
OpenAI's five).  Decisions:

- `function_call` (the deprecated functions API) → TOOL_CALLS: it means exactly what
  `tool_calls` means, "run this function and come back", and the normalizer turns the legacy
  `function_call` object into a tool call, so the caller gets a tool request either way.
- `error` (OpenRouter, mid-stream failure) → ERROR.
- A few spellings that OpenAI-compatible servers pass through from their native APIs
  (`end_turn`, `stop_sequence`, `eos`, `max_tokens`, `tool_use`) map to their obvious
  meaning; anything else is OTHER, never an exception.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from normalizer.values import FinishReason

#: Every raw value this dialect knows, and its golem:llm reason (README's table reads it).
BY_RAW: Mapping[str, FinishReason] = MappingProxyType(
    {
        "stop": FinishReason.STOP,
        "length": FinishReason.LENGTH,
        "tool_calls": FinishReason.TOOL_CALLS,
        "content_filter": FinishReason.CONTENT_FILTER,
        "function_call": FinishReason.TOOL_CALLS,
        "error": FinishReason.ERROR,
        # native spellings seen through "compatible" servers
        "end_turn": FinishReason.STOP,
        "stop_sequence": FinishReason.STOP,
        "eos": FinishReason.STOP,
        "max_tokens": FinishReason.LENGTH,
        "tool_use": FinishReason.TOOL_CALLS,
    }
)


def map_finish_reason(raw: str) -> FinishReason:
    """Map a raw `finish_reason` string; unknown values are OTHER (case-insensitive)."""
    reason = BY_RAW.get(raw)
    if reason is None:
        reason = BY_RAW.get(raw.lower(), FinishReason.OTHER)
    return reason
