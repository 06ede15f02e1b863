"""The emulator's HTTP server: a real HTTP/1.1 server on loopback that answers provider API
calls with scripted scenarios and records every request.

Streams use `Transfer-Encoding: chunked` and write each SSE event as its own chunk the moment
it is rendered (no buffering, `TCP_NODELAY`), so a client sees data arrive over time; plain
answers use `Content-Length`.  Client disconnects never take the server down, and `stop()`
returns promptly even while streams are paused or connections are kept alive.
"""

from __future__ import annotations

import collections
import json as _json
import socket
import socketserver
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from runtime.emulator.dialect import Dialect
from runtime.emulator.dialects import all_dialects
from runtime.emulator.response import RenderContext, Response
from runtime.emulator.scenario import Scenario
from runtime.emulator.scenarios import BUILTIN_SCENARIOS
from runtime.emulator.selection import select_scenario

MAX_BODY_BYTES = 64 * 1024 * 1024
#: How long a stream stalled with comments (`Scenario.stall_with_comments_s`) is kept open.
STALL_LIMIT_S = 30.0
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it.  `headers` are lowercased (repeated headers
    joined with ", "); `json` is the parsed body, or None if it was empty or not JSON."""

    method: str
    path: str
    headers: Mapping[str, str] = field(hash=False)
    body: bytes
    json: Any = field(default=None, hash=False)


class EmulatorServer:
    """A provider emulator on `host:port` (port 0 = any free port).

    `api_key`: if given, requests must carry exactly this key (else any non-empty key passes).
    `dialects`: the APIs served, by path (default: all four providers, see dialects.py).
    `scenarios`: the named scenarios selectable through the request's `model` (default: the
    built-ins).  `fallback`: the scenario for requests nothing else selects (default: auto).

        with EmulatorServer() as emu:
            emu.enqueue(Scenario(text="hi"))
            ...  # POST emu.base_url + "/chat/completions"
            assert emu.requests[0].json["model"] == "gpt-4o"
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        dialects: Sequence[Dialect] | None = None,
        scenarios: Mapping[str, Scenario] | None = None,
        fallback: Scenario | None = None,
        verbose: bool = False,
        auto_delay_s: float = 0.0,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.api_key = api_key
        self.dialects: tuple[Dialect, ...] = tuple(dialects) if dialects else all_dialects()
        self.scenarios: Mapping[str, Scenario] = MappingProxyType(
            dict(BUILTIN_SCENARIOS if scenarios is None else scenarios))
        self.fallback = fallback
        self.auto_delay_s = auto_delay_s
        self.verbose = verbose
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queue: collections.deque[Scenario] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._served = 0
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> "EmulatorServer":
        if self._httpd is not None:
            raise RuntimeError("the emulator is already running")
        self._stopping.clear()
        httpd = _HTTPServer((self.host, self._requested_port), _Handler, self)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
            name=f"llm-emulator:{httpd.server_address[1]}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections (paused streams end at once) and free the port."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=2)
        self._httpd = self._thread = None

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the emulator is not running")
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:PORT`, without a path."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, `http://127.0.0.1:PORT/v1`."""
        return self.origin + "/v1"

    def url(self, path: str = "") -> str:
        return self.origin + path

    # -- scripting -------------------------------------------------------------------------

    def enqueue(self, *scenarios: Scenario | str) -> None:
        """Answer the next requests with these scenarios, in order (a name is looked up in
        the server's named scenarios, KeyError if unknown).  Queued scenarios take priority
        over the `model` name; each is used once."""
        resolved = [self.scenarios[s] if isinstance(s, str) else s for s in scenarios]
        with self._lock:
            self._queue.extend(resolved)

    @property
    def pending(self) -> int:
        """How many queued scenarios are still unused."""
        with self._lock:
            return len(self._queue)

    def clear_queue(self) -> None:
        with self._lock:
            self._queue.clear()

    # -- recording ---------------------------------------------------------------------------

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        with self._lock:
            return tuple(self._requests)

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._requests)

    @property
    def last_request(self) -> RecordedRequest | None:
        with self._lock:
            return self._requests[-1] if self._requests else None

    def clear(self) -> None:
        """Forget the recorded requests (the queue is kept; see `clear_queue`)."""
        with self._lock:
            self._requests.clear()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least `count` requests are recorded; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._requests) >= count, timeout)

    # -- used by the handler -------------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    def _dialect_for(self, path: str) -> Dialect | None:
        return next((d for d in self.dialects if d.path == path), None)

    def _answer(self, dialect: Dialect, method: str, path: str, headers: Mapping[str, str],
                body: bytes, parsed: Any, parse_ok: bool) -> Response:
        if method != "POST":
            return _with_headers(dialect.error(405, f"Invalid method for URL ({method} {path})"),
                                 (("allow", "POST"),))
        denied = dialect.check_auth(headers, self.api_key)
        if denied is not None:
            return denied
        if not parse_ok:
            return dialect.bad_json()
        view = dialect.parse_request(parsed)
        if isinstance(view, Response):
            return view
        with self._lock:
            queued = self._queue.popleft() if self._queue else None
            self._served += 1
            number = self._served
        scenario = select_scenario(view, queued, self.scenarios, self.fallback, seed=number,
                                   auto_delay_s=self.auto_delay_s)
        if scenario.fault is not None:
            return scenario.fault.answer(dialect, scenario, parsed,
                                         RenderContext(request_number=number), headers)
        response = dialect.render(scenario, parsed, RenderContext(request_number=number))
        if scenario.stall_with_comments_s is not None and response.streaming:
            response = replace(response, stall_with_comments_s=scenario.stall_with_comments_s)
        return response

    def _handle(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> Response:
        path = urlsplit(raw_path).path
        parsed: Any = None
        parse_ok = False
        if body:
            try:
                parsed = _json.loads(body)
                parse_ok = True
            except ValueError:
                pass
        self._record(RecordedRequest(method, raw_path, MappingProxyType(dict(headers)), body, parsed))
        dialect = self._dialect_for(path)
        if dialect is None:
            return self.dialects[0].error(404, f"Invalid URL ({method} {path})")
        try:
            return self._answer(dialect, method, path, headers, body, parsed, parse_ok)
        except Exception as exc:  # a bug here must not look like a network failure
            traceback.print_exc(file=sys.stderr)
            return dialect.error(500, f"The emulator failed: {type(exc).__name__}: {exc}")


def _with_headers(response: Response, extra: Iterable[tuple[str, str]]) -> Response:
    return replace(response, headers=(*response.headers, *extra))


class _BadRequest(Exception):
    pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that can stall.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def track(self, conn: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(conn)

    def close_connections(self) -> None:
        with self._connections_lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, _BadRequest)) or self.emulator._stopping.is_set():
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "golem-llm-emulator/1.0"
    timeout = 120
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.untrack(self.connection)

    def handle(self) -> None:
        try:
            super().handle()
        except _DISCONNECTS:
            self.close_connection = True
        except OSError:
            self.close_connection = True

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.emulator.verbose:
            sys.stderr.write(f"emulator: {self.address_string()} {format % args}\n")

    def _dispatch(self) -> None:
        emulator = self.server.emulator
        try:
            body = self._read_body()
        except _BadRequest as exc:
            self.close_connection = True
            self._send(emulator.dialects[0].error(400, f"Malformed request body: {exc}"))
            return
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            key = key.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        self._send(emulator._handle(self.command, self.path, headers, body))

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _dispatch

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            parts, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise _BadRequest("connection closed inside a chunked body")
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise _BadRequest("bad chunk size line") from None
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                total += size
                if total > MAX_BODY_BYTES:
                    raise _BadRequest("body too large")
                parts.append(self._read_exactly(size))
                self.rfile.readline(65537)
        length = self.headers.get("content-length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise _BadRequest("bad Content-Length") from None
        if n < 0 or n > MAX_BODY_BYTES:
            raise _BadRequest("bad Content-Length")
        return self._read_exactly(n)

    def _read_exactly(self, n: int) -> bytes:
        data = self.rfile.read(n)
        if len(data) != n:
            raise _BadRequest("connection closed inside the body")
        return data

    def _send(self, response: Response) -> None:
        if response.fault is not None:
            response.fault.write(self, response)
            return
        stopping = self.server.emulator._stopping
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        body = response.body
        if response.streaming:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = response.declared_length
            self.send_header("Content-Length", str(len(response.body_bytes) if length is None else length))
        self.end_headers()
        if self.command == "HEAD":
            return
        size = response.write_size
        if response.streaming:
            # A steady pace: event i is due `chunk_delay_s` × i after the first, so a write
            # held up (the host holding the GIL, say) does not push every later one back,
            # and N events at 20 ms take 20 ms × N, as a model at 50 tokens/s would.
            started = time.monotonic()
            for i, event in enumerate(body):
                if i and response.chunk_delay_s and stopping.wait(
                        max(0.0, started + i * response.chunk_delay_s - time.monotonic())):
                    self._abort()
                    return
                for piece in _pieces(event, size):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            if response.stall_with_comments_s is not None:
                self._stall_with_comments(response.stall_with_comments_s)
                return
            if response.ending == "complete":
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        else:
            for piece in _pieces(response.body_bytes, size):
                self.wfile.write(piece)
            self.wfile.flush()
        if response.ending == "abort":
            self._abort()

    def _stall_with_comments(self, every_s: float) -> None:
        """Keep the stream open with SSE comments only, until the client goes away (a
        write fails), the server stops or `STALL_LIMIT_S` passes; then close it."""
        stopping = self.server.emulator._stopping
        comment = b": keep-alive\n\n"
        deadline = time.monotonic() + STALL_LIMIT_S
        while time.monotonic() < deadline and not stopping.wait(every_s):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(comment), comment))
            self.wfile.flush()
        self._abort()

    def _abort(self) -> None:
        """Close the connection without ending the body properly."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _pieces(data: bytes, size: int | None) -> list[bytes]:
    if not data:
        return []
    if size is None:
        return [data]
    return [data[i : i + size] for i in range(0, len(data), size)]
