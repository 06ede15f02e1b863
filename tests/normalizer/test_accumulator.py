"""The accumulator: stream events → one chat-event (message, tool request, error)."""

from __future__ import annotations

from normalizer.accumulator import Accumulator
from normalizer.values import (
    CompleteResponse,
    ErrorCode,
    Finish,
    FinishReason,
    Image,
    ImageUrl,
    LlmError,
    ResponseMetadata,
    StreamDelta,
    Text,
    ToolCall,
    ToolRequest,
    Usage,
)

CALL_A = ToolCall("call_a", "add", '{"a":1}')
CALL_B = ToolCall("call_b", "mul", '{"b":2}')


def text(s: str) -> StreamDelta:
    return StreamDelta(content=(Text(s),))


def finish(reason: FinishReason, provider_id: str | None = "resp-1") -> Finish:
    return Finish(ResponseMetadata(finish_reason=reason, usage=Usage(1, 2, 3),
                                   provider_id=provider_id))


def test_text_deltas_make_one_complete_response() -> None:
    acc = Accumulator()
    acc.add([text("Hel"), text("lo")])
    acc.add([text(", world"), finish(FinishReason.STOP)])
    result = acc.result()
    assert result == CompleteResponse(
        id="resp-1", content=(Text("Hello, world"),), tool_calls=(),
        metadata=finish(FinishReason.STOP).metadata)


def test_tool_calls_only_is_a_tool_request() -> None:
    acc = Accumulator()
    acc.add([StreamDelta(tool_calls=(CALL_A, CALL_B)), finish(FinishReason.TOOL_CALLS)])
    assert acc.result() == ToolRequest((CALL_A, CALL_B))


def test_whitespace_text_does_not_prevent_a_tool_request() -> None:
    acc = Accumulator()
    acc.add([text("\n "), StreamDelta(tool_calls=(CALL_A,)), StreamDelta(tool_calls=(CALL_B,)),
             finish(FinishReason.TOOL_CALLS)])
    assert acc.result() == ToolRequest((CALL_A, CALL_B))


def test_text_with_tool_calls_is_a_complete_response_carrying_them() -> None:
    acc = Accumulator()
    acc.add([text("Let me check."), StreamDelta(tool_calls=(CALL_A,)),
             finish(FinishReason.TOOL_CALLS)])
    result = acc.result()
    assert isinstance(result, CompleteResponse)
    assert result.content == (Text("Let me check."),)
    assert result.tool_calls == (CALL_A,)


def test_tool_calls_with_another_finish_reason_are_a_complete_response() -> None:
    acc = Accumulator()
    acc.add([StreamDelta(tool_calls=(CALL_A,)), finish(FinishReason.STOP)])
    result = acc.result()
    assert isinstance(result, CompleteResponse) and result.tool_calls == (CALL_A,)


def test_error_is_the_result() -> None:
    error = LlmError(ErrorCode.RATE_LIMIT_EXCEEDED, "slow down", "{}")
    acc = Accumulator()
    acc.add([text("partial"), error])
    assert acc.result() is error
    assert acc.text == "partial"


def test_no_terminal_event_is_a_truncation_error() -> None:
    acc = Accumulator()
    acc.add([text("partial"), StreamDelta(tool_calls=(CALL_A,))])
    result = acc.result()
    assert isinstance(result, LlmError)
    assert result.code is ErrorCode.INTERNAL_ERROR
    assert "truncated" in result.message
    assert not acc.done


def test_events_after_the_terminal_event_are_ignored() -> None:
    acc = Accumulator()
    acc.add([text("a"), finish(FinishReason.STOP), text("b"),
             LlmError(ErrorCode.UNKNOWN, "late")])
    acc.add([text("c")])
    result = acc.result()
    assert isinstance(result, CompleteResponse) and result.content == (Text("a"),)
    assert acc.done


def test_partial_answer_properties() -> None:
    acc = Accumulator()
    assert acc.text == "" and acc.tool_calls == ()
    acc.add([text("ab"), StreamDelta(tool_calls=(CALL_A,))])
    acc.add([text("c")])
    assert acc.text == "abc"
    assert acc.tool_calls == (CALL_A,)


def test_images_are_kept_in_order_between_text_runs() -> None:
    image = Image(ImageUrl("https://example.com/cat.png"))
    acc = Accumulator()
    acc.add([text("a"), text("b"), StreamDelta(content=(image, Text("c"))), text("d"),
             finish(FinishReason.STOP)])
    result = acc.result()
    assert isinstance(result, CompleteResponse)
    assert result.content == (Text("ab"), image, Text("cd"))


def test_empty_answer_has_no_content_and_missing_id_is_empty_string() -> None:
    acc = Accumulator()
    acc.add([StreamDelta(content=()), text(""), finish(FinishReason.LENGTH, provider_id=None)])
    result = acc.result()
    assert isinstance(result, CompleteResponse)
    assert result.content == () and result.id == ""
    assert result.metadata.finish_reason is FinishReason.LENGTH
