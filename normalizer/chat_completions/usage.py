"""A Chat Completions `usage` object → golem:llm `usage`.

`output-tokens` counts every generated token, reasoning included, as OpenAI's
`completion_tokens` does.  A server that leaves reasoning out of `completion_tokens` (xAI,
`ChatQuirks.usage_completion_excludes_reasoning`) gets it added back, and `total_tokens`
is kept (it already includes it) or, when absent, recomputed.
"""

from __future__ import annotations

from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.json_fields import int_or_none
from normalizer.values import Usage


def convert_usage(usage: dict, quirks: ChatQuirks) -> Usage:
    """golem:llm usage from a `usage` object (see the module docstring)."""
    prompt = int_or_none(usage.get("prompt_tokens"))
    completion = int_or_none(usage.get("completion_tokens"))
    total = int_or_none(usage.get("total_tokens"))
    if quirks.usage_completion_excludes_reasoning and completion is not None:
        details = usage.get("completion_tokens_details")
        if isinstance(details, dict):
            reasoning = int_or_none(details.get("reasoning_tokens"))
            if reasoning:
                completion += reasoning
    if total is None and prompt is not None and completion is not None:
        total = prompt + completion
    return Usage(input_tokens=prompt, output_tokens=completion, total_tokens=total)
