"""The `Finish` metadata of a Chat Completions answer, streamed or not.

`provider_metadata_json` holds the quirks' `metadata_fields` that are present, plus what
the golem:llm finish-reason cannot say: OpenRouter's `native_finish_reason`, the raw reason
when it mapped to OTHER, the reasoning text and the joined `reasoning_details` when
the quirks ask for them.  It is None when
there is nothing to say.  `created` (seconds) becomes the timestamp, as text.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

from normalizer.chat_completions.finish_reason import map_finish_reason
from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.chat_completions.usage import convert_usage
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
) -> ResponseMetadata:
    """The metadata from `head`, the chunk (or completion) carrying `id`, `created` and
    `model`, and what the rest of the answer said (see the module docstring)."""
    finish = map_finish_reason(raw_finish) if raw_finish is not None else None
    extra: dict[str, Any] = {}
    for key in quirks.metadata_fields:
        value = head.get(key)
        if value is not None and value != "":
            extra[key] = value
    if native_finish is not None:
        extra["native_finish_reason"] = native_finish
    if finish is FinishReason.OTHER:
        extra["finish_reason"] = raw_finish
    if reasoning:
        extra["reasoning"] = reasoning
    if reasoning_details:
        extra["reasoning_details"] = list(reasoning_details)
    provider_id = head.get("id")
    created = head.get("created")
    if isinstance(created, float) and created.is_integer():
        created = int(created)
    return ResponseMetadata(
        finish_reason=finish,
        usage=convert_usage(usage, quirks) if isinstance(usage, dict) else None,
        provider_id=str(provider_id) if provider_id is not None else None,
        timestamp=str(created) if created is not None and not isinstance(created, bool) else None,
        provider_metadata_json=json.dumps(extra, ensure_ascii=False) if extra else None,
    )
