"""Anthropic Messages `stop_reason` → golem:llm `finish-reason`.

The SDK's `StopReason` values (reference/providers.md §2.4) and why each maps where it does:

- `end_turn`, `stop_sequence` → STOP: the model ended normally (which stop sequence matched
  is kept in the finish's `provider_metadata_json` as `stop_sequence`).
- `max_tokens` → LENGTH: the caller's `max_tokens` cut the answer.
- `model_context_window_exceeded` → LENGTH: the answer was cut because the context window
  filled up; to the caller that is a truncation exactly like `max_tokens`.
- `tool_use` → TOOL_CALLS.
- `refusal` → CONTENT_FILTER: the model declined for safety reasons, the closest golem:llm
  value (OpenAI's `content_filter` means the same to a caller).
- `pause_turn` and anything unknown → OTHER.  `pause_turn` is not a stop: a server-tool loop
  hit its limit and the turn must be sent back to continue, which no golem:llm finish reason
  says; the raw value is always kept as `stop_reason` in `provider_metadata_json`, so a caller
  that knows Anthropic can still tell.  An unknown value never raises (the API adds values).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from normalizer.values import FinishReason

#: Every raw value this dialect knows, and its golem:llm reason (README's table reads it).
BY_RAW: Mapping[str, FinishReason] = MappingProxyType(
    {
        "end_turn": FinishReason.STOP,
        "stop_sequence": FinishReason.STOP,
        "max_tokens": FinishReason.LENGTH,
        "model_context_window_exceeded": FinishReason.LENGTH,
        "tool_use": FinishReason.TOOL_CALLS,
        "refusal": FinishReason.CONTENT_FILTER,
    }
)


def map_finish_reason(raw: str) -> FinishReason:
    """Map a raw `stop_reason`; unknown values (`pause_turn`, future ones) are OTHER."""
    return BY_RAW.get(raw, FinishReason.OTHER)
