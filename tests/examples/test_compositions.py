"""The example agent composed with the provider components (`make examples`): what each
composition imports, and the compositions running against the provider emulator in the
project's hosts: a portable one as a plain WASI instance, a durable one as an emulated
Golem 1.2 worker that crashes mid-stream and resumes.

Each composition compiled in wasmtime-py costs 15-30 s the first time (then it loads from
`.cache/compiled/`), so the runs use one provider's pair; every provider's composition is
run in the stock wasmtime CLI (test_wasmtime_cli.py), whose compiler is cheaper.
"""

from __future__ import annotations

import pytest

from examples.agent.build import (AGENT_INTERFACE, compositions, import_problems,
                                  imports_exports)
from examples.agent.host import AgentGolemHost, AgentHost, Answer
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.golem import CrashPlan, InjectedCrash, open_oplog
from runtime.golem.oplog_entry import IMPORTED_FUNCTION_INVOKED
from runtime.host import Err, Ok
from tests.examples.helpers import composed, emulator_env
from tests.helpers import EMULATOR_KEY

pytestmark = pytest.mark.component

PROVIDER = "openai"
ANSWER = ("Durable agents keep an oplog of every call they make, so after a crash they "
          "replay it and carry on where they stopped, without asking the model again.")
ADD = ScriptedToolCall("call_add", "add", '{"a": 2, "b": 3}')
COUNT = ScriptedToolCall("call_count", "word_count", '{"text": "to be or not"}')


def tool_round(*calls: ScriptedToolCall) -> Scenario:
    return Scenario(tool_calls=calls)


def streamed_answer() -> Scenario:
    """A long answer in small, paced deltas (several get-next batches), which the emulator
    continues from wherever a resume request says the caller got to."""
    return Scenario(text=ANSWER, text_chunk_chars=12, chunk_delay_s=0.03, resumes=True)


# ---- imports ------------------------------------------------------------------------------

@pytest.mark.parametrize("composition", compositions(),
                         ids=lambda c: c.output.name.removesuffix(".wasm"))
def test_composition_imports_only_wasi_0_2_0_and_golem_1_2(composition):
    imports, exports = imports_exports(composed(composition.provider, composition.flavour))
    assert import_problems(imports, exports, composition.flavour) == []
    assert "wasi:http/outgoing-handler@0.2.0" in imports  # the provider's, carried through
    assert not any(name.startswith("golem:llm/") for name in imports)  # filled by the plug
    golem = {name for name in imports if name.startswith("golem:")}
    if composition.flavour == "durable":
        assert {"golem:durability/durability@1.2.0", "golem:api/host@1.1.6"} <= golem
    else:
        assert golem == set()
    assert exports == [AGENT_INTERFACE]


@pytest.mark.parametrize("imports, flavour, problem", [
    (["wasi:io/poll@0.2.3"], "durable", "Golem 1.2 links WASI 0.2.0 only"),
    (["golem:llm/llm@1.0.0"], "portable", "did not fill"),
    (["golem:durability/durability@1.2.0"], "portable", "not WASI 0.2.0"),
    (["golem:durability/durability@1.3.0"], "durable", "nor Golem 1.2"),
    (["spin:key-value/store@2.0.0"], "durable", "nor Golem 1.2"),
])
def test_import_check_names_what_a_host_would_refuse(imports, flavour, problem):
    problems = import_problems(imports, [AGENT_INTERFACE], flavour)
    assert len(problems) == 1 and problem in problems[0] and imports[0] in problems[0]


# ---- the portable composition in the project's wasmtime host --------------------------------

@pytest.fixture(scope="module")
def portable():
    return AgentHost(composed(PROVIDER, "portable"))


def test_tool_loop_runs_both_tools_and_sends_their_results_back(portable, fresh_emulator):
    fresh_emulator.enqueue(tool_round(ADD, COUNT), Scenario(text="5, and 4 words."))
    agent = portable.instantiate(emulator_env(PROVIDER, fresh_emulator, EMULATOR_KEY))
    result = agent.ask("m", "What is 2+3, and how many words in 'to be or not'?", 4)
    assert result == Ok(Answer(text="5, and 4 words.", rounds=2, tool_calls=(
        'add({"a": 2, "b": 3}) = {"sum": 5}',
        'word_count({"text": "to be or not"}) = {"words": 4}')))
    first, second = fresh_emulator.requests
    assert [t["function"]["name"] for t in first.json["tools"]] == ["add", "word_count"]
    tool_messages = [m for m in second.json["messages"] if m["role"] == "tool"]
    assert [(m["tool_call_id"], m["content"]) for m in tool_messages] == [
        ("call_add", '{"sum": 5}'), ("call_count", '{"words": 4}')]


