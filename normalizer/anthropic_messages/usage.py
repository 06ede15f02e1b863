"""An Anthropic Messages `usage` object → golem:llm `usage`.

golem:llm's input tokens are the whole prompt, i.e. Anthropic's `input_tokens` plus cache
reads and cache writes (Anthropic's `input_tokens` leaves cached tokens out).  The stream's
counts are cumulative (`message_delta` repeats and updates them), so the normalizer merges
them before converting; the raw object is kept in the finish's metadata.
"""

from __future__ import annotations

from normalizer.json_fields import int_or_none
from normalizer.values import Usage


def convert_usage(usage: dict) -> Usage:
    """golem:llm usage from a `usage` object (see the module docstring)."""
    base = int_or_none(usage.get("input_tokens"))
    cached = [
        int_or_none(usage.get("cache_creation_input_tokens")),
        int_or_none(usage.get("cache_read_input_tokens")),
    ]
    prompt = base
    if base is not None:
        prompt = base + sum(tokens for tokens in cached if tokens)
    output = int_or_none(usage.get("output_tokens"))
    total = prompt + output if prompt is not None and output is not None else None
    return Usage(input_tokens=prompt, output_tokens=output, total_tokens=total)
