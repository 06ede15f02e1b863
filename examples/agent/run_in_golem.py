"""Run the example agent's durable composition as an emulated Golem 1.2 worker, crash it in
the middle of a streamed answer, and resume it on the same oplog.

    python -m examples.agent.run_in_golem [--provider openai] [--oplog agent.oplog]
                                          [--crash-at 3]

Against the provider emulator (started here, on loopback), whose scripted answer is
continued from wherever a resume request says the caller got to, as a model would.  It
prints what happened and the oplog; `golem-llm oplog FILE` shows the oplog again later.
README: "Run it in the emulated Golem, with a crash and resume".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from examples.agent.build import Composition
from examples.agent.host import AgentGolemHost
from providers import PROVIDERS
from runtime.emulator.scenario import Scenario
from runtime.emulator.server import EmulatorServer
from runtime.golem import CrashPlan, InjectedCrash, open_oplog
from runtime.golem.oplog_view import write_text
from runtime.host import Ok

KEY = "sk-example-agent-demo"
PROMPT = "Tell me about durable agents"
ANSWER = ("A durable agent keeps an oplog of every call it makes to the outside world. When "
          "its process dies, Golem starts it again and replays the oplog: calls already "
          "answered are read back instead of made again, and a stream that was cut resumes "
          "with one request that asks the model to go on from where it stopped.")


@dataclass(frozen=True)
class Outcome:
    """What the run showed: the streamed text after the resume, the requests the provider
    got before and after the crash, and the LLM entries the crash left committed."""

    text: str
    requests_before_crash: int
    requests_after_crash: int
    committed_at_crash: tuple[str, ...]


def _answer() -> Scenario:
    return Scenario(text=ANSWER, text_chunk_chars=12, chunk_delay_s=0.02, resumes=True)


def _llm_entries(oplog: Path) -> tuple[str, ...]:
    with open_oplog(oplog) as log:
        return tuple(e.function_name for e in log.entries()
                     if e.function_name and e.function_name.startswith("golem_llm::"))


def crash_and_resume(provider: str, oplog: Path, crash_at: int, out: TextIO) -> Outcome:
    host = AgentGolemHost(Composition(provider, "durable").output)
    with EmulatorServer(api_key=KEY) as emulator:
        env = PROVIDERS[provider].emulator_env(emulator.origin, KEY)
        emulator.enqueue(_answer())
        crash = CrashPlan.at_persist(crash_at, "golem_llm::get_next", when="after-commit")
        print(f"worker 1: stream-answer, crashing at get-next #{crash_at}", file=out)
        try:
            with host.worker(oplog, env, crash=crash) as worker:
                worker.stream_answer("m", PROMPT)
            raise SystemExit(f"the stream ended before get-next #{crash_at}: "
                             "try a smaller --crash-at")
        except InjectedCrash as crash_report:
            print(f"worker 1 died: {crash_report}", file=out)
        before = emulator.request_count
        committed = _llm_entries(oplog)
        emulator.clear()
        emulator.enqueue(_answer())
        print("worker 2: the same call on the same oplog (replay, then live)", file=out)
        with host.worker(oplog, env) as worker:
            result = worker.stream_answer("m", PROMPT)
        if not isinstance(result, Ok):
            raise SystemExit(f"the resumed call failed: {result}")
        print(f"answer ({result.value.batches} batches, finish {result.value.finish}): "
              f"{result.value.text}", file=out)
        print(f"requests to the provider: {before} before the crash, "
              f"{emulator.request_count} after it", file=out)
    with open_oplog(oplog) as log:
        entries = log.entries()
    print(f"\n{oplog}: {len(entries)} committed entries", file=out)
    write_text(entries, out)
    return Outcome(result.value.text, before, emulator.request_count, committed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", default="openai", choices=sorted(PROVIDERS))
    parser.add_argument("--oplog", type=Path, help="oplog file (default: a temporary one)")
    parser.add_argument("--crash-at", type=int, default=3, help="the get-next to crash at")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        oplog = args.oplog or Path(tmp) / "agent.oplog"
        if oplog.exists():
            oplog.unlink()  # a new worker each run
        crash_and_resume(args.provider, oplog, args.crash_at, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
