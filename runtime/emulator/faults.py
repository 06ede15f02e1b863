"""Fault modes: answers that break the rules, in the bytes or on the socket.

A `Fault` rides on a `Scenario` (`Scenario.fault`).  The dialect renders the scenario as
usual; the fault then changes what is sent and how:

- in the bytes (`Fault.answer`, before anything is written): `rewrites` replace markers in
  the rendered body with raw bytes a `str` cannot hold (invalid UTF-8, JSON `\\ud800`
  escapes of lone surrogates); `echo_key` puts the key the request carried where the body
  says `KEY_MARKER`, verbatim, JSON-escaped (`\\u0073\\u006b...`) or percent-encoded;
  `plain_json` answers a streaming request with the plain `application/json` answer, as a
  proxy that drops `"stream": true` would;
- on the socket (`Fault.write`, instead of the server's own writer), by `mode`:
    "cut"       the whole HTTP response (status line, headers, chunked framing and body)
                is serialized and only its first `at_byte` bytes are written (a
                negative `at_byte` counts from the end: all but that many; or the
                fraction `at_fraction` of them, rounded); then the connection is closed with an
                orderly FIN (`close="fin"`: `shutdown(SHUT_WR)`) or reset (`close="rst"`:
                `SO_LINGER` on with a zero timeout, then `close()`, so the kernel sends RST
                instead of FIN and drops anything unsent);
    "silent"    nothing is written: the request is read and the connection held open;
    "headers-then-silence"  the status line and headers only, then the connection is held;
    "drip"      the whole response, one byte every `interval_s`, then FIN;
    "endless-comments"  the status line and headers of a 200 event stream, then an SSE
                comment (`: keep-alive`) as its own chunk every `interval_s`, never an event.
  A held connection ends when the client closes it, the server stops, or after `hold_s`.

A fault strikes every request its scenario answers, or only the first `strikes` of them
(a transient failure: the retry or the resume that follows is answered plainly).

What was written is appended to `Fault.sent` (one entry per answered request: the status
line, headers and body bytes as they went on the wire; for mode "none", what the server's
own writer sends, but for its Server and Date headers), so a caller can compare what a
client reports with the bytes it was really given.  `refused_origin()`
gives an origin where nothing listens (a connection to it is refused).
"""

from __future__ import annotations

import contextlib
import io
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field, replace
from email.utils import formatdate
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Iterator, Literal, Mapping
from urllib.parse import quote

from runtime.emulator.response import RenderContext, Response

if TYPE_CHECKING:
    from runtime.emulator.dialect import Dialect
    from runtime.emulator.scenario import Scenario

Mode = Literal["none", "cut", "silent", "headers-then-silence", "drip", "endless-comments"]
Close = Literal["fin", "rst"]
KeyEcho = Literal["verbatim", "json-escaped", "percent-encoded"]

MODES: tuple[str, ...] = ("none", "cut", "silent", "headers-then-silence", "drip",
                          "endless-comments")

#: Where `echo_key` puts the request's API key in a rendered body.
KEY_MARKER = "@@API-KEY@@"

KEEP_ALIVE_COMMENT = b": keep-alive\n\n"


