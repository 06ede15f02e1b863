"""`golem-llm`: talk to a provider through its built component, from a terminal.

    golem-llm chat "prompt" [--provider openai] [--model M] [--system S] [--image PATH|URL]
                            [--tool NAME[:JSON_SCHEMA]] [--tool-choice C] [--max-tokens N]
                            [--temperature T] [--stop S] [--json] [--no-stream]
                            [--emulator] [--portable]
                            [--oplog FILE]
    golem-llm oplog FILE [--json]
    golem-llm demo

`chat` runs the component in wasmtime and streams the answer as it arrives.  Against the
real API it needs the provider's key in the environment (its `api_key_env`); with
`--emulator` it starts the local provider emulator and points the component at it.  The
durable component runs as an emulated Golem worker (runtime/golem/): its oplog is kept in
memory, or in `--oplog FILE`, which `golem-llm oplog FILE` prints.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import sys
from contextlib import ExitStack
from dataclasses import asdict, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, Optional, TextIO

from normalizer import values as v
from runtime.golem.worker import GolemHost
from runtime.host import ComponentHost, LlmInstance
from providers import PROVIDERS

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
EMULATOR_KEY = "sk-emulator-demo-key"


def component_path(provider: str, portable: bool) -> Path:
    return DIST / f"llm-{provider}{'-portable' if portable else ''}.wasm"


def component_host(wasm: Path, portable: bool) -> ComponentHost:
    """The durable flavour imports Golem's host APIs, so it runs as an emulated Golem
    worker; the portable one runs on plain WASI."""
    return ComponentHost(wasm) if portable else GolemHost(wasm)


# ---- building the request -----------------------------------------------------------------

def image_part(spec: str) -> v.Image:
    if spec.startswith(("http://", "https://", "data:")):
        return v.Image(v.ImageUrl(spec, v.ImageDetail.AUTO))
    path = Path(spec)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return v.Image(v.ImageSource(path.read_bytes(), mime, v.ImageDetail.AUTO))


def tool_definition(spec: str) -> v.ToolDefinition:
    name, _, schema = spec.partition(":")
    schema = schema or '{"type": "object", "properties": {}}'
    return v.ToolDefinition(name=name.strip(), parameters_schema=schema)


def build_messages(prompt: str, system: Optional[str], images: list[str]) -> list[v.Message]:
    messages = []
    if system:
        messages.append(v.Message(v.Role.SYSTEM, (v.Text(system),)))
    parts: list[v.ContentPart] = [v.Text(prompt)]
    parts += [image_part(spec) for spec in images]
    messages.append(v.Message(v.Role.USER, tuple(parts)))
    return messages


# ---- printing events ----------------------------------------------------------------------

def to_jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return {"bytes": len(value)}
    if is_dataclass(value):
        return {"type": type(value).__name__,
                **{k: to_jsonable(getattr(value, k)) for k in asdict(value)}}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(x) for x in value]
    return value


def describe_finish(meta: v.ResponseMetadata) -> str:
    bits = [f"finish: {meta.finish_reason.value if meta.finish_reason else 'unknown'}"]
    if meta.usage:
        u = meta.usage
        bits.append(f"tokens in {u.input_tokens} / out {u.output_tokens} / total {u.total_tokens}")
    if meta.provider_id:
        bits.append(f"id {meta.provider_id}")
    return "[" + " · ".join(bits) + "]"


def print_event(event: v.StreamEvent, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(to_jsonable(event)) + "\n")
    elif isinstance(event, v.StreamDelta):
        for part in event.content or ():
            out.write(part.text if isinstance(part, v.Text) else "[image]")
        for call in event.tool_calls or ():
            out.write(f"\n[tool call] {call.name}({call.arguments_json})  id={call.id}\n")
    elif isinstance(event, v.Finish):
        out.write("\n" + describe_finish(event.metadata) + "\n")
    else:
        out.write(f"\n[error: {event.code.value}] {event.message}\n")
    out.flush()


def stream_events(instance: LlmInstance, messages: list[v.Message],
                  config: v.Config) -> Iterator[v.StreamEvent]:
    """Every event of one streamed answer, as soon as the component returns it."""
    with instance.stream(messages, config) as stream:
        while True:
            batch = stream.blocking_get_next()
            if not batch:
                return
            yield from batch


def print_chat_event(event: v.ChatEvent, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(to_jsonable(event)) + "\n")
    elif isinstance(event, v.CompleteResponse):
        out.write("".join(p.text for p in event.content if isinstance(p, v.Text)) + "\n")
        for call in event.tool_calls:
            out.write(f"[tool call] {call.name}({call.arguments_json})  id={call.id}\n")
        out.write(describe_finish(event.metadata) + "\n")
    elif isinstance(event, v.ToolRequest):
        for call in event.tool_calls:
            out.write(f"[tool call] {call.name}({call.arguments_json})  id={call.id}\n")
    else:
        out.write(f"[error: {event.code.value}] {event.message}\n")
    out.flush()


# ---- commands -----------------------------------------------------------------------------

def start_emulator(stack: ExitStack, **options: Any) -> Any:
    from runtime.emulator.server import EmulatorServer

    server = EmulatorServer(api_key=EMULATOR_KEY, **options)
    stack.enter_context(server)
    return server


def cmd_chat(args: argparse.Namespace) -> int:
    penv = PROVIDERS[args.provider]
    wasm = component_path(args.provider, args.portable)
    if not wasm.exists():
        print(f"{wasm} is missing: run `make build` first", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        env = penv.select(os.environ)
        if args.emulator:
            server = start_emulator(stack)
            env = penv.emulator_env(server.origin, EMULATOR_KEY)
        if args.oplog and args.portable:
            print("--oplog needs the durable component (drop --portable)", file=sys.stderr)
            return 2
        host = component_host(wasm, args.portable)
        if args.oplog:
            assert isinstance(host, GolemHost)
            instance: LlmInstance = stack.enter_context(host.worker(args.oplog, env))
        else:
            instance = host.instantiate(env)
        config = v.Config(
            model=args.model or penv.default_model,
            temperature=args.temperature,
            max_tokens=args.max_tokens,
            stop_sequences=tuple(args.stop) if args.stop else None,
            tools=tuple(tool_definition(t) for t in args.tool),
            tool_choice=args.tool_choice,
        )
        messages = build_messages(args.prompt, args.system, args.image)
        if args.no_stream:
            event = instance.send(messages, config)
            print_chat_event(event, sys.stdout, args.json)
            return 1 if isinstance(event, v.LlmError) else 0
        failed = False
        for event in stream_events(instance, messages, config):
            print_event(event, sys.stdout, args.json)
            failed = failed or isinstance(event, v.LlmError)
        return 1 if failed else 0


def cmd_oplog(args: argparse.Namespace) -> int:
    from runtime.golem.oplog_view import write_json_lines, write_text
    from runtime.golem.worker import open_oplog

    try:
        oplog = open_oplog(args.file)
    except (FileNotFoundError, ValueError) as err:
        print(f"golem-llm oplog: {err}", file=sys.stderr)
        return 2
    with oplog:
        entries = oplog.entries()
    if args.json:
        write_json_lines(entries, sys.stdout)
    else:
        print(f"{args.file}: {len(entries)} committed entries")
        write_text(entries, sys.stdout)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from runtime.demo import run_demo

    return run_demo(sys.stdout)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="golem-llm", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat", help="send one prompt and stream the answer")
    chat.add_argument("prompt")
    chat.add_argument("--provider", default="openai", choices=sorted(PROVIDERS))
    chat.add_argument("--model")
    chat.add_argument("--system")
    chat.add_argument("--image", action="append", default=[], help="file path or URL")
    chat.add_argument("--tool", action="append", default=[], help="NAME[:JSON_SCHEMA]")
    chat.add_argument("--tool-choice")
    chat.add_argument("--max-tokens", type=int)
    chat.add_argument("--temperature", type=float)
    chat.add_argument("--stop", action="append")
    chat.add_argument("--json", action="store_true", help="one JSON object per event")
    chat.add_argument("--no-stream", action="store_true", help="use send instead of stream")
    chat.add_argument("--emulator", action="store_true", help="use the local emulator")
    chat.add_argument("--portable", action="store_true", help="run the -portable component")
    chat.add_argument("--oplog", metavar="FILE",
                      help="keep the durable worker's oplog in FILE (replayed if it exists)")
    chat.set_defaults(run=cmd_chat)
    oplog = sub.add_parser("oplog", help="print an emulated Golem worker's oplog file")
    oplog.add_argument("file", metavar="FILE")
    oplog.add_argument("--json", action="store_true", help="one JSON object per entry")
    oplog.set_defaults(run=cmd_oplog)
    demo = sub.add_parser("demo", help="stream a chat and a tool round-trip via the emulator")
    demo.set_defaults(run=cmd_demo)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
