"""The documented provider options: the same keys on every provider, translated to each
one's wire fields, refused by name where a provider cannot honour them
(providers/common/portable_options.py, providers/<dialect>/portable.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from normalizer.values import (
    Config,
    ErrorCode,
    Image,
    ImageUrl,
    Kv,
    LlmError,
    Message,
    Role,
    Text,
    ToolCall,
    ToolDefinition,
    ToolSuccess,
)
from providers.registry import PROVIDERS
from tests.helpers import REAL_FIXTURES, key_env

HI = (Message(Role.SYSTEM, (Text("Be brief."),)), Message(Role.USER, (Text("Hi"),)))
WEATHER = ToolDefinition("weather", '{"type":"object","properties":{"city":{"type":"string"}}}')
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
CHAT = ("openai", "grok", "openrouter")


def options(**pairs: Any) -> tuple[Kv, ...]:
    """Kv pairs; a Python name's `_` is the key's `-`, a non-string value is sent as JSON."""
    return tuple(Kv(k.replace("_", "-"), v if isinstance(v, str) else json.dumps(v))
                 for k, v in pairs.items())


def build(provider: str, opts: tuple[Kv, ...], *, model: str = "m", tools=(), messages=HI,
          tool_results=()):
    p = PROVIDERS[provider]
    config = Config(model=model, tools=tools, provider_options=opts)
    return p.chat_request(messages, config, key_env(provider, "k"), tool_results)


def body(provider: str, opts: tuple[Kv, ...], **kw) -> dict:
    request = build(provider, opts, **kw)
    assert not isinstance(request, LlmError), request
    return json.loads(request.body)


def refusal(provider: str, opts: tuple[Kv, ...], **kw) -> LlmError:
    request = build(provider, opts, **kw)
    assert isinstance(request, LlmError), f"expected a refusal, got {request}"
    return request


# ---- shared keys, every provider ---------------------------------------------------------

@pytest.mark.parametrize("provider", ["anthropic", *CHAT])
def test_top_p_becomes_top_p(provider):
    assert body(provider, options(top_p=0.9))["top_p"] == 0.9


@pytest.mark.parametrize("provider", ["anthropic", *CHAT])
@pytest.mark.parametrize("bad", [1.5, -0.1, "high", True])
def test_top_p_out_of_range_is_invalid_naming_the_key(provider, bad):
    error = refusal(provider, options(top_p=bad))
    assert error.code is ErrorCode.INVALID_REQUEST and "'top-p'" in error.message


@pytest.mark.parametrize("provider", ["anthropic", *CHAT])
@pytest.mark.parametrize("n", [2, 5])
def test_n_above_one_is_refused_saying_golem_llm_has_one_answer(provider, n):
    error = refusal(provider, options(n=n))
    assert error.code is ErrorCode.UNSUPPORTED
    assert "'n'" in error.message and "one answer" in error.message


@pytest.mark.parametrize("provider", ["anthropic", *CHAT])
def test_n_of_one_is_accepted_and_not_sent(provider):
    assert "n" not in body(provider, options(n=1))


@pytest.mark.parametrize("provider", ["anthropic", *CHAT])
def test_an_unknown_kebab_case_key_is_refused_listing_the_documented_ones(provider):
    error = refusal(provider, (Kv("reasoning-efort", "high"),))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "'reasoning-efort'" in error.message and "reasoning-effort" in error.message


@pytest.mark.parametrize("provider", CHAT)
def test_chat_providers_take_seed_user_and_parallel_tool_calls_as_is(provider):
    sent = body(provider, options(seed=7, user="u-42", parallel_tool_calls=False),
                tools=(WEATHER,))
    assert (sent["seed"], sent["user"], sent["parallel_tool_calls"]) == (7, "u-42", False)


@pytest.mark.parametrize("provider", CHAT)
def test_parallel_tool_calls_without_tools_is_not_sent(provider):
    # OpenAI rejects parallel_tool_calls without tools; with no tools there is no call.
    assert "parallel_tool_calls" not in body(provider, options(parallel_tool_calls=False))


@pytest.mark.parametrize("provider", ["anthropic", *CHAT])
def test_a_native_field_set_again_is_a_conflict_naming_both(provider):
    error = refusal(provider, (*options(top_p=0.5), Kv("top_p", "0.7")))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "'top_p'" in error.message and "'top-p'" in error.message


@pytest.mark.parametrize("provider", ["anthropic", *CHAT])
def test_native_options_still_pass_through(provider):
    assert body(provider, (Kv("top_k", "5"),))["top_k"] == 5


# ---- structured output -------------------------------------------------------------------

@pytest.mark.parametrize("provider", CHAT)
def test_json_schema_becomes_response_format(provider):
    sent = body(provider, options(json_schema=SCHEMA, json_schema_name="person"))
    assert sent["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "person", "schema": SCHEMA, "strict": True}}


@pytest.mark.parametrize("provider", CHAT)
def test_json_mode_becomes_json_object(provider):
    assert body(provider, options(json_mode=True))["response_format"] == {"type": "json_object"}


NATIVE_MODEL = "claude-sonnet-4-5-20250929"
OLDER_MODEL = "claude-3-5-haiku-20241022"
ANSWER_TOOL = "json_answer"
FORCED = {"type": "tool", "name": ANSWER_TOOL}


@pytest.mark.parametrize("model", ["claude-sonnet-4-5-20250929", "claude-haiku-4-5",
                                   "claude-opus-4-6", "claude-sonnet-4-6"])
def test_anthropic_json_schema_is_native_on_the_models_that_have_it(model):
    sent = body("anthropic", options(json_schema=SCHEMA), model=model)
    assert sent["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    assert "tools" not in sent and "tool_choice" not in sent


@pytest.mark.parametrize("model", ["claude-3-5-haiku-20241022", "claude-sonnet-4-20250514",
                                   "claude-opus-4-1-20250805", "claude-3-opus-20240229"])
def test_anthropic_json_schema_is_a_forced_tool_on_other_models(model):
    sent = body("anthropic", options(json_schema=SCHEMA), model=model)
    assert "output_config" not in sent
    [tool] = sent["tools"]
    assert (tool["name"], tool["input_schema"]) == (ANSWER_TOOL, SCHEMA)
    assert sent["tool_choice"] == FORCED


def test_anthropic_json_schema_mode_overrides_the_model_default():
    tool = body("anthropic", options(json_schema=SCHEMA, json_schema_mode="tool"),
                model=NATIVE_MODEL)
    assert tool["tool_choice"] == FORCED and "output_config" not in tool
    native = body("anthropic", options(json_schema=SCHEMA, json_schema_mode="native"),
                  model=OLDER_MODEL)
    assert native["output_config"]["format"]["schema"] == SCHEMA and "tools" not in native


def test_anthropic_json_mode_is_the_tool_form_with_any_object():
    sent = body("anthropic", options(json_mode=True), model=NATIVE_MODEL)
    assert sent["tools"][0]["input_schema"] == {"type": "object"}
    assert sent["tool_choice"] == FORCED


def test_anthropic_json_mode_has_no_native_form():
    error = refusal("anthropic", options(json_mode=True, json_schema_mode="native"))
    assert error.code is ErrorCode.UNSUPPORTED and "'json-mode'" in error.message


def test_anthropic_tool_form_with_the_callers_tools_is_refused():
    error = refusal("anthropic", options(json_schema=SCHEMA), model=OLDER_MODEL,
                    tools=(WEATHER,))
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "'json-schema'" in error.message and "config.tools" in error.message


def test_anthropic_native_form_keeps_the_callers_tools():
    sent = body("anthropic", options(json_schema=SCHEMA), model=NATIVE_MODEL, tools=(WEATHER,))
    assert [t["name"] for t in sent["tools"]] == ["weather"] and "output_config" in sent


@pytest.mark.parametrize("thinking", [options(thinking_budget=2048),
                                      (Kv("thinking", '{"type": "enabled", "budget_tokens": 2048}'),)])
def test_anthropic_tool_form_with_thinking_is_refused_naming_both(thinking):
    error = refusal("anthropic", (*options(json_schema=SCHEMA), *thinking), model=OLDER_MODEL)
    assert error.code is ErrorCode.INVALID_REQUEST
    assert "'json-schema'" in error.message
    assert ("'thinking-budget'" if thinking[0].key == "thinking-budget" else "'thinking'") \
        in error.message


def test_anthropic_native_form_with_thinking_is_sent():
    sent = body("anthropic", options(json_schema=SCHEMA, thinking_budget=2048),
                model=NATIVE_MODEL)
    assert sent["thinking"]["budget_tokens"] == 2048 and "output_config" in sent


def test_anthropic_thinking_turned_off_does_not_block_the_tool_form():
    sent = body("anthropic", (*options(json_schema=SCHEMA), Kv("thinking", '{"type": "disabled"}')),
                model=OLDER_MODEL)
    assert sent["tool_choice"] == FORCED


def test_anthropic_tool_form_needs_an_object_schema():
    error = refusal("anthropic", options(json_schema={"type": "array"}), model=OLDER_MODEL)
    assert "'json-schema'" in error.message and "object" in error.message
    untyped = {"properties": {"a": {"type": "string"}}}
    sent = body("anthropic", options(json_schema=untyped), model=OLDER_MODEL)
    assert sent["tools"][0]["input_schema"] == {"type": "object", **untyped}


def test_anthropic_reserves_the_answer_tools_name():
    tool = ToolDefinition(ANSWER_TOOL, '{"type":"object"}')
    error = refusal("anthropic", (), tools=(tool,))
    assert repr(ANSWER_TOOL) in error.message and "reserved" in error.message


def test_anthropic_answer_tool_conflicts_with_a_native_tool_choice():
    error = refusal("anthropic", (*options(json_schema=SCHEMA), Kv("tool_choice", '{"type": "auto"}')),
                    model=OLDER_MODEL)
    assert "'tool_choice'" in error.message and "'json-schema'" in error.message


@pytest.mark.parametrize("key, value", [("reasoning_effort", "high"),
                                        ("prompt_cache_key", "k"), ("seed", 3)])
def test_anthropic_refuses_what_it_cannot_honour_as_unsupported(key, value):
    error = refusal("anthropic", options(**{key: value}))
    assert error.code is ErrorCode.UNSUPPORTED
    assert repr(key.replace("_", "-")) in error.message and "Anthropic" in error.message


def test_anthropic_strictness_is_refused_where_the_form_cannot_give_it():
    loose = refusal("anthropic", options(json_schema=SCHEMA, json_schema_strict=False),
                    model=NATIVE_MODEL)
    assert loose.code is ErrorCode.UNSUPPORTED and "'json-schema-strict'" in loose.message
    strict = refusal("anthropic", options(json_schema=SCHEMA, json_schema_strict=True),
                     model=OLDER_MODEL)
    assert strict.code is ErrorCode.UNSUPPORTED and "tool form" in strict.message
    sent = body("anthropic", options(json_schema=SCHEMA, json_schema_strict=False),
                model=OLDER_MODEL)
    assert sent["tool_choice"] == FORCED


@pytest.mark.parametrize("provider", CHAT)
def test_chat_providers_take_json_schema_mode_native_and_refuse_tool(provider):
    sent = body(provider, options(json_schema=SCHEMA, json_schema_mode="native"))
    assert sent["response_format"]["type"] == "json_schema"
    error = refusal(provider, options(json_schema=SCHEMA, json_schema_mode="tool"))
    assert error.code is ErrorCode.UNSUPPORTED and "'json-schema-mode'" in error.message


@pytest.mark.parametrize("pairs", [{"json_schema_mode": "tool"},
                                   {"json_schema": SCHEMA, "json_schema_mode": "forced"}])
def test_bad_json_schema_mode_is_invalid(pairs):
    error = refusal("anthropic", options(**pairs))
    assert error.code is ErrorCode.INVALID_REQUEST and "'json-schema-mode'" in error.message


@pytest.mark.parametrize("pairs", [{"json_schema": "[1]"}, {"json_schema": [1]},
                                   {"json_schema_name": "x"},
                                   {"json_schema": SCHEMA, "json_mode": True},
                                   {"json_schema": SCHEMA, "json_schema_name": "has space"}])
def test_bad_structured_output_values_are_invalid(pairs):
    error = refusal("openai", options(**pairs))
    assert error.code is ErrorCode.INVALID_REQUEST and "json-" in error.message


@pytest.mark.parametrize("provider, case", [
    ("openai", "fantasy-gpt-4o-mini-json-schema-stream"),
    ("grok", "rubyllm-grok-4.3-json-schema"),
])
def test_structured_output_is_what_real_clients_sent(provider, case):
    """The recorded request's `response_format`, from the documented options."""
    folder = REAL_FIXTURES / provider / case
    if not folder.is_dir():
        pytest.skip(f"recorded fixture {case} not present at {folder}")
    recorded = json.loads((folder / "request.json").read_text())["response_format"]
    wanted = recorded["json_schema"]
    sent = body(provider, options(json_schema=wanted["schema"], json_schema_name=wanted["name"],
                                  json_schema_strict=wanted["strict"]))
    ours = sent["response_format"]
    # A description is the one field the documented options leave out.
    assert ours == {**recorded, "json_schema": {k: v for k, v in wanted.items()
                                                if k != "description"}}


