"""Section 5: what durability costs, per provider: oplog entries and bytes for a `send` and
for a streamed answer, against the answer's size, and the time of one `get-next` through
the durable wrapper against the same component without it.

The durable component (`dist/llm-<provider>.wasm`) runs as an emulated Golem worker
(`runtime.golem.GolemHost`) on a fresh oplog file in a temporary directory, reading the
provider's emulator bytes from a loopback server of its own (bench/loopback.py), as the
other sections do.  One answer of `plan.durable_events` text deltas, rendered by the
provider's emulator dialect, served two ways:

  send    the whole answer at once; one `send`: its oplog entries by kind, the stored
          request and response bytes, and the response ÷ the answer's text bytes
  stream  one piece per batch, `PACE_S` apart, read with `blocking-get-next` as
          bench/paced_drain.py describes, so that the durable worker and the portable
          component (the same provider's portable flavour in a plain `ComponentHost`,
          section 2's) get the same batches and no call waits for bytes.  From the durable
          worker's oplog: entries (1 open + one per `get-next`), payload bytes in all and
          per `get-next`, payload ÷ the answer's text bytes, the oplog file's size.
          Timed: the median milliseconds per `get-next` of each, in interleaved rounds
          (durable, portable, durable, ...; fresh instances each run), and their ratio per
          round.  Each call's time is split by the hosts' own clocks: time in the wasm call
          (the guest, and the Golem host functions it calls), and, in the durable worker,
          our conversion of the host functions' values and the executor's work (checking,
          encoding, the SQLite commits: per `get-next`, the two persistence-level changes
          around the HTTP read and the invocation boundary, each a synced transaction).

What the split shows, and why it matters for reading the ratio: converting the host calls'
values is the emulator's binding, which Golem (a Rust host) does natively.  Through
wasmtime-py's public API most of it is wasmtime-py's own generic conversion, which reads
every value-and-type payload node's variant type back through ctypes, node by node, around
our host function: it is counted in the wasm call's time, not in the host-call conversion
figure, which is only ours (runtime/golem/wasmtime_values.py).  The executor's part is the
durability itself.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from bench import stream_window
from bench.loopback import LoopbackServer
from bench.oplog_cost import OplogCost, oplog_cost
from bench.paced_drain import PacedRun, paced_drain, pieces_per_batch, whole
from bench.plan import Plan
from bench.report import Row, error, na
from bench.session import Session, reason
from bench.streams import BenchStream, render, text_scenario
from bench.targets import MESSAGES_IN, ROOT, config
from bench.timing import Sample, settle
from normalizer import values as v
from runtime.golem.oplog_entry import CREATE

SECTION = "5 durability"
PACE_S = 0.04  # > a durable get-next (~25 ms here), so every piece is one batch
PACED_MODEL = "bench-durable-paced"
SEND_MODEL = "bench-durable-send"
IN_WASM = "in the wasm call"
HOST_CONVERSION = "our host-call value conversion"
EXECUTOR = "executor"
EXPORT_CONVERSION = "export value conversion"


def rows_for(session: Optional[Session], plan: Plan, provider: str = "-",
             window: bool = False) -> list[Row]:
    """The section's rows; with `window`, also the batch window's (bench/stream_window.py:
    20 s of streaming per setting at full size, so `python -m bench` runs it for the first
    provider only)."""
    if not (ROOT / "runtime" / "golem").is_dir():
        return [na(SECTION, provider, "durable vs portable", "oplog cost",
                   "n/a: durability not built yet")]
    if session is None:
        return [na(SECTION, provider, "durable vs portable", "oplog cost", "n/a: no session")]
    return measure(session, plan, window)


def measure(session: Session, plan: Plan, window: bool = False) -> list[Row]:
    """Every row of the section for the session's provider; never raises."""
    name = session.target.name
    why = reason(session.provider) or reason(session.component)
    durable = session.target.component(build=session.build, flavour="durable")
    why = why or reason(durable)
    if why is not None:
        return [na(SECTION, name, "durable vs portable", "oplog cost", why)]
    try:
        stream = render(name, "durable-text", text_scenario(plan.durable_events))
        batches = pieces_per_batch(session.provider, stream.pieces)
        path = urlsplit(session.request(PACED_MODEL).url).path
    except Exception as exc:
        return [error(SECTION, name, "rendering the answer", "-", exc)]
    text_bytes = len(stream.text.encode("utf-8"))
    answer = f"{stream.sse_events} SSE ev, {text_bytes:,} B of text"
    send_case = f"send: {answer}"
    stream_case = f"stream: {answer}, {len(batches)} pieces {PACE_S * 1000:.0f} ms apart"
    served = {PACED_MODEL: batches, SEND_MODEL: (b"".join(batches),)}
    rows: list[Row] = []
    try:
        with LoopbackServer(served, [path], {PACED_MODEL: PACE_S}) as server, \
                tempfile.TemporaryDirectory(prefix="bench-oplog-") as tmp:
            from runtime.golem import GolemHost

            golem = GolemHost(durable)
            # No batch window here: each paced piece is one get-next, so both flavours get
            # the same batches (the window's own rows follow).
            env = {**session.target.env(server.origin + session.target.prefix()),
                   stream_window.WINDOW_ENV: "0"}
            for case, fn in ((send_case, lambda: _send_rows(name, golem, env, Path(tmp),
                                                             stream, send_case)),
                             (stream_case, lambda: _stream_rows(session, golem, env, Path(tmp),
                                                                stream, plan, stream_case))):
                try:
                    rows += fn()
                except Exception as exc:
                    rows.append(error(SECTION, name, case, "durable", exc))
    except Exception as exc:
        rows.append(error(SECTION, name, "loopback server", "-", exc))
    if window:
        rows += stream_window.rows_for(durable, name, plan)
    return rows


