"""The thinking round trip through the built Anthropic component: a recorded real
thinking + tool_use answer served over HTTP by the emulator (`runtime.emulator.recorded`),
then `continue`, whose request must start the assistant turn with the recorded thinking
block, unchanged, before the tool_use.  Portable (send, stream, and a fresh instance given
the blocks as the `reasoning-blocks` option) and durable (a worker that replays the send
from its oplog and then continues live sends the same body as the uninterrupted one)."""

from __future__ import annotations

import json

import pytest

from normalizer import values as v
from providers.common.portable_options import REASONING_BLOCKS
from providers.registry import PROVIDERS
from runtime.emulator.recorded import RecordedMessagesDialect, recorded_response
from runtime.emulator.server import EmulatorServer
from runtime.golem import GolemHost
from runtime.host import ComponentHost
from tests.components.test_openai import drain
from tests.helpers import EMULATOR_KEY, REAL_FIXTURES, built

pytestmark = pytest.mark.component

THINKING = REAL_FIXTURES / "anthropic" / "fantasy-sonnet-4-thinking-tool-use"
FOLLOWUP = REAL_FIXTURES / "anthropic" / "fantasy-sonnet-4-tool-result-followup-stream"
ASK = (v.Message(v.Role.USER, (v.Text("What's the weather in Florence, Italy?"),)),)
WEATHER = v.ToolDefinition("weather", '{"type":"object","properties":{"location":{"type":"string"}}}')
CONFIG = v.Config(model="claude-sonnet-4-20250514", tools=(WEATHER,),
                  provider_options=(v.Kv("thinking-budget", "4000"),))


@pytest.fixture(scope="module")
def recorded_content() -> list[dict]:
    for folder in (THINKING, FOLLOWUP):
        if not folder.is_dir():
            pytest.skip(f"recorded fixture {folder.name} not present at {folder}")
    return json.loads((THINKING / "response.body").read_text())["content"]


@pytest.fixture(scope="module")
def server():
    dialect = RecordedMessagesDialect()
    with EmulatorServer(api_key=EMULATOR_KEY, dialects=(dialect,)) as running:
        yield running, dialect


@pytest.fixture
def replay(server):
    running, dialect = server
    running.clear()
    dialect.enqueue(recorded_response(THINKING), recorded_response(FOLLOWUP))
    return running


def env_for(server) -> dict[str, str]:
    return {**PROVIDERS["anthropic"].emulator_env(server.origin, EMULATOR_KEY),
            "GOLEM_LLM_MAX_RETRIES": "0", "GOLEM_LLM_MAX_RESUMES": "0"}


def results_for(calls) -> list:
    return [(c, v.ToolSuccess(c.id, c.name, '"40 C"')) for c in calls]


def check_continue_body(server, content: list[dict]) -> dict:
    """The continue request, block by block: the recorded thinking first, unchanged, then
    the tool_use, then the result."""
    requests = server.requests
    assert len(requests) == 2
    thinking, use = content
    assert requests[0].json["thinking"] == {"type": "enabled", "budget_tokens": 4000}
    assistant, results = requests[1].json["messages"][-2:]
    assert assistant["role"] == "assistant"
    assert assistant["content"][0] == thinking
    assert assistant["content"][1] == {k: use[k] for k in ("type", "id", "name", "input")}
    assert len(assistant["content"]) == 2
    assert results["content"][0]["tool_use_id"] == use["id"]
    return requests[1].json


@pytest.fixture(scope="module")
def portable() -> ComponentHost:
    return ComponentHost(built("anthropic", "portable"))


def test_send_then_continue_sends_the_thinking_back(portable, replay, recorded_content):
    llm = portable.instantiate(env_for(replay))
    first = llm.send(ASK, CONFIG)
    # The tool calls come with their metadata: a bare tool-request could not carry it.
    assert isinstance(first, v.CompleteResponse)
    assert [c.id for c in first.tool_calls] == [recorded_content[1]["id"]]
    assert json.loads(first.metadata.provider_metadata_json)["thinking"] == [recorded_content[0]]
    answer = llm.continue_(ASK, results_for(first.tool_calls), CONFIG)
    assert isinstance(answer, v.CompleteResponse) and "Florence" in answer.content[0].text
    check_continue_body(replay, recorded_content)


def test_stream_then_continue_sends_the_thinking_back(portable, replay, recorded_content):
    llm = portable.instantiate(env_for(replay))
    with llm.stream(ASK, CONFIG) as stream:
        events, _, _ = drain(stream)
    calls = [c for e in events if isinstance(e, v.StreamDelta) for c in e.tool_calls or ()]
    llm.continue_(ASK, results_for(calls), CONFIG)
    check_continue_body(replay, recorded_content)


def test_another_instance_sends_the_blocks_passed_as_the_option(portable, replay,
                                                                recorded_content):
    first = portable.instantiate(env_for(replay)).send(ASK, CONFIG)
    blocks = json.loads(first.metadata.provider_metadata_json)["thinking"]
    other = portable.instantiate(env_for(replay))
    config = v.Config(model=CONFIG.model, tools=CONFIG.tools, provider_options=(
        *CONFIG.provider_options, v.Kv(REASONING_BLOCKS, json.dumps(blocks))))
    other.continue_(ASK, results_for(first.tool_calls), config)
    check_continue_body(replay, recorded_content)


def test_without_the_memory_or_the_option_nothing_is_invented(portable, replay,
                                                             recorded_content):
    first = portable.instantiate(env_for(replay)).send(ASK, CONFIG)
    portable.instantiate(env_for(replay)).continue_(ASK, results_for(first.tool_calls), CONFIG)
    assistant = replay.requests[1].json["messages"][-2]
    assert [b["type"] for b in assistant["content"]] == ["tool_use"]


def test_durable_replay_rebuilds_the_memory_and_continue_sends_the_same_body(
        replay, recorded_content, server, tmp_path):
    golem = GolemHost(built("anthropic", "durable"))
    running, dialect = server
    with golem.worker(tmp_path / "live.oplog", env_for(replay)) as live:
        first = live.send(ASK, CONFIG)
        live.continue_(ASK, results_for(first.tool_calls), CONFIG)
    uninterrupted = check_continue_body(replay, recorded_content)

    # The worker crashed after the send: its oplog holds only the send.
    running.clear()
    dialect.enqueue(recorded_response(THINKING), recorded_response(FOLLOWUP))
    crashed = tmp_path / "crashed.oplog"
    with golem.worker(crashed, env_for(replay)) as before_crash:
        sent = before_crash.send(ASK, CONFIG)
    with golem.worker(crashed, env_for(replay)) as again:
        assert again.send(ASK, CONFIG) == sent  # replayed, no request
        assert again.live
        again.continue_(ASK, results_for(sent.tool_calls), CONFIG)
    assert check_continue_body(replay, recorded_content) == uninterrupted
