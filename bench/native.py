"""Section 1: parse + normalise throughput, natively, on identical bytes in memory.

Ours: `ResponseDecoder` (sse.parser → the provider's normalizer → golem:llm events), the
single path every caller uses.  Peer: the family's SDK stream iterator fed the same chunks
through `httpx2.MockTransport`.  The unit is input SSE events per second (the same count for
both subjects), and the ratio is ours ÷ peer, measured round by round.  Before timing, each
subject's output is checked (same text, same number of tool calls): a subject that parsed
wrongly would otherwise look fast.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from bench.peers import Peer, peer_or_reason
from bench.plan import Plan
from bench.report import Row, error, na
from bench.streams import BenchStream
from bench.targets import Target
from bench.timing import interleaved, speed_ratio
from normalizer.accumulator import Accumulator
from normalizer.values import Finish
from providers.response_decoder import ResponseDecoder

SECTION = "1 native"
GOAL = 3.0  # ours >= 3x the SDK iterator
#: (stream, chunk size, label): None = one chunk per SSE event, as servers flush.
CASES: tuple[tuple[str, Optional[int], str], ...] = (
    ("long-text", None, "per-event chunks"),
    ("long-text", 65536, "64 KiB chunks"),
    ("tool-calls", None, "per-event chunks"),
    ("short-text", 65536, "64 KiB chunks"),
    ("short-text", 1, "1-byte chunks"),
)


def ours_runner(provider: Any, chunks: list[bytes]) -> Callable[[], int]:
    def run() -> int:
        decoder = ResponseDecoder(provider, 200, "text/event-stream")
        feed = decoder.feed
        count = 0
        for chunk in chunks:
            count += len(feed(chunk))
        return count + len(decoder.end())

    return run


def check_ours(provider: Any, chunks: list[bytes], stream: BenchStream) -> None:
    decoder = ResponseDecoder(provider, 200, "text/event-stream")
    events = [e for chunk in chunks for e in decoder.feed(chunk)] + decoder.end()
    acc = Accumulator()
    acc.add(events)
    if not isinstance(events[-1], Finish):
        raise AssertionError(f"our engine ended with {events[-1]!r}")
    if acc.text != stream.text or len(acc.tool_calls) != stream.tool_calls:
        raise AssertionError("our engine's text or tool calls differ from the scenario's")


def check_peer(peer: Peer, run: Callable[[], int], stream: BenchStream) -> None:
    text, calls = peer.summary(peer.collect(run))
    if text != stream.text or calls != stream.tool_calls:
        raise AssertionError(f"{peer.name}'s text or tool calls differ from the scenario's")


def rows_for(target: Target, streams: dict[str, BenchStream], plan: Plan) -> list[Row]:
    rows: list[Row] = []
    provider = target.provider()
    peer = peer_or_reason(target.family)
    for stream_name, size, label in CASES:
        stream = streams[stream_name]
        case = f"{stream_name} ({stream.sse_events:,} ev), {label}"
        try:
            rows += _case(target, provider, peer, stream, size, case, plan)
        except Exception as exc:
            rows.append(error(SECTION, target.name, case, "ours vs peer", exc))
    return rows


def _case(target: Target, provider: Any, peer: "Peer | str", stream: BenchStream,
          size: Optional[int], case: str, plan: Plan) -> list[Row]:
    chunks = stream.chunks(size)
    subjects: dict[str, Callable[[], int]] = {}
    if not isinstance(provider, str):
        check_ours(provider, chunks, stream)
        subjects["ours"] = ours_runner(provider, chunks)
    if not isinstance(peer, str):
        run = peer.mock_runner(chunks)
        check_peer(peer, run, stream)
        subjects[peer.name] = run
    samples = interleaved(subjects, plan.repeats, plan.warmup) if subjects else {}
    base = {"chunks": len(chunks), "bytes": len(stream.body), "sse_events": stream.sse_events,
            "source": stream.source}
    rows: list[Row] = []
    for name in ("ours", target.peer):
        sample = samples.get(name)
        if sample is None:
            why = provider if name == "ours" else peer
            rows.append(na(SECTION, target.name, case, name, str(why)))
            continue
        row = Row(SECTION, target.name, case, name, value=stream.sse_events / sample.median,
                  unit="ev/s", spread=f"±{sample.spread:.0%} n={len(sample.seconds)}",
                  raw={**base, "timing": sample.as_json()})
        if name == "ours" and target.peer in samples:
            ratio = speed_ratio(sample, samples[target.peer])
            row.ratio, row.ratio_range = ratio.median, (ratio.low, ratio.high)
            row.ratio_of = f"ours÷{target.peer}"
            row.goal, row.met = f"≥{GOAL:g}×", ratio.median >= GOAL
            row.raw["ratio"] = ratio.as_json()
        if name != "ours" and not isinstance(peer, str):
            row.note = peer.version()
        rows.append(row)
    return rows
