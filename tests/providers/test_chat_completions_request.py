"""OpenAI Chat Completions request building: body, URL, headers and refusals.

Every refusal test also checks that no request was produced, since "no request is sent" is
the contract (providers/provider.py).
"""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path
from typing import Any, Optional

import pytest

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
from providers.openai import PROVIDER
from providers.provider import HttpRequest
from tests.helpers import REAL_FIXTURES, key_env

KEY = "sk-test-0123456789abcdef"
ENV = key_env("openai", KEY)
HI = (Message(Role.USER, (Text("hi"),)),)
WEATHER = ToolDefinition(
    name="weather",
    description="Get the weather",
    parameters_schema='{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}',
)
CLOCK = ToolDefinition(name="clock", parameters_schema="")

FIXTURES = REAL_FIXTURES / "openai"


def request_for(messages=HI, config: Optional[Config] = None, env=ENV, tool_results=(), provider=PROVIDER) -> HttpRequest:
    result = provider.chat_request(messages, config or Config(model="gpt-4o"), env, tool_results)
    assert isinstance(result, HttpRequest), result
    return result


def body_for(messages=HI, config: Optional[Config] = None, tool_results=(), provider=PROVIDER) -> dict[str, Any]:
    return json.loads(request_for(messages, config, tool_results=tool_results, provider=provider).body)


def refusal_for(messages=HI, config: Optional[Config] = None, env=ENV, tool_results=()) -> LlmError:
    result = PROVIDER.chat_request(messages, config or Config(model="gpt-4o"), env, tool_results)
    assert isinstance(result, LlmError), f"expected a refusal, got a request: {result}"
    return result


def user(*parts, name=None) -> Message:
    return Message(Role.USER, tuple(parts), name)


# --- config fields ------------------------------------------------------------------------


def test_minimal_body_is_model_messages_and_streaming_fields():
    assert body_for() == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_temperature_is_sent_when_set_and_absent_otherwise():
    assert body_for(config=Config(model="m", temperature=0.25))["temperature"] == 0.25
    assert "temperature" not in body_for(config=Config(model="m"))


def test_temperature_that_is_not_finite_is_refused():
    error = refusal_for(config=Config(model="m", temperature=float("nan")))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "temperature" in error.message


def test_max_tokens_goes_to_max_completion_tokens_for_openai():
    body = body_for(config=Config(model="o4-mini", max_tokens=123))
    assert body["max_completion_tokens"] == 123
    assert "max_tokens" not in body


@pytest.mark.parametrize("base_url, field", [
    ("", "max_completion_tokens"),
    ("https://api.openai.com/v1/", "max_completion_tokens"),
    ("http://127.0.0.1:8080/v1", "max_tokens"),
    ("https://llm-gateway.internal.example/openai/v1", "max_tokens"),
])
def test_max_tokens_goes_to_max_tokens_for_an_openai_compatible_server(base_url, field):
    """llama.cpp and servers built to the older API read only `max_tokens` and ignore
    `max_completion_tokens` (tests/e2e: the limit was silently dropped)."""
    env = {**ENV, "OPENAI_BASE_URL": base_url}
    request = request_for(config=Config(model="m", max_tokens=9), env=env)
    body = json.loads(request.body)
    assert body[field] == 9
    assert {"max_tokens", "max_completion_tokens"} - {field} & body.keys() == set()


def test_a_caller_picks_the_field_by_provider_option_instead_of_config():
    env = {**ENV, "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"}
    config = Config(model="o4-mini", provider_options=(Kv("max_completion_tokens", "7"),))
    body = json.loads(request_for(config=config, env=env).body)
    assert body["max_completion_tokens"] == 7 and "max_tokens" not in body


def test_max_tokens_field_name_comes_from_the_provider():
    provider = dataclasses.replace(PROVIDER, max_tokens_field="max_tokens")
    body = body_for(config=Config(model="m", max_tokens=50), provider=provider)
    assert body["max_tokens"] == 50
    assert "max_completion_tokens" not in body


