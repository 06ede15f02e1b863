"""The `continue` echo: the assistant's `tool_use` blocks, then the user's `tool_result` blocks.

The Messages API is stateless and strict about tool turns (reference/providers.md §2.2):
every `tool_use` block of an assistant turn must be answered by a `tool_result` block, with
the same id, in the very next (user) turn, and those results must come first in it.  So
`continue` appends exactly two turns:

1. assistant: one `tool_use` block per call, in the caller's order (`id`, `name`, and
   `input`, the parsed `arguments-json`, which must be a JSON object: the API takes the
   input as an object, never as a string; empty arguments mean `{}`);
2. user: one `tool_result` block per call, in the same order.  A success's `content` is its
   `result-json` text as given (the model reads it; empty results leave `content` out); a
   failure sets `is_error: true`, with the error message (and its code, when there is one)
   as the content, which is what the API's error flag is for.

The result is paired with its call by position in golem:llm's `(tool-call, tool-result)`
tuples, so `tool_use_id` is always the call's id.  When the conversation already ends with an
assistant turn, merging (`messages.merge_turns`) puts its text before the `tool_use` blocks,
which is exactly the turn the model produced; when it ends with a user turn, the appended
assistant turn keeps the alternation.
"""

from __future__ import annotations

from typing import Sequence

from normalizer.json_depth import JsonTooDeep
from normalizer.values import ToolCall, ToolResult, ToolSuccess
from providers.common.refusal import Refusal
from providers.common.json_body import JsonObject, loads_strict


def tool_exchange_turns(tool_results: Sequence[tuple[ToolCall, ToolResult]]) -> list[JsonObject]:
    """The two turns appended for `continue`; [] when there are no tool results."""
    if not tool_results:
        return []
    uses: list[JsonObject] = []
    results: list[JsonObject] = []
    for index, (call, result) in enumerate(tool_results):
        tool_input = parse_arguments(call, index)
        uses.append({"type": "tool_use", "id": call.id, "name": call.name, "input": tool_input})
        results.append(tool_result_block(call, result))
    return [{"role": "assistant", "content": uses}, {"role": "user", "content": results}]


def parse_arguments(call: ToolCall, index: int) -> JsonObject:
    """The call's arguments as the JSON object `tool_use.input` needs; anything else is
    refused."""
    text = call.arguments_json
    if not text.strip():
        return {}
    where = f"tool result {index} (call {call.id!r}, {call.name!r})"
    try:
        value = loads_strict(text)
    except JsonTooDeep as exc:
        raise Refusal(f"{where}: arguments-json has {exc}") from exc
    except ValueError as exc:
        raise Refusal(f"{where}: arguments-json is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise Refusal(
            f"{where}: arguments-json must be a JSON object, got {type(value).__name__}")
    return value


def tool_result_block(call: ToolCall, result: ToolResult) -> JsonObject:
    """One `tool_result` block answering `call`."""
    block: JsonObject = {"type": "tool_result", "tool_use_id": call.id}
    if isinstance(result, ToolSuccess):
        if result.result_json:
            block["content"] = result.result_json
        return block
    text = result.error_message or "the tool failed"
    if result.error_code:
        text += f" (error code: {result.error_code})"
    block["content"] = text
    block["is_error"] = True
    return block
