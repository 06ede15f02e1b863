"""Stream an answer from a provider, token by token.

    python examples/library/stream_chat.py openai gpt-4o-mini "Why do agents need durability?"

The key (and, optionally, the base URL) come from the environment: OPENAI_API_KEY,
ANTHROPIC_API_KEY, XAI_API_KEY or OPENROUTER_API_KEY, and <PROVIDER>_BASE_URL.
"""

import sys

import golem_llm as llm


def main(provider: str, model: str, question: str) -> int:
    config = llm.Config(model=model, max_tokens=300)
    with llm.stream(provider, [llm.user(question)], config) as answer:
        for event in answer:
            if isinstance(event, llm.StreamDelta):
                print(llm.text(event), end="", flush=True)
            elif isinstance(event, llm.Finish):
                print(f"\n[{event.metadata.finish_reason.value}]")
            else:  # llm.LlmError: a value, never an exception
                print(f"\n[error {event.code.value}] {event.message}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
