"""wasi:http@0.2.0 transport: start a request, then read its response without blocking.

Synchronous on purpose, and never blocking where the caller did not ask to wait: the chat
stream's `get-next` must return at once.  `start` sends the request and returns a
`PendingResponse` at once; its `poll` says whether the status line and headers are in;
`ResponseBody.read` returns the bytes there are (possibly none).  Only `wait` blocks: on the
response's or body's pollable *and* a monotonic-clock pollable for the caller's deadline,
so a blocking read wakes when the deadline passes even if the server keeps the connection
busy with comments (`wasi:io/poll.poll` over both).  No asyncio poll loop is involved.

wasi:http resources are parent/child: the input stream must be dropped before its body and
the body before its response, or the host traps.  `ResponseBody.close` does that in order and
is idempotent, and every path (end, error, drop of the chat stream) goes through it.

A host error is described by its first line, bounded (`components/host_errors.py`): a host
may put a whole Rust backtrace into it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Optional, Union
from urllib.parse import urlsplit

from componentize_py_types import Err, Ok
from wit_world.imports import http_types as ht
from wit_world.imports import monotonic_clock, outgoing_handler, poll, streams

from components.host_errors import describe, first_line, retryable
from providers.provider import HttpRequest
from providers.timeouts import Timeouts

# Larger reads mean fewer host calls; 64 KiB keeps a batch well below any sane memory bound.
READ_SIZE = 65536
WRITE_SIZE = 4096


def _options(timeouts: Timeouts) -> Optional[ht.RequestOptions]:
    options = ht.RequestOptions()
    for setter, ms in ((options.set_connect_timeout, timeouts.connect_ms),
                       (options.set_first_byte_timeout, timeouts.first_byte_ms),
                       (options.set_between_bytes_timeout, timeouts.between_bytes_ms)):
        if ms:
            try:
                setter(ms * 1_000_000)  # wasi:clocks durations are nanoseconds
            except Err:
                pass  # a host that does not support this timeout keeps its own
    return options


@dataclass(frozen=True)
class TransportError:
    """The request could not be completed at the HTTP level (no response, or a broken body).
    `retryable`: whether the same request might get through (False for a request the host
    refuses as such: a bad URL or header, a denied destination)."""

    message: str
    retryable: bool = True


# ---- the clock ----------------------------------------------------------------------------

def now_ns() -> int:
    """wasi:clocks monotonic time, in nanoseconds."""
    return monotonic_clock.now()


def sleep_until(when_ns: int) -> None:
    """Block until the monotonic clock reaches `when_ns`."""
    pollable = monotonic_clock.subscribe_instant(when_ns)
    try:
        pollable.block()
    finally:
        pollable.__exit__(None, None, None)


class WasiClock:
    """`durability.recovery.Clock` on WASI: monotonic time, a blocking sleep, fresh random
    bytes (wasi:random at call time; the `random` module's state would be the same in every
    instance, seeded when the component was pre-initialised at build time) and wall time."""

    def now_ns(self) -> int:
        return now_ns()

    def sleep_until(self, when_ns: int) -> None:
        sleep_until(when_ns)

    def random(self) -> float:
        return int.from_bytes(os.urandom(4), "big") / 2 ** 32

    def wall_s(self) -> float:
        return time.time()


def _wait(pollable: poll.Pollable, until_ns: Optional[int]) -> None:
    """Block until `pollable` is ready or the clock reaches `until_ns` (if given)."""
    try:
        if until_ns is None:
            pollable.block()
            return
        timer = monotonic_clock.subscribe_instant(until_ns)
        try:
            poll.poll([pollable, timer])
        finally:
            timer.__exit__(None, None, None)
    finally:
        pollable.__exit__(None, None, None)


def _error(code: object) -> TransportError:
    return TransportError(describe(code), retryable=retryable(code))


# ---- the response -------------------------------------------------------------------------

class ResponseBody:
    """An open response: its status and headers, and a body readable without blocking."""

    def __init__(self, response: ht.IncomingResponse) -> None:
        self.status: int = response.status()
        headers = response.headers()
        self.headers: dict[str, str] = {
            name.lower(): value.decode("latin-1") for name, value in headers.entries()
        }
        headers.__exit__(None, None, None)
        self._response: Optional[ht.IncomingResponse] = response
        self._body: Optional[ht.IncomingBody] = response.consume()
        self._stream: Optional[streams.InputStream] = self._body.stream()
        self.finished = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def read(self) -> Union[bytes, None, TransportError]:
        """Bytes available now (`b""` if none yet); `None` at the end of the body."""
        if self._stream is None:
            return None
        try:
            return self._stream.read(READ_SIZE)
        except Err as err:
            return self._stream_error(err.value)

    def wait(self, until_ns: Optional[int] = None) -> None:
        """Block until the body has bytes or has ended, or the clock reaches `until_ns`."""
        if self._stream is not None:
            _wait(self._stream.subscribe(), until_ns)

    def _stream_error(self, error: object) -> Union[None, TransportError]:
        self.close()
        if isinstance(error, streams.StreamError_Closed):
            self.finished = True
            return None
        detail = "the connection failed while reading the body"
        io_error = getattr(error, "value", None)
        if io_error is not None:
            try:
                code = ht.http_error_code(io_error)
                if code is not None:
                    detail = describe(code)
                else:
                    detail = first_line(io_error.to_debug_string()) or detail
            except Exception:  # describing an error must never raise
                pass
            finally:
                io_error.__exit__(None, None, None)
        return TransportError(detail)

    def close(self) -> None:
        """Drop stream, body and response, children first.  Safe to call more than once."""
        stream, self._stream = self._stream, None
        body, self._body = self._body, None
        response, self._response = self._response, None
        if stream is not None:
            stream.__exit__(None, None, None)
        if body is not None:
            trailers = ht.IncomingBody.finish(body)
            trailers.__exit__(None, None, None)
        if response is not None:
            response.__exit__(None, None, None)


class PendingResponse:
    """A request on its way: the response's status line and headers are not in yet."""

    def __init__(self, future: ht.FutureIncomingResponse,
                 write_error: Optional[TransportError]) -> None:
        self._future: Optional[ht.FutureIncomingResponse] = future
        self._write_error = write_error

    def poll(self) -> Union[None, ResponseBody, TransportError]:
        """The response if it is in, its failure, or None (not yet)."""
        future = self._future
        if future is None:
            return TransportError("the request was closed")
        # A host may move the response into the future only when its pollable is polled
        # (wasmtime does): ask it, without blocking, before `get`.
        pollable = future.subscribe()
        try:
            if not pollable.ready():
                return None
        finally:
            pollable.__exit__(None, None, None)
        outcome = future.get()
        if outcome is None:
            return None
        self.close()
        if isinstance(outcome, Err):
            return TransportError("the HTTP request produced no response")
        inner = outcome.value
        if isinstance(inner, Err):
            return _error(inner.value)
        if self._write_error is not None and not isinstance(inner, Ok):
            return self._write_error
        return ResponseBody(inner.value)

    def wait(self, until_ns: Optional[int] = None) -> None:
        """Block until the response is in (or failed), or the clock reaches `until_ns`."""
        if self._future is not None:
            _wait(self._future.subscribe(), until_ns)

    def close(self) -> None:
        """Drop the request (a response not yet received is abandoned)."""
        future, self._future = self._future, None
        if future is not None:
            future.__exit__(None, None, None)


