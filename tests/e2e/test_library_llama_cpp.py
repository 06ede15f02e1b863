"""`import golem_llm` against a real model server (`make e2e`): llama-cpp-python's
OpenAI-compatible server with SmolLM2-135M, behind the recording proxy.  What the emulator
cannot show the library: a real server's streaming, its reading of the request, and a tool
call and its result the way a real server takes them.

The model is tiny and greedy (temperature 0); the assertions check behaviour, not wording.
"""

from __future__ import annotations

import asyncio
import json

import golem_llm as llm
from tests.e2e.llama_server import MODEL_ALIAS
from tests.helpers import calls_of, only_finish, text_of

KEY = "sk-e2e-library-key"
COUNT = [llm.user("List the numbers from 1 to 10.")]
WEATHER = llm.ToolDefinition(
    name="get_weather", description="Weather for a city",
    parameters_schema=json.dumps({"type": "object", "properties": {
        "location": {"type": "string"}}, "required": ["location"]}))
CAP = llm.Kv("max_tokens", "64")


def config(**fields) -> llm.Config:
    fields.setdefault("provider_options", (CAP,) if fields.get("max_tokens") is None else ())
    return llm.Config(model=MODEL_ALIAS, temperature=0.0, **fields)


def env(proxy, **settings: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": proxy.base_url,
            "GOLEM_LLM_CONNECT_TIMEOUT_MS": "5000",
            "GOLEM_LLM_FIRST_BYTE_TIMEOUT_MS": "120000", **settings}


def test_stream_arrives_in_pieces_and_ends_in_one_finish(traffic):
    with llm.stream("openai", COUNT, config(), env=env(traffic)) as answer:
        batches = list(answer.batches())
    events = [event for batch in batches for event in batch]
    finish = only_finish(events)
    assert finish.metadata.finish_reason is llm.FinishReason.STOP
    assert all(str(n) in text_of(events) for n in range(1, 11)), text_of(events)
    assert len(batches) > 2, "a real server streams token by token"
    (exchange,) = traffic.exchanges
    assert exchange.json["stream"] is True and exchange.status == 200
    assert exchange.json["messages"] == [{"role": "user", "content": COUNT[0].content[0].text}]


def test_send_and_max_tokens(traffic):
    reply = llm.send("openai", COUNT, config(max_tokens=8), env=env(traffic))
    assert isinstance(reply, llm.CompleteResponse), reply
    assert reply.metadata.finish_reason is llm.FinishReason.LENGTH
    # llama.cpp sends no usage when streaming (tests/e2e/record.py), so the cut is seen in
    # the text: 8 tokens are a few words at most.
    text = "".join(p.text for p in reply.content)
    assert text.strip() and len(text.split()) <= 8, text


def test_a_forced_tool_call_and_its_result(traffic):
    question = [llm.user("What is the weather in Oslo?")]
    cfg = config(tools=(WEATHER,), tool_choice="get_weather")
    first = llm.send("openai", question, cfg, env=env(traffic))
    assert isinstance(first, llm.ToolRequest), first
    (call,) = first.tool_calls
    assert call.name == "get_weather" and isinstance(json.loads(call.arguments_json), dict)
    result = llm.ToolSuccess(call.id, call.name, '{"sky": "clear", "temperature_c": 4}')
    second = llm.continue_("openai", question, [(call, result)], config(tools=(WEATHER,)),
                           env=env(traffic))
    assert isinstance(second, (llm.CompleteResponse, llm.ToolRequest)), second
    sent = traffic.exchanges[-1].json["messages"]
    assert sent[-1]["role"] == "tool" and "clear" in sent[-1]["content"]


def test_the_async_stream_gives_the_same_answer(traffic):
    sync_events = list(llm.stream("openai", COUNT, config(), env=env(traffic)))

    async def main():
        stream = await llm.astream("openai", COUNT, config(), env=env(traffic))
        return [event async for event in stream]

    async_events = asyncio.run(main())
    only_finish(async_events)
    assert text_of(async_events) == text_of(sync_events)  # greedy: the same answer
    assert not calls_of(async_events)