def _send_rows(name: str, golem: Any, env: dict[str, str], tmp: Path, stream: BenchStream,
               case: str) -> list[Row]:
    path = tmp / "send.oplog"
    worker = golem.worker(path, env)
    try:
        answer = worker.send(MESSAGES_IN, config(SEND_MODEL))
        commits = worker.counters.commits
    finally:
        worker.close()
    text = "".join(p.text for p in getattr(answer, "content", ()) if isinstance(p, v.Text))
    if not isinstance(answer, v.CompleteResponse) or text != stream.text:
        raise AssertionError(f"the durable send read other text than the scenario's "
                             f"({answer!r:.200})")
    cost = oplog_cost(path, commits)
    text_bytes = len(stream.text.encode("utf-8"))
    return [
        Row(SECTION, name, case, "oplog entries", value=_entries(cost), unit="",
            note=f"{cost.kinds_text()}; {cost.commits} commits", raw=cost.as_json()),
        Row(SECTION, name, case, "oplog payload", value=cost.payload_bytes, unit="B",
            note=(f"request {cost.request_bytes:,} B + response {cost.response_bytes:,} B; "
                  f"response = {cost.response_bytes / text_bytes:.2f}× the text; "
                  f"oplog file {cost.file_bytes / 1024:.0f} KiB"),
            raw={"text_bytes": text_bytes, **cost.as_json()}),
    ]