def test_stop_sequences_become_a_stop_list():
    body = body_for(config=Config(model="m", stop_sequences=("END", "\n\n")))
    assert body["stop"] == ["END", "\n\n"]


def test_empty_stop_sequences_are_left_out():
    assert "stop" not in body_for(config=Config(model="m", stop_sequences=()))


def test_body_is_compact_utf8_json():
    raw = request_for(messages=(user(Text("héllo → ✓")),)).body
    assert "héllo → ✓".encode("utf-8") in raw
    assert b", " not in raw and b'": ' not in raw
    assert raw == json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False).encode()


# --- tools --------------------------------------------------------------------------------


def test_tools_are_function_tools_with_parsed_schema():
    body = body_for(config=Config(model="m", tools=(WEATHER, CLOCK)))
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "weather",
                "description": "Get the weather",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
        },
        # no description given and an empty schema: both left out
        {"type": "function", "function": {"name": "clock"}},
    ]
    assert "tool_choice" not in body


@pytest.mark.parametrize(
    "schema, detail",
    [
        ("{not json", "parameters-schema is not valid JSON"),
        ('[{"type":"object"}]', "expected a JSON object"),
        ('"object"', "expected a JSON object"),
        ('{"maximum": NaN}', "parameters-schema is not valid JSON"),
    ],
)
def test_invalid_tool_schema_is_refused_naming_the_tool(schema, detail):
    bad = ToolDefinition(name="broken", parameters_schema=schema)
    error = refusal_for(config=Config(model="m", tools=(WEATHER, bad)))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "tool 'broken'" in error.message
    assert detail in error.message


def test_duplicate_tool_names_are_refused():
    error = refusal_for(config=Config(model="m", tools=(WEATHER, WEATHER)))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "'weather'" in error.message and "twice" in error.message


@pytest.mark.parametrize("mode", ["auto", "none", "required"])
def test_tool_choice_modes_are_strings(mode):
    assert body_for(config=Config(model="m", tools=(WEATHER,), tool_choice=mode))["tool_choice"] == mode


def test_tool_choice_naming_a_tool_forces_that_function():
    body = body_for(config=Config(model="m", tools=(WEATHER, CLOCK), tool_choice="clock"))
    assert body["tool_choice"] == {"type": "function", "function": {"name": "clock"}}


def test_tool_choice_naming_an_unknown_tool_is_refused_listing_known_tools():
    error = refusal_for(config=Config(model="m", tools=(WEATHER, CLOCK), tool_choice="calendar"))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "'calendar'" in error.message
    assert "'weather'" in error.message and "'clock'" in error.message


def test_tool_choice_naming_a_tool_without_any_tools_is_refused():
    error = refusal_for(config=Config(model="m", tool_choice="weather"))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "none are defined" in error.message


def test_empty_tool_choice_is_left_out():
    assert "tool_choice" not in body_for(config=Config(model="m", tools=(WEATHER,), tool_choice=""))


# --- provider options ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, typed",
    [
        ("0.5", 0.5),
        ("7", 7),
        ("true", True),
        ("false", False),
        ("null", None),
        ('{"a":1}', {"a": 1}),
        ('["x", 2]', ["x", 2]),
        ('"42"', "42"),
        ("hello", "hello"),
        ("", ""),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
    ],
)
def test_provider_option_values_are_typed_json_when_they_parse(raw, typed):
    body = body_for(config=Config(model="m", provider_options=(Kv("x_option", raw),)))
    assert body["x_option"] == typed
    assert type(body["x_option"]) is type(typed)


