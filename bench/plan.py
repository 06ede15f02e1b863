"""How big each benchmark is: the full run (`make bench`, < 10 minutes on 2 cores) and the
smoke run (`--smoke`, seconds: run by tests/bench/test_smoke.py so nothing rots)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Plan:
    long_events: int  # long text answer (>= 10,000 events in the full run)
    tool_events: int  # tool-call-heavy answer
    short_events: int  # the 1-byte-chunk stream (every byte is one feed)
    repeats: int  # timed runs per subject (the median is reported)
    warmup: int  # untimed runs first
    component_repeats: int
    first_event_runs: int  # >= 50 in the full run
    durable_events: int  # text deltas of the durability section's paced answer
    window_tokens: int  # tokens of the batch-window answer (50 per second: 1,000 = 20 s)
    window_first_runs: int  # pairs of time-to-first-event runs, window and none
    instantiate_runs: int
    rss_instances: int  # instances created to measure host RSS growth
    retained_streams: int  # streams per kind (finished, abandoned) for the retained memory
    compile_runs: int  # 0 = not timed
    budget_s: float  # past this, the remaining providers' sections are skipped ("n/a")

    def as_json(self) -> dict[str, float]:
        return asdict(self)


FULL = Plan(long_events=10_240, tool_events=5_000, short_events=1_000, repeats=5, warmup=1,
            component_repeats=3, first_event_runs=60, durable_events=50, window_tokens=1_000,
            window_first_runs=10, instantiate_runs=30,
            rss_instances=10, retained_streams=10_000, compile_runs=1, budget_s=480)

# A fresh compile takes 5-15 s per component, so the smoke run does not time one.
SMOKE = Plan(long_events=40, tool_events=30, short_events=12, repeats=2, warmup=0,
             component_repeats=1, first_event_runs=3, durable_events=4, window_tokens=20,
             window_first_runs=1, instantiate_runs=2,
             rss_instances=2, retained_streams=20, compile_runs=0, budget_s=600)
