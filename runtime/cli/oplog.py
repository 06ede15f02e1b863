"""`golem-llm oplog FILE`: print an emulated Golem worker's committed oplog entries."""

from __future__ import annotations

import argparse
import sys

from runtime.golem.oplog_view import write_json_lines, write_text
from runtime.golem.worker import open_oplog


def cmd_oplog(args: argparse.Namespace) -> int:
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
