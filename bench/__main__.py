"""`python -m bench [--smoke] [--only SECTION ...] [--provider NAME ...]`

Runs the streaming benchmarks, prints one table and writes the raw figures to
`bench/results/bench-<time>.json` (and `latest.json`).  Always exits 0 unless the arguments
are wrong: a broken or missing piece is an "error:" or "n/a:" row, never a failed run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable, Optional

from bench import component, durability, first_event, footprint, native
from bench.plan import FULL, SMOKE, Plan
from bench.report import Row, error, na, table, write_json
from bench.session import open_session
from bench.streams import streams_for
from bench.targets import KNOWN, Target

SECTIONS = ("native", "component", "first-event", "footprint", "durability")
LOOPBACK = {"component", "first-event", "footprint", "durability"}


def run(plan: Plan, sections: tuple[str, ...], providers: tuple[str, ...],
        build: bool = True, log: Callable[..., None] = print) -> list[Row]:
    """Every requested section for every provider; returns the rows, sorted by section.

    Past `plan.budget_s` the remaining providers are skipped with an "n/a" row, so a loaded
    machine still finishes in time (rerun them with `--provider NAME`)."""
    started = time.perf_counter()
    rows: list[Row] = []
    if "footprint" in sections:
        rows += footprint.size_rows()
    time_compile = True
    for name in providers:
        target = Target(name)
        if time.perf_counter() - started > plan.budget_s:
            rows.append(na("0 setup", name, "all sections", "-",
                           f"skipped: the {plan.budget_s:.0f} s budget was spent "
                           f"(run `python -m bench --provider {name}`)"))
            continue
        clock = time.perf_counter()
        try:
            streams = streams_for(name, plan.long_events, plan.tool_events, plan.short_events)
        except Exception as exc:
            rows.append(error("0 setup", name, "rendering the streams", "-", exc))
            continue
        spent: dict[str, float] = {}

        def timed(section: str, fn: Callable[[], list[Row]]) -> None:
            begun = time.perf_counter()
            rows.extend(fn())
            spent[section] = time.perf_counter() - begun

        if "native" in sections:
            timed("native", lambda: native.rows_for(target, streams, plan))
        if LOOPBACK & set(sections):
            try:
                with open_session(target, streams, build=build) as session:
                    if "component" in sections:
                        timed("component", lambda: component.rows_for(session, plan))
                    if "first-event" in sections:
                        timed("first-event", lambda: first_event.rows_for(session, plan))
                    if "footprint" in sections:
                        timed("footprint", lambda: footprint.rows_for(session, plan,
                                                                      time_compile))
                        time_compile = time_compile and isinstance(session.component, str)
                    if "durability" in sections:
                        timed("durability", lambda: durability.rows_for(
                            session, plan, name, window=name == providers[0]))
            except Exception as exc:
                rows.append(error("0 setup", name, "loopback session", "-", exc))
        parts = ", ".join(f"{k} {v:.0f} s" for k, v in spent.items())
        log(f"bench: {name} done in {time.perf_counter() - clock:.0f} s ({parts})",
            file=sys.stderr)
    rows.sort(key=lambda r: r.section)  # stable: keeps provider and case order per section
    return rows


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (seconds, not minutes)")
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="run only this section (repeatable)")
    parser.add_argument("--provider", action="append", choices=KNOWN,
                        help="only this provider (repeatable; default: all)")
    parser.add_argument("--no-build", action="store_true",
                        help="use dist/ as it is instead of rebuilding stale components")
    parser.add_argument("--json", type=Path, help="where to write the raw figures")
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else FULL
    sections = tuple(args.only or SECTIONS)
    providers = tuple(args.provider or KNOWN)
    started = time.perf_counter()
    rows = run(plan, sections, providers, build=not args.no_build)
    print(table(rows))
    settings = {"plan": plan.as_json(), "smoke": args.smoke, "sections": sections,
                "providers": providers}
    path = write_json(rows, settings, args.json, started)
    print(f"\nraw figures: {path}   ({time.perf_counter() - started:.0f} s; ratios are "
          f"ours ÷ peer, >1 = ours faster; ± is half the min–max range)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
