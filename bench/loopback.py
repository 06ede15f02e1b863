"""Serve the benchmark's pre-rendered bytes on loopback, and read them natively.

The server is the project's provider emulator (`EmulatorServer`) with a replay dialect that
answers every request with the bytes registered under the request's `model`, so the
component, our native engine and the SDKs all read identical bytes over a real socket.  It
runs in its own process: in the benchmark's process its thread would compete with the
client for the GIL and the figures would measure that contention.  Bytes are rendered once,
before the server starts, so serving costs only the writes.

    python -m bench.loopback MANIFEST.json     # the child: prints "READY <port>", serves
                                               # until its stdin closes
"""

from __future__ import annotations

import http.client
import json
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence
from urllib.parse import urlsplit

from normalizer.values import StreamDelta
from providers.response_decoder import ResponseDecoder

ROOT = Path(__file__).resolve().parents[1]
READ_SIZE = 65536  # what the component's transport asks for per read
BIG_WRITE = 65536  # server write size for the throughput runs (the consumer is the bottleneck)


# ---- the child: an EmulatorServer replaying fixed bytes -----------------------------------

class ReplayDialect:
    """A `Dialect` (runtime/emulator/dialect.py) that ignores the scenario and answers with
    the pieces registered for the request's `model`; each piece is one flushed HTTP chunk."""

    name = "replay"

    def __init__(self, path: str, bodies: Mapping[str, tuple[bytes, ...]],
                 delays: Optional[Mapping[str, float]] = None) -> None:
        self.path = path
        self._bodies = bodies
        self._delays = delays or {}

    def check_auth(self, headers: Mapping[str, str], expected_key: Optional[str]) -> Any:
        return None

    def parse_request(self, request: Any) -> Any:
        from runtime.emulator.request_view import RequestView

        if not isinstance(request, Mapping):
            return self.error(400, "expected a JSON object")
        return RequestView(model=str(request.get("model", "")), stream=True)

    def render(self, scenario: Any, request: Mapping[str, Any], ctx: Any = None) -> Any:
        from runtime.emulator.response import Response

        model = request.get("model") if isinstance(request, Mapping) else None
        pieces = self._bodies.get(str(model))
        if pieces is None:
            return self.error(404, f"no benchmark stream named {model!r}")
        return Response(200, (("content-type", "text/event-stream; charset=utf-8"),), pieces,
                        streaming=True, chunk_delay_s=self._delays.get(str(model), 0.0))

    def error(self, status: int, message: str, *, type: Optional[str] = None,
              code: Optional[str] = None, **_: Any) -> Any:
        from runtime.emulator.response import json_response

        return json_response(status, {"error": {"message": message,
                                                "type": type or "invalid_request_error",
                                                "code": code}})

    def bad_json(self) -> Any:
        return self.error(400, "the body is not JSON")


def _serve(manifest_path: str) -> int:
    from runtime.emulator.scenario import Scenario
    from runtime.emulator.server import EmulatorServer

    manifest = json.loads(Path(manifest_path).read_text())
    bodies: dict[str, tuple[bytes, ...]] = {}
    delays = {model: entry["delay_s"] for model, entry in manifest["bodies"].items()}
    for model, entry in manifest["bodies"].items():
        data = Path(entry["file"]).read_bytes()
        pieces, at = [], 0
        for size in entry["pieces"]:
            pieces.append(data[at:at + size])
            at += size
        bodies[model] = tuple(pieces)
    dialects = [ReplayDialect(path, bodies, delays) for path in manifest["paths"]]
    with EmulatorServer(dialects=dialects, fallback=Scenario()) as server:
        print(f"READY {server.port}", flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    return 0


# ---- the parent's handle on it ------------------------------------------------------------

class LoopbackServer:
    """`with LoopbackServer({model: pieces}, paths) as server:` → `server.origin`.
    `delays` paces a model's pieces: seconds before each piece after the first."""

    def __init__(self, bodies: Mapping[str, Sequence[bytes]], paths: Sequence[str],
                 delays: Optional[Mapping[str, float]] = None,
                 start_timeout_s: float = 30.0) -> None:
        self._bodies = bodies
        self._delays = delays or {}
        self._paths = sorted(set(paths))
        self._timeout = start_timeout_s
        self._dir: Optional[Path] = None
        self._proc: Optional[subprocess.Popen[str]] = None
        self.origin = ""

    def __enter__(self) -> "LoopbackServer":
        self._dir = Path(tempfile.mkdtemp(prefix="bench-loopback-"))
        entries = {}
        for i, (model, pieces) in enumerate(self._bodies.items()):
            file = self._dir / f"body{i}.bin"
            file.write_bytes(b"".join(pieces))
            entries[model] = {"file": str(file), "pieces": [len(p) for p in pieces],
                              "delay_s": self._delays.get(model, 0.0)}
        manifest = self._dir / "manifest.json"
        manifest.write_text(json.dumps({"paths": self._paths, "bodies": entries}))
        self._proc = subprocess.Popen([sys.executable, "-m", "bench.loopback", str(manifest)],
                                      cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True)
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], self._timeout)
        line = self._proc.stdout.readline() if ready else ""
        if not line.startswith("READY "):
            self.__exit__(None, None, None)
            raise RuntimeError(f"the loopback server did not start (got {line!r})")
        self.origin = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(self, *exc: object) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def pieces_of(body: bytes, size: int) -> tuple[bytes, ...]:
    return tuple(body[i:i + size] for i in range(0, len(body), size))


# ---- native clients -----------------------------------------------------------------------

@dataclass(frozen=True)
class NativeRun:
    events: int
    reads: int
    first_delta_s: Optional[float]
    total_s: float


def _open(request: Any) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    url = urlsplit(request.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    conn.request(request.method, path, body=request.body, headers=dict(request.headers))
    return conn, conn.getresponse()


def native_engine(provider: Any, request: Any, stop_at_first_delta: bool = False,
                  sink: Optional[list[Any]] = None) -> NativeRun:
    """Our engine as a plain Python library: a fresh connection (stdlib http.client), reads
    of up to 64 KiB as they arrive, `ResponseDecoder` (sse → normalizer → events).  With
    `stop_at_first_delta`, it hangs up once the first delta is in hand; `sink` collects the
    events (for checking, outside the timed runs)."""
    started = time.perf_counter()
    conn, response = _open(request)
    try:
        decoder = ResponseDecoder(provider, response.status,
                                  response.getheader("content-type") or "")
        events = reads = 0
        first: Optional[float] = None
        while True:
            data = response.read1(READ_SIZE)
            reads += 1
            out = decoder.feed(data) if data else decoder.end()
            if first is None:
                for event in out:
                    if isinstance(event, StreamDelta):
                        first = time.perf_counter() - started
                        break
                if first is not None and stop_at_first_delta:
                    return NativeRun(events + len(out), reads, first, first)
            events += len(out)
            if sink is not None:
                sink.extend(out)
            if not data or decoder.done:
                break
        return NativeRun(events, reads, first, time.perf_counter() - started)
    finally:
        conn.close()


def raw_read(request: Any) -> NativeRun:
    """The transport alone: read every byte, parse nothing (the loopback ceiling)."""
    started = time.perf_counter()
    conn, response = _open(request)
    try:
        reads = 0
        while response.read1(READ_SIZE):
            reads += 1
        return NativeRun(0, reads, None, time.perf_counter() - started)
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(_serve(sys.argv[1]))
