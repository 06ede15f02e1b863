"""How long a call may wait for a provider, so a silent or stalling server ends in an error.

Two kinds of limit, both in milliseconds (`providers/settings.py` names their variables):

- the host's, a backstop: connect, first byte and between bytes, passed with the wasi:http
  request (`components/transport.py`); 0 keeps the host's own default;
- the guest's own, counted in *events*: the first SSE event must arrive within
  `first_event_ms` of sending the request, and each next one within `between_events_ms` of
  the last.  Comments (`: keep-alive`, `: OPENROUTER PROCESSING`) and blank lines are bytes,
  not events, so a server that sends only those forever still times out, which the
  between-bytes limit alone never does.  0 turns a deadline off.  `EventDeadline` keeps the
  time; the transport wakes a blocking read when it passes.

`TIMEOUT_ENV` names every variable of the exchange (timeouts, retries, resumes, the
end-of-stream rule, the open-stream cap), so the host passes them to every provider's
component (`Provider.select`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from providers.settings import (
    BETWEEN_BYTES_TIMEOUT,
    BETWEEN_EVENTS_TIMEOUT,
    CONNECT_TIMEOUT,
    FIRST_BYTE_TIMEOUT,
    FIRST_EVENT_TIMEOUT,
    SETTINGS,
    CallSettings,
)

CONNECT_ENV = CONNECT_TIMEOUT.env
FIRST_BYTE_ENV = FIRST_BYTE_TIMEOUT.env
BETWEEN_BYTES_ENV = BETWEEN_BYTES_TIMEOUT.env
FIRST_EVENT_ENV = FIRST_EVENT_TIMEOUT.env
BETWEEN_EVENTS_ENV = BETWEEN_EVENTS_TIMEOUT.env

#: The variables every component reads, whatever its provider.
TIMEOUT_ENV = tuple(setting.env for setting in SETTINGS)

_MS = 1_000_000  # nanoseconds, the unit of wasi:clocks


@dataclass(frozen=True)
class Timeouts:
    """How long to wait, in milliseconds.

    Generous defaults: reasoning models can think for minutes before the first byte (and an
    upstream behind OpenRouter before its first event).
    """

    connect_ms: int = int(CONNECT_TIMEOUT.default)
    first_byte_ms: int = int(FIRST_BYTE_TIMEOUT.default)
    between_bytes_ms: int = int(BETWEEN_BYTES_TIMEOUT.default)
    first_event_ms: int = int(FIRST_EVENT_TIMEOUT.default)
    between_events_ms: int = int(BETWEEN_EVENTS_TIMEOUT.default)

    @staticmethod
    def from_env(env: Mapping[str, str]) -> "Timeouts":
        """The limits `env` sets; a variable that is unset or not a number keeps its default."""
        return Timeouts.read(CallSettings(env, {}))

    @staticmethod
    def read(settings: CallSettings) -> "Timeouts":
        """The limits of one call: its options over the environment."""
        return Timeouts(settings.int(CONNECT_TIMEOUT), settings.int(FIRST_BYTE_TIMEOUT),
                        settings.int(BETWEEN_BYTES_TIMEOUT), settings.int(FIRST_EVENT_TIMEOUT),
                        settings.int(BETWEEN_EVENTS_TIMEOUT))


class EventDeadline:
    """When the next SSE event is due, on a monotonic clock in nanoseconds.

    Started when the request is sent; `progress` at every event moves it to
    `between_events_ms` later.  Sans-IO: the caller passes the time in.
    """

    __slots__ = ("_timeouts", "_due", "_seen")

    def __init__(self, timeouts: Timeouts, now_ns: int) -> None:
        self._timeouts = timeouts
        self._seen = False
        self._due = _after(now_ns, timeouts.first_event_ms)

    @property
    def due_ns(self) -> Optional[int]:
        """When it passes; None when the deadline is off."""
        return self._due

    def progress(self, now_ns: int) -> None:
        """An event arrived."""
        self._seen = True
        self._due = _after(now_ns, self._timeouts.between_events_ms)

    def passed(self, now_ns: int) -> bool:
        return self._due is not None and now_ns >= self._due

    def describe(self) -> str:
        """What was missed, for the error message."""
        if self._seen:
            return (f"no event for {self._timeouts.between_events_ms} ms (comments and "
                    f"keep-alives do not count; {BETWEEN_EVENTS_ENV})")
        return (f"no event within {self._timeouts.first_event_ms} ms of the request "
                f"({FIRST_EVENT_ENV})")


def _after(now_ns: int, ms: int) -> Optional[int]:
    return now_ns + ms * _MS if ms > 0 else None
