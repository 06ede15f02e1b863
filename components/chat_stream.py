"""The exported `chat-stream` resource: a live HTTP response turned into golem:llm events.

`get-next` never blocks: it reads whatever bytes the body has now and returns every event
they complete (`None` when they complete none).  `blocking-get-next` waits on the body's
pollable only when nothing is buffered.  The stream ends at its `finish` or `error` event;
after that both return an empty list, at once.
"""

from __future__ import annotations

from typing import Mapping, Optional, Union

from wit_world.exports import llm as w

from components import convert
from components.transport import ResponseBody, TransportError, send
from durability.guard import guarded
from durability.source import Source
from normalizer.coalesce import coalesce
from normalizer.values import ErrorCode, LlmError, StreamEvent, is_terminal
from providers.provider import HttpRequest, Provider
from providers.timeouts import Timeouts
from providers.response_decoder import ResponseDecoder

# One get-next returns at most about this many body bytes' worth of events, so a fast
# server cannot make one batch (one oplog entry, when durable) arbitrarily large.
MAX_BYTES_PER_BATCH = 1024 * 1024


class EventSource:
    """Engine-level stream: an HTTP exchange decoded into engine events (no bindings)."""

    def __init__(self, provider: Provider, request: Union[HttpRequest, LlmError],
                 env: Optional[Mapping[str, str]] = None) -> None:
        self._pending: list[StreamEvent] = []
        self._body: Optional[ResponseBody] = None
        self._decoder: Optional[ResponseDecoder] = None
        self.ended = False
        if isinstance(request, LlmError):
            self._pending = [request]
            return
        opened = send(request, Timeouts.from_env(env or {}))
        if isinstance(opened, TransportError):
            self._pending = [LlmError(
                ErrorCode.INTERNAL_ERROR,
                f"{provider.name}: request to {_origin(request.url)} failed: {opened.message}")]
            return
        self._body = opened
        self._decoder = ResponseDecoder(provider, opened.status, opened.content_type, env)

    def poll(self) -> Optional[list[StreamEvent]]:
        """Events the bytes available now complete; `None` if none yet; `[]` once ended."""
        if self._pending:
            events, self._pending = self._pending, []
            return self._mark(events)
        if self.ended or self._body is None or self._decoder is None:
            self.ended = True
            return []
        events: list[StreamEvent] = []
        read_bytes = 0
        while read_bytes < MAX_BYTES_PER_BATCH:
            data = self._body.read()
            if isinstance(data, TransportError):
                events += self._decoder.fail(data.message)
                break
            if data is None:
                events += self._decoder.end()
                break
            if not data:
                break
            read_bytes += len(data)
            events += self._decoder.feed(data)
            if self._decoder.done:
                break
        if not events:
            return None
        return self._mark(coalesce(events))

    def wait(self) -> None:
        if self._body is not None and not self._pending and not self.ended:
            self._body.wait()

    def close(self) -> None:
        body, self._body = self._body, None
        if body is not None:
            body.close()

    def _mark(self, events: list[StreamEvent]) -> list[StreamEvent]:
        if any(is_terminal(e) for e in events):
            self.ended = True
            self.close()
        return events

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        """`poll`, or with `block`, wait until it has something (never `None`)."""
        while True:
            events = self.poll()
            if events is not None or not block:
                return events
            self.wait()


def _origin(url: str) -> str:
    """Scheme and host of a URL: enough to say where a request went, never a query secret."""
    head, sep, rest = url.partition("://")
    return head + sep + rest.split("/", 1)[0] if sep else url


class ChatStream(w.ChatStream):
    """The resource handed to the caller.  Every method returns a value, never raises (but
    for an oplog divergence, which must fail the worker).  `source` is a live `EventSource`
    or, in the durable flavour, a `durability.stream.RecordedStream`."""

    def __init__(self, source: Source) -> None:
        self._source = source

    def get_next(self) -> Optional[list[w.StreamEvent]]:
        return self._next(block=False)

    def blocking_get_next(self) -> list[w.StreamEvent]:
        events = self._next(block=True)
        return [] if events is None else events

    def _next(self, block: bool) -> Optional[list[w.StreamEvent]]:
        events = guarded("chat-stream", lambda: self._source.next_batch(block), self._fail)
        return None if events is None else convert.stream_events_out(events)

    def _fail(self, error: LlmError) -> list[StreamEvent]:
        """End the stream with `error`: the source broke, so its body is released too."""
        self._source.ended = True
        try:
            self._source.close()
        except BaseException:
            pass
        return [error]

    def __del__(self) -> None:
        # componentize-py 0.23.0 runs no destructor when the caller drops an exported
        # resource (its `resource_dtor` is a no-op), so this runs only when the object is
        # collected some other way.  That is why every stream closes its HTTP body itself,
        # the moment its finish or error arrives (EventSource._mark).
        try:
            self._source.close()
        except BaseException:
            pass
