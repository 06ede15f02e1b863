"""Read a paced stream with one `blocking-get-next` per served piece, timing each call but
not the wait for the bytes.

Why paced: the durability section compares the time of a `get-next` through the durable
worker with the portable component's.  Read as fast as possible, the two would not see the
same batches: a durable `get-next` writes and commits an oplog entry, so bytes pile up
while it works and its batches hold more events.  So the server sends one piece every
`pace_s` (`pieces_per_batch` cuts the answer so that each piece completes at least one
event), and the caller asks for piece k half a pace after it was sent: the bytes are
there, the call does not block, and every subject gets the same batches.  Each call's
time is then its own work: reading and parsing one piece and lifting its events, plus, in
the durable worker, encoding, appending and committing the oplog entry.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence

from bench.targets import MESSAGES_IN, config
from normalizer import values as v
from normalizer.accumulator import Accumulator
from providers.response_decoder import ResponseDecoder


@dataclass(frozen=True)
class PacedRun:
    call_s: tuple[float, ...]  # every blocking-get-next, the final empty one included
    batch_sizes: tuple[int, ...]  # events per call
    text: str
    result: Any  # what the Accumulator made of the events (a CompleteResponse when whole)
    probe_s: Mapping[str, tuple[float, ...]]  # per call, what each probe counted during it

    @property
    def median_call_s(self) -> float:
        return statistics.median(self.call_s)

    def median_probe_s(self, name: str) -> float:
        return statistics.median(self.probe_s[name])

    @property
    def calls(self) -> int:
        return len(self.call_s)


def pieces_per_batch(provider: Any, pieces: Sequence[bytes]) -> tuple[bytes, ...]:
    """`pieces` (one SSE event each) regrouped so that each group completes at least one
    engine event, as our decoder sees them: events that complete none (a role-only first
    chunk, `message_start`, `ping`, the usage chunk) ride with the next group, trailing
    ones with the last.  Each group is then exactly one batch for a reader that keeps up."""
    decoder = ResponseDecoder(provider, 200, "text/event-stream; charset=utf-8")
    groups: list[bytes] = []
    pending: list[bytes] = []
    for piece in pieces:
        pending.append(piece)
        if decoder.feed(piece):
            groups.append(b"".join(pending))
            pending = []
    if pending:
        if groups:
            groups[-1] += b"".join(pending)
        else:
            groups.append(b"".join(pending))
    return tuple(groups)


def paced_drain(llm: Any, model: str, pace_s: float,
                probes: Optional[Mapping[str, Callable[[], float]]] = None) -> PacedRun:
    """Open `model`'s stream on `llm` (an `LlmInstance` or a Golem worker) and read it to
    the end, calling `blocking-get-next` for piece k at (k + ½) paces after the request.
    `probes` are cumulative clocks (seconds) read around each call, to split its time."""
    probes = probes or {}
    calls: list[float] = []
    sizes: list[int] = []
    split: dict[str, list[float]] = {name: [] for name in probes}
    acc = Accumulator()
    clock = time.perf_counter
    started = clock()  # the server sends piece 0 on receiving the request, then one per pace
    with llm.stream(MESSAGES_IN, config(model)) as stream:
        k = 0
        while True:
            if not acc.done:  # after the finish the last call returns [] at once: no wait
                wait = started + (k + 0.5) * pace_s - clock()
                if wait > 0:
                    time.sleep(wait)
            before = [probe() for probe in probes.values()]
            begun = clock()
            batch = stream.blocking_get_next()
            calls.append(clock() - begun)
            for (name, probe), then in zip(probes.items(), before):
                split[name].append(probe() - then)
            sizes.append(len(batch))
            if not batch:
                break
            acc.add(batch)
            k += 1
    return PacedRun(tuple(calls), tuple(sizes), acc.text, acc.result(),
                    {name: tuple(values) for name, values in split.items()})


def whole(run: PacedRun, text: str) -> bool:
    """The run read the scenario's whole text and ended in a finish."""
    return run.text == text and isinstance(run.result, v.CompleteResponse)
