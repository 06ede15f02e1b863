"""The fault and fuzz campaign: random golem:llm inputs and every fault mode, through the
built components, with every call judged (fuzz/oracle.py) and counted.

    python -m fuzz.campaign [--inputs 10000] [--providers openai,...] [--flavours portable,durable]
                            [--faults full|once|none] [--jobs 2] [--budget 30] [--timeout-ms 5000]
                            [--seed 0] [--markdown] [--report PATH]

Each lane (provider × flavour × random inputs or fault modes, the random inputs cut into
chunks) runs in a worker process of its own (fuzz/worker.py), `--jobs` at a time.  The
watchdog is here: a call that has not returned `--budget` seconds after it started is a
hang; the worker process is killed and a fresh one continues the lane after that call, so
the campaign itself never waits longer than the budget for anything.  A worker process that
dies during a call (a crash of the runtime, not a wasm trap) counts that call as a trap.

Prints one table (calls, traps, hangs, wrong codes, leaks, events lost per provider and
flavour) and one per fault mode, writes every failure's details to `--report`
(.cache/fuzz/report.json), and exits 1 when any count is not zero.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from fuzz import worker
from fuzz.fault_modes import fault_cases, modes
from fuzz.oracle import Verdict
from providers import PROVIDERS

COLUMNS = ("calls", "trap", "hang", "wrong_code", "leak", "lost")
HEADINGS = ("calls", "traps", "hangs", "wrong codes", "leaks", "events lost")
RANDOM = "random inputs"
FLAVOURS = ("portable", "durable")
#: How long a worker may take to start (load the compiled component, start its emulator).
STARTUP_BUDGET_S = 180.0
#: A lane gives up after this many worker restarts in a row without a finished call.
MAX_STALLS = 3
#: Examples kept per failure kind and row.
EXAMPLES_KEPT = 3


@dataclass(frozen=True)
class Settings:
    providers: tuple[str, ...] = tuple(PROVIDERS)
    flavours: tuple[str, ...] = FLAVOURS
    inputs: int = 5_000  # per provider and flavour: 10,000 per provider
    faults: str = "full"  # "full", "once" (first variant of each mode) or "none"
    jobs: int = 2
    budget_s: float = 30.0
    timeout_ms: int = 5000
    seed: int = 0
    chunk: int = 2500
    #: With faults "once": run each mode on one provider only, rotating through them.
    rotate_faults: bool = False


@dataclass
class Tally:
    """Counts for one row, and a few examples of each failure."""

    calls: int = 0
    trap: int = 0
    hang: int = 0
    wrong_code: int = 0
    leak: int = 0
    lost: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)
    #: How many calls expected each outcome (see `Verdict.expected`).
    expected: Counter[str] = field(default_factory=Counter)

    def add(self, verdict: dict[str, Any], where: str) -> None:
        self.calls += 1
        self.expected[verdict.get("expected") or "unjudged (trap or hang)"] += 1
        for kind in Verdict.KINDS:
            if verdict.get(kind):
                setattr(self, kind, getattr(self, kind) + 1)
        kinds = [k for k in Verdict.KINDS if verdict.get(k)]
        if kinds and any(self._kept(k) < EXAMPLES_KEPT for k in kinds):
            self.examples.append({"where": where, "call": verdict.get("label", ""),
                                  "kinds": kinds, "details": verdict.get("details", [])})

    def _kept(self, kind: str) -> int:
        return sum(kind in e["kinds"] for e in self.examples)

    def merge(self, other: "Tally") -> None:
        for column in COLUMNS:
            setattr(self, column, getattr(self, column) + getattr(other, column))
        self.expected.update(other.expected)
        for example in other.examples:
            if any(self._kept(k) < EXAMPLES_KEPT for k in example["kinds"]):
                self.examples.append(example)

    @property
    def failures(self) -> int:
        return sum(getattr(self, k) for k in Verdict.KINDS)

    def row(self) -> tuple[int, ...]:
        return tuple(getattr(self, c) for c in COLUMNS)


@dataclass
class Report:
    settings: Settings
    #: (provider, flavour, "random inputs" or fault mode) -> counts
    tallies: dict[tuple[str, str, str], Tally] = field(default_factory=dict)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    """The campaign's own trouble (a worker that never started), never hidden."""
    on_failure: Optional[Callable[[str], None]] = field(default=None, repr=False)
    """Told of each failed call as it happens (a long run shows its failures at once)."""

    def tally(self, provider: str, flavour: str, mode: str) -> Tally:
        return self.tallies.setdefault((provider, flavour, mode), Tally())

    def by(self, key: Callable[[tuple[str, str, str]], Any]) -> dict[Any, Tally]:
        out: dict[Any, Tally] = {}
        for k, t in self.tallies.items():
            out.setdefault(key(k), Tally()).merge(t)
        return out

    @property
    def total(self) -> Tally:
        total = Tally()
        for t in self.tallies.values():
            total.merge(t)
        return total

    @property
    def clean(self) -> bool:
        return self.total.failures == 0 and not self.problems


