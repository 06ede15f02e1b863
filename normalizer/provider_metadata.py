"""The one shape of `response-metadata.provider-metadata-json`, for every provider.

golem:llm's `response-metadata` says the finish reason, three token counts, an id and a
timestamp; everything else a provider tells about an answer goes into this JSON object, with
the same keys whatever the provider (README, "What the finish's metadata says").  Every key
is optional: a key is left out when the provider did not say it, never sent as null.

- `model`, `system_fingerprint` (OpenAI), `provider` (OpenRouter's upstream): as sent.
- `request_id`: the HTTP response's request id (OpenAI and xAI `x-request-id`, Anthropic
  `request-id`, OpenRouter `x-generation-id`, falling back to the body's generation id).
- `finish_reason`: the provider's own finish reason (`end_turn`, `stop`, `refusal`...),
  behind golem:llm's mapped one; `native_finish_reason` (OpenRouter's upstream's);
  `stop_sequence` (Anthropic: which one matched).
- `usage`: `input_tokens`, `output_tokens`, `total_tokens` (as in golem:llm's usage, where
  total = input + output), and of them `cached_input_tokens` (read from the prompt cache),
  `cache_creation_input_tokens` (written to it), `reasoning_tokens` (of the output);
  `cost_usd` where the provider reports a cost (OpenRouter `usage.cost`, xAI
  `cost_in_usd_ticks`); `provider_usage`, the usage object exactly as the provider sent it.
- `reasoning`: the reasoning text, which never enters the answer's text (Anthropic thinking,
  xAI `reasoning_content`, OpenRouter `reasoning`); `thinking`: Anthropic's thinking blocks
  as the Messages API wants them echoed; `reasoning_details`: OpenRouter's, merged per
  block, as OpenRouter wants them echoed.
- `refusal`: present when the model declined (OpenAI `refusal` deltas, Anthropic
  `stop_reason: refusal`; the finish reason is then `content-filter`): `text`, the
  refusal's words (OpenAI's; "" for Anthropic, which sends none apart from the answer's
  text), and `details`, Anthropic's `stop_details` when it sends one.
- `incomplete_tool_use`: Anthropic tool calls cut off by `max_tokens` (never emitted).
- `rate_limit`: the rate-limit headers by limit (`requests`, `tokens`, `input_tokens`,
  `output_tokens`, ... each with `limit`, `remaining`, `reset`), `retry_after` /
  `retry_after_ms` as sent, and `should_retry` (a boolean: the `x-should-retry` header).
- `attempts`, `resumes`: when the answer took more than one request (durability/recovery.py).

`provider-error-json` keeps the provider's error body and gains `request_id` and `rate_limit`
the same way (`with_keys`).
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional

#: The documented keys, in the order they are written (later additions go after them).
KEYS = (
    "model",
    "provider",
    "system_fingerprint",
    "request_id",
    "finish_reason",
    "native_finish_reason",
    "stop_sequence",
    "refusal",
    "usage",
    "reasoning",
    "thinking",
    "reasoning_details",
    "incomplete_tool_use",
    "rate_limit",
    "attempts",
    "resumes",
)

#: The keys of `usage`, in order.
USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cached_input_tokens",
    "cache_creation_input_tokens",
    "reasoning_tokens",
    "cost_usd",
    "provider_usage",
)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def ordered(parts: Mapping[str, Any]) -> dict[str, Any]:
    """`parts` without its absent values (None, "", empty; in `usage` too), documented
    keys first in their order, then any other key as given."""
    out = {key: parts[key] for key in KEYS if key in parts and _present(parts[key])}
    usage = out.get("usage")
    if isinstance(usage, dict):
        out["usage"] = {key: usage[key] for key in USAGE_KEYS
                        if key in usage and _present(usage[key])}
    for key, value in parts.items():
        if key not in out and _present(value):
            out[key] = value
    return out


def metadata_json(parts: Mapping[str, Any]) -> Optional[str]:
    """The JSON text of `parts` in the documented order, or None when nothing is present."""
    out = ordered(parts)
    return json.dumps(out, ensure_ascii=False) if out else None


def with_keys(text: Optional[str], extra: Mapping[str, Any], *,
              overwrite: bool = True, documented_order: bool = False) -> Optional[str]:
    """`text` (a JSON object, or None for none) with the present `extra` keys added after
    its own (its keys, order and values are otherwise kept: an error body is the
    provider's), or with `documented_order` (a finish's metadata) in the documented
    order; a key already there is kept when not `overwrite`.  Text that is not a JSON
    object is returned unchanged: it cannot hold keys."""
    extra = {key: value for key, value in extra.items() if _present(value)}
    if not extra:
        return text
    if text:
        try:
            current = json.loads(text)
        except ValueError:
            return text
        if not isinstance(current, dict):
            return text
    else:
        current = {}
    for key, value in extra.items():
        if overwrite or key not in current:
            current[key] = value
    return json.dumps(ordered(current) if documented_order else current, ensure_ascii=False)
