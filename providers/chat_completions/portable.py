"""The documented provider options (`providers.common.portable_options`) on Chat Completions.

| option | wire |
|---|---|
| `json-schema` | `response_format = {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}` |
| `json-mode` | `response_format = {"type": "json_object"}` |
| `reasoning-effort` | `reasoning_effort` (OpenAI, xAI) or `reasoning.effort` (OpenRouter): the provider's `reasoning_style` |
| `thinking-budget` | `reasoning.max_tokens` (OpenRouter) |
| `prompt-cache` | `cache_control` breakpoints on message text parts, for the models the provider names (OpenRouter's `anthropic/`, `google/gemini`: `cache.py`) |
| `prompt-cache-key` | `prompt_cache_key` (OpenAI); the `x-grok-conv-id` header (xAI: `Provider.option_headers`) |
| `top-p`, `seed`, `user` | `top_p`, `seed`, `user` |
| `parallel-tool-calls` | `parallel_tool_calls` (with tools only: OpenAI rejects it without them) |
| `reasoning-blocks` | `reasoning_details` on the assistant message `continue` sends back (OpenRouter) |

What a provider cannot honour it lists in `ChatCompletionsProvider.portable_unsupported`,
each with why, and the option is refused as `unsupported` before anything is sent.
`json-schema-mode` has one value here, `native` (`response_format` is the native form);
`tool` is refused as `unsupported`.
"""

from __future__ import annotations

from typing import Any

from normalizer.values import ErrorCode
from providers.common.json_body import JsonObject
from providers.common.portable_options import REASONING_BLOCKS, PortableOptions
from providers.common.refusal import Refusal

#: `reasoning_style` values: where reasoning settings go.
EFFORT_FIELD = "reasoning_effort"
REASONING_OBJECT = "reasoning"


def apply_fields(body: JsonObject, options: PortableOptions, set_by: dict[str, str],
                 reasoning_style: str, as_headers: tuple[str, ...] = ()) -> None:
    """The body fields the options set; `set_by` records each for the conflict message
    of a native option that sets it again.  Options in `as_headers` are sent as headers
    (`Provider.option_headers`), not in the body."""
    def put(field: str, value: Any, key: str) -> None:
        if key in as_headers:
            return
        body[field] = value
        set_by[field] = f"provider option {key!r}"

    if options.json_schema_mode == "tool":
        raise Refusal("provider option 'json-schema-mode' = tool is not supported here: "
                      "response_format is this API's structured output (pass native, or "
                      "leave it unset)", ErrorCode.UNSUPPORTED)
    if options.json_schema is not None:
        put("response_format", {"type": "json_schema", "json_schema": {
            "name": options.json_schema_name, "schema": options.json_schema,
            "strict": options.json_schema_strict}}, "json-schema")
    elif options.json_mode:
        put("response_format", {"type": "json_object"}, "json-mode")
    if reasoning_style == REASONING_OBJECT:
        if options.reasoning_effort is not None and options.thinking_budget is not None:
            raise Refusal("provider options 'reasoning-effort' and 'thinking-budget' exclude "
                          "each other here: OpenRouter's reasoning takes one of them")
        if options.reasoning_effort is not None:
            put("reasoning", {"effort": options.reasoning_effort}, "reasoning-effort")
        if options.thinking_budget is not None:
            put("reasoning", {"max_tokens": options.thinking_budget}, "thinking-budget")
    elif options.reasoning_effort is not None:
        put("reasoning_effort", options.reasoning_effort, "reasoning-effort")
    if options.prompt_cache_key is not None:
        put("prompt_cache_key", options.prompt_cache_key, "prompt-cache-key")
    if options.top_p is not None:
        put("top_p", options.top_p, "top-p")
    if options.seed is not None:
        put("seed", options.seed, "seed")
    if options.user is not None:
        put("user", options.user, "user")
    if options.parallel_tool_calls is not None and body.get("tools"):
        put("parallel_tool_calls", options.parallel_tool_calls, "parallel-tool-calls")


def with_reasoning(messages: list[JsonObject], options: PortableOptions,
                   first_exchange: int) -> None:
    """`reasoning-blocks` as `reasoning_details` on the assistant message at
    `first_exchange` (the one echoing the tool calls); refused without tool results."""
    if REASONING_BLOCKS not in options.given:
        return
    if first_exchange >= len(messages):
        raise Refusal(f"provider option {REASONING_BLOCKS!r} applies to continue only (it "
                      "goes with the tool calls that the tool results answer)")
    if options.reasoning_blocks:
        messages[first_exchange] = {**messages[first_exchange],
                                    "reasoning_details": [dict(b) for b in options.reasoning_blocks]}