@pytest.mark.parametrize(
    "key, hint",
    [
        ("model", "config.model"),
        ("messages", "messages"),
        ("stream", "streamed"),
        ("api_key", "OPENAI_API_KEY"),
        ("Authorization", "OPENAI_API_KEY"),
        ("api-key", "OPENAI_API_KEY"),
    ],
)
def test_reserved_provider_options_are_refused(key, hint):
    error = refusal_for(config=Config(model="m", provider_options=(Kv(key, "x"),)))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert f"provider option {key!r} is reserved" in error.message
    assert hint in error.message


def test_model_option_message_points_to_config_model():
    error = refusal_for(config=Config(model="m", provider_options=(Kv("model", "gpt-5"),)))
    assert error.message == "provider option 'model' is reserved: set it with config.model"


@pytest.mark.parametrize(
    "config, key",
    [
        (Config(model="m", temperature=0.1), "temperature"),
        (Config(model="m", max_tokens=5), "max_completion_tokens"),
        (Config(model="m", max_tokens=5), "max_tokens"),
        (Config(model="m", stop_sequences=("x",)), "stop"),
        (Config(model="m", tools=(WEATHER,)), "tools"),
        (Config(model="m", tools=(WEATHER,), tool_choice="auto"), "tool_choice"),
    ],
)
def test_options_conflicting_with_set_config_fields_are_refused(config, key):
    config = dataclasses.replace(config, provider_options=(Kv(key, "1"),))
    error = refusal_for(config=config)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert f"provider option {key!r} conflicts with config." in error.message


def test_options_may_fill_fields_config_left_unset():
    body = body_for(
        config=Config(
            model="m",
            provider_options=(Kv("temperature", "0.3"), Kv("top_p", "0.9"), Kv("tool_choice", "none")),
        )
    )
    assert (body["temperature"], body["top_p"], body["tool_choice"]) == (0.3, 0.9, "none")


def test_stream_options_may_add_keys_but_include_usage_stays_true():
    body = body_for(
        config=Config(
            model="m",
            provider_options=(Kv("stream_options", '{"include_obfuscation":false,"include_usage":false}'),),
        )
    )
    assert body["stream_options"] == {"include_obfuscation": False, "include_usage": True}
    assert body["stream"] is True


def test_stream_options_that_is_not_an_object_is_refused():
    error = refusal_for(config=Config(model="m", provider_options=(Kv("stream_options", "true"),)))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "stream_options" in error.message


def test_duplicate_option_keys_last_one_wins():
    body = body_for(config=Config(model="m", provider_options=(Kv("seed", "1"), Kv("seed", "2"))))
    assert body["seed"] == 2


# --- messages -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SYSTEM, Role.USER, Role.ASSISTANT])
def test_roles_and_names_pass_through(role):
    body = body_for(messages=(Message(role, (Text("x"),), name="alice"),))
    assert body["messages"] == [{"role": role.value, "content": "x", "name": "alice"}]


@pytest.mark.parametrize("name", [None, ""])
def test_name_is_left_out_when_not_set(name):
    assert body_for(messages=(Message(Role.ASSISTANT, (Text("x"),), name),))["messages"] == [
        {"role": "assistant", "content": "x"}
    ]


def test_conversation_order_and_roles_are_kept():
    messages = (
        Message(Role.SYSTEM, (Text("be brief"),)),
        user(Text("q1")),
        Message(Role.ASSISTANT, (Text("a1"),)),
        user(Text("q2")),
    )
    assert [(m["role"], m["content"]) for m in body_for(messages=messages)["messages"]] == [
        ("system", "be brief"),
        ("user", "q1"),
        ("assistant", "a1"),
        ("user", "q2"),
    ]


def test_tool_message_uses_its_name_as_tool_call_id():
    body = body_for(messages=(Message(Role.TOOL, (Text('{"t":21}'),), name="call_1"),))
    assert body["messages"] == [{"role": "tool", "tool_call_id": "call_1", "content": '{"t":21}'}]


def test_tool_message_without_a_name_is_refused():
    error = refusal_for(messages=(Message(Role.TOOL, (Text("21"),)),))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "message 0 (tool)" in error.message and "name" in error.message


