"""What a Chat Completions message or delta carries: its text and its finished tool calls.

The streamed answer (`stream`) and the whole one (`completion`) read content the same way,
so a streamed and a non-streamed answer give equal values.
"""

from __future__ import annotations

from typing import Any

from normalizer.values import ToolCall


def text_of_content(content: Any) -> str:
    """The text of a `content` value: a string, or (some servers) a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text") or ""
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def finish_tool_call(position: int, call_id: str, name: str, arguments: str) -> ToolCall:
    """A complete tool call.  Empty or whitespace-only arguments (no-argument tools stream
    `""`) become `{}` so the caller always gets a JSON object; anything else is kept raw,
    unparsed.  A call the server gave no id (Gemini-via-proxy, the legacy `function_call`)
    gets `call_<position>`, deterministic so that a replayed stream produces the same id."""
    if not arguments or arguments.isspace():
        arguments = "{}"
    return ToolCall(call_id or f"call_{position}", name, arguments)
