"""The `continue` echo: the assistant's tool calls, then one `tool` message per result.

Chat Completions is stateless, so the model only sees its own tool calls if the request
repeats them: one assistant message holding every call (as the API itself produced them in
one turn), followed by a `tool` message for each call, in the caller's order.  Every call
needs an answer, or the API rejects the request.  The wire has no error flag on a tool
result, so a failure becomes text the model can read and react to.

The assistant turn carries `content: ""`.  OpenAI accepts null, "" or no field there, but
strict OpenAI-compatible servers do not: llama-cpp-python's request validation rejects null
(HTTP 500) and its chat template fails on a missing field (HTTP 200 with an empty stream;
both recorded in tests/fixtures/llama_cpp/).  "" is what every server accepts, and what
common OpenAI clients send for a turn that is only tool calls.
"""

from __future__ import annotations

from typing import Sequence

from normalizer.values import ToolCall, ToolResult, ToolSuccess
from providers.common.json_body import JsonObject


def tool_exchange_messages(tool_results: Sequence[tuple[ToolCall, ToolResult]]) -> list[JsonObject]:
    """The messages appended after the conversation for `continue`; [] when there are none."""
    if not tool_results:
        return []
    calls = [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments_json},
        }
        for call, _ in tool_results
    ]
    exchange: list[JsonObject] = [{"role": "assistant", "content": "", "tool_calls": calls}]
    for call, result in tool_results:
        exchange.append({"role": "tool", "tool_call_id": call.id, "content": tool_result_text(result)})
    return exchange


def tool_result_text(result: ToolResult) -> str:
    """A success's JSON as-is; a failure as `Error: <message>` plus `(code: X)` when coded."""
    if isinstance(result, ToolSuccess):
        return result.result_json
    text = f"Error: {result.error_message}"
    if result.error_code:
        text += f" (code: {result.error_code})"
    return text
