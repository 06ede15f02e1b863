"""A non-streamed Messages response (`"type": "message"`) as stream events.

A server or proxy may ignore `stream: true` and answer with one JSON body.  Turning that
body into the events a stream would give (text deltas, one tool-call delta, `Finish`) lets
the one accumulator produce the answer, so `send` stays "the stream, drained"; the recorded
non-streamed fixtures run through the same mapping.  The rules are the streaming
normalizer's (`metadata`, `usage`, `errors`): text blocks become text, `tool_use`
blocks become tool calls with `input` serialised as JSON (the answer tool's, text), thinking blocks go to
`provider_metadata_json`, server-tool and unknown blocks are ignored, and a 2xx body that
is an error object (`"type": "error"`) is an error.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from normalizer.anthropic_messages.errors import error_from_event
from normalizer.anthropic_messages.metadata import response_metadata
from normalizer.json_depth import loads
from normalizer.values import (
    ErrorCode,
    Finish,
    LlmError,
    StreamDelta,
    StreamEvent,
    Text,
    ToolCall,
)


def events_from_message(body: Any, label: str,
                        answer_tool: Optional[str] = None) -> list[StreamEvent]:
    """The stream events equivalent to one parsed Messages body from the provider `label`
    names; always ends with exactly one terminal event (`Finish` or `LlmError`).  A
    `tool_use` block named `answer_tool` is the answer's text (`stream.py`)."""
    if not isinstance(body, dict):
        return [LlmError(ErrorCode.INTERNAL_ERROR,
                         f"malformed {label} response: not a JSON object")]
    if body.get("type") == "error" or isinstance(body.get("error"), dict):
        return [error_from_event(body, label)]
    content = body.get("content")
    if not isinstance(content, list):
        kind = body.get("type")
        return [LlmError(ErrorCode.INTERNAL_ERROR,
                         f"malformed {label} response: no content list (type {kind!r})")]
    out: list[StreamEvent] = []
    calls: list[ToolCall] = []
    thinking: list[dict] = []
    answered = False
    for block in content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            text = block.get("text")
            if isinstance(text, str) and text:
                out.append(StreamDelta(content=(Text(text),)))
        elif kind == "tool_use" and answer_tool and block.get("name") == answer_tool:
            answered = True
            tool_input = block.get("input")
            text = "{}" if tool_input is None else json.dumps(tool_input, ensure_ascii=False)
            out.append(StreamDelta(content=(Text(text),)))
        elif kind == "tool_use":
            tool_input = block.get("input")
            arguments = "{}" if tool_input is None else json.dumps(tool_input, ensure_ascii=False)
            call_id, name = str(block.get("id") or ""), str(block.get("name") or "")
            calls.append(ToolCall(call_id, name, arguments))
        elif kind == "thinking":
            thinking.append({"type": "thinking", "thinking": block.get("thinking") or "",
                             "signature": block.get("signature") or ""})
        elif kind == "redacted_thinking":
            thinking.append({"type": "redacted_thinking", "data": block.get("data")})
        # server_tool_use, web_search_tool_result and unknown blocks: not client tool calls
    if calls:
        out.append(StreamDelta(tool_calls=tuple(calls)))
    message_id = body.get("id")
    model = body.get("model")
    stop_reason = body.get("stop_reason")
    stop_sequence = body.get("stop_sequence")
    usage = body.get("usage")
    out.append(Finish(response_metadata(
        message_id=str(message_id) if message_id else None,
        model=str(model) if model else None,
        stop_reason=str(stop_reason) if stop_reason else None,
        stop_sequence=stop_sequence if isinstance(stop_sequence, str) else None,
        usage={k: v for k, v in usage.items() if v is not None} if isinstance(usage, dict) else None,
        thinking=thinking,
        stop_details=body.get("stop_details"),
        answered_by_tool=answered and not calls,
    )))
    return out


def events_from_body(body: bytes, label: str,
                     answer_tool: Optional[str] = None) -> list[StreamEvent]:
    """`events_from_message` for the raw bytes of a 2xx `application/json` response."""
    try:
        parsed = loads(body)
    except ValueError as exc:
        return [LlmError(ErrorCode.INTERNAL_ERROR,
                         f"malformed {label} response body ({exc}): {body[:200]!r}")]
    return events_from_message(parsed, label, answer_tool)