# ---- reasoning ---------------------------------------------------------------------------

@pytest.mark.parametrize("provider", ["openai", "grok"])
def test_reasoning_effort_is_the_effort_field(provider):
    model = "grok-3-mini" if provider == "grok" else "o4-mini"
    assert body(provider, options(reasoning_effort="low"), model=model)["reasoning_effort"] == "low"


def test_grok_still_refuses_reasoning_effort_for_models_that_reject_it():
    error = refusal("grok", options(reasoning_effort="low"), model="grok-4")
    assert "reasoning_effort" in error.message


def test_openrouter_reasoning_goes_into_its_reasoning_object():
    assert body("openrouter", options(reasoning_effort="medium"))["reasoning"] == {"effort": "medium"}
    assert body("openrouter", options(thinking_budget=2000))["reasoning"] == {"max_tokens": 2000}
    error = refusal("openrouter", options(reasoning_effort="low", thinking_budget=2000))
    assert error.code is ErrorCode.INVALID_REQUEST


def test_anthropic_thinking_budget_enables_thinking_and_raises_max_tokens():
    sent = body("anthropic", options(thinking_budget=8000))
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 8000}
    assert sent["max_tokens"] > 8000  # the API wants max_tokens above the budget


def test_anthropic_thinking_budget_below_the_minimum_is_invalid():
    error = refusal("anthropic", options(thinking_budget=100))
    assert error.code is ErrorCode.INVALID_REQUEST and "1024" in error.message


