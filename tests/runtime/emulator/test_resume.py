"""A resumable scenario answers a continuation of its own answer with the rest of it, in
both continuation forms the component sends (durability/continuation.py), over HTTP."""

from __future__ import annotations

import json
import urllib.request

import pytest

from durability.continuation import Partial, continuation_messages
from normalizer import values as v
from providers import PROVIDERS
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.server import EmulatorServer
from tests.helpers import EMULATOR_KEY

TEXT = "The answer begins here, then goes on to its end."
CALL = ScriptedToolCall(id="call_r1", name="lookup", arguments_json='{"q": "x"}')
USER = (v.Message(v.Role.USER, (v.Text("Tell me."),)),)


def answer(server: EmulatorServer, provider: str, messages) -> dict:
    """The non-streamed answer of `provider`'s wire request for `messages`, as JSON."""
    prov = PROVIDERS[provider]
    env = prov.emulator_env(server.origin, EMULATOR_KEY)
    request = prov.chat_request(tuple(messages), v.Config(model="m"), env)
    body = json.loads(request.body)
    body["stream"] = False
    body.pop("stream_options", None)
    req = urllib.request.Request(request.url, json.dumps(body).encode(),
                                 dict(request.headers), method="POST")
    req.remove_header("Content-length")
    with urllib.request.urlopen(req, timeout=5) as response:
        return json.loads(response.read())


def text_and_calls(provider: str, body: dict) -> tuple[str, list[str], str]:
    if provider == "anthropic":
        text = "".join(b["text"] for b in body["content"] if b["type"] == "text")
        return text, [b["id"] for b in body["content"] if b["type"] == "tool_use"], \
            body["stop_reason"]
    message = body["choices"][0]["message"]
    return (message.get("content") or "", [c["id"] for c in message.get("tool_calls") or ()],
            body["choices"][0]["finish_reason"])


@pytest.fixture
def emu():
    with EmulatorServer(api_key=EMULATOR_KEY) as server:
        yield server


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_a_prefill_is_continued_where_it_stops(emu, provider):
    emu.fallback = Scenario(text=TEXT, resumes=True)
    had = "The answer begins here,"
    messages = continuation_messages(USER, Partial(had + " "), prefill=True)
    assert messages[-1].role is v.Role.ASSISTANT  # the prefill form
    assert text_and_calls(provider, answer(emu, provider, messages))[0] == TEXT[len(had):]


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_a_continuation_prompt_is_answered_with_the_rest_and_the_calls_not_yet_given(
        emu, provider):
    second = ScriptedToolCall(id="call_r2", name="lookup", arguments_json='{"q": "y"}')
    emu.fallback = Scenario(text=TEXT, tool_calls=(CALL, second), resumes=True)
    messages = continuation_messages(
        USER, Partial(TEXT, (v.ToolCall(CALL.id, CALL.name, CALL.arguments_json),)),
        prefill=False)
    text, calls, finish = text_and_calls(provider, answer(emu, provider, messages))
    assert text == "" and calls == ["call_r2"]
    assert finish == ("tool_use" if provider == "anthropic" else "tool_calls")


def test_only_a_resumable_scenario_and_only_its_own_answer_is_continued(emu):
    messages = continuation_messages(USER, Partial("The answer begins"), prefill=False)
    emu.fallback = Scenario(text=TEXT)
    assert text_and_calls("openai", answer(emu, "openai", messages))[0] == TEXT
    emu.fallback = Scenario(text="Something else entirely.", resumes=True)
    assert text_and_calls("openai", answer(emu, "openai", messages))[0] == \
        "Something else entirely."


def test_an_ordinary_conversation_is_no_continuation_even_if_its_assistant_turn_matches(emu):
    emu.fallback = Scenario(text=TEXT, resumes=True)
    messages = USER + (v.Message(v.Role.ASSISTANT, (v.Text("The answer"),)),
                       v.Message(v.Role.USER, (v.Text("And then?"),)))
    assert text_and_calls("openai", answer(emu, "openai", messages))[0] == TEXT
