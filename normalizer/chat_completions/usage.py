"""A Chat Completions `usage` object → golem:llm `usage`, and the metadata's usage details.

`output-tokens` counts every generated token, reasoning included, as OpenAI's
`completion_tokens` does.  A server that leaves reasoning out of `completion_tokens` (xAI,
`ChatQuirks.usage_completion_excludes_reasoning`) gets it added back.  `total-tokens` is
input + output whenever both are known (for OpenAI, xAI and OpenRouter that is the
server's own `total_tokens`, which the recorded traffic confirms); else the server's.

The details (`normalizer/provider_metadata.py`): `prompt_tokens_details.cached_tokens`
(OpenAI, xAI, OpenRouter), OpenRouter's `prompt_tokens_details.cache_write_tokens`,
`completion_tokens_details.reasoning_tokens`, and the cost: OpenRouter's `cost` (credits,
which are US dollars) or xAI's `cost_in_usd_ticks` (ten-billionths of a dollar).  Cached and
cache-write tokens are part of `prompt_tokens` on every one of these servers.
"""

from __future__ import annotations

from typing import Any, Optional

from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.json_fields import int_or_none
from normalizer.values import Usage

#: xAI's cost unit: `cost_in_usd_ticks` / this = US dollars.
USD_TICKS = 10_000_000_000


def _detail(usage: dict, group: str, key: str) -> Optional[int]:
    details = usage.get(group)
    return int_or_none(details.get(key)) if isinstance(details, dict) else None


def _cost_usd(usage: dict) -> Optional[float]:
    cost = usage.get("cost")
    if isinstance(cost, (int, float)) and not isinstance(cost, bool):
        return float(cost)
    ticks = int_or_none(usage.get("cost_in_usd_ticks"))
    return ticks / USD_TICKS if ticks is not None else None


def read_usage(usage: dict, quirks: ChatQuirks) -> tuple[Usage, dict[str, Any]]:
    """golem:llm usage and the metadata's `usage` object (see the module docstring)."""
    prompt = int_or_none(usage.get("prompt_tokens"))
    completion = int_or_none(usage.get("completion_tokens"))
    reasoning = _detail(usage, "completion_tokens_details", "reasoning_tokens")
    if quirks.usage_completion_excludes_reasoning and completion is not None and reasoning:
        completion += reasoning
    total = int_or_none(usage.get("total_tokens"))
    if prompt is not None and completion is not None:
        total = prompt + completion
    details = {
        "input_tokens": prompt,
        "output_tokens": completion,
        "total_tokens": total,
        "cached_input_tokens": _detail(usage, "prompt_tokens_details", "cached_tokens"),
        "cache_creation_input_tokens": _detail(usage, "prompt_tokens_details",
                                               "cache_write_tokens"),
        "reasoning_tokens": reasoning,
        "cost_usd": _cost_usd(usage),
        "provider_usage": usage,
    }
    return Usage(input_tokens=prompt, output_tokens=completion, total_tokens=total), details


def convert_usage(usage: dict, quirks: ChatQuirks) -> Usage:
    """golem:llm usage from a `usage` object (see the module docstring)."""
    return read_usage(usage, quirks)[0]
