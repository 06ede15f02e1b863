"""`golem-llm chat`: one prompt through a provider's built component, the answer streamed as
it arrives (or sent whole with `--no-stream`); with no prompt, an interactive session
(`runtime/cli/session.py`).

The component is given its provider's variables and every `GOLEM_LLM_*` setting from the
environment (`Provider.select`); `--emulator` then points it at the local emulator."""

from __future__ import annotations

import argparse
import mimetypes
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Iterator, Optional

from normalizer import values as v
from runtime.cli.components import component_host, component_path
from runtime.cli.local_emulator import EMULATOR_KEY, start_emulator
from runtime.cli.printing import print_chat_event, print_event
from runtime.cli.session import Session
from runtime.golem.worker import GolemHost
from runtime.host import LlmInstance
from providers import PROVIDERS


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


def stream_events(instance: LlmInstance, messages: list[v.Message],
                  config: v.Config) -> Iterator[v.StreamEvent]:
    """Every event of one streamed answer, as soon as the component returns it."""
    with instance.stream(messages, config) as stream:
        while True:
            batch = stream.blocking_get_next()
            if not batch:
                return
            yield from batch


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
            env = {**env, **penv.emulator_env(server.origin, EMULATOR_KEY)}
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
        if args.prompt is None:
            return Session(instance, config, args.system, sys.stdout,
                           as_json=args.json).run()
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
