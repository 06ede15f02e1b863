"""A non-streamed chat-completions response (`object: "chat.completion"`) as stream events.

A server may ignore `stream: true` and answer with one JSON body.  Turning that body into the
same events a stream would give (one text delta, one tool-call delta, `Finish`) lets the
one accumulator produce the answer, so `send` stays "the stream, drained" even then; the
non-streamed fixtures run through the same path.

The metadata, usage and tool-call rules are the streaming normalizer's (`metadata`, `usage`,
`content`), so a streamed and a non-streamed answer give equal values.  The deprecated `message.function_call`
is returned as a tool call with the synthetic id `call_<position>` (it has no id of its own),
and its finish_reason `function_call` maps to TOOL_CALLS; beside `tool_calls` (llama-cpp-python
sends both spellings of one call) it is their mirror and is not read.
"""

from __future__ import annotations

import json
from typing import Any

from normalizer.chat_completions.content import finish_tool_call, text_of_content
from normalizer.chat_completions.errors import error_from_chunk, is_error_chunk
from normalizer.chat_completions.metadata import response_metadata
from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.chat_completions.reasoning_details import ReasoningDetails
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


def _tool_calls_of(message: dict) -> list[ToolCall]:
    calls: list[ToolCall] = []
    raw_calls = message.get("tool_calls")
    if isinstance(raw_calls, list):
        for raw in raw_calls:
            if not isinstance(raw, dict):
                continue
            function = raw.get("function")
            if not isinstance(function, dict):
                function = {}
            arguments = function.get("arguments")
            if arguments is None:
                arguments = ""
            elif not isinstance(arguments, str):
                arguments = json.dumps(arguments)
            calls.append(
                finish_tool_call(
                    len(calls), str(raw.get("id") or ""), str(function.get("name") or ""),
                    arguments,
                )
            )
    legacy = message.get("function_call")
    if isinstance(legacy, dict) and not calls:
        arguments = legacy.get("arguments")
        if not isinstance(arguments, str):
            arguments = "" if arguments is None else json.dumps(arguments)
        calls.append(finish_tool_call(len(calls), "", str(legacy.get("name") or ""), arguments))
    return calls


def events_from_completion(body: Any, label: str,
                           quirks: ChatQuirks = ChatQuirks()) -> list[StreamEvent]:
    """The stream events equivalent to one parsed chat-completion body from the provider
    `label` names; always ends with exactly one terminal event (`Finish` or `LlmError`)."""
    if not isinstance(body, dict):
        return [LlmError(ErrorCode.INTERNAL_ERROR, "malformed response: not a JSON object")]
    if is_error_chunk(body):
        return [error_from_chunk(body, label, quirks)]
    choices = body.get("choices")
    choice = None
    if isinstance(choices, list):
        for candidate in choices:
            if isinstance(candidate, dict) and not candidate.get("index"):
                choice = candidate
                break
    if choice is None:
        return [LlmError(ErrorCode.INTERNAL_ERROR,
                         f"malformed response: {label} returned no choices")]
    message = choice.get("message")
    if not isinstance(message, dict):
        message = {}
    out: list[StreamEvent] = []
    text = text_of_content(message.get("content"))
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal:
        text += refusal
    if text:
        out.append(StreamDelta(content=(Text(text),)))
    calls = _tool_calls_of(message)
    if calls:
        out.append(StreamDelta(tool_calls=tuple(calls)))
    raw_finish = choice.get("finish_reason")
    raw_finish = str(raw_finish) if raw_finish else None
    if raw_finish == "error" and quirks.error_finish_is_error:
        return out + [
            LlmError(ErrorCode.INTERNAL_ERROR,
                     f'{label} returned finish_reason "error" (the answer is incomplete)',
                     json.dumps({"finish_reason": "error",
                                 "native_finish_reason": choice.get("native_finish_reason")}))
        ]
    reasoning = None
    if quirks.reasoning_in_metadata:
        for key in quirks.reasoning_fields:
            value = message.get(key)
            if isinstance(value, str) and value:
                reasoning = value
                break
    details: list = []
    if quirks.reasoning_details_in_metadata:
        collected = ReasoningDetails()
        collected.add(message.get("reasoning_details"))
        details = collected.details()
    native = choice.get("native_finish_reason")
    usage = body.get("usage")
    out.append(Finish(response_metadata(
        body,
        raw_finish=raw_finish,
        usage=usage if isinstance(usage, dict) else None,
        quirks=quirks,
        native_finish=str(native) if native is not None else None,
        reasoning=reasoning,
        reasoning_details=details,
    )))
    return out


def events_from_body(body: bytes, label: str,
                     quirks: ChatQuirks = ChatQuirks()) -> list[StreamEvent]:
    """`events_from_completion` for the raw bytes of a 2xx `application/json` response."""
    try:
        parsed = loads(body)
    except ValueError as exc:
        return [LlmError(ErrorCode.INTERNAL_ERROR,
                         f"malformed {label} response body ({exc}): {body[:200]!r}")]
    return events_from_completion(parsed, label, quirks)
