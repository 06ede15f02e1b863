"""The reasoning round trip, natively: recorded thinking + tool-call answers decoded, kept
by tool-call id in an instance's memory (providers/reasoning_memory.py), and sent back by
`continue`, block by block, where each API wants them."""

from __future__ import annotations

import json

import pytest

from normalizer.accumulator import Accumulator
from normalizer.values import (
    CompleteResponse,
    Config,
    ErrorCode,
    Finish,
    Kv,
    LlmError,
    Message,
    ResponseMetadata,
    Role,
    Text,
    ToolCall,
    ToolDefinition,
    ToolRequest,
    ToolSuccess,
)
from providers.common.portable_options import REASONING_BLOCKS
from providers.reasoning_memory import ReasoningMemory, blocks_in
from providers.registry import PROVIDERS
from providers.response_decoder import ResponseDecoder
from tests.helpers import REAL_FIXTURES, key_env

ASK = (Message(Role.USER, (Text("What's the weather in Florence, Italy?"),)),)
WEATHER = ToolDefinition("weather", '{"type":"object","properties":{"location":{"type":"string"}}}')


def recorded(provider: str, case: str) -> tuple[list, dict]:
    """The recorded answer decoded as the engine decodes it, and its raw JSON parts."""
    folder = REAL_FIXTURES / provider / case
    if not folder.is_dir():
        pytest.skip(f"recorded fixture {case} not present at {folder}")
    meta = json.loads((folder / "response.meta.json").read_text())
    body = (folder / "response.body").read_bytes()
    decoder = ResponseDecoder(PROVIDERS[provider], meta["status"],
                              meta["headers"].get("content-type", ""), {})
    events = []
    for start in range(0, len(body), 97):  # uneven pieces, as a network gives them
        events += decoder.feed(body[start:start + 97])
    events += decoder.end()
    return events, meta


def answer_of(provider: str, events: list) -> CompleteResponse:
    accumulator = Accumulator()
    accumulator.add(events)
    finish = next(e for e in events if isinstance(e, Finish))
    keep = bool(blocks_in(finish.metadata, PROVIDERS[provider].reasoning_echo_key))
    answer = accumulator.result(keep_metadata=keep)
    assert isinstance(answer, CompleteResponse), answer
    return answer


def continue_body(provider: str, memory: ReasoningMemory, calls, config: Config) -> dict:
    pairs = tuple((c, ToolSuccess(c.id, c.name, '"40 C"')) for c in calls)
    config = memory.config_for_continue(config, pairs)
    request = PROVIDERS[provider].chat_request(ASK, config, key_env(provider, "k"), pairs)
    assert not isinstance(request, LlmError), request
    return json.loads(request.body)


# ---- Anthropic ---------------------------------------------------------------------------

def test_anthropic_recorded_thinking_tool_use_is_sent_back_first_in_the_assistant_turn():
    events, _ = recorded("anthropic", "fantasy-sonnet-4-thinking-tool-use")
    raw = json.loads((REAL_FIXTURES / "anthropic" / "fantasy-sonnet-4-thinking-tool-use"
                      / "response.body").read_text())
    answer = answer_of("anthropic", events)
    memory = ReasoningMemory("thinking")
    memory.learn_event(answer)

    sent = continue_body("anthropic", memory, answer.tool_calls,
                         Config(model="claude-sonnet-4-20250514", tools=(WEATHER,)))

    assistant, results = sent["messages"][-2:]
    # Block by block, the assistant turn is the recorded content: thinking (text and
    # signature unchanged), then the tool_use with the same id and input.
    thinking, use = raw["content"]
    assert assistant["role"] == "assistant"
    assert assistant["content"] == [thinking, {k: use[k] for k in ("type", "id", "name", "input")}]
    assert results["content"][0]["tool_use_id"] == raw["content"][1]["id"]
    assert REASONING_BLOCKS not in json.dumps(sent)  # the option is not a body field


