"""The metadata shape's building blocks: ordering and merging (`normalizer/provider_metadata.py`),
OpenRouter's `reasoning_details` merge (`chat_completions/reasoning.py`), refusals and the
usage details of each dialect."""

from __future__ import annotations

import json

from normalizer.anthropic_messages.completion import events_from_message
from normalizer.anthropic_messages.usage import read_usage as anthropic_usage
from normalizer.chat_completions.completion import events_from_completion
from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.chat_completions.reasoning import ReasoningDetails
from normalizer.chat_completions.usage import read_usage as chat_usage
from normalizer.provider_metadata import KEYS, metadata_json, with_keys
from normalizer.values import Finish, FinishReason, Usage
from tests.helpers import text_of


def test_absent_values_are_left_out_and_documented_keys_come_first_in_order():
    text = metadata_json({"extra": 1, "usage": {"provider_usage": {}, "total_tokens": 3,
                                                 "input_tokens": 1, "cost_usd": None},
                          "model": "m", "reasoning": "", "finish_reason": None,
                          "thinking": []})
    assert list(json.loads(text)) == ["model", "usage", "extra"]
    assert json.loads(text)["usage"] == {"input_tokens": 1, "total_tokens": 3}
    assert metadata_json({"model": None, "thinking": []}) is None


def test_zero_counts_are_said_not_dropped():
    usage = json.loads(metadata_json({"usage": {"cached_input_tokens": 0}}))["usage"]
    assert usage == {"cached_input_tokens": 0}


def test_with_keys_keeps_an_error_body_and_adds_after_it():
    body = '{"type": "error", "error": {"type": "rate_limit_error"}, "request_id": "req_body"}'
    merged = json.loads(with_keys(body, {"request_id": "req_header", "rate_limit": {"x": 1}},
                                  overwrite=False))
    assert list(merged) == ["type", "error", "request_id", "rate_limit"]
    assert merged["request_id"] == "req_body"


def test_with_keys_on_none_and_on_text_that_cannot_hold_keys():
    assert json.loads(with_keys(None, {"attempts": 2, "resumes": 0})) == {"attempts": 2, "resumes": 0}
    assert with_keys("[1, 2]", {"attempts": 2}) == "[1, 2]"
    assert with_keys("not json", {"attempts": 2}) == "not json"
    assert with_keys('{"a": 1}', {"b": None}) == '{"a": 1}'


def test_with_keys_in_documented_order():
    merged = with_keys('{"attempts": 1, "model": "m"}', {"request_id": "r"}, documented_order=True)
    assert list(json.loads(merged)) == ["model", "request_id", "attempts"]
    assert KEYS.index("request_id") < KEYS.index("attempts")


def test_reasoning_details_merge_pieces_of_one_block_and_keep_blocks_apart():
    details = ReasoningDetails()
    details.add([{"type": "reasoning.text", "text": "", "signature": "", "index": 0}])
    details.add([{"type": "reasoning.text", "text": "Think", "format": "anthropic-claude-v1", "index": 0}])
    details.add([{"type": "reasoning.text", "text": "ing.", "index": 0}])
    details.add([{"type": "reasoning.text", "signature": "sig", "index": 0}])
    details.add([{"type": "reasoning.encrypted", "data": "AAA", "index": 1},
                 {"type": "reasoning.encrypted", "data": "BBB", "index": 1}])
    details.add("not a list")
    details.add([None, 3])
    assert details.blocks() == [
        {"type": "reasoning.text", "text": "Thinking.", "signature": "sig", "index": 0,
         "format": "anthropic-claude-v1"},
        {"type": "reasoning.encrypted", "data": "AAABBB", "index": 1},
    ]


def test_a_non_streamed_refusal_is_a_content_filter_finish():
    body = {"id": "c", "created": 1, "model": "gpt-4o",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": None,
                                     "refusal": "I can't assist with that."}}]}
    events = events_from_completion(body, "OpenAI")
    finish = events[-1]
    assert isinstance(finish, Finish) and finish.metadata.finish_reason is FinishReason.CONTENT_FILTER
    assert json.loads(finish.metadata.provider_metadata_json)["refusal"] == {
        "text": "I can't assist with that."}
    assert text_of(events) == "I can't assist with that."


def test_an_anthropic_refusal_keeps_its_stop_details():
    details = {"type": "refusal", "category": "cyber"}
    body = {"type": "message", "id": "msg_1", "model": "claude", "content": [],
            "stop_reason": "refusal", "stop_details": details,
            "usage": {"input_tokens": 3, "output_tokens": 0}}
    finish = events_from_message(body, "Anthropic")[-1]
    assert finish.metadata.finish_reason is FinishReason.CONTENT_FILTER
    extra = json.loads(finish.metadata.provider_metadata_json)
    assert extra["refusal"] == {"text": "", "details": details}
    assert extra["finish_reason"] == "refusal"


def test_chat_usage_details_and_a_total_that_is_input_plus_output():
    usage = {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 999,
             "prompt_tokens_details": {"cached_tokens": 60, "cache_write_tokens": 40},
             "completion_tokens_details": {"reasoning_tokens": 4}, "cost": 0.5}
    converted, details = chat_usage(usage, ChatQuirks())
    assert converted == Usage(100, 10, 110)  # a server's inconsistent total is not passed on
    assert details["total_tokens"] == 110 and details["provider_usage"]["total_tokens"] == 999
    assert (details["cached_input_tokens"], details["cache_creation_input_tokens"],
            details["reasoning_tokens"], details["cost_usd"]) == (60, 40, 4, 0.5)


def test_chat_usage_ignores_fields_of_the_wrong_type():
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "cost": True,
             "prompt_tokens_details": "x", "completion_tokens_details": {"reasoning_tokens": "4"}}
    _, details = chat_usage(usage, ChatQuirks())
    assert details["cost_usd"] is None and details["cached_input_tokens"] is None
    assert details["reasoning_tokens"] is None


def test_anthropic_usage_details():
    usage = {"input_tokens": 5, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 20,
             "output_tokens": 50, "output_tokens_details": {"thinking_tokens": 30}}
    converted, details = anthropic_usage(usage)
    assert converted == Usage(125, 50, 175)
    assert (details["cached_input_tokens"], details["cache_creation_input_tokens"],
            details["reasoning_tokens"]) == (100, 20, 30)
