"""Anthropic Messages request building: body, URL, headers, turns and refusals.

Every refusal test also checks that no request was produced, since "no request is sent" is
the contract (providers/provider.py).
"""

from __future__ import annotations

import base64
import json
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.values import (
    Config,
    ErrorCode,
    Image,
    ImageDetail,
    ImageSource,
    ImageUrl,
    Kv,
    LlmError,
    Message,
    Role,
    Text,
    ToolCall,
    ToolDefinition,
    ToolFailure,
    ToolSuccess,
)
from providers.anthropic import PROVIDER
from providers.provider import HttpRequest
from tests.helpers import key_env

KEY = "sk-ant-api03-test-0123456789abcdef"
ENV = key_env("anthropic", KEY)
HI = (Message(Role.USER, (Text("hi"),)),)
WEATHER = ToolDefinition(
    name="weather",
    description="Get the weather",
    parameters_schema='{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}',
)
CLOCK = ToolDefinition(name="clock", parameters_schema="")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def config(**fields: Any) -> Config:
    return Config(**{"model": "claude-sonnet-4-5", **fields})


def request_for(messages=HI, cfg: Optional[Config] = None, env=ENV, tool_results=()) -> HttpRequest:
    result = PROVIDER.chat_request(messages, cfg or config(), env, tool_results)
    assert isinstance(result, HttpRequest), result
    return result


def body_for(messages=HI, cfg: Optional[Config] = None, tool_results=()) -> dict[str, Any]:
    return json.loads(request_for(messages, cfg, tool_results=tool_results).body)


def refusal_for(messages=HI, cfg: Optional[Config] = None, env=ENV, tool_results=()) -> LlmError:
    result = PROVIDER.chat_request(messages, cfg or config(), env, tool_results)
    assert isinstance(result, LlmError), f"expected a refusal, got a request: {result}"
    return result


def invalid(messages=HI, cfg: Optional[Config] = None, tool_results=()) -> str:
    error = refusal_for(messages, cfg, tool_results=tool_results)
    assert error.code is ErrorCode.INVALID_REQUEST, error
    return error.message


def user(*parts: Any, name: Optional[str] = None) -> Message:
    return Message(Role.USER, tuple(Text(p) if isinstance(p, str) else p for p in parts), name)


def assistant(*parts: Any, name: Optional[str] = None) -> Message:
    return Message(Role.ASSISTANT, tuple(Text(p) if isinstance(p, str) else p for p in parts), name)


def system(*texts: str, name: Optional[str] = None) -> Message:
    return Message(Role.SYSTEM, tuple(Text(t) for t in texts), name)


def text_turn(role: str, *texts: str) -> dict:
    return {"role": role, "content": [{"type": "text", "text": t} for t in texts]}


# --- URL, headers, key ----------------------------------------------------------------------


def test_minimal_request() -> None:
    request = request_for()
    assert request.method == "POST"
    assert request.url == "https://api.anthropic.com/v1/messages"
    assert request.headers == (
        ("x-api-key", KEY),
        ("anthropic-version", "2023-06-01"),
        ("content-type", "application/json"),
        ("accept", "text/event-stream"),
        ("User-Agent", "golem-llm-py/0.1.0 (anthropic)"),
    )
    assert json.loads(request.body) == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 4096,
        "messages": [text_turn("user", "hi")],
        "stream": True,
    }


@pytest.mark.parametrize(("base", "url"), [
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/messages"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1/messages"),
    ("  https://proxy.example/anthropic  ", "https://proxy.example/anthropic/v1/messages"),
    ("", "https://api.anthropic.com/v1/messages"),
])
def test_base_url_override(base: str, url: str) -> None:
    assert request_for(env={**ENV, "ANTHROPIC_BASE_URL": base}).url == url


def test_the_environment_is_read_per_call() -> None:
    first = request_for(env={"ANTHROPIC_API_KEY": "k1", "ANTHROPIC_BASE_URL": "http://a"})
    second = request_for(env={"ANTHROPIC_API_KEY": "k2"})
    assert (first.url, dict(first.headers)["x-api-key"]) == ("http://a/v1/messages", "k1")
    assert (second.url, dict(second.headers)["x-api-key"]) == ("https://api.anthropic.com/v1/messages", "k2")


@pytest.mark.parametrize("env", [{}, {"ANTHROPIC_API_KEY": ""}, {"ANTHROPIC_API_KEY": "  \n"},
                                 {"OPENAI_API_KEY": "sk-wrong-provider"}])
