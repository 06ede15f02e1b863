"""What the loopback sections of one provider share: the served bytes, the server process,
the component host and one warm instance.

Models served (the replay server picks the bytes by the request's `model`):
  bench-long-text   the long text, written in 64 KiB pieces (throughput: the reader is the
                    bottleneck, not the server)
  bench-tool-calls  the tool-call-heavy answer, 64 KiB pieces
  bench-first       a 16-delta text, one flushed chunk per SSE event, 2 ms apart (time to
                    first event; one call for the memory figures; the streams abandoned
                    after their first batch).  Paced like a fast model (500 events/s):
                    unpaced, the first batch would hold the whole answer and the figure
                    would time lifting all of it, not the first event
  bench-short       the same 16 deltas unpaced (the finished streams of the retained-memory
                    figure: many streams, each quick)
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Union
from urllib.parse import urlsplit

from bench.loopback import BIG_WRITE, LoopbackServer, pieces_of
from bench.peers import Peer, peer_or_reason
from bench.streams import CHAT, MESSAGES, BenchStream
from bench.targets import Target

THROUGHPUT_MODELS = {"long-text": "bench-long-text", "tool-calls": "bench-tool-calls"}
FIRST_MODEL = "bench-first"
SHORT_MODEL = "bench-short"
FIRST_PACE_S = 0.002
#: Where each SDK posts, relative to the base URL its `Peer.base_url` gives.
SDK_PATHS = {CHAT: "/v1/chat/completions", MESSAGES: "/v1/messages"}


@dataclass
class Session:
    target: Target
    streams: dict[str, BenchStream]
    provider: Union[Any, str]
    peer: Union[Peer, str]
    server: LoopbackServer
    component: Union[Any, str]  # the wasm Path, or why there is none
    _host: Any = None
    _instance: Any = None
    notes: dict[str, str] = field(default_factory=dict)
    build: bool = True  # whether stale components are rebuilt (False: `--no-build`)

    @property
    def origin(self) -> str:
        return self.server.origin

    def request(self, model: str) -> Any:
        """The engine's own HTTP request for `model` (what the component sends too)."""
        return self.target.request(self.provider, self.origin, model)

    def env(self) -> dict[str, str]:
        return self.target.env(self.origin + self.target.prefix())

    def host(self) -> Any:
        """The `ComponentHost` (compiled once, cached on disk); raises if there is none."""
        if isinstance(self.component, str):
            raise LookupError(self.component)
        if self._host is None:
            from runtime.host import ComponentHost

            self._host = ComponentHost(self.component)
        return self._host

    def instance(self) -> Any:
        """One instance reused by the throughput and first-event runs."""
        if self._instance is None:
            self._instance = self.host().instantiate(self.env())
        return self._instance


def _served(streams: dict[str, BenchStream]) -> dict[str, tuple[bytes, ...]]:
    bodies = {model: pieces_of(streams[name].body, BIG_WRITE)
              for name, model in THROUGHPUT_MODELS.items()}
    bodies[FIRST_MODEL] = streams["first-text"].pieces
    bodies[SHORT_MODEL] = streams["first-text"].pieces
    return bodies


@contextmanager
def open_session(target: Target, streams: dict[str, BenchStream],
                 build: bool = True) -> Iterator[Session]:
    provider = target.provider()
    peer = peer_or_reason(target.family)
    paths = {SDK_PATHS[target.family]}
    if not isinstance(provider, str):
        # The path does not depend on the origin: build the request once to learn it.
        paths.add(urlsplit(target.request(provider, "http://127.0.0.1:9", FIRST_MODEL).url).path)
    component = target.component(build=build)
    with LoopbackServer(_served(streams), sorted(paths), {FIRST_MODEL: FIRST_PACE_S}) as server:
        yield Session(target, streams, provider, peer, server, component, build=build)


def reason(value: Union[Any, str]) -> Optional[str]:
    """The "n/a" text when `value` is one, else None."""
    return value if isinstance(value, str) else None
