"""`golem-llm`: talk to a provider through its built component, from a terminal.

    golem-llm chat ["prompt"] [--provider openai] [--model M] [--system S] [--image PATH|URL]
                            [--tool NAME[:JSON_SCHEMA]] [--tool-choice C] [--max-tokens N]
                            [--temperature T] [--stop S] [--json] [--no-stream]
                            [--emulator] [--portable]
                            [--oplog FILE]
    golem-llm oplog FILE [--json]
    golem-llm demo

`chat` runs the component in wasmtime and streams the answer as it arrives; without a
prompt it opens an interactive session that keeps the conversation, and asks the person for
the result of each `--tool` the model calls (nothing is executed).  Against the
real API it needs the provider's key in the environment (its `api_key_env`); with
`--emulator` it starts the local provider emulator and points the component at it.  The
durable component runs as an emulated Golem worker (runtime/golem/): its oplog is kept in
memory, or in `--oplog FILE`, which `golem-llm oplog FILE` prints.
"""

from __future__ import annotations

import argparse
from typing import Optional

from runtime.cli.chat import cmd_chat
from runtime.cli.demo import cmd_demo
from runtime.cli.oplog import cmd_oplog
from providers import PROVIDERS


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="golem-llm", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat", help="send one prompt and stream the answer (no prompt: "
                                       "an interactive session)")
    chat.add_argument("prompt", nargs="?")
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
