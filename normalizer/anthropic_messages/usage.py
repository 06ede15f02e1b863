"""An Anthropic Messages `usage` object → golem:llm `usage`, and the metadata's usage details.

golem:llm's input tokens are the whole prompt, i.e. Anthropic's `input_tokens` plus cache
reads and cache writes (Anthropic's `input_tokens` leaves cached tokens out); total =
input + output.  The stream's counts are cumulative (`message_delta` repeats and updates
them), so the normalizer merges them before converting.

The details (`normalizer/provider_metadata.py`): `cache_read_input_tokens` becomes
`cached_input_tokens`, `cache_creation_input_tokens` keeps its name, and
`output_tokens_details.thinking_tokens` (sent by newer models; the thinking is part of
`output_tokens`) becomes `reasoning_tokens`.  Anthropic reports no cost.
"""

from __future__ import annotations

from typing import Any

from normalizer.json_fields import int_or_none
from normalizer.values import Usage


def read_usage(usage: dict) -> tuple[Usage, dict[str, Any]]:
    """golem:llm usage and the metadata's `usage` object (see the module docstring)."""
    base = int_or_none(usage.get("input_tokens"))
    created = int_or_none(usage.get("cache_creation_input_tokens"))
    read = int_or_none(usage.get("cache_read_input_tokens"))
    prompt = base
    if base is not None:
        prompt = base + (created or 0) + (read or 0)
    output = int_or_none(usage.get("output_tokens"))
    total = prompt + output if prompt is not None and output is not None else None
    output_details = usage.get("output_tokens_details")
    thinking = (int_or_none(output_details.get("thinking_tokens"))
                if isinstance(output_details, dict) else None)
    details = {
        "input_tokens": prompt,
        "output_tokens": output,
        "total_tokens": total,
        "cached_input_tokens": read,
        "cache_creation_input_tokens": created,
        "reasoning_tokens": thinking,
        "provider_usage": usage,
    }
    return Usage(input_tokens=prompt, output_tokens=output, total_tokens=total), details


def convert_usage(usage: dict) -> Usage:
    """golem:llm usage from a `usage` object (see the module docstring)."""
    return read_usage(usage)[0]
