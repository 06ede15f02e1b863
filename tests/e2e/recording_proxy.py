"""A loopback HTTP proxy in front of the real model server that keeps every exchange.

The e2e tests need to see what the component sent (headers, framing, body) and how many
requests reached the server (a resumed stream must send exactly one), neither of which the
model server reports.  The proxy reads the request whole (chunked or `Content-Length`),
forwards it upstream, and relays the answer piece by piece as it arrives, so the component
sees the server's real pacing.  A client that goes away mid-answer (a crashed worker) closes
the upstream connection too, so the server stops generating for nobody.
"""

from __future__ import annotations

import http.client
import json
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

UPSTREAM_TIMEOUT_S = 120.0
#: Hop-by-hop headers that the proxy sets itself on each side.
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host",
        "proxy-connection", "te", "trailer", "upgrade"}


@dataclass
class Exchange:
    """One request as the proxy received it, and the upstream answer as relayed."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    #: The whole answer was relayed (False: the client or the server went away first).
    complete: bool = False

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class RecordingProxy:
    """`with RecordingProxy("http://127.0.0.1:PORT") as proxy:` ... `proxy.base_url`."""

    def __init__(self, upstream_origin: str) -> None:
        host, _, port = upstream_origin.removeprefix("http://").partition(":")
        self.upstream = (host, int(port))
        self._lock = threading.Condition()
        self._exchanges: list[Exchange] = []
        self._open = 0  # exchanges still being relayed
        self._httpd: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "RecordingProxy":
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name="e2e-recording-proxy")
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "RecordingProxy":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "the proxy is not running"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    # -- what went through ---------------------------------------------------------------------

    @property
    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._exchanges)

    def clear(self) -> None:
        with self._lock:
            self._exchanges.clear()

    def wait_settled(self, timeout: float = 10.0) -> bool:
        """Wait until every exchange so far has ended (relayed whole or abandoned)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._open == 0, timeout)

    def _begin(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)
            self._open += 1

    def _end(self) -> None:
        with self._lock:
            self._open -= 1
            self._lock.notify_all()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, proxy: RecordingProxy) -> None:
        self.proxy = proxy
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self) -> None:  # skip HTTPServer's reverse DNS lookup
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def track(self, conn: socket.socket, add: bool) -> None:
        with self._connections_lock:
            (self._connections.add if add else self._connections.discard)(conn)

    def close_connections(self) -> None:
        with self._connections_lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away is not an error here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = UPSTREAM_TIMEOUT_S
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _relay(self) -> None:
        proxy = self.server.proxy
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            key = key.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        exchange = Exchange(self.command, self.path, headers, self._read_body())
        proxy._begin(exchange)
        upstream = http.client.HTTPConnection(*proxy.upstream, timeout=UPSTREAM_TIMEOUT_S)
        try:
            upstream.request(self.command, self.path, body=exchange.body,
                             headers={k: v for k, v in headers.items() if k not in _HOP})
            answer = upstream.getresponse()
            exchange.status = answer.status
            exchange.response_headers = {k.lower(): v for k, v in answer.getheaders()}
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in _HOP:
                    self.send_header(key, value)
            length = answer.getheader("content-length")
            if length is not None:
                data = answer.read()
                exchange.response_body = data
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            else:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                while piece := answer.read1(65536):
                    exchange.response_body += piece
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            exchange.complete = True
        except OSError:
            self.close_connection = True
        finally:
            upstream.close()
            proxy._end()

    do_GET = do_POST = _relay

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline(65537).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
        return self.rfile.read(int(self.headers.get("content-length") or 0))
