"""One HTTP exchange of a call, decoded into engine events, whatever carries its bytes.

Sans-IO: a transport tells an `Exchange` what happened (the request failed, the status
and headers arrived, bytes arrived, the body ended or broke, the clock passed a deadline)
and takes back the events; the exchange keeps the decoder, the event deadline
(`providers/timeouts.py`), the events waiting to be handed out, why the attempt ended
(`AttemptFailure`, which the `RecoveringStream` reads to retry or resume) and the call's
log lines.  The component's `EventSource` (wasi:http, read without blocking) and the
library's `HttpAttempt` (httpx2 in a reader thread) are the two transports; each subclass
says how to `close` what it holds, which `mark` does the moment a terminal event is
handed out.
"""

from __future__ import annotations

from typing import Mapping, Optional

from normalizer.values import ErrorCode, LlmError, StreamEvent, is_terminal
from providers.provider import Provider
from providers.request_log import CallLog
from providers.response_decoder import ResponseDecoder, end_marker_required
from providers.retry import AttemptFailure, Failure
from providers.settings import CallSettings
from providers.timeouts import EventDeadline, Timeouts


class Exchange:
    """The state of one exchange (see the module docstring).  `ended` once its terminal
    event is handed out; `failure` says why it ended in an error."""

    __slots__ = ("_provider", "_env", "_log", "_require_marker", "_deadline", "_pending",
                 "_decoder", "_status", "timeouts", "ended", "failure")

    def __init__(self, provider: Provider, env: Mapping[str, str], settings: CallSettings,
                 log: Optional[CallLog], now_ns: int) -> None:
        self._provider = provider
        self._env = env
        self._log = log
        self.timeouts = Timeouts.read(settings)
        self._require_marker = end_marker_required(provider, env, settings)
        self._deadline = EventDeadline(self.timeouts, now_ns)
        self._pending: list[StreamEvent] = []
        self._decoder: Optional[ResponseDecoder] = None
        self._status: Optional[int] = None
        self.ended = False
        self.failure: Optional[AttemptFailure] = None

    def close(self) -> None:
        """Let go of the transport's side of the exchange (the subclass's)."""
        self._decoder = None

    # -- what the transport reports ----------------------------------------------------------

    def fail_with(self, error: LlmError, kind: Failure) -> None:
        """The exchange ends with `error` (handed out at the next read)."""
        self._pending = [error]
        self.failure = AttemptFailure(kind, error=error)

    def request_failed(self, message: str, retryable: bool) -> None:
        """No response: the request could not be sent or was answered with nothing."""
        self.fail_with(LlmError(ErrorCode.INTERNAL_ERROR,
                                f"{self._provider.name}: the request failed: {message}"),
                       Failure.CONNECT if retryable else Failure.FINAL)

    def response(self, status: int, headers: Mapping[str, str]) -> None:
        """The status line and headers arrived: the body is decoded from now on."""
        self._status = status
        if self._log is not None:
            self._log.headers(status)
        self._decoder = ResponseDecoder(self._provider, status, headers.get("content-type", ""),
                                        self._env, headers=headers,
                                        require_end_marker=self._require_marker)

    def received(self, data: bytes, now_ns: int) -> list[StreamEvent]:
        """Body bytes: the events they complete (an event moves the deadline on)."""
        decoder = self._decoder
        if decoder is None:
            return []
        log = self._log
        if log is not None:
            log.received(len(data))
        seen = decoder.events_seen
        events = decoder.feed(data)
        if decoder.events_seen != seen:
            self._deadline.progress(now_ns)
            if log is not None:
                log.events()
        return events

    def body_ended(self) -> list[StreamEvent]:
        decoder = self._decoder
        return [] if decoder is None else decoder.end()

    def body_broke(self, message: str) -> list[StreamEvent]:
        decoder = self._decoder
        return [] if decoder is None else decoder.fail(message)

    def check_deadline(self, now_ns: int) -> list[StreamEvent]:
        """If the next event is overdue: the error that ends the exchange (before the
        response, in `pending`; after it, returned as the decoder's timeout)."""
        if not self._deadline.passed(now_ns):
            return []
        decoder = self._decoder
        if decoder is None:
            self.fail_with(LlmError(
                ErrorCode.INTERNAL_ERROR,
                f"{self._provider.name}: no response: {self._deadline.describe()}"),
                Failure.TIMED_OUT)
            return []
        return [] if decoder.done else decoder.time_out(self._deadline.describe())

    # -- what the reader gets ----------------------------------------------------------------

    @property
    def decoding(self) -> bool:
        """Whether the response is in and its body is still being decoded."""
        return self._decoder is not None and not self._decoder.done

    @property
    def due_ns(self) -> Optional[int]:
        """When the next event is due (None: no deadline)."""
        return self._deadline.due_ns

    def take_pending(self) -> list[StreamEvent]:
        events, self._pending = self._pending, []
        return events

    def mark(self, events: list[StreamEvent]) -> list[StreamEvent]:
        """`events` on their way out: the decoder's verdict becomes `failure`, and a
        terminal event ends the exchange, closing it at once."""
        if self._decoder is not None:
            self.failure = self._decoder.failure or self.failure
        if any(is_terminal(e) for e in events):
            if self._log is not None:
                failure = self.failure
                self._log.attempt_ended(self._status, failure.kind.value if failure else "ok")
            self.ended = True
            self.close()
        return events