@pytest.mark.parametrize("provider", ["openai", "grok"])
def test_effort_only_providers_refuse_a_thinking_budget(provider):
    error = refusal(provider, options(thinking_budget=2000))
    assert error.code is ErrorCode.UNSUPPORTED and "'thinking-budget'" in error.message


@pytest.mark.parametrize("bad", ["extreme", 3])
def test_unknown_effort_is_invalid(bad):
    error = refusal("openai", options(reasoning_effort=bad))
    assert error.code is ErrorCode.INVALID_REQUEST and "'reasoning-effort'" in error.message


# ---- caching, user -----------------------------------------------------------------------

def test_anthropic_prompt_cache_marks_system_tools_and_conversation():
    sent = body("anthropic", options(prompt_cache=True), tools=(WEATHER,))
    ephemeral = {"type": "ephemeral"}
    assert sent["system"] == [{"type": "text", "text": "Be brief.", "cache_control": ephemeral}]
    assert sent["tools"][-1]["cache_control"] == ephemeral
    assert sent["messages"][-1]["content"][-1]["cache_control"] == ephemeral


def test_anthropic_prompt_cache_marks_only_the_targets_named():
    sent = body("anthropic", options(prompt_cache=["tools"]), tools=(WEATHER,))
    assert sent["system"] == "Be brief."
    assert "cache_control" in sent["tools"][-1]
    assert all("cache_control" not in b for t in sent["messages"] for b in t["content"])


