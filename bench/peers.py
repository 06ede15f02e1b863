"""The peers: the official `openai` and `anthropic` SDKs' own stream iterators.

Each SDK is driven exactly as an application would (`client.chat.completions.create(...,
stream=True)`, `client.messages.create(..., stream=True)`, then iterate), with its HTTP client
given either a mock transport that returns the benchmark's chunks (no network: the native
comparison) or nothing special (a real connection to the loopback server).  Both SDKs
(openai 3.x, anthropic 2.x) use `httpx2`, so `httpx2.MockTransport` is their transport layer.

The SDKs are optional bench dependencies (requirements-bench.txt); without them every peer
row says "n/a" and the rest of the benchmark still runs.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Optional

from bench.streams import CHAT, MESSAGES, USER_PROMPT
from bench.targets import BENCH_KEY

MOCK_ORIGIN = "http://bench.invalid"


def http_client(transport: Any = None, keepalive: bool = True) -> Any:
    import httpx2

    limits = httpx2.Limits(max_keepalive_connections=None if keepalive else 0)
    if transport is not None:
        return httpx2.Client(transport=transport, limits=limits)
    return httpx2.Client(limits=limits)


class PeerUnavailable(Exception):
    """The SDK is not installed (run `make bench`, which installs requirements-bench.txt)."""


class Peer:
    """One SDK's stream iterator for one wire family."""

    name: str
    family: str

    def client(self, base_url: str, transport: Any = None, keepalive: bool = True) -> Any:
        """An SDK client; `keepalive=False` opens a fresh connection for every request."""
        raise NotImplementedError

    def open(self, client: Any, model: str) -> Iterable[Any]:
        raise NotImplementedError

    def summary(self, items: list[Any]) -> tuple[str, int]:
        """(text, number of tool calls) of a stream's items, to check what was parsed."""
        raise NotImplementedError

    def base_url(self, origin: str) -> str:
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError

    # -- runners ------------------------------------------------------------------------

    def mock_runner(self, chunks: list[bytes], model: str = "bench") -> Callable[[], int]:
        """One call streams `chunks` through the SDK's iterator; returns the item count."""
        import httpx2

        def handler(request: Any) -> Any:
            return httpx2.Response(200, headers={"content-type": "text/event-stream"},
                                   content=iter(chunks))

        client = self.client(self.base_url(MOCK_ORIGIN), httpx2.MockTransport(handler))

        def run() -> int:
            count = 0
            for _ in self.open(client, model):
                count += 1
            return count

        run.client = client  # type: ignore[attr-defined]
        return run

    def collect(self, run: Callable[[], int], model: str = "bench") -> list[Any]:
        return list(self.open(run.client, model))  # type: ignore[attr-defined]


class OpenAiSdk(Peer):
    name = "openai-sdk"
    family = CHAT

    def __init__(self) -> None:
        try:
            import httpx2  # noqa: F401
            import openai
        except ImportError as exc:
            raise PeerUnavailable(f"openai SDK not installed ({exc.name})") from exc
        self._openai = openai

    def version(self) -> str:
        return f"openai {self._openai.__version__}"

    def base_url(self, origin: str) -> str:
        return origin + "/v1"

    def client(self, base_url: str, transport: Any = None, keepalive: bool = True) -> Any:
        return self._openai.OpenAI(api_key=BENCH_KEY, base_url=base_url, max_retries=0,
                                   http_client=http_client(transport, keepalive))

    def open(self, client: Any, model: str) -> Iterable[Any]:
        return client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": USER_PROMPT}], stream=True)

    def summary(self, items: list[Any]) -> tuple[str, int]:
        text: list[str] = []
        ids: set[str] = set()
        for chunk in items:
            for choice in chunk.choices or ():
                delta = choice.delta
                if delta.content:
                    text.append(delta.content)
                for call in delta.tool_calls or ():
                    if call.id:
                        ids.add(call.id)
        return "".join(text), len(ids)

    @staticmethod
    def is_delta(item: Any) -> bool:
        return any(c.delta.content or c.delta.tool_calls for c in item.choices or ())


class AnthropicSdk(Peer):
    name = "anthropic-sdk"
    family = MESSAGES

    def __init__(self) -> None:
        try:
            import anthropic
            import httpx2  # noqa: F401
        except ImportError as exc:
            raise PeerUnavailable(f"anthropic SDK not installed ({exc.name})") from exc
        self._anthropic = anthropic

    def version(self) -> str:
        return f"anthropic {self._anthropic.__version__}"

    def base_url(self, origin: str) -> str:
        return origin

    def client(self, base_url: str, transport: Any = None, keepalive: bool = True) -> Any:
        return self._anthropic.Anthropic(api_key=BENCH_KEY, base_url=base_url, max_retries=0,
                                         http_client=http_client(transport, keepalive))

    def open(self, client: Any, model: str) -> Iterable[Any]:
        return client.messages.create(
            model=model, max_tokens=1024,
            messages=[{"role": "user", "content": USER_PROMPT}], stream=True)

    def summary(self, items: list[Any]) -> tuple[str, int]:
        text: list[str] = []
        calls = 0
        for event in items:
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                text.append(event.delta.text)
            elif event.type == "content_block_start" and event.content_block.type == "tool_use":
                calls += 1
        return "".join(text), calls

    @staticmethod
    def is_delta(item: Any) -> bool:
        return item.type == "content_block_delta"


def peer_for(family: str) -> Peer:
    """The family's SDK (raises `PeerUnavailable` when it is not installed)."""
    return OpenAiSdk() if family == CHAT else AnthropicSdk()


def peer_or_reason(family: str) -> "Peer | str":
    try:
        return peer_for(family)
    except PeerUnavailable as exc:
        return f"n/a: {exc} (make bench installs requirements-bench.txt)"


def first_delta_seconds(peer: Peer, client: Any, model: str) -> Optional[float]:
    """Seconds from the SDK call to its first content delta; it hangs up there.  Give it a
    `keepalive=False` client, so every call opens a fresh connection.  None: no delta."""
    started = time.perf_counter()
    stream = peer.open(client, model)
    try:
        for item in stream:
            if peer.is_delta(item):  # type: ignore[attr-defined]
                return time.perf_counter() - started
        return None
    finally:
        stream.close()  # type: ignore[attr-defined]
