"""`make demo`: the built components, in wasmtime, against the local provider emulator.

Shows what a user of the components sees, for each of the four providers: an answer
streamed as it arrives, then a tool round trip (the model asks for a tool, the caller runs
it, `continue` sends the result back and the model answers).  Then one crash: a durable
worker is killed in the middle of a streamed answer, a fresh worker on the same oplog
replays what was received and continues the answer with one new request, and the oplog is
printed.  Everything goes through `dist/llm-<provider>.wasm` and real HTTP on loopback; only
the provider (and, for the crash, the Golem host) is emulated.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Optional, Sequence, TextIO

from normalizer import values as v
from runtime.cli.components import ROOT, component_host, component_path
from runtime.cli.local_emulator import EMULATOR_KEY, start_emulator
from runtime.cli.printing import print_event
from runtime.emulator.scenario import Scenario
from runtime.golem import CrashPlan, GolemHost, InjectedCrash, open_oplog
from runtime.golem.oplog_view import write_text
from providers import PROVIDERS

# Kept after the demo (ignored by git) so `golem-llm oplog` can print it again.
DEMO_DIR = ROOT / ".cache" / "demo"

STORY = ("A durable worker writes every side effect to its oplog. When the machine under it "
         "dies, Golem starts the worker again elsewhere and replays the oplog, so the agent "
         "picks up exactly where it was, and an answer that was half streamed is finished "
         "instead of asked for twice.")

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


def demo_provider(provider: str, out: TextIO, server: Any) -> bool:
    penv = PROVIDERS[provider]
    wasm = component_path(provider, portable=False)
    started = time.perf_counter()
    host = component_host(wasm, portable=False)
    loaded = time.perf_counter()
    instance = host.instantiate(penv.emulator_env(server.origin, EMULATOR_KEY))
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
    if isinstance(first, v.LlmError):
        out.write(f"[error: {first.code.value}] {first.message}\n")
        return False
    calls = first.tool_calls  # a tool-request, or a complete answer that also has calls
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


def _text(batch: Optional[Sequence[v.StreamEvent]]) -> str:
    return "".join(p.text for e in batch or () if isinstance(e, v.StreamDelta)
                   for p in e.content or () if isinstance(p, v.Text))


def demo_crash_and_resume(provider: str, out: TextIO, server: Any, oplog: Path) -> bool:
    """Kill a durable worker at its 4th get-next, resume on the same oplog, print it."""
    out.write(f"\n=== crash and resume: {provider} durable worker, oplog {oplog.name}\n")
    host = GolemHost(component_path(provider, portable=False))
    env = PROVIDERS[provider].emulator_env(server.origin, EMULATOR_KEY)
    question = [v.Message(v.Role.USER, (v.Text("What does a durable worker do?"),))]
    config = v.Config(model="emulator-demo")
    server.enqueue(Scenario(text=STORY, text_chunk_chars=24, chunk_delay_s=0.04))
    out.write("--- live worker (killed by the host at its 4th get-next)\n> ")
    try:
        with host.worker(oplog, env, crash=CrashPlan.at_persist(4)) as worker:
            with worker.stream(question, config) as stream:
                while stream_batch := stream.blocking_get_next():
                    out.write(_text(stream_batch))
                    out.flush()
    except InjectedCrash as crash:
        out.write(f"\n[worker died: {crash}]\n")
    received = "".join(_text(batch) for batch in _recorded_batches(oplog))
    # The emulator plays a model that continues from the partial answer it is sent.
    server.enqueue(Scenario(text=STORY[len(received):], text_chunk_chars=24, chunk_delay_s=0.02))
    before = server.request_count
    out.write("--- fresh worker on the same oplog: replayed batches, then the continuation\n> ")
    with host.worker(oplog, env) as worker:
        with worker.stream(question, config) as stream:
            text = ""
            while stream_batch := stream.blocking_get_next():
                piece = _text(stream_batch)
                text += piece
                out.write(piece)
                out.flush()
        entries = worker.entries()
    requests = server.request_count - before
    out.write(f"\n[{requests} new request (the continuation); the caller got one answer: "
              f"{'identical to the uninterrupted one' if text == STORY else 'DIFFERENT'}]\n")
    out.write(f"--- the oplog ({len(entries)} entries; `golem-llm oplog {oplog}` prints it too)\n")
    write_text(entries, out)
    return requests == 1 and text == STORY


def _recorded_batches(oplog: Path) -> list[Optional[list[v.StreamEvent]]]:
    from durability import llm_codec

    with open_oplog(oplog) as log:
        return [llm_codec.decode_get_next_response(e.response) for e in log.entries()
                if e.function_name == "golem_llm::get_next"]


def run_demo(out: TextIO, providers: tuple[str, ...] = tuple(PROVIDERS),
             oplog_dir: Path | None = None) -> int:
    with ExitStack() as stack:
        server = start_emulator(stack, auto_delay_s=0.03)
        out.write(f"provider emulator listening on {server.origin} (all four APIs)\n")
        results = {p: demo_provider(p, out, server) for p in providers}
        directory = oplog_dir or DEMO_DIR
        directory.mkdir(parents=True, exist_ok=True)
        oplog = directory / "demo-worker.oplog"
        oplog.unlink(missing_ok=True)  # a fresh worker each run (an old file would replay)
        results["crash"] = demo_crash_and_resume(providers[0], out, server, oplog)
        out.write(f"\nemulator received {server.request_count} requests\n")
    return 0 if all(results.values()) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(sys.stdout)