def test_anthropic_prompt_cache_on_continue_marks_the_tool_results():
    call = ToolCall("toolu_1", "weather", '{"city": "Oslo"}')
    sent = body("anthropic", options(prompt_cache=["messages"]), tools=(WEATHER,),
                tool_results=((call, ToolSuccess("toolu_1", "weather", "3")),))
    last = sent["messages"][-1]["content"][-1]
    assert last["type"] == "tool_result" and last["cache_control"] == {"type": "ephemeral"}


@pytest.mark.parametrize("bad", ["yes", ["system", "history"], []])
def test_bad_prompt_cache_targets_are_invalid(bad):
    error = refusal("anthropic", options(prompt_cache=bad))
    assert error.code is ErrorCode.INVALID_REQUEST and "'prompt-cache'" in error.message


@pytest.mark.parametrize("provider, model", [("openai", "gpt-4o"), ("grok", "grok-4"),
                                             ("openrouter", "openai/gpt-4o"),
                                             ("openrouter", "deepseek/deepseek-chat"),
                                             ("openrouter", "x-ai/grok-4")])
def test_automatic_caching_models_refuse_cache_breakpoints_saying_so(provider, model):
    error = refusal(provider, options(prompt_cache=True), model=model)
    assert error.code is ErrorCode.UNSUPPORTED and "'prompt-cache'" in error.message
    assert "caches" in error.message and "by itself" in error.message


