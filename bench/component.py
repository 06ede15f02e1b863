"""Section 2: in-component throughput, host boundary included.

The component (portable flavour) reads the loopback server's bytes through wasi:http and
hands out events through `blocking-get-next` / `get-next` in wasmtime-py.  The same bytes are
read, in the same interleaved rounds, by our engine as a native library (stdlib http.client)
and by the SDK's iterator (its own HTTP client), and the transport alone gives the ceiling.

The component's time splits three ways, and the rows show each:
  component blocking-get-next   end to end, events lifted to the engine's dataclasses
                                (runtime/host.py, as a host application sees them, with
                                conversions compiled once per export)
  component wasmtime-py values  the same calls through wasmtime-py's own `Func.__call__`,
                                results left as wasmtime-py values: the generic path
  guest time only               time spent inside the wasm calls (the guest's Python and
                                the host's wasi:http under it); the rest is the host
                                converting values in Python, which a Rust host such as
                                Golem's does natively
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from bench.loopback import native_engine, raw_read
from bench.plan import Plan
from bench.report import Row, error, na
from bench.session import THROUGHPUT_MODELS, Session, reason
from bench.streams import BenchStream
from bench.targets import MESSAGES_IN, config
from bench.timing import Sample, interleaved, speed_ratio
from normalizer import values as v
from normalizer.accumulator import Accumulator
from runtime.host import LLM_INTERFACE
from runtime.wit_values import lower

SECTION = "2 component"
GOAL = 1.0  # in-component >= 1x the SDK iterator


class GuestClock:
    """Adds up the time spent inside `wasmtime_component_func_call` (the wasm call proper,
    before wasmtime-py converts the results in Python)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @contextmanager
    def running(self) -> Iterator["GuestClock"]:
        import wasmtime._ffi as ffi

        original = ffi.wasmtime_component_func_call
        clock = time.perf_counter

        def timed(*args: Any) -> Any:
            started = clock()
            try:
                return original(*args)
            finally:
                self.seconds += clock() - started

        ffi.wasmtime_component_func_call = timed
        try:
            yield self
        finally:
            ffi.wasmtime_component_func_call = original


def drain_host(llm: Any, model: str, block: bool = True) -> tuple[int, int, int]:
    """(events, batches, `none` answers) of one stream through runtime/host.py."""
    events = batches = nones = 0
    with llm.stream(MESSAGES_IN, config(model)) as stream:
        while True:
            batch = stream.blocking_get_next() if block else stream.get_next()
            if batch is None:
                nones += 1
                continue
            if not batch:
                return events, batches, nones
            events += len(batch)
            batches += 1


class RawCalls:
    """The golem:llm exports called through wasmtime-py's `Func.__call__`: arguments lowered
    by `runtime.wit_values.lower`, results left as wasmtime-py values (no lifting)."""

    def __init__(self, llm: Any) -> None:
        store, instance = llm.store, llm.instance
        iface = instance.get_export_index(store, LLM_INTERFACE)
        self._store = store
        self._stream = instance.get_func(store, instance.get_export_index(store, "stream", iface))
        self._next = instance.get_func(store, instance.get_export_index(
            store, "[method]chat-stream.blocking-get-next", iface))
        params = self._stream.type(store).params
        self._types = [ty for _, ty in params]

    def drain(self, model: str) -> tuple[int, int]:
        store = self._store
        args = [lower(list(MESSAGES_IN), self._types[0]), lower(config(model), self._types[1])]
        handle = self._stream(store, *args)
        self._stream.post_return(store)
        events = batches = 0
        try:
            while True:
                batch = self._next(store, handle)
                self._next.post_return(store)
                if not batch:
                    return events, batches
                events += len(batch)
                batches += 1
        finally:
            handle.drop(store)


def rows_for(session: Session, plan: Plan) -> list[Row]:
    rows: list[Row] = []
    for name, model in THROUGHPUT_MODELS.items():
        stream = session.streams[name]
        case = f"{name} ({stream.sse_events:,} ev), loopback 64 KiB writes"
        try:
            rows += _case(session, model, stream, case, plan)
        except Exception as exc:
            rows.append(error(SECTION, session.target.name, case, "component", exc))
    return rows


