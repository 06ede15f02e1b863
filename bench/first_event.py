"""Section 3: time to first event, from "request sent" to the first delta in hand.

Each run opens a fresh connection, reads a 16-delta answer flushed one SSE event per HTTP
chunk, 2 ms apart, and hangs up at the first delta: through the component (one warm
instance: `stream`, then `blocking-get-next` until a batch holds a delta), through our engine
as a native library (http.client), and through the SDK (a client that keeps no connection
alive).  Runs are interleaved, and each run's added time is component − native of the same
round; the median and p95 of those differences are the "added milliseconds".

The headline counts the component's guest time only (inside the wasm calls, from the host's
own clock, runtime/host/call_clock.py): what a Rust host such as Golem's would add, plus
wasmtime-py's own conversion of each call's values, which its public API does not time
apart.  The end-to-end figure adds the host converting values to the engine's dataclasses,
which is also shown alone.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable, Optional

from bench.loopback import native_engine
from bench.peers import first_delta_seconds
from bench.plan import Plan
from bench.report import Row, error, na
from bench.session import FIRST_MODEL, Session, reason
from bench.targets import MESSAGES_IN, config
from bench.timing import percentile, settle
from normalizer.values import StreamDelta

SECTION = "3 first event"
GOAL_MS = 1.0  # < 1 ms added by the component


def component_first_delta(llm: Any) -> Optional[tuple[float, float, float]]:
    """(seconds to the first delta, of which inside wasm calls, of which converting values)
    through the component."""
    clock = llm.clock
    guest_s, conversion_s = clock.guest_s, clock.conversion_s
    started = time.perf_counter()
    with llm.stream(MESSAGES_IN, config(FIRST_MODEL)) as stream:
        while True:
            batch = stream.blocking_get_next()
            if not batch:
                return None  # the stream ended without a delta
            if any(isinstance(e, StreamDelta) for e in batch):
                # Dropping the stream here closes the connection mid-answer, as a caller
                # that stops reading does; the rest is not part of the figure.
                return (time.perf_counter() - started, clock.guest_s - guest_s,
                        clock.conversion_s - conversion_s)


def rows_for(session: Session, plan: Plan) -> list[Row]:
    target = session.target
    stream = session.streams["first-text"]
    case = f"first-text ({stream.sse_events} ev), 2 ms apart, {plan.first_event_runs} runs"
    try:
        return _rows(session, plan, case)
    except Exception as exc:
        return [error(SECTION, target.name, case, "first delta", exc)]


def _rows(session: Session, plan: Plan, case: str) -> list[Row]:
    target = session.target
    subjects: dict[str, Callable[[], Any]] = {}
    if reason(session.component) is None:
        llm = session.instance()
        subjects["component"] = lambda: component_first_delta(llm)
    if reason(session.provider) is None:
        request = session.request(FIRST_MODEL)
        subjects["ours native"] = lambda: native_engine(session.provider, request,
                                                        stop_at_first_delta=True).first_delta_s
    peer = session.peer
    if not isinstance(peer, str):
        client = peer.client(peer.base_url(session.origin), keepalive=False)
        subjects[peer.name] = lambda: first_delta_seconds(peer, client, FIRST_MODEL)
    for fn in subjects.values():  # warm-up: imports, first connection, caches
        fn()
    times: dict[str, list[float]] = {name: [] for name in subjects}
    in_wasm: list[float] = []
    converting: list[float] = []
    for _ in range(plan.first_event_runs):
        for name, fn in subjects.items():
            settle()
            result = fn()
            if result is None:
                raise AssertionError(f"{name} saw no delta")
            if isinstance(result, tuple):
                result, inside, conversion = result
                in_wasm.append(inside)
                converting.append(conversion)
            times[name].append(result)

    rows: list[Row] = []
    for name in ("component", "ours native", target.peer):
        values = times.get(name)
        if not values:
            why = (reason(session.component) if name == "component"
                   else reason(session.provider) if name == "ours native" else peer)
            rows.append(na(SECTION, target.name, case, name, str(why)))
            continue
        ms = [s * 1000 for s in values]
        rows.append(Row(SECTION, target.name, case, f"{name}: first delta",
                        value=statistics.median(ms), unit="ms",
                        spread=f"p95 {percentile(ms, 95):.2f} ms",
                        raw={"ms": ms}))
    if "component" in times and "ours native" in times:
        native = times["ours native"]
        for subject, component, note in (
                ("added by the component: guest time", in_wasm,
                 "time inside wasm calls − ours native, paired per run: what a Rust host "
                 "would add (plus wasmtime-py's own value conversion)"),
                ("added by the component: end to end", times["component"],
                 "component − ours native, paired per run: as a Python host sees it")):
            added = [(c - n) * 1000 for c, n in zip(component, native)]
            median = statistics.median(added)
            headline = component is in_wasm
            rows.append(Row(SECTION, target.name, case, subject, value=median, unit="ms",
                            spread=f"p95 {percentile(added, 95):.2f} ms",
                            goal=f"<{GOAL_MS:g} ms" if headline else "",
                            met=median < GOAL_MS if headline else None, note=note,
                            raw={"added_ms": added}))
        ms = [c * 1000 for c in converting]
        rows.append(Row(SECTION, target.name, case, "component: host conversion",
                        value=statistics.median(ms), unit="ms",
                        spread=f"p95 {percentile(ms, 95):.2f} ms",
                        note="converting values to and from the engine's dataclasses, per run",
                        raw={"ms": ms}))
    return rows
