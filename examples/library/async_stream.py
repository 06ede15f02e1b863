"""Two providers answer at once, with asyncio: each answer is printed whole when it is in.

    python examples/library/async_stream.py openai gpt-4o-mini anthropic claude-haiku-4-5
"""

import asyncio
import sys

import golem_llm as llm


async def ask(provider: str, model: str, question: str) -> str:
    stream = await llm.astream(provider, [llm.user(question)],
                               llm.Config(model=model, max_tokens=200))
    pieces = []
    async for event in stream:
        if isinstance(event, llm.LlmError):
            return f"{provider}: [error {event.code.value}] {event.message}"
        pieces.append(llm.text(event))
    return f"{provider}: {''.join(pieces)}"


async def main(first: str, first_model: str, second: str, second_model: str) -> int:
    question = "In one sentence: what is a durable worker?"
    answers = await asyncio.gather(ask(first, first_model, question),
                                   ask(second, second_model, question))
    for answer in answers:
        print(answer)
    return 1 if any("[error " in answer for answer in answers) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:5])))