def _stream_rows(session: Session, golem: Any, env: dict[str, str], tmp: Path,
                 stream: BenchStream, plan: Plan, case: str) -> list[Row]:
    name = session.target.name
    portable = session.host()
    costs: list[OplogCost] = []

    def durable_run(index: int) -> PacedRun:
        path = tmp / f"stream-{index}.oplog"
        worker = golem.worker(path, env)
        try:
            run = paced_drain(worker, PACED_MODEL, PACE_S, probes={
                IN_WASM: lambda: worker.clock.guest_s,
                HOST_CONVERSION: lambda: worker.host_clock.conversion_s,
                EXECUTOR: lambda: worker.host_clock.executor_s,
                EXPORT_CONVERSION: lambda: worker.clock.conversion_s})
            commits = worker.counters.commits
        finally:
            worker.close()
        costs.append(oplog_cost(path, commits))
        return run

    def portable_run(index: int) -> PacedRun:
        llm = portable.instantiate(env)
        return paced_drain(llm, PACED_MODEL, PACE_S, probes={
            IN_WASM: lambda: llm.clock.guest_s,
            EXPORT_CONVERSION: lambda: llm.clock.conversion_s})

    subjects: dict[str, Callable[[int], PacedRun]] = {"durable": durable_run,
                                                       "portable": portable_run}
    runs: dict[str, list[PacedRun]] = {subject: [] for subject in subjects}
    rounds = plan.warmup + max(1, plan.component_repeats)
    for index in range(rounds):
        for subject, fn in subjects.items():  # interleaved: load hits both alike
            settle()
            run = fn(index)
            if not whole(run, stream.text):
                raise AssertionError(f"the {subject} stream read other text than the "
                                     f"scenario's (ended with {run.result!r:.200})")
            if index >= plan.warmup:
                runs[subject].append(run)

    cost = costs[-1]  # the last timed durable run's oplog
    gets = cost.calls.get("golem_llm::get_next", 0)
    get_bytes = cost.call_bytes.get("golem_llm::get_next", 0)
    text_bytes = len(stream.text.encode("utf-8"))
    rows = [
        Row(SECTION, name, case, "oplog entries", value=cost.invocations, unit="",
            note=(f"1 open + {gets} get-next; plus {cost.level_changes} "
                  f"change-persistence-level, 1 create; {cost.commits} commits "
                  f"({cost.commits / max(1, cost.invocations):.1f} per call)"),
            raw=cost.as_json()),
        Row(SECTION, name, case, "oplog payload", value=cost.payload_bytes, unit="B",
            note=(f"{get_bytes / max(1, gets):,.0f} B per get-next; "
                  f"{cost.payload_bytes / text_bytes:.2f}× the text; "
                  f"oplog file {cost.file_bytes / 1024:.0f} KiB"),
            raw={"text_bytes": text_bytes, **cost.as_json()}),
    ]
    medians = {subject: Sample(tuple(r.median_call_s for r in done))
               for subject, done in runs.items()}
    for subject in subjects:
        sample, done = medians[subject], runs[subject]
        sizes = sorted({size for r in done for size in r.batch_sizes[:-1]}) or [0]
        notes = [f"median per call; {done[-1].calls} calls per stream, "
                 f"events per batch {sizes[0]}–{sizes[-1]}"]
        split = {probe: statistics.median(r.median_probe_s(probe) for r in done) * 1000
                 for probe in done[-1].probe_s}
        if split:
            notes.append("medians: " + ", ".join(f"{ms:.2f} ms {probe}"
                                                 for probe, ms in split.items()))
        rows.append(Row(
            SECTION, name, case, f"{subject} blocking-get-next", value=sample.median * 1000,
            unit="ms", spread=f"±{sample.spread:.0%} n={len(done)}×{done[-1].calls}",
            note="; ".join(notes),
            raw={"call_ms": [[s * 1000 for s in r.call_s] for r in done],
                 "split_ms": {probe: [[s * 1000 for s in r.probe_s[probe]] for r in done]
                              for probe in done[-1].probe_s},
                 "batch_sizes": [list(r.batch_sizes) for r in done],
                 "timing": sample.as_json()}))
    per_round = [d.median_call_s / p.median_call_s
                 for d, p in zip(runs["durable"], runs["portable"])]
    added_ms = (medians["durable"].median - medians["portable"].median) * 1000
    rows.append(Row(
        SECTION, name, case, "durable ÷ portable, per get-next",
        value=statistics.median(per_round), unit="×",
        spread=f"{min(per_round):.1f}–{max(per_round):.1f}",
        note=(f"+{added_ms:.2f} ms per get-next: the oplog entry's payload crossing "
              f"into the host (wasmtime-py's conversion, then ours), checked, encoded and "
              f"committed"),
        raw={"per_round": per_round, "added_ms": added_ms}))
    return rows


def _entries(cost: OplogCost) -> int:
    """Entries the call wrote (every worker also writes one `create` first)."""
    return sum(n for kind, n in cost.kinds.items() if kind != CREATE)
