"""wasi:http@0.2.0 transport: send a built request, then read the body without blocking.

Synchronous on purpose: the chat stream's `get-next` must never block, so the body is read
with `input-stream.read` (returns what is there, possibly nothing) and only
`blocking-get-next` waits, on the stream's pollable.  No asyncio poll loop is involved.

wasi:http resources are parent/child: the input stream must be dropped before its body and
the body before its response, or the host traps.  `ResponseBody.close` does that in order and
is idempotent, and every path (end, error, drop of the chat stream) goes through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union
from urllib.parse import urlsplit

from componentize_py_types import Err, Ok
from wit_world.imports import http_types as ht
from wit_world.imports import outgoing_handler, streams

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
    """The request could not be completed at the HTTP level (no response, or a broken body)."""

    message: str


def _describe(code: object) -> str:
    """Readable text for a wasi:http error-code (e.g. `ErrorCode_ConnectionRefused` →
    "connection refused")."""
    name = type(code).__name__.split("_", 1)[-1]
    words = "".join(" " + c.lower() if c.isupper() else c for c in name).strip()
    payload = getattr(code, "value", None)
    return f"{words} ({payload})" if payload not in (None, "") else words


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

    def wait(self) -> None:
        """Block until the body has bytes or has ended."""
        if self._stream is None:
            return
        pollable = self._stream.subscribe()
        try:
            pollable.block()
        finally:
            pollable.__exit__(None, None, None)

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
                    detail = _describe(code)
                else:
                    detail = io_error.to_debug_string()
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


def _build(request: HttpRequest) -> Union[ht.OutgoingRequest, TransportError]:
    url = urlsplit(request.url)
    if url.scheme not in ("http", "https") or not url.netloc:
        return TransportError(f"not an http(s) URL: {request.url!r}")
    # The body's length is known, so say it: without `content-length` the host frames the
    # body with `transfer-encoding: chunked`, which some servers and proxies refuse.
    headers = [(k, v.encode("utf-8")) for k, v in request.headers
               if k.lower() != "content-length"]
    headers.append(("content-length", str(len(request.body)).encode("ascii")))
    try:
        fields = ht.Fields.from_list(headers)
    except Err as err:
        return TransportError(f"invalid request header: {_describe(err.value)}")
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


def send(request: HttpRequest, timeouts: Timeouts = Timeouts()
         ) -> Union[ResponseBody, TransportError]:
    """Send the request and wait for the status line and headers (not the body)."""
    outgoing = _build(request)
    if isinstance(outgoing, TransportError):
        return outgoing
    body = outgoing.body()
    try:
        future = outgoing_handler.handle(outgoing, _options(timeouts))
    except Err as err:
        body.__exit__(None, None, None)
        return TransportError(_describe(err.value))
    write_error = _write_body(body, request.body)
    try:
        ht.OutgoingBody.finish(body, None)
    except Err:
        pass  # the response below says what happened
    try:
        pollable = future.subscribe()
        pollable.block()
        pollable.__exit__(None, None, None)
        outcome = future.get()
    finally:
        future.__exit__(None, None, None)
    if outcome is None or isinstance(outcome, Err):
        return TransportError("the HTTP request produced no response")
    inner = outcome.value
    if isinstance(inner, Err):
        return TransportError(_describe(inner.value))
    if write_error is not None and not isinstance(inner, Ok):
        return write_error
    return ResponseBody(inner.value)
