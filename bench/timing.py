"""How every figure is timed: `time.perf_counter`, warm-up runs, medians, and the spread.

Subjects that are compared run *interleaved* (ours, peer, ours, peer, ...), so a burst of
load from another process hits both sides of a ratio instead of one; each round gives one
ratio, and the reported ratio is the median of those, with its range.  A collection
(`settle`) before each timed run keeps one run's garbage from being charged to the next.
"""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence


@dataclass(frozen=True)
class Sample:
    """Repeated timings of one thing, in seconds."""

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        return percentile(self.seconds, 95)

    @property
    def spread(self) -> float:
        """Half the min-max range, relative to the median (0.05 = "±5%")."""
        if len(self.seconds) < 2 or self.median <= 0:
            return 0.0
        return (max(self.seconds) - min(self.seconds)) / 2 / self.median

    def as_json(self) -> dict[str, object]:
        return {"seconds": list(self.seconds), "median_s": self.median, "p95_s": self.p95,
                "min_s": min(self.seconds), "max_s": max(self.seconds), "spread": self.spread}


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: every reported figure was measured)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil(n * pct / 100)
    return ordered[int(rank) - 1]


def settle() -> None:
    """Collect the garbage of earlier runs, then freeze what survives (`gc.freeze`), so that
    the next collection, here or inside a timed run, does not walk the SDKs' and pydantic's
    hundreds of thousands of long-lived objects again (a full collection took ~0.1 s)."""
    gc.collect()
    gc.freeze()


def time_once(fn: Callable[[], object]) -> float:
    settle()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleaved(subjects: Mapping[str, Callable[[], object]], repeats: int,
                warmup: int = 1) -> dict[str, Sample]:
    """Time each subject `repeats` times, round-robin, after `warmup` untimed rounds."""
    for _ in range(warmup):
        for fn in subjects.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in subjects}
    for _ in range(max(1, repeats)):
        for name, fn in subjects.items():
            times[name].append(time_once(fn))
    return {name: Sample(tuple(ts)) for name, ts in times.items()}


@dataclass(frozen=True)
class Ratio:
    """How many times faster `a` is than `b`, per interleaved round (>1: `a` is faster)."""

    per_round: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.per_round)

    @property
    def low(self) -> float:
        return min(self.per_round)

    @property
    def high(self) -> float:
        return max(self.per_round)

    def as_json(self) -> dict[str, object]:
        return {"per_round": list(self.per_round), "median": self.median,
                "min": self.low, "max": self.high}


def speed_ratio(a: Sample, b: Sample) -> Ratio:
    """Throughput of `a` over throughput of `b` (= b's time / a's time), round by round."""
    return Ratio(tuple(tb / ta for ta, tb in zip(a.seconds, b.seconds) if ta > 0))