# -- lanes --------------------------------------------------------------------------------------


def lanes(settings: Settings) -> list[worker.Lane]:
    """Every lane, longest first (durable random chunks) so the jobs finish together."""
    out: list[worker.Lane] = []
    for p_index, provider in enumerate(settings.providers):
        for flavour in settings.flavours:
            base = dict(provider=provider, flavour=flavour, timeout_ms=settings.timeout_ms)
            for c, start in enumerate(range(0, settings.inputs, settings.chunk)):
                count = min(settings.chunk, settings.inputs - start)
                out.append(worker.Lane(kind="random", count=count, first=start,
                                       seed=settings.seed * 1_000_003 + c * 101 + p_index, **base))
            if settings.faults == "none":
                continue
            cases = fault_cases(provider, settings.faults, settings.seed)
            indices = tuple(range(len(cases)))
            if settings.rotate_faults:
                names = modes()
                indices = tuple(i for i, case in enumerate(cases)
                                if names.index(case.mode) % len(settings.providers) == p_index)
            if indices:
                out.append(worker.Lane(kind="faults", indices=indices, scale=settings.faults,
                                       seed=settings.seed, **base))
    weight = {"durable": 20, "portable": 1}
    return sorted(out, key=lambda lane: -(weight.get(lane.flavour, 1)
                                          * (lane.count if lane.kind == "random" else 30 * len(lane.indices))))


def run_lane(lane: worker.Lane, settings: Settings, report: Report, lock: threading.Lock,
             progress: Callable[[int], None]) -> None:
    """Run one lane to its end through as many worker processes as hangs and crashes need."""
    ctx = multiprocessing.get_context("spawn")
    pending = lane
    stalls = 0
    restarts = 0
    while _remaining(pending):
        parent, child = ctx.Pipe()
        process = ctx.Process(target=worker.main, args=(child,), daemon=True,
                              name=f"fuzz-{lane.provider}-{lane.flavour}-{lane.kind}")
        process.start()
        child.close()
        parent.send(pending)
        in_flight: Optional[tuple[int, str, str]] = None
        finished = 0
        try:
            while True:
                limit = settings.budget_s if in_flight is not None else STARTUP_BUDGET_S
                if not parent.poll(limit):
                    if in_flight is not None:
                        _record(report, lock, lane, in_flight[1], _verdict(
                            "hang", f"no answer after {settings.budget_s:g} s", in_flight[2]))
                        finished += 1
                        progress(1)
                    else:
                        _problem(report, lock, f"{_name(lane)}: a worker did not start or "
                                               f"stalled between calls for {limit:g} s")
                    break
                try:
                    message = parent.recv()
                except (EOFError, OSError):
                    if in_flight is not None:
                        _record(report, lock, lane, in_flight[1], _verdict(
                            "trap", f"the worker process died (exit code {process.exitcode})",
                            in_flight[2]))
                        finished += 1
                        progress(1)
                    else:
                        _problem(report, lock, f"{_name(lane)}: a worker died between calls "
                                               f"(exit code {process.exitcode})")
                    break
                if message[0] == "start":
                    in_flight = (message[1], message[2], message[3])
                elif message[0] == "done":
                    _record(report, lock, lane, message[2], message[3])
                    finished += 1
                    in_flight = None
                    progress(1)
                elif message[0] == "problem":
                    _problem(report, lock, f"{_name(lane)}: the worker failed: {message[1]}")
                elif message[0] == "end":
                    break
        finally:
            _end(process)
            parent.close()
        restarts += 1
        stalls = 0 if finished else stalls + 1
        pending = _advance(pending, finished, restarts)
        if stalls >= MAX_STALLS:
            _problem(report, lock, f"{_name(lane)}: gave up after {stalls} workers in a row "
                                   f"finished no call; {_remaining(pending)} calls not run")
            return