def test_tool_loop_is_bounded_and_errors_are_values(portable, fresh_emulator):
    env = emulator_env(PROVIDER, fresh_emulator, EMULATOR_KEY)
    fresh_emulator.enqueue(tool_round(ADD), tool_round(ADD), tool_round(ADD))
    agent = portable.instantiate(env)
    assert agent.ask("m", "loop", 2) == Err("the model still wanted tools after 2 rounds")
    assert fresh_emulator.request_count == 2
    fresh_emulator.clear_queue()
    fresh_emulator.enqueue(Scenario(error_status=401))
    result = agent.ask("m", "hi", 3)  # the same instance: nothing trapped
    assert isinstance(result, Err) and result.value.startswith("authentication-failed: ")
    assert EMULATOR_KEY not in result.value


def test_streaming_call_reads_the_whole_answer_in_several_batches(portable, fresh_emulator):
    fresh_emulator.enqueue(streamed_answer())
    agent = portable.instantiate(emulator_env(PROVIDER, fresh_emulator, EMULATOR_KEY))
    result = agent.stream_answer("m", "Tell me about durable agents")
    assert isinstance(result, Ok), result
    assert (result.value.text, result.value.finish) == (ANSWER, "stop")
    assert result.value.batches > 1
    assert fresh_emulator.last_request.json["stream"] is True


# ---- the durable composition as an emulated Golem worker ------------------------------------

@pytest.fixture(scope="module")
def durable():
    return AgentGolemHost(composed(PROVIDER, "durable"))


def _llm_calls(oplog) -> list[str]:
    return [e.function_name for e in open_oplog(oplog).entries()
            if e.kind == IMPORTED_FUNCTION_INVOKED and e.function_name.startswith("golem_llm::")]


def test_crash_mid_stream_resumes_with_one_request_and_the_whole_answer(
        durable, fresh_emulator, tmp_path):
    """The worker dies at its third `get-next` (after that batch was committed); a new
    worker on the same oplog re-runs the call: the stream's opening and the committed
    batches replay from the oplog, and one continuation request fetches the rest.  The batch
    window is off, so that each `get-next` is one piece of the answer and the third comes
    before its end (with it, two windowed batches can hold the whole answer)."""
    oplog = tmp_path / "agent.oplog"
    env = {**emulator_env(PROVIDER, fresh_emulator, EMULATOR_KEY),
           "GOLEM_LLM_STREAM_BATCH_WINDOW_MS": "0"}
    fresh_emulator.enqueue(streamed_answer())
    crash = CrashPlan.at_persist(3, "golem_llm::get_next", when="after-commit")
    with pytest.raises(InjectedCrash):
        with durable.worker(oplog, env, crash=crash) as worker:
            worker.stream_answer("m", "Tell me about durable agents")
    committed = _llm_calls(oplog)
    assert committed[0] == "golem_llm::stream" and committed.count("golem_llm::get_next") == 3

    fresh_emulator.clear()
    fresh_emulator.enqueue(streamed_answer())
    with durable.worker(oplog, env) as again:
        assert not again.live  # replaying the crashed invocation's entries
        result = again.stream_answer("m", "Tell me about durable agents")
    assert isinstance(result, Ok), result
    assert (result.value.text, result.value.finish) == (ANSWER, "stop")
    assert fresh_emulator.request_count == 1
    resumed = fresh_emulator.requests[0].json["messages"]
    assert any(m["role"] == "assistant" and ANSWER.startswith(m["content"].rstrip())
               and m["content"].strip() for m in resumed)


def test_tool_loop_replays_from_the_oplog_and_a_crash_between_rounds_resumes(
        durable, fresh_emulator, tmp_path):
    env = emulator_env(PROVIDER, fresh_emulator, EMULATOR_KEY)
    crashed = tmp_path / "crash.oplog"
    fresh_emulator.enqueue(tool_round(ADD))
    with pytest.raises(InjectedCrash):  # `send` is committed; the worker dies at `continue`
        with durable.worker(crashed, env,
                            crash=CrashPlan.at_persist(1, "golem_llm::continue")) as worker:
            worker.ask("m", "What is 2+3?", 3)
    assert _llm_calls(crashed) == ["golem_llm::send"]

    fresh_emulator.clear()
    fresh_emulator.clear_queue()
    fresh_emulator.enqueue(Scenario(text="It is 5."))
    expected = Ok(Answer("It is 5.", 2, ('add({"a": 2, "b": 3}) = {"sum": 5}',)))
    with durable.worker(crashed, env) as again:
        assert again.ask("m", "What is 2+3?", 3) == expected
    assert fresh_emulator.request_count == 1  # the `continue` only: `send` was replayed
    assert fresh_emulator.requests[0].json["messages"][-1]["role"] == "tool"

    fresh_emulator.clear()
    with durable.worker(crashed, env) as replay:  # the whole loop, from the oplog alone
        assert replay.ask("m", "What is 2+3?", 3) == expected
    assert fresh_emulator.request_count == 0
