"""Translate between componentize-py's generated golem:llm bindings and the engine's values.

Only the component imports this module (the bindings package `wit_world` exists only inside
a build).  Inputs (messages, config, tool results) are converted in; outputs (chat-event,
stream events) out.  Keeping the translation in one place lets the engine stay free of
generated types, so it runs natively in tests and benchmarks.
"""

from __future__ import annotations

from typing import Optional, Sequence

from wit_world.exports import llm as w

from normalizer import values as v

# Enum members correspond by value name: both sides spell the WIT case names.
_ROLE_IN = {w.Role.USER: v.Role.USER, w.Role.ASSISTANT: v.Role.ASSISTANT,
            w.Role.SYSTEM: v.Role.SYSTEM, w.Role.TOOL: v.Role.TOOL}
_DETAIL_IN = {w.ImageDetail.LOW: v.ImageDetail.LOW, w.ImageDetail.HIGH: v.ImageDetail.HIGH,
              w.ImageDetail.AUTO: v.ImageDetail.AUTO}
_DETAIL_OUT = {b: a for a, b in _DETAIL_IN.items()}
_CODE_OUT = {
    v.ErrorCode.INVALID_REQUEST: w.ErrorCode.INVALID_REQUEST,
    v.ErrorCode.AUTHENTICATION_FAILED: w.ErrorCode.AUTHENTICATION_FAILED,
    v.ErrorCode.RATE_LIMIT_EXCEEDED: w.ErrorCode.RATE_LIMIT_EXCEEDED,
    v.ErrorCode.INTERNAL_ERROR: w.ErrorCode.INTERNAL_ERROR,
    v.ErrorCode.UNSUPPORTED: w.ErrorCode.UNSUPPORTED,
    v.ErrorCode.UNKNOWN: w.ErrorCode.UNKNOWN,
}
_FINISH_OUT = {
    v.FinishReason.STOP: w.FinishReason.STOP,
    v.FinishReason.LENGTH: w.FinishReason.LENGTH,
    v.FinishReason.TOOL_CALLS: w.FinishReason.TOOL_CALLS,
    v.FinishReason.CONTENT_FILTER: w.FinishReason.CONTENT_FILTER,
    v.FinishReason.ERROR: w.FinishReason.ERROR,
    v.FinishReason.OTHER: w.FinishReason.OTHER,
}


# ---- into the engine ----------------------------------------------------------------------

def _detail_in(detail: Optional[w.ImageDetail]) -> Optional[v.ImageDetail]:
    return None if detail is None else _DETAIL_IN[detail]


def content_part_in(part: w.ContentPart) -> v.ContentPart:
    if isinstance(part, w.ContentPart_Text):
        return v.Text(part.value)
    ref = part.value
    if isinstance(ref, w.ImageReference_Url):
        return v.Image(v.ImageUrl(ref.value.url, _detail_in(ref.value.detail)))
    src = ref.value
    return v.Image(v.ImageSource(bytes(src.data), src.mime_type, _detail_in(src.detail)))


def message_in(message: w.Message) -> v.Message:
    return v.Message(
        role=_ROLE_IN[message.role],
        content=tuple(content_part_in(p) for p in message.content),
        name=message.name,
    )


def messages_in(messages: Sequence[w.Message]) -> tuple[v.Message, ...]:
    return tuple(message_in(m) for m in messages)


def config_in(config: w.Config) -> v.Config:
    stops = config.stop_sequences
    return v.Config(
        model=config.model,
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        stop_sequences=None if stops is None else tuple(stops),
        tools=tuple(v.ToolDefinition(t.name, t.parameters_schema, t.description)
                    for t in config.tools),
        tool_choice=config.tool_choice,
        provider_options=tuple(v.Kv(kv.key, kv.value) for kv in config.provider_options),
    )


def tool_call_in(call: w.ToolCall) -> v.ToolCall:
    return v.ToolCall(call.id, call.name, call.arguments_json)


def tool_result_in(result: w.ToolResult) -> v.ToolResult:
    r = result.value
    if isinstance(result, w.ToolResult_Success):
        return v.ToolSuccess(r.id, r.name, r.result_json, r.execution_time_ms)
    return v.ToolFailure(r.id, r.name, r.error_message, r.error_code)


def tool_pairs_in(pairs: Sequence[tuple[w.ToolCall, w.ToolResult]]
                  ) -> tuple[tuple[v.ToolCall, v.ToolResult], ...]:
    return tuple((tool_call_in(c), tool_result_in(r)) for c, r in pairs)


# ---- out of the engine --------------------------------------------------------------------

def content_part_out(part: v.ContentPart) -> w.ContentPart:
    if isinstance(part, v.Text):
        return w.ContentPart_Text(part.text)
    ref = part.reference
    detail = None if ref.detail is None else _DETAIL_OUT[ref.detail]
    if isinstance(ref, v.ImageUrl):
        return w.ContentPart_Image(w.ImageReference_Url(w.ImageUrl(ref.url, detail)))
    return w.ContentPart_Image(
        w.ImageReference_Inline(w.ImageSource(ref.data, ref.mime_type, detail)))


def tool_call_out(call: v.ToolCall) -> w.ToolCall:
    return w.ToolCall(call.id, call.name, call.arguments_json)


def error_out(error: v.LlmError) -> w.Error:
    return w.Error(_CODE_OUT[error.code], error.message, error.provider_error_json)


def metadata_out(meta: v.ResponseMetadata) -> w.ResponseMetadata:
    usage = meta.usage
    return w.ResponseMetadata(
        finish_reason=None if meta.finish_reason is None else _FINISH_OUT[meta.finish_reason],
        usage=None if usage is None else w.Usage(usage.input_tokens, usage.output_tokens,
                                                 usage.total_tokens),
        provider_id=meta.provider_id,
        timestamp=meta.timestamp,
        provider_metadata_json=meta.provider_metadata_json,
    )


def chat_event_out(event: v.ChatEvent) -> w.ChatEvent:
    if isinstance(event, v.LlmError):
        return w.ChatEvent_Error(error_out(event))
    if isinstance(event, v.ToolRequest):
        return w.ChatEvent_ToolRequest([tool_call_out(c) for c in event.tool_calls])
    return w.ChatEvent_Message(w.CompleteResponse(
        id=event.id,
        content=[content_part_out(p) for p in event.content],
        tool_calls=[tool_call_out(c) for c in event.tool_calls],
        metadata=metadata_out(event.metadata),
    ))


def stream_event_out(event: v.StreamEvent) -> w.StreamEvent:
    if isinstance(event, v.StreamDelta):
        return w.StreamEvent_Delta(w.StreamDelta(
            content=None if event.content is None
            else [content_part_out(p) for p in event.content],
            tool_calls=None if event.tool_calls is None
            else [tool_call_out(c) for c in event.tool_calls],
        ))
    if isinstance(event, v.Finish):
        return w.StreamEvent_Finish(metadata_out(event.metadata))
    return w.StreamEvent_Error(error_out(event))


def stream_events_out(events: Sequence[v.StreamEvent]) -> list[w.StreamEvent]:
    return [stream_event_out(e) for e in events]
