"""The `Finish` metadata of a Messages answer, streamed or not.

`provider_metadata_json` holds what golem:llm cannot say: `model`, the raw `stop_reason` (so
`pause_turn` stays visible behind OTHER), the matched `stop_sequence`, the raw `usage`
(cache and server-tool counts), the `thinking` blocks and any `incomplete_tool_use`; it is
None when there is nothing.  `provider_id` is the message id; Anthropic sends no timestamp,
so there is none, which also keeps the normalizer deterministic for replay.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

from normalizer.anthropic_messages.finish_reason import map_finish_reason
from normalizer.anthropic_messages.usage import convert_usage
from normalizer.values import ResponseMetadata


def response_metadata(
    *,
    message_id: Optional[str],
    model: Optional[str],
    stop_reason: Optional[str],
    stop_sequence: Optional[str],
    usage: Optional[dict],
    thinking: Sequence[dict] = (),
    incomplete: Sequence[dict] = (),
) -> ResponseMetadata:
    """The metadata for what the answer said (see the module docstring)."""
    extra: dict[str, Any] = {}
    if model:
        extra["model"] = model
    if stop_reason is not None:
        extra["stop_reason"] = stop_reason
    if stop_sequence is not None:
        extra["stop_sequence"] = stop_sequence
    if usage:
        extra["usage"] = usage
    if thinking:
        extra["thinking"] = list(thinking)
    if incomplete:
        extra["incomplete_tool_use"] = list(incomplete)
    return ResponseMetadata(
        finish_reason=map_finish_reason(stop_reason) if stop_reason is not None else None,
        usage=convert_usage(usage) if usage else None,
        provider_id=message_id or None,
        timestamp=None,
        provider_metadata_json=json.dumps(extra, ensure_ascii=False) if extra else None,
    )