EPHEMERAL = {"type": "ephemeral"}
CLAUDE, GEMINI = "anthropic/claude-sonnet-4.6", "google/gemini-2.5-pro"


def marked(sent: dict) -> list[tuple[int, str]]:
    """(message index, text) of every content part that carries a breakpoint."""
    return [(i, part.get("text")) for i, m in enumerate(sent["messages"])
            if isinstance(m["content"], list)
            for part in m["content"] if part.get("cache_control") == EPHEMERAL]


@pytest.mark.parametrize("model", [CLAUDE, GEMINI])
def test_openrouter_prompt_cache_marks_the_system_prompt_and_the_last_part(model):
    sent = body("openrouter", options(prompt_cache=True), model=model, tools=(WEATHER,))
    assert sent["messages"] == [
        {"role": "system", "content": [{"type": "text", "text": "Be brief.",
                                        "cache_control": EPHEMERAL}]},
        {"role": "user", "content": [{"type": "text", "text": "Hi", "cache_control": EPHEMERAL}]},
    ]
    assert all("cache_control" not in tool for tool in sent["tools"])
    assert "cache_control" not in sent


def test_openrouter_prompt_cache_marks_only_the_targets_named():
    sent = body("openrouter", options(prompt_cache=["system"]), model=CLAUDE)
    assert marked(sent) == [(0, "Be brief.")] and sent["messages"][1]["content"] == "Hi"
    sent = body("openrouter", options(prompt_cache=["messages", "tools"]), model=CLAUDE,
                tools=(WEATHER,))
    assert marked(sent) == [(1, "Hi")] and sent["messages"][0]["content"] == "Be brief."


def test_openrouter_prompt_cache_refuses_tools_alone_naming_what_caches_them():
    error = refusal("openrouter", options(prompt_cache=["tools"]), model=CLAUDE, tools=(WEATHER,))
    assert error.code is ErrorCode.UNSUPPORTED and "'prompt-cache'" in error.message
    assert '"system"' in error.message and '"messages"' in error.message


