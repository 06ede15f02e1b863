"""`GOLEM_LLM_LOG=info|debug|trace`: one line per call to stderr, for the person operating it.

Off by default.  Golem keeps a worker's stderr, so the line is what an operator reads when a
call was slow or failed; the library (`golem_llm`) writes the same line.  Levels:

- `info`: one line when the call's stream ends: provider, model, the request's size in
  bytes, the last HTTP status, the time to the first response headers, to the first event
  and in total (milliseconds from the call's start), the response bytes read, how many
  requests it took (`attempts`; `retries` before any event, `resumes` after) and how it
  ended (the finish reason, the error code, or `closed` when the caller let go first);
- `debug`: also one line per request, as it ends (status, bytes, how it failed);
- `trace`: also the request body, which holds the prompt.

Never the API key: it travels in a header, and headers are never logged; the body at `trace`
goes through the call's scrubber all the same.  Never the prompt below `trace`.

Sans-IO: the caller gives the clock and the writer.  The level is read per call from the
call's settings (`providers/settings.py` `LOG`, so the per-call option `golem_llm_log`
works too); nothing here is module-level state, which a component would freeze at build
time.
"""

from __future__ import annotations

from typing import Callable, Optional

from providers.settings import LOG, CallSettings

LEVELS = {"off": 0, "info": 1, "debug": 2, "trace": 3}
INFO, DEBUG, TRACE = 1, 2, 3

Write = Callable[[str], None]
Clock = Callable[[], int]  # monotonic nanoseconds


def _ms(ns: Optional[int]) -> str:
    return "-" if ns is None else str(ns // 1_000_000)


class CallLog:
    """The record of one call (a stream, or a `send`/`continue`), written when it ends."""

    __slots__ = ("_level", "_write", "_clock", "_provider", "_model", "_operation",
                 "_start", "_request_bytes", "_status", "_headers", "_first_event",
                 "_response_bytes", "_done")

    def __init__(self, level: int, write: Write, clock: Clock, provider: str, model: str,
                 operation: str) -> None:
        self._level = level
        self._write = write
        self._clock = clock
        self._provider = provider
        self._model = model
        self._operation = operation
        self._start = clock()
        self._request_bytes = 0
        self._status: Optional[int] = None
        self._headers: Optional[int] = None
        self._first_event: Optional[int] = None
        self._response_bytes = 0
        self._done = False

    @staticmethod
    def of(settings: CallSettings, write: Write, clock: Clock, provider: str, model: str,
           operation: str) -> Optional["CallLog"]:
        """The call's log, or None when logging is off (the default)."""
        level = LEVELS.get(settings.text(LOG), 0)
        if not level:
            return None
        return CallLog(level, write, clock, provider, model, operation)

    @property
    def level(self) -> int:
        return self._level

    # -- what an attempt reports ---------------------------------------------------------

    def sent(self, body: bytes, scrub: Callable[[str], str]) -> None:
        """A request went out with `body` (the first one's size is the call's)."""
        if not self._request_bytes:
            self._request_bytes = len(body)
        if self._level >= TRACE:
            text = scrub(body.decode("utf-8", "replace"))
            self._line(f"golem-llm trace: provider={self._provider} request_body={text}")

    def headers(self, status: int) -> None:
        self._status = status
        if self._headers is None:
            self._headers = self._clock() - self._start

    def events(self) -> None:
        """Events arrived (an error response's body is not an event)."""
        if self._status is not None and not 200 <= self._status < 300:
            return
        if self._first_event is None:
            self._first_event = self._clock() - self._start

    def received(self, size: int) -> None:
        self._response_bytes += size

    def attempt_ended(self, status: Optional[int], failure: str) -> None:
        """One request ended (`failure`: how, or "ok")."""
        if self._level >= DEBUG:
            self._line(f"golem-llm debug: provider={self._provider} request ended "
                       f"status={status if status is not None else '-'} "
                       f"after_ms={_ms(self._clock() - self._start)} outcome={failure}")

    # -- the end of the call -------------------------------------------------------------

    def ended(self, attempts: int, retries: int, resumes: int, outcome: str) -> None:
        """The call's one line (written once)."""
        if self._done:
            return
        self._done = True
        status = "-" if self._status is None else str(self._status)
        self._line(
            f"golem-llm: {self._operation} provider={self._provider} model={self._model} "
            f"request_bytes={self._request_bytes} status={status} "
            f"headers_ms={_ms(self._headers)} first_event_ms={_ms(self._first_event)} "
            f"total_ms={_ms(self._clock() - self._start)} "
            f"response_bytes={self._response_bytes} attempts={attempts} retries={retries} "
            f"resumes={resumes} outcome={outcome}")

    def _line(self, text: str) -> None:
        try:
            self._write(text.replace("\n", "\\n") + "\n")
        except Exception:  # a broken stderr must not fail the call
            pass