def test_missing_key_is_an_authentication_error_naming_the_variable(env: dict) -> None:
    error = refusal_for(env=env)
    assert error.code is ErrorCode.AUTHENTICATION_FAILED
    assert "ANTHROPIC_API_KEY" in error.message


def test_key_is_stripped() -> None:
    request = request_for(env={"ANTHROPIC_API_KEY": f"  {KEY}\n"})
    assert dict(request.headers)["x-api-key"] == KEY


def test_body_is_compact_utf8_json() -> None:
    request = request_for((user("Olá 世界 🎉"),))
    assert "Olá 世界 🎉".encode() in request.body
    assert b", " not in request.body and b": " not in request.body


def test_text_that_cannot_be_encoded_is_refused() -> None:
    assert "cannot be encoded" in invalid((user("lone \ud800 surrogate"),))


# --- config fields --------------------------------------------------------------------------


def test_config_fields() -> None:
    body = body_for(cfg=config(temperature=0.2, max_tokens=300, stop_sequences=("END", "\n\nHuman:")))
    assert body["max_tokens"] == 300
    assert body["temperature"] == 0.2
    assert body["stop_sequences"] == ["END", "\n\nHuman:"]
    assert list(body) == ["model", "max_tokens", "messages", "temperature", "stop_sequences", "stream"]


def test_empty_stop_sequences_are_left_out() -> None:
    assert "stop_sequences" not in body_for(cfg=config(stop_sequences=()))


@pytest.mark.parametrize("temperature", [1.5, -0.1, float("nan"), float("inf")])
def test_temperature_outside_anthropic_range_is_refused(temperature: float) -> None:
    assert "between 0 and 1" in invalid(cfg=config(temperature=temperature))


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_temperature_bounds_are_accepted(temperature: float) -> None:
    assert body_for(cfg=config(temperature=temperature))["temperature"] == temperature


def test_max_tokens_from_option_when_config_leaves_it_unset() -> None:
    body = body_for(cfg=config(provider_options=(Kv("max_tokens", "64000"),)))
    assert body["max_tokens"] == 64000


def test_thinking_budget_raises_the_default_max_tokens() -> None:
    thinking = Kv("thinking", '{"type": "enabled", "budget_tokens": 8000}')
    body = body_for(cfg=config(provider_options=(thinking,)))
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 8000}
    assert body["max_tokens"] == 8000 + 4096
    small = Kv("thinking", '{"type": "enabled", "budget_tokens": 1024}')
    assert body_for(cfg=config(provider_options=(small,)))["max_tokens"] == 4096
    explicit = body_for(cfg=config(max_tokens=9000, provider_options=(thinking,)))
    assert explicit["max_tokens"] == 9000


# --- system -------------------------------------------------------------------------------


def test_system_messages_go_to_the_top_level_field_joined_in_order() -> None:
    body = body_for((system("You are terse."), user("hi"), system("Answer in Portuguese.", "No emoji."),
                     assistant("Oi")))
    assert body["system"] == "You are terse.\n\nAnswer in Portuguese.\n\nNo emoji."
    assert [turn["role"] for turn in body["messages"]] == ["user", "assistant"]


def test_blank_system_messages_add_nothing_and_names_are_dropped() -> None:
    body = body_for((system("  "), system("Be nice.", name="ops"), user("hi")))
    assert body["system"] == "Be nice."
    assert "system" not in body_for((system(""), user("hi")))


def test_image_in_system_message_is_refused() -> None:
    message = Message(Role.SYSTEM, (Image(ImageUrl("https://example.com/a.png")),))
    assert "system" in invalid((message, user("hi")))


def test_only_system_messages_is_refused() -> None:
    assert "at least one" in invalid((system("You are terse."),))
    assert "at least one" in invalid(())


# --- turns --------------------------------------------------------------------------------


def test_consecutive_same_role_messages_are_merged() -> None:
    body = body_for((user("one"), user("two"), assistant("three"), assistant("four"), user("five")))
    assert body["messages"] == [
        text_turn("user", "one", "two"),
        text_turn("assistant", "three", "four"),
        text_turn("user", "five"),
    ]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([Role.USER, Role.ASSISTANT, Role.SYSTEM, Role.TOOL]), min_size=1,
                max_size=12))