def _remaining(lane: worker.Lane) -> int:
    return lane.count if lane.kind == "random" else len(lane.indices)


def _advance(lane: worker.Lane, finished: int, restarts: int) -> worker.Lane:
    """The rest of `lane` after `finished` calls (the hung or crashed one included); a
    random lane continues from a new seed."""
    if lane.kind == "random":
        return replace(lane, count=lane.count - finished, first=lane.first + finished,
                       seed=lane.seed + 7919 * restarts)
    return replace(lane, indices=lane.indices[finished:], first=lane.first + finished)


def _end(process: Any) -> None:
    """Stop a worker process this campaign started (by its own handle, never by name)."""
    process.join(timeout=2)
    if process.is_alive():
        process.kill()
        process.join(timeout=5)


def _verdict(kind: str, detail: str, label: str) -> dict[str, Any]:
    verdict = Verdict()
    verdict.flag(kind, detail)
    data = verdict.__dict__.copy()
    data["label"] = label
    return data


def _record(report: Report, lock: threading.Lock, lane: worker.Lane, mode: str,
            verdict: dict[str, Any]) -> None:
    where = f"{lane.provider}/{lane.flavour}/{mode}"
    with lock:
        report.tally(lane.provider, lane.flavour, mode).add(verdict, where)
    if report.on_failure is not None and any(verdict.get(k) for k in Verdict.KINDS):
        report.on_failure(f"  failed: {where}: {verdict.get('label', '')}: "
                          + " / ".join(verdict.get("details", []))[:600])


def _problem(report: Report, lock: threading.Lock, text: str) -> None:
    with lock:
        report.problems.append(text)


def _name(lane: worker.Lane) -> str:
    return f"{lane.provider}/{lane.flavour}/{lane.kind}"


# -- the campaign ----------------------------------------------------------------------------------


def run_campaign(settings: Settings, log: Optional[Callable[[str], None]] = None) -> Report:
    """Run every lane, `settings.jobs` at a time; `log` gets a progress line now and then."""
    report = Report(settings, on_failure=log)
    lock = threading.Lock()
    todo = lanes(settings)
    total = sum(_remaining(lane) for lane in todo)
    done = [0]
    started = time.monotonic()
    last = [started]

    def progress(n: int) -> None:
        with lock:
            done[0] += n
            now = time.monotonic()
            if log is not None and (now - last[0] >= 30 or done[0] == total):
                last[0] = now
                t = report.total
                log(f"  {done[0]}/{total} calls, {now - started:.0f} s: {t.trap} traps, "
                    f"{t.hang} hangs, {t.wrong_code} wrong codes, {t.leak} leaks, "
                    f"{t.lost} events lost")

    scratch = tempfile.mkdtemp(prefix="golem-llm-fuzz-", dir=worker.scratch_root())
    try:
        with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
            futures = [pool.submit(run_lane, replace(lane, scratch=scratch), settings, report,
                                   lock, progress) for lane in todo]
            for future in futures:
                future.result()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report


# -- output -------------------------------------------------------------------------------------------


def tables(report: Report, markdown: bool = False) -> str:
    """The two tables: per provider and flavour (random inputs and fault modes apart), and
    per fault mode over every provider and flavour."""
    s = report.settings
    rows: list[tuple[str, Tally]] = []
    for provider in s.providers:
        for flavour in s.flavours:
            random_t = report.tallies.get((provider, flavour, RANDOM))
            if random_t is not None:
                rows.append((f"{provider} {flavour}, random inputs", random_t))
            faults_t = Tally()
            for (p, f, mode), t in report.tallies.items():
                if (p, f) == (provider, flavour) and mode != RANDOM:
                    faults_t.merge(t)
            if faults_t.calls:
                rows.append((f"{provider} {flavour}, fault modes", faults_t))
    rows.append(("total", report.total))
    by_mode = report.by(lambda k: k[2])
    mode_rows = [(m, by_mode[m]) for m in (RANDOM, *modes()) if m in by_mode]
    split = by_mode.get(RANDOM)
    note = ""
    if split is not None and split.calls:
        note = "\n\nrandom inputs expected: " + ", ".join(
            f"{what} {100 * n / split.calls:.0f}%" for what, n in split.expected.most_common())
    return (_table("provider and flavour", rows, markdown) + "\n\n"
            + _table("fault mode (all providers and flavours)", mode_rows, markdown) + note)


