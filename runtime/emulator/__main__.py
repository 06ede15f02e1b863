"""`python -m runtime.emulator [--host H] [--port N] [--key K] [--verbose]`: run the provider
emulator in the foreground (for `make demo`), print its base URL, stop on SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from runtime.emulator.scenarios import BUILTIN_SCENARIOS
from runtime.emulator.server import EmulatorServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: any free port)")
    parser.add_argument("--key", default=None, help="the only API key accepted (default: any non-empty key)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())

    server = EmulatorServer(host=args.host, port=args.port, api_key=args.key, verbose=args.verbose)
    try:
        server.start()
    except OSError as exc:
        print(f"emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(server.base_url, flush=True)
    served = "; ".join(f"{d.name} at {server.origin}{d.path}" for d in server.dialects)
    print(f"emulator: {served}; set model to one of {', '.join(sorted(BUILTIN_SCENARIOS))} "
          "for a scripted answer, anything else for the auto answer. Ctrl-C stops.",
          file=sys.stderr, flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