def test_anthropic_streamed_thinking_is_rebuilt_whole():
    """llm-thinking-stream: thinking deltas and a signature delta, then text."""
    events, _ = recorded("anthropic", "llm-thinking-stream")
    body = (REAL_FIXTURES / "anthropic" / "llm-thinking-stream" / "response.body").read_text()
    thinking, signature = [], []
    for line in body.splitlines():
        if line.startswith("data:"):
            delta = json.loads(line[5:]).get("delta", {})
            thinking.append(delta.get("thinking", "")) if delta.get("type") == "thinking_delta" else None
            signature.append(delta.get("signature", "")) if delta.get("type") == "signature_delta" else None
    finish = next(e for e in events if isinstance(e, Finish))
    assert blocks_in(finish.metadata, "thinking") == [
        {"type": "thinking", "thinking": "".join(thinking), "signature": "".join(signature)}]


def test_an_assistant_text_before_the_tool_calls_comes_after_the_thinking():
    thinking = {"type": "thinking", "thinking": "Plan.", "signature": "sig"}
    call = ToolCall("toolu_1", "weather", '{"location": "Oslo"}')
    said = Message(Role.ASSISTANT, (Text("Let me check."),))
    config = Config(model="m", tools=(WEATHER,),
                    provider_options=(Kv(REASONING_BLOCKS, json.dumps([thinking])),))
    request = PROVIDERS["anthropic"].chat_request(
        (*ASK, said), config, key_env("anthropic", "k"),
        ((call, ToolSuccess("toolu_1", "weather", "3")),))
    content = json.loads(request.body)["messages"][-2]["content"]
    assert [b["type"] for b in content] == ["thinking", "text", "tool_use"]


@pytest.mark.parametrize("blocks", [[{"type": "text", "text": "x"}],
                                    [{"type": "thinking", "thinking": "x"}],
                                    [{"type": "redacted_thinking"}], {"type": "thinking"}])
def test_blocks_the_api_would_not_take_back_are_invalid(blocks):
    call = ToolCall("toolu_1", "weather", "{}")
    config = Config(model="m", provider_options=(Kv(REASONING_BLOCKS, json.dumps(blocks)),))
    error = PROVIDERS["anthropic"].chat_request(
        ASK, config, key_env("anthropic", "k"), ((call, ToolSuccess("toolu_1", "weather", "3")),))
    assert isinstance(error, LlmError) and error.code is ErrorCode.INVALID_REQUEST
    assert REASONING_BLOCKS in error.message


@pytest.mark.parametrize("provider", ["anthropic", "openrouter"])
def test_reasoning_blocks_without_tool_results_are_refused(provider):
    config = Config(model="m", provider_options=(Kv(REASONING_BLOCKS, "[]"),))
    error = PROVIDERS[provider].chat_request(ASK, config, key_env(provider, "k"))
    assert isinstance(error, LlmError) and "continue only" in error.message


@pytest.mark.parametrize("provider", ["openai", "grok"])
def test_providers_that_take_no_reasoning_back_refuse_the_option(provider):
    call = ToolCall("c1", "weather", "{}")
    config = Config(model="m", provider_options=(Kv(REASONING_BLOCKS, "[]"),))
    error = PROVIDERS[provider].chat_request(
        ASK, config, key_env(provider, "k"), ((call, ToolSuccess("c1", "weather", "3")),))
    assert isinstance(error, LlmError) and error.code is ErrorCode.UNSUPPORTED


# ---- OpenRouter --------------------------------------------------------------------------

