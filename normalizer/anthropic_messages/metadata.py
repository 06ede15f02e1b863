"""The `Finish` metadata of a Messages answer, streamed or not.

`provider_metadata_json` is the shape of `normalizer/provider_metadata.py`: `model`, the raw
`stop_reason` as `finish_reason` (so `pause_turn` stays visible behind OTHER, and
`tool_use` behind STOP when the answer was the forced answer tool's input), the matched
`stop_sequence`, `refusal` (with `stop_details`) when the model declined, the usage details,
the thinking text as `reasoning` and the blocks themselves as `thinking` (exactly as the
Messages API wants them echoed), and any `incomplete_tool_use`; it is None when there is
nothing.  `provider_id` is the message id; Anthropic sends no timestamp, so there is none,
which also keeps the normalizer deterministic for replay.  The request id and rate limits
come from the response's headers, added by `providers/response_decoder.py`.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from normalizer.anthropic_messages.finish_reason import map_finish_reason
from normalizer.anthropic_messages.usage import read_usage
from normalizer.provider_metadata import metadata_json
from normalizer.values import FinishReason, ResponseMetadata

#: The `stop_reason` of an answer the model declined.
REFUSAL = "refusal"


def reasoning_text(thinking: Sequence[dict]) -> str:
    """The text of the `thinking` blocks, a blank line between two blocks (redacted ones
    have none)."""
    parts = [block.get("thinking") for block in thinking]
    return "\n\n".join(part for part in parts if isinstance(part, str) and part)


def response_metadata(
    *,
    message_id: Optional[str],
    model: Optional[str],
    stop_reason: Optional[str],
    stop_sequence: Optional[str],
    usage: Optional[dict],
    thinking: Sequence[dict] = (),
    incomplete: Sequence[dict] = (),
    stop_details: Any = None,
    answered_by_tool: bool = False,
) -> ResponseMetadata:
    """The metadata for what the answer said (see the module docstring).
    `answered_by_tool`: the answer came as the forced answer tool's input and there was no
    other tool call, so the API's `tool_use` means the answer is complete (`stop`)."""
    converted, details = read_usage(usage) if usage else (None, None)
    finish = map_finish_reason(stop_reason) if stop_reason is not None else None
    if answered_by_tool and finish is FinishReason.TOOL_CALLS:
        finish = FinishReason.STOP
    refusal = None
    if stop_reason == REFUSAL:
        # Anthropic sends no words of its own for a refusal (any explanation is the answer's
        # text), so `text` is empty; `details` is its `stop_details` when it sends one.
        refusal = {"text": ""}
        if stop_details:
            refusal["details"] = stop_details
    return ResponseMetadata(
        finish_reason=finish,
        usage=converted,
        provider_id=message_id or None,
        timestamp=None,
        provider_metadata_json=metadata_json({
            "model": model,
            "finish_reason": stop_reason,
            "stop_sequence": stop_sequence,
            "refusal": refusal,
            "usage": details,
            "reasoning": reasoning_text(thinking),
            "thinking": list(thinking),
            "incomplete_tool_use": list(incomplete),
        }),
    )
