"""Section 5, the batch window: `get_next` oplog entries and bytes of one streamed answer with
and without `GOLEM_LLM_STREAM_BATCH_WINDOW_MS` (durability/batch_window.py), and the time to
first event with and without it.

The answer comes from the provider emulator (`runtime/emulator`, in this process: at 50
events per second it is idle nearly all the time) as `plan.window_tokens` text deltas of
`TOKEN_CHARS` characters, `PACE_S` apart: a model streaming 50 tokens a second.  The caller
loops on `blocking-get-next` until the end, as a person-facing agent does.  Each setting
runs the whole answer once through the durable component as an emulated Golem worker on a
fresh oplog file, and the entries and payload bytes are read back from that file.

Time to first event: `plan.window_first_runs` interleaved pairs (no window, the default
window), each a fresh worker that opens a stream of a few paced tokens and stops at the
first delta; the row is the median of the per-pair ratios (window ÷ no window), so load
hits both alike.  The window is meant to leave it at 1.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.oplog_cost import oplog_cost
from bench.plan import Plan
from bench.report import Row, error
from bench.targets import MESSAGES_IN, config
from normalizer import values as v
from providers import PROVIDERS
from providers.settings import STREAM_BATCH_WINDOW

SECTION = "5 durability"
PACE_S = 0.02  # 50 tokens per second
TOKEN_CHARS = 4
GOAL_ENTRIES = 120  # get_next entries for a 1,000-token answer with the default window
GOAL_FIRST_RATIO = 1.25  # the first event is not held: only noise may separate the two
KEY = "bench-window-key"
WINDOW_ENV = STREAM_BATCH_WINDOW.env


def rows_for(durable: Any, name: str, plan: Plan) -> list[Row]:
    """Every row of the window case for provider `name`'s durable component; never raises."""
    case = (f"stream: {plan.window_tokens} tokens at {1 / PACE_S:.0f}/s, "
            f"blocking-get-next loop")
    try:
        return _rows(durable, name, plan, case)
    except Exception as exc:
        return [error(SECTION, name, case, "batch window", exc)]


def _rows(durable: Any, name: str, plan: Plan, case: str) -> list[Row]:
    from runtime.emulator.scenario import Scenario
    from runtime.emulator.server import EmulatorServer
    from runtime.golem import GolemHost

    default = int(STREAM_BATCH_WINDOW.default)
    golem = GolemHost(durable)
    text = "".join(f"w{i:02d} "[-TOKEN_CHARS:] for i in range(plan.window_tokens))
    answer = Scenario(text=text, text_chunk_chars=TOKEN_CHARS, chunk_delay_s=PACE_S)
    rows: list[Row] = []
    with EmulatorServer(api_key=KEY) as emulator, \
            tempfile.TemporaryDirectory(prefix="bench-window-") as tmp:
        env = PROVIDERS[name].emulator_env(emulator.origin, KEY)
        costs = {}
        for window in (0, default):
            emulator.enqueue(answer)
            path = Path(tmp) / f"window-{window}.oplog"
            worker = golem.worker(path, {**env, WINDOW_ENV: str(window)})
            try:
                got = _drain(worker)
                commits = worker.counters.commits
            finally:
                worker.close()
            if got != text:
                raise AssertionError(f"window {window} ms: the stream read other text "
                                     f"({got[:80]!r}…)")
            costs[window] = oplog_cost(path, commits)
        text_bytes = len(text.encode())
        for window, cost in costs.items():
            gets = cost.calls.get("golem_llm::get_next", 0)
            get_bytes = cost.call_bytes.get("golem_llm::get_next", 0)
            label = f"window {window} ms" + (" (default)" if window == default else "")
            rows.append(Row(
                SECTION, name, case, f"get_next entries, {label}", value=gets, unit="",
                goal=f"≤ {GOAL_ENTRIES}" if window == default else "",
                met=(gets <= GOAL_ENTRIES) if window == default else None,
                note=(f"{get_bytes:,} B of get_next payload ({get_bytes / max(1, gets):,.0f} "
                      f"B each, {get_bytes / text_bytes:.1f}× the text); oplog file "
                      f"{cost.file_bytes / 1024:.0f} KiB"),
                raw={"window_ms": window, "text_bytes": text_bytes, **cost.as_json()}))
        ratios, firsts = _first_event(golem, emulator, env, plan, default)
        rows.append(Row(
            SECTION, name, f"first event: {plan.window_first_runs} pairs, tokens 20 ms apart",
            f"first event, window {default} ms ÷ none", value=statistics.median(ratios),
            unit="×", spread=f"{min(ratios):.2f}–{max(ratios):.2f}",
            goal=f"≤ {GOAL_FIRST_RATIO} (not delayed)",
            met=statistics.median(ratios) <= GOAL_FIRST_RATIO,
            note=(f"median {statistics.median(firsts[default]) * 1000:.1f} ms with the window, "
                  f"{statistics.median(firsts[0]) * 1000:.1f} ms without"),
            raw={"ratios": ratios, "first_s": {str(k): x for k, x in firsts.items()}}))
    return rows


def _drain(worker: Any) -> str:
    parts: list[str] = []
    with worker.stream(MESSAGES_IN, config("bench-window")) as stream:
        while True:
            batch = stream.blocking_get_next()
            if not batch:
                return "".join(parts)
            parts += [p.text for e in batch if isinstance(e, v.StreamDelta)
                      for p in e.content or () if isinstance(p, v.Text)]


def _first_event(golem: Any, emulator: Any, env: dict[str, str], plan: Plan,
                 default: int) -> tuple[list[float], dict[int, list[float]]]:
    from runtime.emulator.scenario import Scenario

    short = Scenario(text="one two three four five six ", text_chunk_chars=TOKEN_CHARS,
                     chunk_delay_s=PACE_S)
    firsts: dict[int, list[float]] = {0: [], default: []}
    for _ in range(plan.window_first_runs):
        for window in firsts:
            emulator.enqueue(short)
            with golem.worker(None, {**env, WINDOW_ENV: str(window)}) as worker:
                started = time.perf_counter()
                with worker.stream(MESSAGES_IN, config("bench-window")) as stream:
                    while True:
                        batch = stream.blocking_get_next()
                        if not batch or any(isinstance(e, v.StreamDelta) for e in batch):
                            firsts[window].append(time.perf_counter() - started)
                            break
    ratios = [w / n for w, n in zip(firsts[default], firsts[0])]
    return ratios, firsts
