"""Section 4: start-up and footprint.

  size             every `dist/*.wasm`
  compile          `Component(engine, wasm)` from scratch, fresh engine (what a host does
                   once per component version; runtime/host/compiled_component.py caches
                   the result on disk)
  load cached      `ComponentHost(path)` with the compiled artifact already on disk
  instantiate      `ComponentHost.instantiate(env)` from the cached compile: the first one
                   after loading, then the median of many
  linear memory    the smallest store memory limit under which instantiate + one `send`
                   still succeeds (wasmtime's `Store.set_limits`, searched to 64 KiB):
                   the guest's linear memory after one call
  host RSS         growth of a fresh host process's resident memory: loading the component,
                   then each instance that has made one call (`python -m bench.footprint rss`)
  retained memory  what a stream leaves behind on one instance (componentize-py 0.23.0 runs
                   no destructor for a dropped `chat-stream`): the growth of the guest's
                   linear memory over `retained_streams` streams, finished (drained, then
                   dropped) and abandoned (one batch read, then dropped), after a warm-up,
                   divided by their number (`python -m bench.footprint retained`).  The
                   linear memory's size is read from the host process's memory map: the
                   accessible part of each wasm memory reservation (64 KiB pages, so the
                   figure's resolution is 64 KiB / streams).  Measured once per run, for
                   the first provider: the code that lets go is the same for all of them
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.plan import Plan
from bench.report import Row, error, na
from bench.session import FIRST_MODEL, SHORT_MODEL, Session
from bench.targets import MESSAGES_IN, ROOT, config
from bench.timing import percentile
from normalizer import values as v

SECTION = "4 footprint"
GOAL_INSTANTIATE_MS = 10.0
PAGE = 64 * 1024
MiB = 1024 * 1024


def size_rows() -> list[Row]:
    wasms = sorted((ROOT / "dist").glob("*.wasm"))
    if not wasms:
        return [na(SECTION, "-", "dist/*.wasm", "size", "no component built")]
    return [Row(SECTION, _provider_of(p), p.name, "size", value=p.stat().st_size / 1e6,
                unit="MB", raw={"bytes": p.stat().st_size}) for p in wasms]


def _provider_of(path: Path) -> str:
    return path.stem.removeprefix("llm-").removesuffix("-portable")


def rows_for(session: Session, plan: Plan, time_compile: bool = True) -> list[Row]:
    """`time_compile=False` for all but one provider per run: every component embeds the
    same CPython, so compile times differ by noise only, and each costs 5-20 s."""
    target = session.target
    wasm = session.component
    if isinstance(wasm, str):
        return [na(SECTION, target.name, "portable component", "start-up", wasm)]
    rows: list[Row] = []
    case = wasm.name
    steps = [("load cached + instantiate", _startup), ("linear memory", _linear_memory),
             ("host RSS", _rss)]
    if time_compile:
        steps.insert(0, ("compile", _compile))
        steps.append(("retained memory", _retained))
    else:
        rows.append(na(SECTION, target.name, case, "compile (no cache)",
                       "timed once per run, for the first provider"))
        rows.append(na(SECTION, target.name, case, "retained memory",
                       "measured once per run, for the first provider"))
    for what, fn in steps:
        try:
            rows += fn(session, wasm, plan, case)
        except Exception as exc:
            rows.append(error(SECTION, target.name, case, what, exc))
    return rows


def _compile(session: Session, wasm: Path, plan: Plan, case: str) -> list[Row]:
    import wasmtime
    from wasmtime import component as wc

    if plan.compile_runs < 1:
        return [na(SECTION, session.target.name, case, "compile (no cache)",
                   "not timed in --smoke (a fresh compile takes seconds)")]
    data = wasm.read_bytes()
    seconds = []
    for _ in range(plan.compile_runs):
        engine = wasmtime.Engine(wasmtime.Config())
        started = time.perf_counter()
        wc.Component(engine, data)
        seconds.append(time.perf_counter() - started)
    return [Row(SECTION, session.target.name, case, "compile (no cache)",
                value=statistics.median(seconds), unit="s", spread=f"n={len(seconds)}",
                raw={"seconds": seconds})]


def _startup(session: Session, wasm: Path, plan: Plan, case: str) -> list[Row]:
    from runtime.host import ComponentHost

    session.host()  # makes sure the compiled artifact is cached
    started = time.perf_counter()
    host = ComponentHost(wasm)
    load_s = time.perf_counter() - started
    env = session.env()
    first = _time_instantiate(host, env)
    times = [_time_instantiate(host, env) for _ in range(plan.instantiate_runs)]
    ms = [t * 1000 for t in times]
    median = statistics.median(ms)
    name = session.target.name
    return [
        Row(SECTION, name, case, "load cached compile", value=load_s * 1000, unit="ms",
            note="" if host.from_cache else "was not cached: this is a compile",
            raw={"seconds": load_s, "from_cache": host.from_cache}),
        Row(SECTION, name, case, "instantiate (first)", value=first * 1000, unit="ms",
            raw={"seconds": first}),
        Row(SECTION, name, case, "instantiate", value=median, unit="ms",
            spread=f"p95 {percentile(ms, 95):.2f} ms n={len(ms)}",
            goal=f"≤{GOAL_INSTANTIATE_MS:g} ms", met=median <= GOAL_INSTANTIATE_MS,
            raw={"ms": ms}),
    ]


def _time_instantiate(host: Any, env: dict[str, str]) -> float:
    started = time.perf_counter()
    instance = host.instantiate(env)
    elapsed = time.perf_counter() - started
    del instance
    return elapsed


# ---- linear memory --------------------------------------------------------------------------

def _one_call_fits(host: Any, env: dict[str, str], limit: int) -> bool:
    """Does instantiate + one `send` succeed when each linear memory is capped at `limit`?"""
    try:
        llm = host.instantiate(env, memory_size=limit)
        return isinstance(llm.send(MESSAGES_IN, config(FIRST_MODEL)), v.CompleteResponse)
    except Exception:  # instantiation refused, or the guest trapped
        return False


def _linear_memory(session: Session, wasm: Path, plan: Plan, case: str) -> list[Row]:
    host, env = session.host(), session.env()
    high = 512 * MiB
    if not _one_call_fits(host, env, high):
        return [na(SECTION, session.target.name, case, "linear memory",
                   "one call does not fit in 512 MiB")]
    low, probes = 0, 1
    while high - low > PAGE:
        middle = (low + high) // 2 // PAGE * PAGE
        if middle <= low:
            break
        probes += 1
        if _one_call_fits(host, env, middle):
            high = middle
        else:
            low = middle
    return [Row(SECTION, session.target.name, case, "linear memory after one call",
                value=high / MiB, unit="MiB", spread=f"±{PAGE // 1024} KiB",
                note=f"largest memory; {probes} probes of Store.set_limits",
                raw={"bytes": high, "probes": probes})]


# ---- host RSS -----------------------------------------------------------------------------

def _rss(session: Session, wasm: Path, plan: Plan, case: str) -> list[Row]:
    session.host()  # compiled and cached before the child loads it
    env = session.env()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.footprint", "rss", str(wasm), str(plan.rss_instances),
         json.dumps(env), FIRST_MODEL],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"rss child failed: {proc.stderr.strip()[-300:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    n = figures["instances"]
    load = (figures["after_load"] - figures["start"]) / MiB
    first = (figures["after_first"] - figures["after_load"]) / MiB
    total = (figures["after_all"] - figures["after_load"]) / MiB
    more = (figures["after_all"] - figures["after_first"]) / MiB / max(1, n - 1)
    name = session.target.name
    return [
        Row(SECTION, name, case, "host RSS: load component", value=load, unit="MiB",
            raw=figures),
        Row(SECTION, name, case, f"host RSS: {n} instances, one call each", value=total,
            unit="MiB", note=f"first {first:.1f} MiB, then {more:.1f} MiB per instance",
            raw=figures),
    ]


# ---- retained memory ----------------------------------------------------------------------

def _retained(session: Session, wasm: Path, plan: Plan, case: str) -> list[Row]:
    if not Path("/proc/self/maps").exists():
        return [na(SECTION, session.target.name, case, "retained memory",
                   "needs /proc/self/maps (Linux) to read the linear memory's size")]
    session.host()  # compiled and cached before the child loads it
    proc = subprocess.run(
        [sys.executable, "-m", "bench.footprint", "retained", str(wasm),
         str(plan.retained_streams), json.dumps(session.env()), SHORT_MODEL, FIRST_MODEL],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"retained child failed: {proc.stderr.strip()[-300:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    n = figures["streams"]
    rows = []
    for kind, what in (("finished", "drained, then dropped"),
                       ("abandoned", "one batch read, then dropped")):
        grown = figures[kind]["after"] - figures[kind]["before"]
        rows.append(Row(SECTION, session.target.name, case,
                        f"retained per {kind} stream", value=grown / n, unit="B",
                        spread=f"±{PAGE / n:.0f} B",
                        note=f"{n} streams on one instance, {what}; linear memory grew "
                             f"{grown // 1024} KiB; {figures[kind]['ms']:.1f} ms per stream",
                        raw=figures))
    return rows


def _linear_memory_bytes() -> int:
    """The current size of this process's wasm linear memories: for each reservation (an
    inaccessible mapping of 1 GiB or more, which wasmtime reserves per memory), the
    accessible mappings that end where it starts (the memory grows into its reservation)."""
    mappings = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            low, high = (int(x, 16) for x in fields[0].split("-"))
            mappings.append((low, high, fields[1]))
    total = 0
    for i, (low, high, perms) in enumerate(mappings):
        if perms.startswith("---") and high - low >= 1 << 30:
            j, start = i - 1, low
            while j >= 0 and mappings[j][1] == start and not mappings[j][2].startswith("---"):
                total += mappings[j][1] - mappings[j][0]
                start = mappings[j][0]
                j -= 1
    return total


def _retained_child(wasm: str, count: int, env_json: str, short_model: str,
                    paced_model: str) -> int:
    import gc

    from runtime.host import ComponentHost

    host = ComponentHost(Path(wasm))
    llm = host.instantiate(json.loads(env_json))

    def finished() -> None:
        stream = llm.stream(MESSAGES_IN, config(short_model))
        while stream.blocking_get_next():
            pass
        stream.drop()

    def abandoned() -> None:
        stream = llm.stream(MESSAGES_IN, config(paced_model))
        stream.blocking_get_next()
        stream.drop()

    figures: dict[str, Any] = {"streams": count}
    for kind, one in (("finished", finished), ("abandoned", abandoned)):
        for _ in range(max(20, count // 50)):  # warm-up: pools and caches reach their size
            one()
        gc.collect()
        before = _linear_memory_bytes()
        started = time.perf_counter()
        for _ in range(count):
            one()
        elapsed = time.perf_counter() - started
        gc.collect()
        figures[kind] = {"before": before, "after": _linear_memory_bytes(),
                         "ms": elapsed * 1000 / count}
    if not figures["finished"]["before"]:
        raise RuntimeError("no wasm linear memory found in /proc/self/maps")
    print(json.dumps(figures))
    return 0


def _rss_now() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _rss_child(wasm: str, count: int, env_json: str, model: str) -> int:
    import gc

    from runtime.host import ComponentHost

    gc.collect()
    figures: dict[str, Any] = {"instances": count, "start": _rss_now()}
    host = ComponentHost(Path(wasm))
    figures["after_load"] = _rss_now()
    env = json.loads(env_json)
    keep = []
    for i in range(count):
        llm = host.instantiate(env)
        answer = llm.send(MESSAGES_IN, config(model))
        if not isinstance(answer, v.CompleteResponse):
            raise RuntimeError(f"the call failed: {answer!r}")
        keep.append(llm)
        if i == 0:
            figures["after_first"] = _rss_now()
    figures["after_all"] = _rss_now()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "rss":
        sys.exit(_rss_child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]))
    if len(sys.argv) == 7 and sys.argv[1] == "retained":
        sys.exit(_retained_child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5],
                                 sys.argv[6]))
    sys.exit("usage: python -m bench.footprint rss WASM COUNT ENV_JSON MODEL\n"
             "       python -m bench.footprint retained WASM COUNT ENV_JSON MODEL PACED_MODEL")