def test_any_role_sequence_gives_alternating_turns_and_keeps_every_text(roles: list[Role]) -> None:
    messages = tuple(Message(role, (Text(f"m{i}"),)) for i, role in enumerate(roles))
    result = PROVIDER.chat_request(messages, config(), ENV)
    if all(role is Role.SYSTEM for role in roles):
        assert isinstance(result, LlmError)
        return
    turns = json.loads(result.body)["messages"]
    assert all(a["role"] != b["role"] for a, b in zip(turns, turns[1:]))
    sent = [block["text"] for turn in turns for block in turn["content"]]
    expected = [f"[tool result]: m{i}" if role is Role.TOOL else f"m{i}"
                for i, role in enumerate(roles) if role is not Role.SYSTEM]
    assert sent == expected


def test_empty_and_whitespace_text_is_left_out_and_empty_messages_dropped() -> None:
    body = body_for((user("", "hi", " \n"), assistant(""), user("again")))
    assert body["messages"] == [text_turn("user", "hi", "again")]


def test_names_become_speaker_labels() -> None:
    body = body_for((user("hi", name="alice"), assistant("hello", name="bot"), user("x", name="")))
    assert body["messages"] == [
        text_turn("user", "[alice]: hi"),
        text_turn("assistant", "[bot]: hello"),
        text_turn("user", "x"),
    ]


def test_name_before_a_message_that_starts_with_an_image() -> None:
    body = body_for((user(Image(ImageUrl("https://example.com/cat.png")), "what is it?", name="bob"),))
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "[bob]:"},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}},
        {"type": "text", "text": "what is it?"},
    ]


def test_tool_role_messages_become_labelled_user_text() -> None:
    body = body_for((user("weather?"), Message(Role.TOOL, (Text('{"temp": 21}'),), "call_1"),
                     Message(Role.TOOL, (Text("sunny"),))))
    assert body["messages"] == [
        text_turn("user", "weather?", '[tool result call_1]: {"temp": 21}', "[tool result]: sunny")]


def test_trailing_assistant_prefill_loses_trailing_whitespace() -> None:
    body = body_for((user("Count to 3"), assistant("1, 2,  \n")))
    assert body["messages"][-1] == text_turn("assistant", "1, 2,")
    # not when it is not last
    body = body_for((user("a"), assistant("b "), user("c")))
    assert body["messages"][1] == text_turn("assistant", "b ")


def test_a_bad_content_part_is_an_internal_error_not_an_exception() -> None:
    error = refusal_for((Message(Role.USER, (object(),)),))  # type: ignore[arg-type]
    assert error.code is ErrorCode.INTERNAL_ERROR and KEY not in error.message


# --- images -------------------------------------------------------------------------------


def test_image_url_and_inline_bytes() -> None:
    body = body_for((user("Describe", Image(ImageUrl("https://example.com/a.jpg", ImageDetail.HIGH)),
                          Image(ImageSource(PNG, "image/png", ImageDetail.LOW))),))
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "Describe"},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.jpg"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                     "data": base64.b64encode(PNG).decode()}},
    ]


@pytest.mark.parametrize(("given_type", "sent"), [
    ("image/jpeg", "image/jpeg"), ("image/png", "image/png"), ("image/gif", "image/gif"),
    ("image/webp", "image/webp"), ("IMAGE/PNG", "image/png"), ("image/jpg", "image/jpeg"),
    (" image/webp ", "image/webp"),
])
def test_accepted_media_types(given_type: str, sent: str) -> None:
    body = body_for((user(Image(ImageSource(b"\x00\x01", given_type))),))
    assert body["messages"][0]["content"][0]["source"]["media_type"] == sent


@pytest.mark.parametrize("mime", ["image/bmp", "image/svg+xml", "application/pdf", "image/heic", "",
                                  "png"])
def test_other_media_types_are_refused_before_any_request(mime: str) -> None:
    message = invalid((user(Image(ImageSource(PNG, mime))),))
    assert "image/jpeg, image/png, image/gif, image/webp" in message


def test_data_url_becomes_a_base64_source() -> None:
    data = base64.b64encode(PNG).decode()
    body = body_for((user(Image(ImageUrl(f"data:image/png;base64,{data}"))),))
    assert body["messages"][0]["content"][0]["source"] == {
        "type": "base64", "media_type": "image/png", "data": data}


@pytest.mark.parametrize("url", ["data:image/png,rawbytes", "data:image/tiff;base64,AAAA",
                                 "data:image/png;base64,!!!notbase64", "data:image/png;base64,", "  "])
