"""Section 5: what durability costs (oplog entries per call and per `get-next` batch).

HOOK, not a benchmark yet: the durable flavour needs the emulated Golem host (`runtime/golem`)
to run.  Until that exists this reports "n/a: durability not built yet"; once it does, and
until `measure` below is written, it reports that the hook is waiting.  To fill it in,
replace `measure` with a function that returns `Row`s; suggested figures, each on the
sessions' loopback bytes: durable vs portable `blocking-get-next` throughput on the long
text (the ratio is the cost of one oplog entry per batch), `send` latency live vs replayed,
and the oplog's size per stream.  `Session.streams` and the served models are in
bench/session.py; `Session.env()` points a component at the loopback server.
"""

from __future__ import annotations

from typing import Optional

from bench.plan import Plan
from bench.report import Row, na
from bench.session import Session
from bench.targets import ROOT

SECTION = "5 durability"


def measure(session: Session, plan: Plan) -> Optional[list[Row]]:
    """HOOK: the durability benchmark goes here (None = not written yet)."""
    return None


def rows_for(session: Optional[Session], plan: Plan, provider: str = "-") -> list[Row]:
    if not (ROOT / "runtime" / "golem").is_dir():
        return [na(SECTION, provider, "durable vs portable", "oplog cost",
                   "n/a: durability not built yet")]
    rows = measure(session, plan) if session is not None else None
    if rows is None:
        return [na(SECTION, provider, "durable vs portable", "oplog cost",
                   "n/a: runtime/golem exists; bench/durability.py `measure` (the hook) "
                   "is not written yet")]
    return rows
