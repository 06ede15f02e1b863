"""Which scenario answers a request: a queued one, else the built-in named by the request's
`model`, else the fallback given to the server, else the auto scenario; then the request's
stop sequences and max tokens are applied.  A scenario that `resumes` answers a request
continuing its answer with the rest of it."""

from __future__ import annotations

from typing import Mapping

from runtime.emulator.auto import auto_scenario
from runtime.emulator.limits import apply_limits
from runtime.emulator.request_view import RequestView
from runtime.emulator.resume import rest_of
from runtime.emulator.scenario import Scenario


def select_scenario(
    view: RequestView,
    queued: Scenario | None,
    named: Mapping[str, Scenario],
    fallback: Scenario | None = None,
    seed: int = 0,
    auto_delay_s: float = 0.0,
) -> Scenario:
    """`auto_delay_s` paces the auto scenario's events (the demo uses it so a person can see
    the answer arrive piece by piece)."""
    if queued is not None:
        chosen = queued
    elif view.model in named:
        chosen = named[view.model]
    elif fallback is not None:
        chosen = fallback
    else:
        chosen = auto_scenario(view, seed)
        if auto_delay_s:
            chosen = chosen.with_(chunk_delay_s=auto_delay_s)
    return apply_limits(rest_of(chosen, view), view)
