"""`import golem_llm`: the engine as a library, over real HTTP against the provider emulator.

Each test calls the public API only (`golem_llm.__all__`) and checks what a user sees:
streamed events, whole answers, a tool round trip, retries, a resume, the deadlines, the
async variant, and that no API key comes back.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx2
import pytest

import golem_llm as llm
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.scenarios import TEXT
from tests.helpers import EMULATOR_KEY, FAST_RETRIES, calls_of, only_error, only_finish, text_of

ANSWER = "Durable workers keep their place: a crash replays the log instead of asking again."
CONTINUATION = " and the rest of it."
WEATHER = llm.ToolDefinition(
    name="get_weather", description="Weather for a city",
    parameters_schema=json.dumps({"type": "object", "properties": {
        "city": {"type": "string"}}, "required": ["city"]}))


def env_for(server, provider: str = "openai", **settings: str) -> dict[str, str]:
    return {**llm.PROVIDERS[provider].emulator_env(server.origin, EMULATOR_KEY), **settings}


def paced(**changes) -> Scenario:
    base = dict(text=ANSWER, text_chunk_chars=16, chunk_delay_s=0.05, usage=(12, 20))
    return Scenario(**{**base, **changes})


def test_the_public_api_is_declared_and_every_name_in_it_exists():
    assert {"stream", "send", "continue_", "astream", "asend", "acontinue", "PROVIDERS",
            "Message", "Config", "LlmError"} <= set(llm.__all__)
    assert all(hasattr(llm, name) for name in llm.__all__)


@pytest.mark.parametrize("provider", sorted(llm.PROVIDERS))
def test_stream_yields_deltas_as_they_arrive_then_one_finish(provider, fresh_emulator):
    fresh_emulator.enqueue(paced())
    batches = []
    with llm.stream(provider, [llm.user("hi")], llm.Config(model="m"),
                    env=env_for(fresh_emulator, provider)) as answer:
        for batch in answer.batches():
            batches.append(batch)
    events = [event for batch in batches for event in batch]
    assert text_of(events) == ANSWER
    assert len(batches) > 2, "the answer came in one piece, not as it arrived"
    finish = only_finish(events)
    assert finish.metadata.usage is not None and finish.metadata.usage.output_tokens == 20


def test_send_returns_the_whole_answer(fresh_emulator):
    reply = llm.send("openai", [llm.user("hi")], llm.Config(model="text"),
                     env=env_for(fresh_emulator))
    assert isinstance(reply, llm.CompleteResponse)
    assert llm.text(reply) == TEXT
    assert fresh_emulator.last_request.json["stream"] is True  # the stream, drained


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_tool_round_trip_sends_the_call_back_with_its_result(provider, fresh_emulator):
    env = env_for(fresh_emulator, provider)
    config = llm.Config(model="m", tools=(WEATHER,))
    messages = [llm.user("Weather in Oslo?")]
    fresh_emulator.enqueue(Scenario(tool_calls=(ScriptedToolCall(
        "call_1", "get_weather", '{"city": "Oslo"}'),)), Scenario(text="Sunny in Oslo."))
    first = llm.send(provider, messages, config, env=env)
    assert isinstance(first, llm.ToolRequest)
    call = first.tool_calls[0]
    assert (call.name, json.loads(call.arguments_json)) == ("get_weather", {"city": "Oslo"})
    result = llm.ToolSuccess(call.id, call.name, '{"sky": "clear"}')
    second = llm.continue_(provider, messages, [(call, result)], config, env=env)
    assert isinstance(second, llm.CompleteResponse) and llm.text(second) == "Sunny in Oslo."
    sent = json.dumps(fresh_emulator.last_request.json)
    assert call.id in sent and "clear" in sent


def test_a_provider_failure_is_a_value_after_the_same_retries(fresh_emulator):
    reply = llm.send("openai", [llm.user("hi")], llm.Config(model="error-429"),
                     env=env_for(fresh_emulator, **FAST_RETRIES))
    assert isinstance(reply, llm.LlmError)
    assert reply.code is llm.ErrorCode.RATE_LIMIT_EXCEEDED
    assert "after 3 attempts" in reply.message
    assert fresh_emulator.request_count == 3


def test_a_503_then_an_answer_is_one_answer(fresh_emulator):
    fresh_emulator.enqueue(Scenario(error_status=503), Scenario(text="fine"))
    events = list(llm.stream("openai", [llm.user("hi")], llm.Config(model="m"),
                             env=env_for(fresh_emulator, **FAST_RETRIES)))
    assert text_of(events) == "fine" and only_finish(events)
    assert fresh_emulator.request_count == 2


def test_a_stream_that_stalls_after_its_first_events_is_resumed_once(fresh_emulator):
    fresh_emulator.enqueue(paced(truncate="clean", truncate_after_events=4,
                                 stall_with_comments_s=0.02), Scenario(text=CONTINUATION))
    events = list(llm.stream("openai", [llm.user("hi")], llm.Config(model="m"),
                             env=env_for(fresh_emulator,
                                         GOLEM_LLM_BETWEEN_EVENTS_TIMEOUT_MS="300")))
    finish = only_finish(events)
    prefix = text_of(events)[: -len(CONTINUATION)]
    assert text_of(events).endswith(CONTINUATION) and prefix and ANSWER.startswith(prefix)
    assert json.loads(finish.metadata.provider_metadata_json)["resumes"] == 1
    assert fresh_emulator.request_count == 2
    resumed = json.dumps(fresh_emulator.last_request.json)
    assert prefix in resumed  # the continuation carries what the caller already has


def test_comments_without_events_end_in_the_first_event_deadline(fresh_emulator):
    fresh_emulator.enqueue(paced(truncate="clean", truncate_after_events=0,
                                 stall_with_comments_s=0.02))
    started = time.monotonic()
    reply = llm.send("openai", [llm.user("hi")], llm.Config(model="m"),
                     env=env_for(fresh_emulator, GOLEM_LLM_FIRST_EVENT_TIMEOUT_MS="300",
                                 GOLEM_LLM_MAX_RETRIES="0"))
    assert isinstance(reply, llm.LlmError) and "no event within 300 ms" in reply.message
    assert time.monotonic() - started < 5.0, "the comments were waited out"


def test_a_refused_connection_is_an_error_value(fresh_emulator):
    env = {"OPENAI_API_KEY": EMULATOR_KEY, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
           **FAST_RETRIES}
    reply = llm.send("openai", [llm.user("hi")], llm.Config(model="m"), env=env)
    assert isinstance(reply, llm.LlmError) and reply.code is llm.ErrorCode.INTERNAL_ERROR
    assert "after 3 attempts" in reply.message


def test_a_missing_key_names_the_variable_and_sends_nothing(fresh_emulator):
    env = env_for(fresh_emulator)
    del env["OPENAI_API_KEY"]
    reply = llm.send("openai", [llm.user("hi")], llm.Config(model="m"), env=env)
    assert isinstance(reply, llm.LlmError)
    assert reply.code is llm.ErrorCode.AUTHENTICATION_FAILED and "OPENAI_API_KEY" in reply.message
    assert fresh_emulator.request_count == 0


def test_an_echoed_key_never_comes_back(fresh_emulator):
    fresh_emulator.enqueue(Scenario(error_status=400,
                                    error_message=f"bad key {EMULATOR_KEY} in request"))
    reply = llm.send("openai", [llm.user("hi")], llm.Config(model="m"),
                     env=env_for(fresh_emulator))
    assert isinstance(reply, llm.LlmError)
    assert EMULATOR_KEY not in reply.message + (reply.provider_error_json or "")
    assert "[redacted]" in reply.message


def test_a_key_streamed_in_pieces_comes_back_redacted_whole(fresh_emulator):
    fresh_emulator.enqueue(paced(text=f"Your key is {EMULATOR_KEY}, as asked.",
                                 text_chunk_chars=5, chunk_delay_s=0.02))
    with llm.stream("openai", [llm.user("hi")], llm.Config(model="m"),
                    env=env_for(fresh_emulator)) as answer:
        batches = list(answer.batches())
    assert len(batches) > 3
    assert text_of([e for b in batches for e in b]) == "Your key is [redacted], as asked."


def test_a_shared_http_client_is_reused_and_left_open(fresh_emulator):
    with httpx2.Client() as http:
        for _ in range(2):
            reply = llm.send("openai", [llm.user("hi")], llm.Config(model="text"),
                             env=env_for(fresh_emulator), http=http)
            assert llm.text(reply) == TEXT
        assert not http.is_closed


def test_the_async_calls_stream_and_send_the_same_answers(fresh_emulator):
    env = env_for(fresh_emulator)

    async def main():
        fresh_emulator.enqueue(paced())
        stream = await llm.astream("openai", [llm.user("hi")], llm.Config(model="m"), env=env)
        events = [event async for event in stream]
        reply = await llm.asend("openai", [llm.user("hi")], llm.Config(model="text"), env=env)
        return events, reply

    events, reply = asyncio.run(main())
    assert text_of(events) == ANSWER and only_finish(events)
    assert llm.text(reply) == TEXT


def test_the_async_stream_leaves_the_loop_free_while_it_waits(fresh_emulator):
    env = env_for(fresh_emulator)
    fresh_emulator.enqueue(paced(chunk_delay_s=0.1))

    async def main():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        stream = await llm.astream("openai", [llm.user("hi")], llm.Config(model="m"), env=env)
        events = [event async for event in stream]
        task.cancel()
        return events, ticks

    events, ticks = asyncio.run(main())
    assert text_of(events) == ANSWER
    assert ticks > 10, "the event loop was blocked while the answer streamed"


def test_cancelling_an_async_stream_closes_its_connection(fresh_emulator):
    env = env_for(fresh_emulator)
    fresh_emulator.enqueue(paced(chunk_delay_s=0.2))

    async def main():
        stream = await llm.astream("openai", [llm.user("hi")], llm.Config(model="m"), env=env)
        async with stream:
            async for event in stream:
                return event

    first = asyncio.run(main())
    assert isinstance(first, llm.StreamDelta)


def test_acontinue_answers_after_a_tool_call(fresh_emulator):
    env = env_for(fresh_emulator)
    config = llm.Config(model="m", tools=(WEATHER,))
    fresh_emulator.enqueue(Scenario(tool_calls=(ScriptedToolCall("c1", "get_weather",
                                                                 '{"city": "Rome"}'),)),
                           Scenario(text="Warm."))

    async def main():
        first = await llm.asend("openai", [llm.user("Rome?")], config, env=env)
        call = first.tool_calls[0]
        return await llm.acontinue("openai", [llm.user("Rome?")],
                                   [(call, llm.ToolSuccess(call.id, call.name, "{}"))],
                                   config, env=env)

    assert llm.text(asyncio.run(main())) == "Warm."


def test_stream_events_carry_tool_calls(fresh_emulator):
    events = list(llm.stream("openai", [llm.user("Add and multiply")],
                             llm.Config(model="parallel-tool-calls"),
                             env=env_for(fresh_emulator)))
    assert [call.name for call in calls_of(events)] == ["add", "multiply"]
    assert only_finish(events).metadata.finish_reason is llm.FinishReason.TOOL_CALLS


def test_an_unknown_option_of_ours_is_refused_before_anything_is_sent(fresh_emulator):
    config = llm.Config(model="m", provider_options=(llm.Kv("golem_llm_max_retrys", "1"),))
    events = list(llm.stream("openai", [llm.user("hi")], config, env=env_for(fresh_emulator)))
    assert only_error(events).code is llm.ErrorCode.INVALID_REQUEST
    assert fresh_emulator.request_count == 0


def test_log_writes_the_calls_line_to_stderr_without_key_or_prompt(fresh_emulator, capsys):
    fresh_emulator.enqueue(Scenario(error_status=503), Scenario(text="fine"))
    reply = llm.send("openai", [llm.user("my secret prompt")], llm.Config(model="m"),
                     env=env_for(fresh_emulator, GOLEM_LLM_LOG="info", **FAST_RETRIES))
    assert llm.text(reply) == "fine"
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("golem-llm:")]
    assert len(lines) == 1, err
    assert lines[0].startswith("golem-llm: send provider=openai model=m ")
    assert " status=200 " in lines[0] and " attempts=2 retries=1 resumes=0 " in lines[0]
    assert lines[0].endswith("outcome=stop")
    assert EMULATOR_KEY not in err and "my secret prompt" not in err


def test_log_is_off_by_default(fresh_emulator, capsys):
    llm.send("openai", [llm.user("hi")], llm.Config(model="text"), env=env_for(fresh_emulator))
    assert "golem-llm" not in capsys.readouterr().err