def _case(session: Session, model: str, stream: BenchStream, case: str,
          plan: Plan) -> list[Row]:
    target = session.target
    sse_events = stream.sse_events
    runners: dict[str, Callable[[str], Any]] = {}  # subject -> run(model)
    facts: dict[str, list[Any]] = {}
    clock = GuestClock()
    guest: list[float] = []

    no_component = reason(session.component)
    if no_component is None:
        llm = session.instance()
        raw = RawCalls(llm)

        def blocking(name: str) -> Any:
            before = clock.seconds
            with clock.running():
                result = drain_host(llm, name, block=True)
            guest.append(clock.seconds - before)
            return result

        runners["component blocking-get-next"] = blocking
        runners["component get-next (polling)"] = lambda name: drain_host(llm, name, block=False)
        runners["component wasmtime-py values"] = raw.drain
    if reason(session.provider) is None:
        request = session.request(model)
        runners["ours native (loopback)"] = lambda name: native_engine(session.provider, request)
        runners["transport only (loopback)"] = lambda name: raw_read(request)
    peer = session.peer
    if not isinstance(peer, str):
        client = peer.client(peer.base_url(session.origin))

        def run_peer(name: str) -> int:
            count = 0
            for _ in peer.open(client, name):
                count += 1
            return count

        runners[peer.name] = run_peer
    # The warm-up round checks what each subject reads (imports, connections and the guest's
    # first allocations happen here too): a fast but wrong subject would be no figure.
    _verify(session, model, stream)
    guest.clear()

    def timed(name: str, run: Callable[[str], Any]) -> Callable[[], None]:
        return lambda: facts.setdefault(name, []).append(run(model))

    subjects = {name: timed(name, run) for name, run in runners.items()}
    samples = interleaved(subjects, plan.component_repeats, warmup=0)
    _check(facts, sse_events)

    rows: list[Row] = []
    peer_sample = samples.get(target.peer)
    native_sample = samples.get("ours native (loopback)")
    order = ["component blocking-get-next", "component get-next (polling)",
             "component wasmtime-py values", "guest time only", "ours native (loopback)",
             target.peer, "transport only (loopback)"]
    guest_timed = list(guest)
    for name in order:
        sample = samples.get(name)
        if name == "guest time only" and guest_timed:
            sample = Sample(tuple(guest_timed))
        if sample is None:
            why = (no_component if name.startswith(("component", "guest")) else
                   reason(session.provider) if "native" in name or "transport" in name
                   else peer)
            rows.append(na(SECTION, target.name, case, name, str(why)))
            continue
        row = Row(SECTION, target.name, case, name, value=sse_events / sample.median,
                  unit="ev/s", spread=f"±{sample.spread:.0%} n={len(sample.seconds)}",
                  raw={"timing": sample.as_json()})
        if name in facts and isinstance(facts[name][0], tuple):
            row.raw["events_batches"] = [list(f) for f in facts[name]]
            events_out, batches = facts[name][-1][0], facts[name][-1][1]
            row.note = f"{events_out} events out in {batches} batches"
            if name == "component get-next (polling)":
                row.note += f", {facts[name][-1][2]} none"
        if name.startswith(("component", "guest")):
            notes = [row.note] if row.note else []
            if peer_sample is not None:
                ratio = speed_ratio(sample, peer_sample)
                row.ratio, row.ratio_range = ratio.median, (ratio.low, ratio.high)
                row.ratio_of = f"÷{target.peer}"
                row.goal, row.met = f"≥{GOAL:g}×", ratio.median >= GOAL
                row.raw["ratio_vs_peer"] = ratio.as_json()
            if native_sample is not None:
                vs_native = speed_ratio(sample, native_sample)
                notes.append(f"{vs_native.median:.2f}× ours native")
                row.raw["ratio_vs_native"] = vs_native.as_json()
            row.note = "; ".join(notes)
        elif name == "ours native (loopback)" and peer_sample is not None:
            ratio = speed_ratio(sample, peer_sample)
            row.ratio, row.ratio_range = ratio.median, (ratio.low, ratio.high)
            row.ratio_of = f"÷{target.peer}"
            row.raw["ratio_vs_peer"] = ratio.as_json()
        rows.append(row)
    return rows


def _verify(session: Session, model: str, stream: BenchStream) -> None:
    """One untimed run per reader, checked against the scenario: the same text and the same
    number of tool calls, ending in a finish (the component merges the text deltas of a
    batch, so event counts differ between the component and the native engine)."""
    def check(name: str, text: str, calls: int) -> None:
        if text != stream.text or calls != stream.tool_calls:
            raise AssertionError(f"{name} read other text or tool calls than the scenario's")

    if reason(session.component) is None:
        acc = Accumulator()
        with session.instance().stream(MESSAGES_IN, config(model)) as live:
            while batch := live.blocking_get_next():
                acc.add(batch)
        if not isinstance(acc.result(), (v.CompleteResponse, v.ToolRequest)):
            raise AssertionError(f"the component ended with {acc.result()!r}")
        check("the component", acc.text, len(acc.tool_calls))
        RawCalls(session.instance()).drain(model)
    if reason(session.provider) is None:
        events: list[Any] = []
        native_engine(session.provider, session.request(model), sink=events)
        acc = Accumulator()
        acc.add(events)
        check("our native engine", acc.text, len(acc.tool_calls))
    peer = session.peer
    if not isinstance(peer, str):
        client = peer.client(peer.base_url(session.origin))
        check(peer.name, *peer.summary(list(peer.open(client, model))))


def _check(facts: dict[str, list[Any]], sse_events: int) -> None:
    """Every timed run read a non-empty stream, and the native readers as many events as in
    every other run.  (The component's count depends on how the bytes fell into reads: it
    merges the text deltas of each batch; its content was checked by `_verify`.)"""
    for name, values in facts.items():
        if name.startswith("transport"):
            continue  # reads bytes only
        seen = {value if isinstance(value, int) else
                value[0] if isinstance(value, tuple) else value.events for value in values}
        if min(seen) < 1 or (len(seen) != 1 and not name.startswith("component")):
            raise AssertionError(f"{name} read a varying or empty stream: {sorted(seen)} events")