def _build(request: HttpRequest) -> Union[ht.OutgoingRequest, TransportError]:
    url = urlsplit(request.url)
    if url.scheme not in ("http", "https") or not url.netloc:
        return TransportError(f"not an http(s) URL: {request.url!r}", retryable=False)
    # The body's length is known, so say it: without `content-length` the host frames the
    # body with `transfer-encoding: chunked`, which some servers and proxies refuse.
    headers = [(k, v.encode("utf-8")) for k, v in request.headers
               if k.lower() != "content-length"]
    headers.append(("content-length", str(len(request.body)).encode("ascii")))
    try:
        fields = ht.Fields.from_list(headers)
    except Err as err:
        return TransportError(f"invalid request header: {describe(err.value)}", retryable=False)
    outgoing = ht.OutgoingRequest(fields)
    outgoing.set_method(ht.Method_Post() if request.method == "POST" else ht.Method_Get())
    outgoing.set_scheme(ht.Scheme_Https() if url.scheme == "https" else ht.Scheme_Http())
    outgoing.set_authority(url.netloc)
    path = url.path or "/"
    outgoing.set_path_with_query(path + ("?" + url.query if url.query else ""))
    return outgoing


def _write_body(body: ht.OutgoingBody, data: bytes) -> Optional[TransportError]:
    out = body.write()
    try:
        for start in range(0, len(data), WRITE_SIZE):
            out.blocking_write_and_flush(data[start:start + WRITE_SIZE])
    except Err:
        return TransportError("the connection closed while the request body was being sent")
    finally:
        out.__exit__(None, None, None)
    return None


def start(request: HttpRequest, timeouts: Timeouts = Timeouts()
          ) -> Union[PendingResponse, TransportError]:
    """Send the request; the response is awaited through the `PendingResponse`."""
    outgoing = _build(request)
    if isinstance(outgoing, TransportError):
        return outgoing
    body = outgoing.body()
    try:
        future = outgoing_handler.handle(outgoing, _options(timeouts))
    except Err as err:
        body.__exit__(None, None, None)
        return _error(err.value)
    write_error = _write_body(body, request.body)
    try:
        ht.OutgoingBody.finish(body, None)
    except Err:
        pass  # the response says what happened
    return PendingResponse(future, write_error)