def test_single_text_part_is_a_plain_string():
    assert body_for(messages=(user(Text("only")),))["messages"][0]["content"] == "only"


def test_several_text_parts_stay_separate_parts():
    content = body_for(messages=(user(Text("Hello, "), Text("world")),))["messages"][0]["content"]
    assert content == [{"type": "text", "text": "Hello, "}, {"type": "text", "text": "world"}]


def test_message_without_parts_has_empty_string_content():
    assert body_for(messages=(Message(Role.ASSISTANT, ()),))["messages"][0]["content"] == ""


def test_url_image_with_detail_is_an_image_url_part():
    content = body_for(
        messages=(user(Text("what is this?"), Image(ImageUrl("https://x.test/a.png", ImageDetail.HIGH))),)
    )["messages"][0]["content"]
    assert content == [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "high"}},
    ]


def test_image_alone_is_still_a_list_and_detail_is_left_out_when_unset():
    content = body_for(messages=(user(Image(ImageUrl("https://x.test/a.png"))),))["messages"][0]["content"]
    assert content == [{"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}]


@pytest.mark.parametrize("detail", [ImageDetail.LOW, ImageDetail.AUTO])
def test_inline_image_is_a_base64_data_url_that_round_trips(detail):
    data = bytes(range(256)) * 3 + b"\x89PNG"
    content = body_for(messages=(user(Image(ImageSource(data, "image/png", detail))),))["messages"][0]["content"]
    assert len(content) == 1
    part = content[0]
    assert part["type"] == "image_url"
    assert part["image_url"]["detail"] == detail.value
    prefix = "data:image/png;base64,"
    url = part["image_url"]["url"]
    assert url.startswith(prefix)
    assert base64.b64decode(url[len(prefix):], validate=True) == data


@pytest.mark.parametrize("mime", ["", "png", "image/png; charset=x", "image/,png"])
def test_inline_image_with_a_malformed_mime_type_is_refused(mime):
    error = refusal_for(messages=(user(Image(ImageSource(b"x", mime))),))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "mime-type" in error.message


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.SYSTEM, Role.TOOL])
def test_image_outside_a_user_message_is_refused(role):
    messages = (user(Text("hi")), Message(role, (Text("see"), Image(ImageUrl("https://x.test/a.png"))), name="n"))
    error = refusal_for(messages=messages)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert f"message 1 ({role.value})" in error.message
    assert "images are accepted only in user messages" in error.message


def test_no_messages_at_all_is_refused():
    error = refusal_for(messages=())
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "at least one message" in error.message


# --- continue -----------------------------------------------------------------------------


