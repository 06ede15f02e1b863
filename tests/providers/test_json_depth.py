"""The caller's JSON nested far beyond the depth bound is an invalid-request that names the
field, before anything is sent (every provider); the provider's, in an error body, still
gives the status's meaning."""

from __future__ import annotations

import json

import pytest

from normalizer import values as v
from normalizer.json_depth import MAX_DEPTH
from providers import PROVIDERS
from providers.provider import HttpRequest

USER = (v.Message(v.Role.USER, (v.Text("hi"),)),)
DEEP = 100_000


def deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def env_for(provider) -> dict[str, str]:
    return {provider.api_key_env: "sk-test-json-depth-key-0123456789"}


def refusal(provider, config, pairs=()) -> v.LlmError:
    error = provider.chat_request(USER, config, env_for(provider), pairs)
    assert isinstance(error, v.LlmError), error
    assert error.code is v.ErrorCode.INVALID_REQUEST
    assert str(MAX_DEPTH) in error.message
    return error


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_a_parameters_schema_nested_too_deep_is_refused_naming_the_tool(name):
    tool = v.ToolDefinition("deep_tool", '{"type": "object", "properties": '
                            + deep_object(DEEP) + "}")
    assert "deep_tool" in refusal(PROVIDERS[name], v.Config("m", tools=(tool,))).message


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_a_provider_option_nested_too_deep_is_refused_naming_the_option(name):
    option = v.Kv("deep_option", "[" * DEEP + "]" * DEEP)
    config = v.Config("m", provider_options=(option,))
    assert "deep_option" in refusal(PROVIDERS[name], config).message


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_json_at_the_bound_is_accepted(name):
    schema = '{"type": "object", "properties": {"p": ' + deep_object(MAX_DEPTH - 2) + "}}"
    config = v.Config("m", tools=(v.ToolDefinition("t", schema),),
                      provider_options=(v.Kv("x_deep", "[" * MAX_DEPTH + "]" * MAX_DEPTH),))
    request = PROVIDERS[name].chat_request(USER, config, env_for(PROVIDERS[name]))
    assert isinstance(request, HttpRequest), request


def test_anthropic_tool_call_arguments_nested_too_deep_are_refused_naming_the_call():
    call = v.ToolCall("call_1", "deep_call", deep_object(DEEP))
    pairs = ((call, v.ToolSuccess("call_1", "deep_call", "{}")),)
    error = refusal(PROVIDERS["anthropic"], v.Config("m"), pairs)
    assert "call_1" in error.message and "arguments-json" in error.message


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_an_error_body_nested_too_deep_still_gives_the_status_meaning(name):
    error = PROVIDERS[name].error_from_response(400, deep_object(DEEP).encode(), None)
    assert error.code is v.ErrorCode.INVALID_REQUEST
    assert json.loads(error.provider_error_json)["status"] == 400
