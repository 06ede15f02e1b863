"""A tool round trip: the model asks for a tool, this script runs it, `continue_` sends the
result back and the model answers.

    python examples/library/tool_round_trip.py openai gpt-4o-mini "What is the weather in Oslo?"
"""

import json
import sys

import golem_llm as llm

WEATHER = llm.ToolDefinition(
    name="get_weather",
    description="Current weather for a city",
    parameters_schema=json.dumps({"type": "object",
                                  "properties": {"city": {"type": "string"}},
                                  "required": ["city"]}),
)


def get_weather(arguments_json: str) -> str:
    city = json.loads(arguments_json).get("city", "?")
    return json.dumps({"city": city, "sky": "clear", "temperature_c": 21})


def main(provider: str, model: str, question: str) -> int:
    config = llm.Config(model=model, tools=(WEATHER,), max_tokens=300)
    messages = [llm.user(question)]
    reply = llm.send(provider, messages, config)
    while isinstance(reply, llm.ToolRequest) or (
            isinstance(reply, llm.CompleteResponse) and reply.tool_calls):
        pairs = []
        for call in reply.tool_calls:
            print(f"model asked: {call.name}({call.arguments_json})")
            pairs.append((call, llm.ToolSuccess(call.id, call.name,
                                                get_weather(call.arguments_json))))
        reply = llm.continue_(provider, messages, pairs, config)
    if isinstance(reply, llm.LlmError):
        print(f"[error {reply.code.value}] {reply.message}")
        return 1
    print(f"model answered: {llm.text(reply)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
