"""Run side effects at persistence level persist-nothing, restoring the previous level.

Golem already records wasi:http at the level of single HTTP operations; inside this zone
those low-level entries are not replayed, so the oplog's meaningful content is the one typed
entry per LLM call that the wrapper writes after the zone.  The previous level is restored
on every exit, including an exception, so a failed request cannot leave the worker in
persist-nothing (where nothing at all would be durable).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from durability.host_api import PERSIST_NOTHING, DurableHost


@contextmanager
def persist_nothing(host: DurableHost) -> Iterator[None]:
    previous = host.get_oplog_persistence_level()
    if previous == PERSIST_NOTHING:
        yield
        return
    host.set_oplog_persistence_level(PERSIST_NOTHING)
    try:
        yield
    finally:
        host.set_oplog_persistence_level(previous)
