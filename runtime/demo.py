"""`make demo`: the built components, in wasmtime, against the local provider emulator.

Shows what a user of the components sees: an answer streamed as it arrives, then a tool
round trip (the model asks for a tool, the caller runs it, `continue` sends the result back
and the model answers).  Everything goes through `dist/llm-<provider>.wasm` and real HTTP
on loopback; only the provider is emulated.
"""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from typing import TextIO

from normalizer import values as v
from runtime.cli import EMULATOR_KEY, component_path, print_event, start_emulator
from runtime.host import ComponentHost
from runtime.providers_env import PROVIDERS

WEATHER_TOOL = v.ToolDefinition(
    name="get_weather",
    description="Current weather for a city",
    parameters_schema=json.dumps({
        "type": "object",
        "properties": {"city": {"type": "string", "description": "City name"}},
        "required": ["city"],
    }),
)


def run_weather_tool(call: v.ToolCall) -> v.ToolResult:
    """The demo's 'tool': a caller-side function, as an agent would run it."""
    try:
        city = json.loads(call.arguments_json).get("city", "somewhere")
    except ValueError:
        return v.ToolFailure(call.id, call.name, "arguments were not valid JSON")
    return v.ToolSuccess(call.id, call.name,
                         json.dumps({"city": city, "temperature_c": 21, "sky": "clear"}), 3)


def demo_provider(provider: str, out: TextIO, server: object) -> bool:
    penv = PROVIDERS[provider]
    wasm = component_path(provider, portable=False)
    started = time.perf_counter()
    host = ComponentHost(wasm)
    loaded = time.perf_counter()
    instance = host.instantiate({penv.api_key: EMULATOR_KEY, penv.base_url: server.base_url})
    ready = time.perf_counter()
    how = "loaded from the compile cache" if host.from_cache else "compiled"
    out.write(f"\n=== {provider}: {wasm.name} ({wasm.stat().st_size / 1e6:.1f} MB) — "
              f"{how} in {loaded - started:.2f} s, instantiated in "
              f"{(ready - loaded) * 1000:.0f} ms\n")

    out.write("\n--- 1. streamed answer (each piece is printed as get-next returns it)\n> ")
    out.flush()
    question = [v.Message(v.Role.USER, (v.Text(
        "Why does durable execution matter for AI agents?"),))]
    ok = True
    with instance.stream(question, v.Config(model="emulator-demo")) as stream:
        while True:
            batch = stream.blocking_get_next()
            if not batch:
                break
            for event in batch:
                print_event(event, out, as_json=False)
                ok = ok and not isinstance(event, v.LlmError)

    out.write("\n--- 2. tool round trip (send → tool-request → caller runs tool → continue)\n")
    config = v.Config(model="emulator-demo", tools=(WEATHER_TOOL,), tool_choice="auto")
    messages = [v.Message(v.Role.USER, (v.Text("What is the weather in Lisbon?"),))]
    first = instance.send(messages, config)
    if isinstance(first, v.CompleteResponse):
        calls = first.tool_calls
    elif isinstance(first, v.ToolRequest):
        calls = first.tool_calls
    else:
        out.write(f"[error: {first.code.value}] {first.message}\n")
        return False
    pairs = []
    for call in calls:
        result = run_weather_tool(call)
        out.write(f"model asked: {call.name}({call.arguments_json})\n"
                  f"caller ran it: {getattr(result, 'result_json', result)}\n")
        pairs.append((call, result))
    final = instance.continue_(messages, pairs, config)
    if isinstance(final, v.CompleteResponse):
        text = "".join(p.text for p in final.content if isinstance(p, v.Text))
        out.write(f"model answered: {text}\n")
    else:
        out.write(f"unexpected answer: {final}\n")
        ok = False
    return ok


def run_demo(out: TextIO, providers: tuple[str, ...] = tuple(PROVIDERS)) -> int:
    with ExitStack() as stack:
        server = start_emulator(stack, auto_delay_s=0.03)
        out.write(f"provider emulator listening on {server.base_url}\n")
        results = {p: demo_provider(p, out, server) for p in providers}
        out.write(f"\nemulator received {server.request_count} requests\n")
    return 0 if all(results.values()) else 1
