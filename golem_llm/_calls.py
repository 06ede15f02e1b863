"""`stream`, `send` and `continue_`: the component's three calls, natively.

Each call is `durability.call_stream.open_call` (the component's own path: the provider's
request, the call's settings, retries before the first event and one resume after, the
request log) with `golem_llm._http.HttpAttempt` for its requests, and every value the
caller gets goes through the call's `Outbound` (valid Unicode, no API key), as in the
component.  `send` and `continue_` are the stream, drained.

The environment is read when the call is made: `env` (a mapping) or, by default,
`os.environ`; it holds the provider's key and base URL and the `GOLEM_LLM_*` settings,
exactly as the component's environment does.
"""

from __future__ import annotations

import os
import ssl
import sys
from functools import lru_cache
from typing import Iterator, Mapping, Optional, Sequence, Union

import httpx2

from durability.call_stream import drain, open_call
from durability.held_back import HeldBackText
from durability.recovery import Attempt
from durability.source import Source
from golem_llm._http import HttpAttempt, SystemClock
from normalizer.values import (
    ChatEvent,
    Config,
    LlmError,
    Message,
    StreamEvent,
    ToolCall,
    ToolResult,
)
from providers.outbound import Outbound
from providers.provider import HttpRequest, Provider
from providers.registry import PROVIDERS
from providers.request_log import CallLog
from providers.settings import CallSettings

ProviderLike = Union[str, Provider]


def provider_of(provider: ProviderLike) -> Provider:
    """A provider by name (`PROVIDERS`) or as given."""
    if isinstance(provider, Provider):
        return provider
    try:
        return PROVIDERS[provider]
    except KeyError:
        raise ValueError(f"unknown provider {provider!r}: one of {', '.join(PROVIDERS)}") \
            from None


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """The TLS context of the clients the calls make for themselves, built once: building
    it (loading the CA bundle) takes about 0.1 s, which would otherwise be paid per call.
    It is built as httpx2 builds its default one, so `SSL_CERT_FILE`/`SSL_CERT_DIR` still
    apply (when set before the first call)."""
    return httpx2.create_ssl_context()


def write_stderr(text: str) -> None:
    """Where `GOLEM_LLM_LOG` lines go: this process's stderr, looked up per line."""
    sys.stderr.write(text)
    sys.stderr.flush()


class Stream:
    """One streamed answer: iterate it for its events as they arrive; the last one is a
    `Finish` or an `LlmError`.  Close it (or use it as a context manager) to let go of the
    connection before the end."""

    def __init__(self, source: Source, outbound: Outbound,
                 own_client: Optional[httpx2.Client]) -> None:
        self._source = source
        self._outbound = outbound
        self._own_client = own_client

    def batches(self) -> Iterator[list[StreamEvent]]:
        """The events in the batches the bytes arrived in (each non-empty)."""
        try:
            while True:
                batch = self._source.next_batch(block=True)
                if not batch:
                    return
                yield self._outbound.stream_events(batch) or []
        finally:
            self.close()

    def __iter__(self) -> Iterator[StreamEvent]:
        for batch in self.batches():
            yield from batch

    def close(self) -> None:
        self._source.close()
        client, self._own_client = self._own_client, None
        if client is not None:
            client.close()

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open(provider: ProviderLike, messages: Sequence[Message], config: Config,
          env: Optional[Mapping[str, str]], http: Optional[httpx2.Client], *,
          deliver: bool, tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
          operation: str, notify=None) -> tuple[Source, Outbound, Optional[httpx2.Client]]:
    chosen = provider_of(provider)
    environ = dict(os.environ if env is None else env)
    own = httpx2.Client(timeout=None, verify=_tls()) if http is None else None
    client = http or own
    assert client is not None

    def make_attempt(request: Union[HttpRequest, LlmError], settings: CallSettings,
                     log: Optional[CallLog]) -> Attempt:
        return HttpAttempt(client, chosen, request, environ, settings, log, notify)

    source: Source = open_call(chosen, messages, config, environ, make_attempt, SystemClock(),
                               deliver=deliver, tool_results=tool_results,
                               operation=operation, write=write_stderr)
    if deliver:  # a streamed key meets the scrubber whole (durability/held_back.py)
        source = HeldBackText(source, chosen.scrubber(environ))
    return source, chosen.outbound(environ), own


def stream(provider: ProviderLike, messages: Sequence[Message], config: Config, *,
           env: Optional[Mapping[str, str]] = None,
           http: Optional[httpx2.Client] = None) -> Stream:
    """Ask `provider` (a name in `PROVIDERS`, or a `Provider`) and stream the answer.

    `env` replaces `os.environ` for this call; `http` is an httpx2 client to send through
    (its connections are reused; by default each call has its own client, and a new
    connection).  Never
    raises for a provider's failure: it is the stream's last event, an `LlmError`."""
    source, outbound, own = _open(provider, messages, config, env, http, deliver=True,
                                  operation="stream")
    return Stream(source, outbound, own)


def send(provider: ProviderLike, messages: Sequence[Message], config: Config, *,
         env: Optional[Mapping[str, str]] = None,
         http: Optional[httpx2.Client] = None) -> ChatEvent:
    """The whole answer: a `CompleteResponse`, a `ToolRequest` or an `LlmError` (returned,
    not raised).  A retryable failure, even mid-answer, starts it over."""
    return _drained(provider, messages, config, env, http, (), "send")


def continue_(provider: ProviderLike, messages: Sequence[Message],
              tool_results: Sequence[tuple[ToolCall, ToolResult]], config: Config, *,
              env: Optional[Mapping[str, str]] = None,
              http: Optional[httpx2.Client] = None) -> ChatEvent:
    """`send` after a `ToolRequest`: `tool_results` pairs each call the model made with
    its result (the calls are sent back as the assistant's turn, the results after)."""
    return _drained(provider, messages, config, env, http, tuple(tool_results), "continue")


def _drained(provider: ProviderLike, messages: Sequence[Message], config: Config,
             env: Optional[Mapping[str, str]], http: Optional[httpx2.Client],
             tool_results: Sequence[tuple[ToolCall, ToolResult]], operation: str
             ) -> ChatEvent:
    source, outbound, own = _open(provider, messages, config, env, http, deliver=False,
                                  tool_results=tool_results, operation=operation)
    try:
        return outbound.chat_event(drain(source, provider_of(provider).reasoning_echo_key))
    finally:
        if own is not None:
            own.close()