def _table(first: str, rows: Sequence[tuple[str, Tally]], markdown: bool) -> str:
    if markdown:
        lines = [f"| {first} | " + " | ".join(HEADINGS) + " |",
                 "|---|" + "---:|" * len(HEADINGS)]
        lines += [f"| {name} | " + " | ".join(str(x) for x in t.row()) + " |" for name, t in rows]
        return "\n".join(lines)
    width = max(len(first), *(len(name) for name, _ in rows))
    widths = [max(len(h), 6) for h in HEADINGS]
    lines = [first.ljust(width) + "  " + "  ".join(h.rjust(w) for h, w in zip(HEADINGS, widths))]
    lines += [name.ljust(width) + "  " + "  ".join(str(x).rjust(w) for x, w in zip(t.row(), widths))
              for name, t in rows]
    return "\n".join(lines)


def failures_text(report: Report) -> str:
    """One example of each failure kind of each fault mode (over providers and flavours)."""
    lines = []
    for mode, t in report.by(lambda k: k[2]).items():
        shown: set[str] = set()
        for example in t.examples:
            if set(example["kinds"]) <= shown:
                continue
            shown.update(example["kinds"])
            lines.append(f"- {example['where']}: {example['call']}")
            lines += [f"    {d[:300]}" for d in example["details"][:3]]
    return "\n".join(lines)


def write_report(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "settings": report.settings.__dict__,
        "seconds": round(report.seconds, 1),
        "problems": report.problems,
        "rows": [{"provider": p, "flavour": f, "mode": m,
                  **{c: getattr(t, c) for c in COLUMNS}, "expected": dict(t.expected),
                  "examples": t.examples}
                 for (p, f, m), t in sorted(report.tallies.items())],
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz.campaign", description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=5_000,
                        help="random inputs per provider and flavour (default 5000: 10,000 per provider)")
    parser.add_argument("--providers", default=",".join(PROVIDERS))
    parser.add_argument("--flavours", default=",".join(FLAVOURS))
    parser.add_argument("--faults", choices=("full", "once", "none"), default="full")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes at a time (default 2)")
    parser.add_argument("--budget", type=float, default=30.0,
                        help="seconds a call may take before it is a hang (default 30)")
    parser.add_argument("--timeout-ms", type=int, default=5000,
                        help="the component's deadlines: connect, first byte and event, between bytes and events (default 5000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=2500, help="random inputs per worker lane")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument("--report", type=Path, default=Path(".cache/fuzz/report.json"))
    args = parser.parse_args(argv)
    settings = Settings(
        providers=tuple(p for p in args.providers.split(",") if p),
        flavours=tuple(f for f in args.flavours.split(",") if f),
        inputs=args.inputs, faults=args.faults, jobs=args.jobs, budget_s=args.budget,
        timeout_ms=args.timeout_ms, seed=args.seed, chunk=max(1, args.chunk),
    )
    unknown = [p for p in settings.providers if p not in PROVIDERS]
    if unknown or any(f not in FLAVOURS for f in settings.flavours):
        parser.error(f"unknown provider or flavour: {unknown or settings.flavours}")
    print(f"golem-llm campaign: {', '.join(settings.providers)} × {', '.join(settings.flavours)}; "
          f"{settings.inputs} random inputs each; fault modes: {settings.faults}; "
          f"{settings.jobs} jobs; budget {settings.budget_s:g} s per call; component timeouts "
          f"{settings.timeout_ms} ms; seed {settings.seed}", flush=True)
    report = run_campaign(settings, log=lambda line: print(line, file=sys.stderr, flush=True))
    write_report(report, args.report)
    print()
    print(tables(report, args.markdown))
    print(f"\n{report.total.calls} calls in {report.seconds:.0f} s; details of every failure: "
          f"{args.report}")
    if report.problems:
        print("\ncampaign problems:\n" + "\n".join(f"- {p}" for p in report.problems))
    if not report.clean:
        print("\nexamples:\n" + failures_text(report))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
