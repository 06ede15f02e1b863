"""The contract a provider's API fulfils in the emulator: a path, an auth check, a request
parser, a renderer and an error shape.  One class per wire dialect (chat_completions.py,
anthropic_messages.py) renders it; a provider with habits of its own has a flavour file named
for it (grok.py, openrouter.py)."""

from __future__ import annotations

from typing import Any, Mapping, Protocol

from providers import PROVIDERS
from runtime.emulator.request_view import RequestView
from runtime.emulator.response import RenderContext, Response
from runtime.emulator.scenario import Scenario


def served_path(provider: str) -> str:
    """Where the emulator serves the API of the registry's `provider`: its
    `emulator_prefix` plus its endpoint `path` (`providers/<provider>.py`)."""
    entry = PROVIDERS[provider]
    return entry.emulator_prefix + entry.path


class Dialect(Protocol):
    #: The provider it stands in for ("openai", "anthropic", ...), as the registry names it.
    name: str
    #: The request path this dialect answers, e.g. "/v1/chat/completions".
    path: str

    def check_auth(self, headers: Mapping[str, str], expected_key: str | None) -> Response | None:
        """None if the request is authorised; else the provider's 401 answer.  `headers` are
        lowercased; `expected_key` None accepts any non-empty key."""
        ...

    def parse_request(self, request: Any) -> RequestView | Response:
        """The neutral view of a decoded JSON body, or the provider's 400 answer when the body
        is not a valid request (not an object, no model, no messages)."""
        ...

    def render(self, scenario: Scenario, request: Mapping[str, Any], ctx: RenderContext | None = None) -> Response:
        """The provider's answer for `scenario`: an HTTP error, a stream (if the request asked
        for one) or a plain JSON answer."""
        ...

    def error(self, status: int, message: str, *, type: str | None = None, code: str | None = None) -> Response:
        """An HTTP error in the provider's error shape (unknown path, bad method)."""
        ...

    def bad_json(self) -> Response:
        """The provider's 400 answer to a body that is not JSON."""
        ...
