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

Every resource the transport obtains is let go of through `release`, at a moment the code
chooses, and never left to the garbage collector.  What this relies on: componentize-py
0.23.0 gives every imported resource object a `weakref.finalize` that drops the handle when
the object is collected (`runtime/src/lib.rs` `imported_resource_from_canon`); `__exit__`
detaches that finalizer and drops the handle now (a second `__exit__` would fail, so each
resource is released once); a resource passed by ownership to an import (the request to
`handle`, a body to `finish`, the headers to the request's constructor) has its finalizer
detached by the call and is the host's from then on.  A collected handle is dropped
whenever the collector runs, in Golem possibly outside a persist-nothing zone, where
dropping a response, body, stream or future writes an oplog entry that replay does not
repeat (golem-ai#5).  `release` first tells the call's `Witness` (durability/http_witness.py:
the durable flavour's reaches the host as `observe-function-call`, so the emulated Golem can
check that every drop happens inside a zone), then drops.

A host error is described by its first line, bounded (`components/host_errors.py`): a host
may put a whole Rust backtrace into it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Optional, Union
from urllib.parse import urlsplit

from componentize_py_types import Err, Ok
from wit_world.imports import http_types as ht
from wit_world.imports import monotonic_clock, outgoing_handler, poll, streams

from components.host_errors import describe, first_line, retryable
from durability.http_witness import (
    FIELDS,
    FUTURE_INCOMING_RESPONSE,
    FUTURE_TRAILERS,
    INCOMING_BODY_FINISH,
    INCOMING_RESPONSE,
    INPUT_STREAM,
    IO_ERROR,
    OUTGOING_BODY,
    OUTGOING_BODY_FINISH,
    OUTGOING_REQUEST,
    OUTPUT_STREAM,
    POLLABLE,
    Release,
    Witness,
    no_witness,
)
from providers.provider import HttpRequest
from providers.timeouts import Timeouts

# Larger reads mean fewer host calls; 64 KiB keeps a batch well below any sane memory bound.
READ_SIZE = 65536
WRITE_SIZE = 4096


def release(resource: Any, what: Release, witness: Witness) -> Any:
    """Let go of `resource` now, the one way the transport does (see the module docstring):
    tell `witness` (`what` names the call), then drop it, or for a consuming `finish` call
    it; returns what `incoming-body.finish` gives back (the trailers, released by the
    caller), else None.  Pollables are not witnessed: one is released at every wait
    (hundreds per answer when the body comes in small frames: see FOLLOW_FRAME_NS in
    chat_stream.py) and Golem's drop of one writes nothing but a metric."""
    if what is not POLLABLE:
        witness(what.interface, what.function)
    if what is INCOMING_BODY_FINISH:
        return ht.IncomingBody.finish(resource)
    if what is OUTGOING_BODY_FINISH:
        try:
            ht.OutgoingBody.finish(resource, None)
        except Err:
            pass  # the body is the host's either way; the response says what happened
        return None
    resource.__exit__(None, None, None)
    return None


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


def sleep_until(when_ns: int, witness: Witness = no_witness) -> None:
    """Block until the monotonic clock reaches `when_ns`."""
    pollable = monotonic_clock.subscribe_instant(when_ns)
    try:
        pollable.block()
    finally:
        release(pollable, POLLABLE, witness)


class WasiClock:
    """`durability.recovery.Clock` on WASI: monotonic time, a blocking sleep, fresh random
    bytes (wasi:random at call time; the `random` module's state would be the same in every
    instance, seeded when the component was pre-initialised at build time) and wall time.
    `witness` is told of each sleep's pollable as it is released."""

    __slots__ = ("_witness",)

    def __init__(self, witness: Witness = no_witness) -> None:
        self._witness = witness

    def now_ns(self) -> int:
        return now_ns()

    def sleep_until(self, when_ns: int) -> None:
        sleep_until(when_ns, self._witness)

    def random(self) -> float:
        return int.from_bytes(os.urandom(4), "big") / 2 ** 32

    def wall_s(self) -> float:
        return time.time()


def _wait(pollable: poll.Pollable, until_ns: Optional[int], witness: Witness) -> None:
    """Block until `pollable` is ready or the clock reaches `until_ns` (if given)."""
    try:
        if until_ns is None:
            pollable.block()
            return
        timer = monotonic_clock.subscribe_instant(until_ns)
        try:
            poll.poll([pollable, timer])
        finally:
            release(timer, POLLABLE, witness)
    finally:
        release(pollable, POLLABLE, witness)


def _error(code: object) -> TransportError:
    return TransportError(describe(code), retryable=retryable(code))


# ---- the response -------------------------------------------------------------------------

class ResponseBody:
    """An open response: its status and headers, and a body readable without blocking."""

    def __init__(self, response: ht.IncomingResponse, witness: Witness = no_witness) -> None:
        self._witness = witness
        self._response: Optional[ht.IncomingResponse] = response
        self._body: Optional[ht.IncomingBody] = None
        self._stream: Optional[streams.InputStream] = None
        self.finished = False
        try:
            self.status: int = response.status()
            headers = response.headers()
            try:
                entries = headers.entries()
            finally:
                release(headers, FIELDS, witness)
            self.headers: dict[str, str] = {
                name.lower(): value.decode("latin-1") for name, value in entries
            }
            self._body = response.consume()
            self._stream = self._body.stream()
        except BaseException:
            self.close()  # nothing obtained so far is left to the collector
            raise

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
            _wait(self._stream.subscribe(), until_ns, self._witness)

    def _stream_error(self, error: object) -> Union[None, TransportError]:
        if isinstance(error, streams.StreamError_Closed):
            self.close()
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
                release(io_error, IO_ERROR, self._witness)
        self.close()
        return TransportError(detail)

    def close(self) -> None:
        """Drop stream, body and response, children first.  Safe to call more than once."""
        stream, self._stream = self._stream, None
        body, self._body = self._body, None
        response, self._response = self._response, None
        witness = self._witness
        if stream is not None:
            release(stream, INPUT_STREAM, witness)
        if body is not None:
            release(release(body, INCOMING_BODY_FINISH, witness), FUTURE_TRAILERS, witness)
        if response is not None:
            release(response, INCOMING_RESPONSE, witness)


class PendingResponse:
    """A request on its way: the response's status line and headers are not in yet."""

    def __init__(self, future: ht.FutureIncomingResponse,
                 write_error: Optional[TransportError], witness: Witness = no_witness) -> None:
        self._future: Optional[ht.FutureIncomingResponse] = future
        self._write_error = write_error
        self._witness = witness

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
            release(pollable, POLLABLE, self._witness)
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
        return ResponseBody(inner.value, self._witness)

    def wait(self, until_ns: Optional[int] = None) -> None:
        """Block until the response is in (or failed), or the clock reaches `until_ns`."""
        if self._future is not None:
            _wait(self._future.subscribe(), until_ns, self._witness)

    def close(self) -> None:
        """Drop the request (a response not yet received is abandoned)."""
        future, self._future = self._future, None
        if future is not None:
            release(future, FUTURE_INCOMING_RESPONSE, self._witness)


def _build(request: HttpRequest, witness: Witness) -> Union[ht.OutgoingRequest, TransportError]:
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
    outgoing = ht.OutgoingRequest(fields)  # takes the headers
    try:
        outgoing.set_method(ht.Method_Post() if request.method == "POST" else ht.Method_Get())
        outgoing.set_scheme(ht.Scheme_Https() if url.scheme == "https" else ht.Scheme_Http())
        outgoing.set_authority(url.netloc)
        path = url.path or "/"
        outgoing.set_path_with_query(path + ("?" + url.query if url.query else ""))
    except BaseException:
        release(outgoing, OUTGOING_REQUEST, witness)
        raise
    return outgoing


def _write_body(body: ht.OutgoingBody, data: bytes, witness: Witness) -> Optional[TransportError]:
    out = body.write()
    try:
        for start in range(0, len(data), WRITE_SIZE):
            out.blocking_write_and_flush(data[start:start + WRITE_SIZE])
    except Err:
        return TransportError("the connection closed while the request body was being sent")
    finally:
        release(out, OUTPUT_STREAM, witness)
    return None


def start(request: HttpRequest, timeouts: Timeouts = Timeouts(),
          witness: Witness = no_witness) -> Union[PendingResponse, TransportError]:
    """Send the request; the response is awaited through the `PendingResponse`.  `witness`
    is told of every resource of the exchange as it is released (`release`)."""
    outgoing = _build(request, witness)
    if isinstance(outgoing, TransportError):
        return outgoing
    try:
        body = outgoing.body()
    except BaseException:
        release(outgoing, OUTGOING_REQUEST, witness)
        raise
    options = _options(timeouts)
    try:
        future = outgoing_handler.handle(outgoing, options)  # takes request and options
    except Err as err:
        release(body, OUTGOING_BODY, witness)
        return _error(err.value)
    try:
        write_error = _write_body(body, request.body, witness)
    except BaseException:
        release(future, FUTURE_INCOMING_RESPONSE, witness)
        raise
    finally:
        release(body, OUTGOING_BODY_FINISH, witness)
    return PendingResponse(future, write_error, witness)