def test_unusable_image_urls_are_refused(url: str) -> None:
    invalid((user(Image(ImageUrl(url))),))


def test_images_outside_user_messages_are_refused() -> None:
    image = Image(ImageUrl("https://example.com/a.png"))
    assert "user messages" in invalid((user("hi"), assistant(image)))


def test_empty_inline_image_is_refused() -> None:
    assert "no data" in invalid((user(Image(ImageSource(b"", "image/png"))),))


# --- tools ----------------------------------------------------------------------------------


def test_tools_get_an_input_schema() -> None:
    body = body_for(cfg=config(tools=(WEATHER, CLOCK)))
    assert body["tools"] == [
        {"name": "weather", "description": "Get the weather",
         "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                          "required": ["city"]}},
        {"name": "clock", "input_schema": {"type": "object", "properties": {}}},
    ]
    assert "tool_choice" not in body


def test_schema_without_a_type_is_an_object_schema() -> None:
    tool = ToolDefinition("f", '{"properties": {"x": {"type": "integer"}}}')
    assert body_for(cfg=config(tools=(tool,)))["tools"][0]["input_schema"] == {
        "type": "object", "properties": {"x": {"type": "integer"}}}


@pytest.mark.parametrize(("schema", "why"), [
    ("{not json", "not valid JSON"),
    ('{"type": "object", "x": NaN}', "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('"object"', "expected a JSON object"),
    ('{"type": "string"}', "describe an object"),
])
def test_bad_schemas_are_refused_naming_the_tool(schema: str, why: str) -> None:
    message = invalid(cfg=config(tools=(ToolDefinition("broken_tool", schema),)))
    assert "broken_tool" in message and why in message


def test_duplicate_tool_names_are_refused() -> None:
    assert "defined twice" in invalid(cfg=config(tools=(WEATHER, WEATHER)))


@pytest.mark.parametrize(("choice", "wire"), [
    ("auto", {"type": "auto"}),
    ("none", {"type": "none"}),
    ("required", {"type": "any"}),
    ("weather", {"type": "tool", "name": "weather"}),
])
def test_tool_choice(choice: str, wire: dict) -> None:
    assert body_for(cfg=config(tools=(WEATHER, CLOCK), tool_choice=choice))["tool_choice"] == wire


def test_tool_choice_naming_an_unknown_tool_is_refused() -> None:
    message = invalid(cfg=config(tools=(WEATHER,), tool_choice="get_time"))
    assert "get_time" in message and "'weather'" in message


def test_tool_choice_without_tools() -> None:
    assert "tool_choice" not in body_for(cfg=config(tool_choice="auto"))
    assert "tool_choice" not in body_for(cfg=config(tool_choice="none"))
    assert "tool_choice" not in body_for(cfg=config(tool_choice=""))
    assert "at least one tool" in invalid(cfg=config(tool_choice="required"))
    assert "none are defined" in invalid(cfg=config(tool_choice="weather"))


# --- continue -------------------------------------------------------------------------------

CALL_ADD = ToolCall("toolu_add", "add", '{"a": 2, "b": 3}')
CALL_MUL = ToolCall("toolu_mul", "multiply", '{"a": 2, "b": 3}')


def test_continue_after_a_user_message_appends_the_tool_turns() -> None:
    body = body_for((user("Add and multiply 2 and 3"),), config(tools=(WEATHER,)), tool_results=[
        (CALL_ADD, ToolSuccess("toolu_add", "add", "5")),
        (CALL_MUL, ToolFailure("toolu_mul", "multiply", "ConnectionError: timeout", "E_TIMEOUT")),
    ])
    assert body["messages"] == [
        text_turn("user", "Add and multiply 2 and 3"),
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_add", "name": "add", "input": {"a": 2, "b": 3}},
            {"type": "tool_use", "id": "toolu_mul", "name": "multiply", "input": {"a": 2, "b": 3}},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_add", "content": "5"},
            {"type": "tool_result", "tool_use_id": "toolu_mul",
             "content": "ConnectionError: timeout (error code: E_TIMEOUT)", "is_error": True},
        ]},
    ]


