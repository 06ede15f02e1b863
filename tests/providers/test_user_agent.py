"""Every provider's request names the project, its version and the provider."""

from __future__ import annotations

import tomllib

import pytest

from normalizer.values import Config, Message, Role, Text
from providers import PROVIDERS, HttpRequest
from providers.user_agent import PROJECT, VERSION
from tests.helpers import ROOT
HI = (Message(Role.USER, (Text("hi"),)),)


def test_the_version_is_the_projects():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert (PROJECT, VERSION) == (project["name"], project["version"])


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_every_request_carries_one_user_agent_naming_the_provider(name):
    provider = PROVIDERS[name]
    request = provider.chat_request(HI, Config(model="m"), {provider.api_key_env: "k"})
    assert isinstance(request, HttpRequest), request
    agents = [value for header, value in request.headers if header.lower() == "user-agent"]
    assert agents == [f"golem-llm-py/{VERSION} ({name})"]