def test_continue_echoes_all_calls_then_one_tool_message_per_result_in_order():
    pairs = (
        (ToolCall("call_a", "weather", '{"city":"Rome"}'), ToolSuccess("call_a", "weather", '{"c":21}', 12)),
        (ToolCall("call_b", "clock", "{}"), ToolFailure("call_b", "clock", "clock is broken", "E_CLOCK")),
        (ToolCall("call_c", "clock", "{}"), ToolFailure("call_c", "clock", "timeout")),
    )
    messages = body_for(config=Config(model="m", tools=(WEATHER, CLOCK)), tool_results=pairs)["messages"]
    assert messages == [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": "",  # not null: strict servers reject it (tool_results.py)
            "tool_calls": [
                {"id": "call_a", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Rome"}'}},
                {"id": "call_b", "type": "function", "function": {"name": "clock", "arguments": "{}"}},
                {"id": "call_c", "type": "function", "function": {"name": "clock", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": '{"c":21}'},
        {"role": "tool", "tool_call_id": "call_b", "content": "Error: clock is broken (code: E_CLOCK)"},
        {"role": "tool", "tool_call_id": "call_c", "content": "Error: timeout"},
    ]


def test_continue_body_still_streams_with_usage():
    pairs = ((ToolCall("c1", "clock", "{}"), ToolSuccess("c1", "clock", '"12:00"')),)
    body = body_for(tool_results=pairs)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


# --- URL, headers, key --------------------------------------------------------------------


def test_default_url_method_and_headers():
    request = request_for()
    assert request.method == "POST"
    assert request.url == "https://api.openai.com/v1/chat/completions"
    assert request.headers == (
        ("Authorization", f"Bearer {KEY}"),
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream"),
        ("User-Agent", "golem-llm-py/0.1.0 (openai)"),
    )


@pytest.mark.parametrize(
    "base, url",
    [
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1/chat/completions"),
        ("https://gw.example/openai//", "https://gw.example/openai/chat/completions"),
        ("", "https://api.openai.com/v1/chat/completions"),
    ],
)
def test_base_url_override(base, url):
    assert request_for(env={**ENV, "OPENAI_BASE_URL": base}).url == url


def test_extra_headers_come_from_the_provider_only_when_their_variable_is_set():
    provider = dataclasses.replace(
        PROVIDER, headers_from_env=(("HTTP-Referer", "APP_URL"), ("X-Title", "APP_TITLE"))
    )
    headers = request_for(env={**ENV, "APP_URL": "https://app.test", "APP_TITLE": ""}, provider=provider).headers
    assert ("HTTP-Referer", "https://app.test") in headers
    assert all(name != "X-Title" for name, _ in headers)


def test_openai_sends_no_extra_headers_whatever_the_environment():
    headers = request_for(env={**ENV, "HTTP_REFERER": "x", "OPENAI_ORGANIZATION": "org"}).headers
    assert [name for name, _ in headers] == ["Authorization", "Content-Type", "Accept",
                                             "User-Agent"]


@pytest.mark.parametrize("env", [{}, {"OPENAI_API_KEY": ""}, {"OPENAI_API_KEY": "  \n"}])
def test_missing_key_is_an_authentication_error_naming_the_variable(env):
    error = refusal_for(env=env)
    assert error.code is ErrorCode.AUTHENTICATION_FAILED
    assert error.message.startswith("OPENAI_API_KEY is not set")


def test_key_is_read_from_the_given_mapping_not_the_process_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-process-env")
    assert refusal_for(env={}).code is ErrorCode.AUTHENTICATION_FAILED


def test_key_with_surrounding_whitespace_is_stripped_in_the_header():
    headers = dict(request_for(env={"OPENAI_API_KEY": f"  {KEY}\n"}).headers)
    assert headers["Authorization"] == f"Bearer {KEY}"


def test_key_never_appears_in_the_body():
    request = request_for(config=Config(model="m", tools=(WEATHER,), provider_options=(Kv("user", "u1"),)))
    assert KEY.encode() not in request.body


# --- recorded real requests ---------------------------------------------------------------

_PLAIN_KEYS = {
    "model", "messages", "max_tokens", "max_completion_tokens", "temperature",
    "stream", "stream_options", "tools", "tool_choice", "stop",
}


def _recorded_cases() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(path.parent for path in FIXTURES.glob("*/request.json"))


def _golem_part(part: dict):
    if part["type"] == "text":
        return Text(part["text"])
    image = part["image_url"]
    detail = ImageDetail(image["detail"]) if "detail" in image else None
    url = image["url"]
    if url.startswith("data:"):
        header, _, data = url.partition(",")
        mime = header[len("data:"):].removesuffix(";base64")
        return Image(ImageSource(base64.b64decode(data), mime, detail))
    return Image(ImageUrl(url, detail))


def _equivalent_input(recorded: dict):
    """golem:llm input that should produce `recorded`, and the body we expect for it, or a
    reason why the recorded request is not a plain chat request."""
    if not recorded.get("messages"):
        return "has no messages (golem:llm refuses that before sending)"
    # fields golem:llm has no config for travel as provider options, typed JSON
    options = tuple(
        Kv(key, json.dumps(value)) for key, value in recorded.items() if key not in _PLAIN_KEYS
    )
    messages, pairs = [], []
    expected_messages = []
    recorded_messages = recorded["messages"]
    for position, message in enumerate(recorded_messages):
        role, content = message["role"], message.get("content")
        if role not in ("system", "user", "assistant", "tool"):
            return f"uses role {role!r}"
        if role == "assistant" and "tool_calls" in message:
            results = {m["tool_call_id"]: m["content"] for m in recorded_messages[position + 1:]}
            if len(results) != len(recorded_messages) - position - 1:
                return "tool exchange is not the end of the conversation"
            for call in message["tool_calls"]:
                call_id, function = call["id"], call["function"]
                pairs.append((
                    ToolCall(call_id, function["name"], function["arguments"]),
                    ToolSuccess(call_id, function["name"], results[call_id]),
                ))
            expected_messages.append({**message, "content": ""})
            expected_messages.extend(recorded_messages[position + 1:])
            break
        if isinstance(content, str):
            parts = (Text(content),)
        elif isinstance(content, list):
            parts = tuple(_golem_part(part) for part in content)
        else:
            return "content is neither a string nor parts"
        messages.append(Message(Role(role), parts, message.get("name")))
        expected_messages.append(message)
    tools = tuple(
        ToolDefinition(
            name=tool["function"]["name"],
            description=tool["function"].get("description"),
            parameters_schema=json.dumps(tool["function"]["parameters"]),
        )
        for tool in recorded.get("tools", ())
    )
    choice = recorded.get("tool_choice")
    if isinstance(choice, dict):
        choice = choice["function"]["name"]
    max_tokens = recorded.get("max_completion_tokens", recorded.get("max_tokens"))
    stop = recorded.get("stop")
    config = Config(
        model=recorded["model"],
        temperature=recorded.get("temperature"),
        max_tokens=max_tokens,
        stop_sequences=tuple([stop] if isinstance(stop, str) else stop) if stop else None,
        tools=tools,
        tool_choice=choice,
        provider_options=options,
    )
    expected = {key: value for key, value in recorded.items() if key not in ("max_tokens", "max_completion_tokens")}
    expected["messages"] = expected_messages
    if max_tokens is not None:
        expected["max_completion_tokens"] = max_tokens
    if "tools" in recorded:  # golem:llm has no `strict`; OpenAI's default for it is false
        expected["tools"] = [
            {**tool, "function": {k: v for k, v in tool["function"].items() if k != "strict"}}
            for tool in recorded["tools"]
        ]
    if isinstance(stop, str):
        expected["stop"] = [stop]
    expected["stream"] = True
    expected["stream_options"] = {"include_usage": True}
    return tuple(messages), config, tuple(pairs), expected


def _recorded_params() -> list:
    if not FIXTURES.is_dir():
        return [pytest.param(None, id="fixtures-missing", marks=pytest.mark.skip(
            reason=f"recorded fixtures not present at {FIXTURES}"))]
    return [pytest.param(case, id=case.name) for case in _recorded_cases()]


@pytest.mark.parametrize("case", _recorded_params())
def test_body_matches_recorded_real_request(case: Path):
    recorded = json.loads((case / "request.json").read_text())
    equivalent = _equivalent_input(recorded)
    if isinstance(equivalent, str):
        pytest.skip(f"{case.name}: not a plain chat request ({equivalent})")
    messages, config, pairs, expected = equivalent
    assert body_for(messages=messages, config=config, tool_results=pairs) == expected


def test_recorded_fixtures_are_found_or_skipped_with_a_reason():
    if not FIXTURES.is_dir():
        pytest.skip(f"recorded fixtures not present at {FIXTURES}")
    assert _recorded_cases(), "the fixture folder exists but holds no request.json"