def test_openrouter_prompt_cache_with_an_image_last_marks_the_text_before_it():
    image = Image(ImageUrl("https://example.com/cat.png"))
    messages = (HI[0], Message(Role.USER, (Text("What is this?"), image)))
    sent = body("openrouter", options(prompt_cache=True), model=CLAUDE, messages=messages)
    last = sent["messages"][-1]["content"]
    assert last[0] == {"type": "text", "text": "What is this?", "cache_control": EPHEMERAL}
    assert last[1] == {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    only_image = (HI[0], Message(Role.USER, (image,)))
    sent = body("openrouter", options(prompt_cache=["messages"]), model=CLAUDE,
                messages=only_image)
    assert marked(sent) == [(0, "Be brief.")]
    assert "cache_control" not in sent["messages"][1]["content"][0]


def test_openrouter_prompt_cache_on_a_single_message_marks_it_once():
    sent = body("openrouter", options(prompt_cache=True), model=CLAUDE, messages=HI[1:])
    assert sent["messages"] == [{"role": "user", "content": [
        {"type": "text", "text": "Hi", "cache_control": EPHEMERAL}]}]


def test_openrouter_prompt_cache_marks_the_last_of_several_system_messages():
    messages = (Message(Role.SYSTEM, (Text("Be brief."),)),
                Message(Role.SYSTEM, (Text("Answer in French."), Text("   "))),
                Message(Role.USER, (Text("Hi"),)),
                Message(Role.SYSTEM, ()))
    sent = body("openrouter", options(prompt_cache=["system"]), model=CLAUDE,
                messages=messages)
    assert marked(sent) == [(1, "Answer in French.")]
    assert sent["messages"][0]["content"] == "Be brief."
    assert sent["messages"][1]["content"][1] == {"type": "text", "text": "   "}


def test_openrouter_prompt_cache_on_continue_marks_the_tool_result():
    call = ToolCall("toolu_1", "weather", '{"city": "Oslo"}')
    sent = body("openrouter", options(prompt_cache=["messages"]), model=CLAUDE,
                tools=(WEATHER,), tool_results=((call, ToolSuccess("toolu_1", "weather", "3")),))
    assert sent["messages"][-1] == {"role": "tool", "tool_call_id": "toolu_1", "content": [
        {"type": "text", "text": "3", "cache_control": EPHEMERAL}]}
    assert len(marked(sent)) == 1


def test_openrouter_cache_breakpoint_models_are_data_in_the_provider():
    from providers.openrouter import CACHE_BREAKPOINT_MODELS
    assert PROVIDERS["openrouter"].cache_breakpoint_model_prefixes == CACHE_BREAKPOINT_MODELS
    for model in ("anthropic/claude-3.5-haiku", "google/gemini-2.0-flash-001"):
        assert marked(body("openrouter", options(prompt_cache=True), model=model))
    for model in ("google/gemma-3-27b-it", "meta-llama/llama-3.3-70b-instruct"):
        assert refusal("openrouter", options(prompt_cache=True), model=model)


def test_openrouter_without_prompt_cache_sends_plain_strings():
    sent = body("openrouter", (), model=CLAUDE)
    assert [m["content"] for m in sent["messages"]] == ["Be brief.", "Hi"]


def test_openai_prompt_cache_key():
    assert body("openai", options(prompt_cache_key="tenant-7"))["prompt_cache_key"] == "tenant-7"


def test_openrouter_refuses_a_prompt_cache_key():
    error = refusal("openrouter", options(prompt_cache_key="tenant-7"))
    assert error.code is ErrorCode.UNSUPPORTED and "'prompt-cache-key'" in error.message


def test_grok_prompt_cache_key_is_the_conversation_header_not_a_body_field():
    request = build("grok", options(prompt_cache_key="conv abc-123"))
    assert not isinstance(request, LlmError), request
    assert ("x-grok-conv-id", "conv abc-123") in request.headers
    assert "prompt_cache_key" not in json.loads(request.body)
    assert not any(name == "x-grok-conv-id" for name, _ in build("grok", ()).headers)


def test_only_grok_sends_the_conversation_header():
    request = build("openai", options(prompt_cache_key="tenant-7"))
    assert not any(name == "x-grok-conv-id" for name, _ in request.headers)


@pytest.mark.parametrize("value", ["a\r\nx-api-key: stolen", "a\nb", "tab\there", "nul\x00",
                                   "del\x7f", "café", " padded", "x" * 513])
def test_grok_refuses_a_cache_key_that_is_no_safe_header_value(value):
    error = refusal("grok", options(prompt_cache_key=value))
    assert error.code is ErrorCode.INVALID_REQUEST and "'prompt-cache-key'" in error.message


def test_anthropic_user_is_metadata_user_id_and_parallel_is_disabled_on_tool_choice():
    sent = body("anthropic", options(user="u-42", parallel_tool_calls=False), tools=(WEATHER,))
    assert sent["metadata"] == {"user_id": "u-42"}
    assert sent["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}


def test_a_numeric_user_id_is_sent_as_text():
    assert body("openai", options(user=12345))["user"] == "12345"


@pytest.mark.parametrize("model", [NATIVE_MODEL, OLDER_MODEL])
def test_anthropic_structured_output_does_not_continue_a_prefill(model):
    """A trailing assistant message is also how an interrupted stream resumes; the tool
    form would start the JSON over after the partial one, so it is refused, not sent."""
    prefill = (*HI, Message(Role.ASSISTANT, (Text('{"name": "Ad'),)))
    error = refusal("anthropic", options(json_schema=SCHEMA), model=model, messages=prefill)
    assert "'json-schema'" in error.message and "prefill" in error.message
