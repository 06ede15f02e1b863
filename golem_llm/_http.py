"""One request over a native HTTP client: the library's `durability.recovery.Attempt`.

The component reads its response through wasi:http without blocking; natively, a blocking
HTTP client (httpx2) runs in a reader thread per request and hands what it gets (the
status and headers, each body chunk, the end or the failure) to the caller through a queue.
The caller side is the same `providers.exchange.Exchange` as the component's `EventSource`:
the same `ResponseDecoder` turns the bytes into events, the same `EventDeadline` times the
first event and the gaps between events (a wait on the queue never outlasts it, so a
server that sends only keep-alive comments times out as it does in the component), and the
same `AttemptFailure` tells the `RecoveringStream` whether to retry or resume.

httpx2 keeps the host's backstops: `connect_ms` is its connect (and pool and write)
timeout, and the larger of `first_byte_ms` and `between_bytes_ms` its read timeout (httpx2
has one read timeout for the headers and the body).  0 turns one off.

`notify`, when given, is called from the reader thread after each item is queued: the
async driver (`golem_llm/_aio.py`) uses it to wake its event loop.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from typing import Callable, Mapping, Optional, Union

import httpx2

from normalizer.coalesce import coalesce
from normalizer.values import LlmError, StreamEvent
from providers.exchange import Exchange
from providers.provider import HttpRequest, Provider
from providers.request_log import CallLog
from providers.retry import Failure
from providers.settings import CallSettings
from providers.timeouts import Timeouts

_NS = 1_000_000_000


class SystemClock:
    """`durability.recovery.Clock` on the operating system's clocks."""

    def now_ns(self) -> int:
        return time.monotonic_ns()

    def sleep_until(self, when_ns: int) -> None:
        pause = (when_ns - time.monotonic_ns()) / _NS
        if pause > 0:
            time.sleep(pause)

    def random(self) -> float:
        return random.random()

    def wall_s(self) -> float:
        return time.time()


def client_timeout(timeouts: Timeouts) -> httpx2.Timeout:
    """The host's backstops as httpx2's timeouts (see the module docstring)."""
    connect = timeouts.connect_ms / 1000 or None
    read_ms = max(timeouts.first_byte_ms, timeouts.between_bytes_ms)
    if not (timeouts.first_byte_ms and timeouts.between_bytes_ms):
        read_ms = 0  # one of them is off, and httpx2 has a single read timeout
    return httpx2.Timeout(connect=connect, read=read_ms / 1000 or None, write=connect,
                          pool=connect)


# What the reader thread queues.
_Headers = tuple[str, int, dict[str, str]]      # ("headers", status, headers)
_Data = tuple[str, bytes]                        # ("data", chunk)
_End = tuple[str]                                # ("end",)
_Failed = tuple[str, str, bool]                  # ("failed"|"broken", message, retryable)


class HttpAttempt(Exchange):
    """One HTTP exchange over httpx2 (an attempt of a `RecoveringStream`): what the reader
    thread queues, fed to the `providers.exchange.Exchange` it is."""

    __slots__ = ("_queue", "_closed", "_lock", "_response", "_notify")

    def __init__(self, client: httpx2.Client, provider: Provider,
                 request: Union[HttpRequest, LlmError], env: Mapping[str, str],
                 settings: CallSettings, log: Optional[CallLog] = None,
                 notify: Optional[Callable[[], None]] = None) -> None:
        super().__init__(provider, env, settings, log, time.monotonic_ns())
        self._queue: "queue.SimpleQueue[tuple]" = queue.SimpleQueue()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._response: Optional[httpx2.Response] = None
        self._notify = notify
        if isinstance(request, LlmError):
            self.fail_with(request, Failure.FINAL)
            return
        thread = threading.Thread(target=self._read, args=(client, request), daemon=True,
                                  name=f"golem-llm {provider.name} request")
        thread.start()

    # -- the reader thread -----------------------------------------------------------------

    def _put(self, item: tuple) -> None:
        self._queue.put(item)
        notify = self._notify
        if notify is not None:
            notify()

    def _read(self, client: httpx2.Client, request: HttpRequest) -> None:
        try:
            outgoing = client.build_request(request.method, request.url,
                                            headers=list(request.headers),
                                            content=request.body,
                                            timeout=client_timeout(self.timeouts))
            response = client.send(outgoing, stream=True)
        except (httpx2.UnsupportedProtocol, httpx2.InvalidURL, httpx2.LocalProtocolError,
                httpx2.ProxyError) as exc:
            self._put(("failed", _describe(exc), False))
            return
        except Exception as exc:  # refused, reset, DNS, TLS, no headers in time
            self._put(("failed", _describe(exc), True))
            return
        with self._lock:
            if self._closed.is_set():
                response.close()
                return
            self._response = response
        try:
            self._put(("headers", response.status_code,
                       {k.lower(): v for k, v in response.headers.items()}))
            for chunk in response.iter_bytes():
                if self._closed.is_set():
                    return
                if chunk:
                    self._put(("data", chunk))
            self._put(("end",))
        except Exception as exc:  # the connection broke (or was closed by `close`)
            if not self._closed.is_set():
                self._put(("broken", _describe(exc), True))
        finally:
            response.close()

    # -- the Attempt protocol ----------------------------------------------------------------

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        """Events the bytes received so far complete; `None` if none yet (only without
        `block`); `[]` once ended."""
        while True:
            pending = self.take_pending()
            if pending:
                return self.mark(pending)
            if self.ended:
                return []
            item = self._take(block)
            if item is None:
                timed_out = self.check_deadline(time.monotonic_ns())
                if timed_out:
                    return self.mark(timed_out)
                if self._pending:
                    continue
                if not block:
                    return None
                continue
            events = self._handle(item)
            while self.decoding or self._decoder is None and not self._pending:
                try:  # everything already queued goes into this batch
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                events += self._handle(more)
            if events:
                return self.mark(coalesce(events))
            if self._pending:
                continue
            if not block:
                return None

    def close(self) -> None:
        """Let go of the exchange: the reader thread stops at its next chunk, and a body
        read in progress is broken off."""
        self._closed.set()
        with self._lock:
            response, self._response = self._response, None
        if response is not None:
            try:
                response.close()
            except Exception:
                pass
        super().close()

    # -- inside ----------------------------------------------------------------------------

    def _take(self, block: bool) -> Optional[tuple]:
        if not block:
            try:
                return self._queue.get_nowait()
            except queue.Empty:
                return None
        due = self.due_ns
        timeout = None if due is None else max(0.0, (due - time.monotonic_ns()) / _NS)
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def _handle(self, item: tuple) -> list[StreamEvent]:
        kind = item[0]
        if kind == "headers":
            self.response(item[1], item[2])
            return []
        if kind == "failed":
            self.request_failed(item[1], item[2])
            return []
        if kind == "data":
            now = time.monotonic_ns()
            events = self.received(item[1], now)
            return events or self.check_deadline(now)
        if kind == "end":
            return self.body_ended()
        return self.body_broke(item[1])  # "broken"


def _describe(exc: BaseException) -> str:
    """What went wrong, in one bounded line (a URL's query may hold a secret: none is
    quoted, only the exception's own words)."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = text[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