def test_openrouter_recorded_reasoning_details_are_joined_and_sent_back_with_the_calls():
    events, _ = recorded("openrouter", "fantasy-anthropic-thinking-tool-call-stream")
    body = (REAL_FIXTURES / "openrouter" / "fantasy-anthropic-thinking-tool-call-stream"
            / "response.body").read_text()
    pieces = [d for line in body.splitlines() if line.startswith("data: {")
              for c in json.loads(line[6:]).get("choices", [])
              for d in (c.get("delta") or {}).get("reasoning_details") or []]
    expected = {"type": "reasoning.text", "format": "anthropic-claude-v1", "index": 0,
                "text": "".join(p.get("text", "") for p in pieces),
                "signature": next(p["signature"] for p in pieces if p.get("signature"))}

    answer = answer_of("openrouter", events)
    assert blocks_in(answer.metadata, "reasoning_details") == [expected]
    memory = ReasoningMemory("reasoning_details")
    memory.learn_event(answer)
    sent = continue_body("openrouter", memory, answer.tool_calls,
                         Config(model="anthropic/claude-haiku-4.5", tools=(WEATHER,)))
    assistant = sent["messages"][-2]
    assert assistant["role"] == "assistant"
    assert [c["id"] for c in assistant["tool_calls"]] == [c.id for c in answer.tool_calls]
    assert assistant["reasoning_details"] == [expected]
    assert sent["messages"][-1]["role"] == "tool"


# ---- the memory --------------------------------------------------------------------------

def _meta(blocks) -> ResponseMetadata:
    return ResponseMetadata(provider_metadata_json=json.dumps({"thinking": blocks}))


def test_memory_recalls_by_any_call_of_the_answer_once_and_forgets_the_oldest():
    memory = ReasoningMemory("thinking", limit=2)
    a, b = ToolCall("a1", "t", "{}"), ToolCall("a2", "t", "{}")
    memory.learn((a, b), _meta([{"n": 1}]))
    assert memory.recall([b]) == [{"n": 1}]
    assert memory.recall([a, b]) == [{"n": 1}]  # one answer's blocks, once
    memory.learn((ToolCall("b1", "t", "{}"),), _meta([{"n": 2}]))
    memory.learn((ToolCall("c1", "t", "{}"),), _meta([{"n": 3}]))
    assert memory.recall([a]) == []  # beyond the limit
    assert memory.recall([ToolCall("c1", "t", "{}")]) == [{"n": 3}]


def test_memory_learns_nothing_from_answers_without_tool_calls_or_reasoning():
    memory = ReasoningMemory("thinking")
    memory.learn((), _meta([{"n": 1}]))
    memory.learn((ToolCall("a", "t", "{}"),), ResponseMetadata())
    memory.learn_event(ToolRequest((ToolCall("b", "t", "{}"),)))
    assert memory.recall([ToolCall("a", "t", "{}"), ToolCall("b", "t", "{}")]) == []


def test_the_callers_option_wins_over_the_memory():
    memory = ReasoningMemory("thinking")
    call = ToolCall("a", "t", "{}")
    memory.learn((call,), _meta([{"n": 1}]))
    theirs = Config(model="m", provider_options=(Kv(REASONING_BLOCKS, "[]"),))
    assert memory.config_for_continue(theirs, ((call, ToolSuccess("a", "t", "1")),)) == theirs
    mine = memory.config_for_continue(Config(model="m"), ((call, ToolSuccess("a", "t", "1")),))
    assert mine.provider_options == (Kv(REASONING_BLOCKS, '[{"n": 1}]'),)


def test_a_stream_watcher_learns_at_the_finish():
    memory = ReasoningMemory("thinking")
    events, _ = recorded("anthropic", "fantasy-sonnet-4-thinking-tool-use")
    watcher = memory.watcher()
    watcher.observe(events[:-1])
    calls = [c for e in events for c in (getattr(e, "tool_calls", None) or ())]
    assert memory.recall(calls) == []
    watcher.observe(events[-1:])
    assert memory.recall(calls)[0]["type"] == "thinking"


def test_a_thinking_tool_request_is_a_whole_message_so_the_metadata_survives():
    call = ToolCall("a", "t", "{}")
    from normalizer.values import FinishReason, StreamDelta
    finish = Finish(ResponseMetadata(finish_reason=FinishReason.TOOL_CALLS))
    accumulator = Accumulator()
    accumulator.add([StreamDelta(tool_calls=(call,)), finish])
    assert accumulator.result() == ToolRequest((call,))
    assert isinstance(accumulator.result(keep_metadata=True), CompleteResponse)