@dataclass(frozen=True)
class Fault:
    """How an answer is mistreated on its way to the client (see the module docstring)."""

    mode: Mode = "none"
    at_byte: int = 0
    at_fraction: float | None = None
    close: Close = "fin"
    interval_s: float = 0.005
    hold_s: float = 300.0
    rewrites: tuple[tuple[bytes, bytes], ...] = ()
    echo_key: KeyEcho | None = None
    plain_json: bool = False
    strikes: int | None = None
    #: What was written for each request this fault answered, filled in by the server.
    sent: list[bytes] = field(default_factory=list, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.close not in ("fin", "rst"):
            raise ValueError(f"close must be fin or rst, not {self.close!r}")
        if self.at_fraction is not None and not 0.0 <= self.at_fraction <= 1.0:
            raise ValueError("at_fraction must be within [0, 1]")
        if self.interval_s < 0 or self.hold_s < 0:
            raise ValueError("interval_s and hold_s must be >= 0")
        if self.strikes is not None and self.strikes < 0:
            raise ValueError("strikes must be >= 0 or None")

    # -- what is sent ----------------------------------------------------------------------

    def answer(self, dialect: "Dialect", scenario: "Scenario", request: Any,
               ctx: RenderContext, headers: Mapping[str, str]) -> Response:
        """The dialect's answer to `request` with this fault's byte changes applied, marked
        so that the server hands its writing to `write`."""
        plain = scenario.with_(fault=None)
        if self.strikes is not None and len(self.sent) >= self.strikes:  # it has passed
            response = dialect.render(plain, request, ctx)
            self.sent.append(head_bytes(response, "", "") + body_bytes(response))
            return response
        if self.plain_json and isinstance(request, Mapping):
            request = {**request, "stream": False}
        response = dialect.render(plain, request, ctx)
        rewrites = list(self.rewrites)
        if self.echo_key is not None:
            rewrites.append((KEY_MARKER.encode(), encode_key(request_key(headers), self.echo_key)))
        if rewrites:
            response = replace(response, body=tuple(_rewrite(p, rewrites) for p in response.body))
        if self.mode == "none":  # the server's own writer sends it, paced as usual
            self.sent.append(head_bytes(response, "", "") + body_bytes(response))
            return response
        return replace(response, fault=self)

    def write(self, handler: Any, response: Response) -> None:
        """Send `response` through `handler` (the server's request handler) this fault's way."""
        stopping: threading.Event = handler.server.emulator._stopping
        conn: socket.socket = handler.connection
        handler.close_connection = True
        head = head_bytes(response, handler.server_version, formatdate(usegmt=True))
        if self.mode == "silent":
            self.sent.append(b"")
            _hold(conn, stopping, self.hold_s)
        elif self.mode == "headers-then-silence":
            self._send_all(handler, head)
            _hold(conn, stopping, self.hold_s)
        elif self.mode == "endless-comments":
            self._endless_comments(handler, response, stopping)
        elif self.mode == "drip":
            self._drip(handler, head + body_bytes(response), stopping)
        elif self.mode == "cut":
            data = head + body_bytes(response)
            if self.at_fraction is not None:
                n = round(self.at_fraction * len(data))
            else:
                n = max(0, len(data) + self.at_byte) if self.at_byte < 0 else min(self.at_byte, len(data))
            self._send_all(handler, data[:n])
            if self.close == "rst":
                reset(handler)
                return
        _shutdown(conn)

    def _send_all(self, handler: Any, data: bytes) -> None:
        self.sent.append(data)
        if data:
            handler.wfile.write(data)
            handler.wfile.flush()

    def _drip(self, handler: Any, data: bytes, stopping: threading.Event) -> None:
        written = bytearray()
        self.sent.append(b"")
        try:
            for i in range(len(data)):
                if i and self.interval_s and stopping.wait(self.interval_s):
                    return
                handler.wfile.write(data[i : i + 1])
                handler.wfile.flush()
                written += data[i : i + 1]
                self.sent[-1] = bytes(written)
        except OSError:
            return

    def _endless_comments(self, handler: Any, response: Response,
                          stopping: threading.Event) -> None:
        stream_head = replace(response, status=200, streaming=True, headers=(
            ("content-type", "text/event-stream; charset=utf-8"),))
        head = head_bytes(stream_head, handler.server_version, formatdate(usegmt=True))
        self._send_all(handler, head)
        frame = b"%x\r\n%s\r\n" % (len(KEEP_ALIVE_COMMENT), KEEP_ALIVE_COMMENT)
        deadline = time.monotonic() + self.hold_s
        try:
            while time.monotonic() < deadline and not stopping.wait(self.interval_s):
                handler.wfile.write(frame)
                handler.wfile.flush()
                self.sent[-1] += frame
        except OSError:
            return


# -- serialization (what the server's own writer would send) ------------------------------


def head_bytes(response: Response, server_version: str, date: str) -> bytes:
    """The status line and headers the server writes for `response`."""
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    lines = [f"HTTP/1.1 {response.status} {phrase}", f"Server: {server_version}", f"Date: {date}"]
    lines += [f"{name}: {value}" for name, value in response.headers]
    if response.streaming:
        lines.append("Transfer-Encoding: chunked")
    else:
        length = response.declared_length
        lines.append(f"Content-Length: {len(response.body_bytes) if length is None else length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def body_bytes(response: Response) -> bytes:
    """The body as it goes on the wire: chunked frames (one per piece, split by
    `write_size`) and the terminating chunk for a stream; the bytes as they are otherwise."""
    if not response.streaming:
        return response.body_bytes
    size = response.write_size
    out = bytearray()
    for event in response.body:
        pieces = [event] if size is None else [event[i : i + size] for i in range(0, len(event), size)]
        for piece in pieces:
            if piece:
                out += b"%x\r\n%s\r\n" % (len(piece), piece)
    if response.ending == "complete":
        out += b"0\r\n\r\n"
    return bytes(out)


# -- the key --------------------------------------------------------------------------------


def request_key(headers: Mapping[str, str]) -> str:
    """The API key a request carried: a Bearer token, else `x-api-key` (headers lowercased)."""
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return headers.get("x-api-key", "").strip()


def encode_key(key: str, how: KeyEcho) -> bytes:
    """`key` as a server might echo it inside a JSON string: as is, every character a
    `\\uXXXX` escape (a JSON parser gives the key back), or every byte percent-encoded (as
    in a URL's query)."""
    if how == "verbatim":
        return key.encode("utf-8")
    if how == "json-escaped":
        return "".join(f"\\u{ord(c):04x}" for c in key).encode("ascii")
    return "".join(f"%{b:02X}" for b in key.encode("utf-8")).encode("ascii")


# -- sockets ----------------------------------------------------------------------------------


def reset(handler: Any) -> None:
    """Abort the handler's connection with a TCP RST: `SO_LINGER` on with a zero timeout,
    then the last reference to the socket closed.  The handler's buffered reader holds the
    descriptor open, so it is closed first; both files are swapped for inert buffers, since
    the handler still flushes and closes them after the response."""
    conn: socket.socket = handler.connection
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    for f in (handler.wfile, handler.rfile):
        with contextlib.suppress(OSError, ValueError):
            f.close()
    handler.wfile, handler.rfile = io.BytesIO(), io.BytesIO()
    with contextlib.suppress(OSError):
        conn.close()


def _shutdown(conn: socket.socket) -> None:
    """End our side with a FIN (the server closes the socket afterwards)."""
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_WR)


def _hold(conn: socket.socket, stopping: threading.Event, seconds: float) -> None:
    """Keep the connection open, saying nothing, until the client closes it, the server
    stops or `seconds` pass; anything the client sends meanwhile is read and dropped."""
    deadline = time.monotonic() + seconds
    while not stopping.is_set() and time.monotonic() < deadline:
        try:
            readable, _, _ = select.select([conn], [], [], 0.05)
            if readable and not conn.recv(65536):
                return
        except (OSError, ValueError):
            return


def _rewrite(piece: bytes, rewrites: list[tuple[bytes, bytes]]) -> bytes:
    for old, new in rewrites:
        piece = piece.replace(old, new)
    return piece


@contextlib.contextmanager
def refused_origin() -> Iterator[str]:
    """`http://127.0.0.1:PORT` where a port is bound but nothing listens, so a connection is
    refused (the kernel answers the SYN with RST) for as long as the block runs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()
