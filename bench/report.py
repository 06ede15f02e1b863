"""One table of figures and ratios on stdout, and every raw timing in a JSON file.

A benchmark never fails a run: a section that breaks becomes an "error:" row, a missing
provider or peer an "n/a:" row.  Regressions are read from the ratios, not asserted.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    """One line of the table.  `ratio` is always "how many times better ours is" (>1 good)."""

    section: str
    provider: str
    case: str
    subject: str
    value: Optional[float] = None
    unit: str = ""
    spread: str = ""
    ratio: Optional[float] = None
    ratio_range: Optional[tuple[float, float]] = None
    ratio_of: str = ""
    goal: str = ""
    met: Optional[bool] = None
    note: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.note.startswith("error:")


def na(section: str, provider: str, case: str, subject: str, why: str) -> Row:
    return Row(section, provider, case, subject, note=why if why.startswith("n/a") else f"n/a: {why}")


def error(section: str, provider: str, case: str, subject: str, exc: BaseException) -> Row:
    return Row(section, provider, case, subject, note=f"error: {type(exc).__name__}: {exc}")


def _number(value: Optional[float], unit: str) -> str:
    if value is None:
        return ""
    if isinstance(value, int):  # counts: entries, bytes
        return f"{value:,} {unit}".strip()
    if unit == "ev/s":
        return f"{value:,.0f} {unit}"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}".strip()
    if abs(value) >= 10:
        return f"{value:.1f} {unit}".strip()
    return f"{value:.2f} {unit}".strip()


def _ratio(row: Row) -> str:
    if row.ratio is None:
        return ""
    text = f"{row.ratio:.2f}×"
    if row.ratio_range is not None:
        low, high = row.ratio_range
        text += f" ({low:.2f}–{high:.2f})"
    return f"{text} {row.ratio_of}".strip()


def _goal(row: Row) -> str:
    if not row.goal:
        return ""
    mark = {True: "ok", False: "MISSED", None: ""}[row.met]
    return f"{row.goal} {mark}".strip()


COLUMNS = ("section", "provider", "case", "subject", "value", "spread", "ratio", "goal", "note")


def table(rows: Sequence[Row]) -> str:
    cells = [[row.section, row.provider, row.case, row.subject, _number(row.value, row.unit),
              row.spread, _ratio(row), _goal(row), row.note] for row in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(COLUMNS)]
    widths[-1] = len(COLUMNS[-1])  # the note is last and never padded
    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()
    out = [line(COLUMNS), line(["-" * w for w in widths])]
    previous = None
    for row, values in zip(rows, cells):
        if previous is not None and row.section != previous:
            out.append("")
        previous = row.section
        out.append(line(values))
    return "\n".join(out)


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count(), "loadavg": load}


def write_json(rows: Sequence[Row], settings: dict[str, Any], path: Optional[Path] = None,
               started: Optional[float] = None) -> Path:
    if path is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / time.strftime("bench-%Y%m%d-%H%M%S.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"settings": settings, "machine": machine(),
               "elapsed_s": None if started is None else time.perf_counter() - started,
               "rows": [asdict(row) for row in rows]}
    path.write_text(json.dumps(payload, indent=1, default=str, ensure_ascii=False))
    latest = path.parent / "latest.json"
    if path != latest:
        latest.write_text(path.read_text())
    return path