def test_continue_after_the_assistants_own_text_merges_into_one_assistant_turn() -> None:
    body = body_for((user("Weather in Florence?"), assistant("I'll check.  ")), tool_results=[
        (ToolCall("toolu_1", "weather", '{"city": "Florence"}'),
         ToolSuccess("toolu_1", "weather", '{"temp": 40}'))])
    assert body["messages"] == [
        text_turn("user", "Weather in Florence?"),
        {"role": "assistant", "content": [
            {"type": "text", "text": "I'll check.  "},
            {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Florence"}},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": '{"temp": 40}'}]},
    ]


def test_continue_tool_results_come_first_in_the_last_user_turn() -> None:
    body = body_for((user("hi"),), tool_results=[(CALL_ADD, ToolSuccess("x", "add", "5"))])
    last = body["messages"][-1]
    assert last["role"] == "user" and all(b["type"] == "tool_result" for b in last["content"])
    assert last["content"][0]["tool_use_id"] == "toolu_add"  # the call's id, always


@pytest.mark.parametrize("arguments", ["", "  ", "{}"])
def test_continue_with_no_arguments_sends_an_empty_input(arguments: str) -> None:
    body = body_for(tool_results=[(ToolCall("toolu_t", "clock", arguments),
                                   ToolSuccess("toolu_t", "clock", ""))])
    assert body["messages"][1]["content"] == [
        {"type": "tool_use", "id": "toolu_t", "name": "clock", "input": {}}]
    assert body["messages"][2]["content"] == [{"type": "tool_result", "tool_use_id": "toolu_t"}]


def test_continue_failure_without_code() -> None:
    body = body_for(tool_results=[(CALL_ADD, ToolFailure("toolu_add", "add", "division by zero"))])
    assert body["messages"][-1]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_add", "content": "division by zero",
         "is_error": True}]


@pytest.mark.parametrize(("arguments", "why"), [
    ('{"a": 2', "not valid JSON"), ("[1, 2]", "must be a JSON object"), ('"text"', "must be a JSON object"),
    ('{"a": NaN}', "not valid JSON"),
])
def test_continue_with_unparsable_arguments_is_refused(arguments: str, why: str) -> None:
    message = invalid(tool_results=[(ToolCall("toolu_bad", "add", arguments),
                                     ToolSuccess("toolu_bad", "add", "5"))])
    assert "toolu_bad" in message and why in message


# --- provider options -------------------------------------------------------------------------


def test_options_are_typed_json_passthrough() -> None:
    body = body_for(cfg=config(provider_options=(
        Kv("top_k", "40"), Kv("top_p", "0.9"), Kv("metadata", '{"user_id": "u-1"}'),
        Kv("service_tier", "auto"), Kv("label", '"42"'), Kv("flag", "true"),
        Kv("weird", "NaN"))))
    assert body["top_k"] == 40 and body["top_p"] == 0.9
    assert body["metadata"] == {"user_id": "u-1"}
    assert body["service_tier"] == "auto" and body["label"] == "42" and body["flag"] is True
    assert body["weird"] == "NaN"
    assert list(body)[-1] == "stream" and body["stream"] is True


def test_tool_choice_option_when_config_leaves_it_unset() -> None:
    option = Kv("tool_choice", '{"type": "auto", "disable_parallel_tool_use": true}')
    body = body_for(cfg=config(tools=(WEATHER,), provider_options=(option,)))
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}


@pytest.mark.parametrize("key", ["model", "messages", "system", "tools", "stream"])
def test_reserved_option_keys_are_refused(key: str) -> None:
    message = invalid(cfg=config(provider_options=(Kv(key, "false"),)))
    assert f"'{key}'" in message and "reserved" in message


@pytest.mark.parametrize("key", ["api_key", "x-api-key", "Authorization", "X_API_KEY"])
def test_credential_option_keys_are_refused(key: str) -> None:
    message = invalid(cfg=config(provider_options=(Kv(key, KEY),)))
    assert "ANTHROPIC_API_KEY" in message and KEY not in message


@pytest.mark.parametrize(("field", "cfg_fields"), [
    ("temperature", {"temperature": 0.5}),
    ("max_tokens", {"max_tokens": 100}),
    ("stop_sequences", {"stop_sequences": ("x",)}),
    ("tool_choice", {"tool_choice": "auto", "tools": (WEATHER,)}),
])
def test_options_conflicting_with_config_are_refused(field: str, cfg_fields: dict) -> None:
    message = invalid(cfg=config(provider_options=(Kv(field, "1"),), **cfg_fields))
    assert "conflicts" in message and field in message
