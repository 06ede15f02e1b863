"""The `Finish` metadata of a Chat Completions answer, streamed or not.

`provider_metadata_json` is the shape of `normalizer/provider_metadata.py`: the quirks'
`metadata_fields` that are present (`model`, `system_fingerprint`, OpenRouter's upstream
`provider`), the raw `finish_reason` and OpenRouter's `native_finish_reason`, `refusal`
when the model declined (the finish reason is then CONTENT_FILTER), the usage details, and
the reasoning text and OpenRouter's `reasoning_details` when the quirks collect them.  It
is None when there is nothing to say.  `created` (seconds) becomes the timestamp, as text.
The request id and rate limits come from the response's headers, added by
`providers/response_decoder.py`.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from normalizer.chat_completions.finish_reason import map_finish_reason
from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.chat_completions.usage import read_usage
from normalizer.provider_metadata import metadata_json
from normalizer.values import FinishReason, ResponseMetadata


def response_metadata(
    head: dict,
    *,
    raw_finish: Optional[str],
    usage: Optional[dict],
    quirks: ChatQuirks,
    native_finish: Optional[str] = None,
    reasoning: Optional[str] = None,
    reasoning_details: Sequence[dict] = (),
    refusal: Optional[str] = None,
) -> ResponseMetadata:
    """The metadata from `head`, the chunk (or completion) carrying `id`, `created` and
    `model`, and what the rest of the answer said (see the module docstring)."""
    finish = map_finish_reason(raw_finish) if raw_finish is not None else None
    if refusal:
        finish = FinishReason.CONTENT_FILTER
    parts: dict[str, Any] = {}
    for key in quirks.metadata_fields:
        value = head.get(key)
        if value is not None and value != "":
            parts[key] = value
    converted, details = read_usage(usage, quirks) if isinstance(usage, dict) else (None, None)
    parts.update({
        "finish_reason": raw_finish,
        "native_finish_reason": native_finish,
        "refusal": {"text": refusal} if refusal else None,
        "usage": details,
        "reasoning": reasoning,
        "reasoning_details": list(reasoning_details),
    })
    provider_id = head.get("id")
    created = head.get("created")
    if isinstance(created, float) and created.is_integer():
        created = int(created)
    return ResponseMetadata(
        finish_reason=finish,
        usage=converted,
        provider_id=str(provider_id) if provider_id is not None else None,
        timestamp=str(created) if created is not None and not isinstance(created, bool) else None,
        provider_metadata_json=metadata_json(parts),
    )
