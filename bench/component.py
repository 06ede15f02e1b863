"""Section 2: in-component throughput, host boundary included.

The component (portable flavour) reads the loopback server's bytes through wasi:http and
hands out events through `blocking-get-next` / `get-next` in wasmtime-py.  The same bytes are
read, in the same interleaved rounds, by our engine as a native library (stdlib http.client)
and by the SDK's iterator (its own HTTP client), and the transport alone gives the ceiling.

The component's time splits in two, from the host's own clock (runtime/host/call_clock.py):
  component: guest time         the headline: time inside the wasm calls (the guest's Python,
                                the host's wasi:http under it, and wasmtime-py's own
                                conversion of each call's arguments and results, which its
                                public API does not time apart); what a Rust host such as
                                Golem's would see, plus that conversion
  component: host conversion    the host converting the events to the engine's dataclasses
                                and back (runtime/host/value_model.py), per run
  component blocking-get-next   end to end, as a Python host application sees it
"""

from __future__ import annotations

from typing import Any, Callable

from bench.loopback import native_engine, raw_read
from bench.plan import Plan
from bench.report import Row, error, na
from bench.session import THROUGHPUT_MODELS, Session, reason
from bench.streams import BenchStream
from bench.targets import MESSAGES_IN, config
from bench.timing import Sample, interleaved, speed_ratio
from normalizer import values as v
from normalizer.accumulator import Accumulator

SECTION = "2 component"
GOAL = 1.0  # in-component >= 1x the SDK iterator
GUEST = "component: guest time"
CONVERSION = "component: host conversion"
BLOCKING = "component blocking-get-next"
POLLING = "component get-next (polling)"


def drain_host(llm: Any, model: str, block: bool = True) -> tuple[int, int, int]:
    """(events, batches, `none` answers) of one stream through runtime/host/."""
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
    guest: list[float] = []  # per blocking run: seconds inside the wasm calls
    conversion: list[float] = []  # per blocking run: seconds converting values

    no_component = reason(session.component)
    if no_component is None:
        llm = session.instance()

        def blocking(name: str) -> Any:
            guest_s, conversion_s = llm.clock.guest_s, llm.clock.conversion_s
            result = drain_host(llm, name, block=True)
            guest.append(llm.clock.guest_s - guest_s)
            conversion.append(llm.clock.conversion_s - conversion_s)
            return result

        runners[BLOCKING] = blocking
        runners[POLLING] = lambda name: drain_host(llm, name, block=False)
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

    def timed(name: str, run: Callable[[str], Any]) -> Callable[[], None]:
        return lambda: facts.setdefault(name, []).append(run(model))

    subjects = {name: timed(name, run) for name, run in runners.items()}
    samples = interleaved(subjects, plan.component_repeats, warmup=0)
    _check(facts, sse_events)

    rows: list[Row] = []
    peer_sample = samples.get(target.peer)
    native_sample = samples.get("ours native (loopback)")
    if guest:
        samples[GUEST] = Sample(tuple(guest))
    order = [GUEST, CONVERSION, BLOCKING, POLLING, "ours native (loopback)", target.peer,
             "transport only (loopback)"]
    for name in order:
        sample = samples.get(name)
        if name == CONVERSION and conversion:
            ms = Sample(tuple(conversion)).median * 1000
            end_to_end = samples[BLOCKING].median * 1000
            rows.append(Row(SECTION, target.name, case, name, value=ms, unit="ms",
                            note=f"per run, {ms / end_to_end:.1%} of {BLOCKING} "
                                 f"({end_to_end:.1f} ms)",
                            raw={"conversion_s": conversion}))
            continue
        if sample is None:
            why = (no_component if name.startswith("component") else
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
            if name == POLLING:
                row.note += f", {facts[name][-1][2]} none"
        if name.startswith("component"):
            notes = [row.note] if row.note else []
            if peer_sample is not None:
                ratio = speed_ratio(sample, peer_sample)
                row.ratio, row.ratio_range = ratio.median, (ratio.low, ratio.high)
                row.ratio_of = f"÷{target.peer}"
                if name == GUEST:  # the headline carries the goal
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
