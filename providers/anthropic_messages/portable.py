"""The documented provider options (`providers.common.portable_options`) on the Messages API.

| option | wire |
|---|---|
| `json-schema` | native: `output_config.format = {"type": "json_schema", "schema": ...}` (always strict, no name field); tool: one tool `json_answer` with the schema as `input_schema`, forced by `tool_choice` (`structured_output.py`) |
| `json-mode` | the tool form with `input_schema = {"type": "object"}` |
| `json-schema-mode` | `native` or `tool`; default by model (`AnthropicMessagesProvider.native_json_schema_models`) |
| `thinking-budget` | `thinking = {"type": "enabled", "budget_tokens": N}` (the API's minimum is 1024) |
| `prompt-cache` | a `cache_control: {"type": "ephemeral"}` breakpoint on the system prompt (sent as one text block), on the last tool, and on the last block of the conversation |
| `top-p` | `top_p` |
| `user` | `metadata.user_id` |
| `parallel-tool-calls` | `false`: `tool_choice.disable_parallel_tool_use = true` (with tools; `tool_choice` defaults to `auto`) |
| `reasoning-blocks` | put first in the assistant turn that `continue` sends back (`thinking` / `redacted_thinking` blocks only) |

Refused as `unsupported`: `json-schema-strict: false` in the native form (always strict)
and `true` in the tool form (not enforced there), `reasoning-effort`
(thinking is sized by a token budget: use `thinking-budget`), `prompt-cache-key` (caching
is keyed by the prompt itself) and `seed` (the API has no seed).
"""

from __future__ import annotations

from typing import Any, Optional

from providers.common.json_body import JsonObject
from providers.common.portable_options import REASONING_BLOCKS, PortableOptions
from providers.common.refusal import Refusal

UNSUPPORTED = (
    ("reasoning-effort", "extended thinking is sized in tokens; pass thinking-budget"),
    ("prompt-cache-key", "Anthropic caches by prompt prefix and cache breakpoints; "
                         "pass prompt-cache"),
    ("seed", "the Messages API has no seed"),
)

#: The smallest `budget_tokens` the API accepts.
MIN_THINKING_BUDGET = 1024
_EPHEMERAL = {"type": "ephemeral"}
_REASONING_TYPES = ("thinking", "redacted_thinking")


def refuse_unsupported(options: PortableOptions, label: str) -> None:
    """The first documented option this API cannot honour, refused (structured output's
    own refusals are `structured_output.py`'s)."""
    options.refuse_unsupported(label, UNSUPPORTED)


def thinking_budget(options: PortableOptions) -> Optional[int]:
    """`thinking-budget`, checked against the API's minimum."""
    budget = options.thinking_budget
    if budget is not None and budget < MIN_THINKING_BUDGET:
        raise Refusal(f"provider option 'thinking-budget' must be at least "
                      f"{MIN_THINKING_BUDGET} for the Anthropic API, got {budget}")
    return budget


def apply_fields(body: JsonObject, options: PortableOptions,
                 set_by: dict[str, str]) -> None:
    """The body fields the options set (before the native options, which may not set them
    again: `set_by` records each for the conflict message)."""
    budget = thinking_budget(options)
    if budget is not None:
        body["thinking"] = {"type": "enabled", "budget_tokens": budget}
        set_by["thinking"] = "provider option 'thinking-budget'"
    if options.top_p is not None:
        body["top_p"] = options.top_p
        set_by["top_p"] = "provider option 'top-p'"
    if options.user is not None:
        body["metadata"] = {"user_id": options.user}
        set_by["metadata"] = "provider option 'user'"
    if options.parallel_tool_calls is False and body.get("tools"):
        choice = dict(body.get("tool_choice") or {"type": "auto"})
        if choice["type"] != "none":
            choice["disable_parallel_tool_use"] = True
            body["tool_choice"] = choice
            set_by.setdefault("tool_choice", "provider option 'parallel-tool-calls'")


def apply_cache(body: JsonObject, targets: tuple[str, ...]) -> None:
    """Cache breakpoints on the `targets` ("system", "tools", "messages") that exist."""
    if "system" in targets and isinstance(body.get("system"), str):
        body["system"] = [{"type": "text", "text": body["system"], "cache_control": _EPHEMERAL}]
    if "tools" in targets and body.get("tools"):
        tools = list(body["tools"])
        tools[-1] = {**tools[-1], "cache_control": _EPHEMERAL}
        body["tools"] = tools
    if "messages" in targets and body.get("messages"):
        turns = list(body["messages"])
        content = list(turns[-1]["content"])
        content[-1] = {**content[-1], "cache_control": _EPHEMERAL}
        turns[-1] = {**turns[-1], "content": content}
        body["messages"] = turns


def reasoning_blocks(options: PortableOptions, has_tool_results: bool) -> tuple[Any, ...]:
    """`reasoning-blocks`, checked: only with tool results, and only blocks the API takes
    back (with the fields it needs)."""
    blocks = options.reasoning_blocks
    if REASONING_BLOCKS in options.given and not has_tool_results:
        raise Refusal(f"provider option {REASONING_BLOCKS!r} applies to continue only (it "
                      "goes before the tool calls that the tool results answer)")
    for index, block in enumerate(blocks):
        kind = block.get("type")
        needed = ("thinking", "signature") if kind == "thinking" else ("data",)
        if kind not in _REASONING_TYPES or not all(isinstance(block.get(f), str)
                                                   for f in needed):
            raise Refusal(f"provider option {REASONING_BLOCKS!r}: block {index} must be a "
                          "thinking block (type, thinking, signature) or a redacted_thinking "
                          f"block (type, data), as the finish metadata gives them; got {block!r}")
    return blocks


def with_reasoning(turns: list[JsonObject], blocks: tuple[Any, ...]) -> list[JsonObject]:
    """`blocks` first in the assistant turn that holds the echoed `tool_use` blocks (the
    second to last turn; the last holds the results): the API wants the thinking that
    preceded a tool call before everything else in that turn."""
    if not blocks or len(turns) < 2 or turns[-2]["role"] != "assistant":
        return turns
    assistant = turns[-2]
    return [*turns[:-2],
            {"role": "assistant", "content": [*map(dict, blocks), *assistant["content"]]},
            turns[-1]]
