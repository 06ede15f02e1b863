"""The provider registry is what the host, the emulator and the tests read: each provider's
component sees only its own variables, and the emulator serves every provider where the
environment it hands a component points."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from normalizer.values import Config, Message, Role, Text
from providers import PROVIDERS, HttpRequest, Timeouts
from runtime.emulator.dialects import all_dialects

HI = (Message(Role.USER, (Text("hi"),)),)


def test_a_component_is_given_only_its_own_providers_variables():
    environ = {provider.api_key_env: f"key-of-{name}" for name, provider in PROVIDERS.items()}
    environ.update({"OPENROUTER_X_TITLE": "My app", "GOLEM_LLM_CONNECT_TIMEOUT_MS": "5",
                    "HOME": "/home/me", "OPENROUTER_HTTP_REFERER": ""})
    for name, provider in PROVIDERS.items():
        selected = provider.select(environ)
        keys = [value for value in selected.values() if value.startswith("key-of-")]
        assert keys == [f"key-of-{name}"], name
        assert selected["GOLEM_LLM_CONNECT_TIMEOUT_MS"] == "5"
        assert "HOME" not in selected
    assert PROVIDERS["openrouter"].select(environ)["OPENROUTER_X_TITLE"] == "My app"
    assert "OPENROUTER_HTTP_REFERER" not in PROVIDERS["openrouter"].select(environ)  # empty


def test_the_timeouts_a_component_is_given_are_the_ones_its_transport_reads():
    selected = PROVIDERS["openai"].select({"GOLEM_LLM_CONNECT_TIMEOUT_MS": "5",
                                           "GOLEM_LLM_FIRST_BYTE_TIMEOUT_MS": "6",
                                           "GOLEM_LLM_BETWEEN_BYTES_TIMEOUT_MS": "7"})
    assert Timeouts.from_env(selected) == Timeouts(5, 6, 7)


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_the_emulator_serves_each_provider_where_its_emulator_env_points(name):
    provider = PROVIDERS[name]
    request = provider.chat_request(HI, Config(model="text"),
                                    provider.emulator_env("http://127.0.0.1:9", "sk-emu"))
    assert isinstance(request, HttpRequest), request
    served = {dialect.path: dialect.name for dialect in all_dialects()}
    assert served[urlsplit(request.url).path] == name


def test_which_models_continue_a_trailing_assistant_message():
    assert PROVIDERS["anthropic"].continues_assistant_prefix(Config(model="claude-anything"))
    assert PROVIDERS["openrouter"].continues_assistant_prefix(Config(model="anthropic/claude-4.5"))
    assert not PROVIDERS["openrouter"].continues_assistant_prefix(Config(model="openai/gpt-4o"))
    assert not PROVIDERS["openai"].continues_assistant_prefix(Config(model="gpt-4o"))
    assert not PROVIDERS["grok"].continues_assistant_prefix(Config(model="grok-4"))
