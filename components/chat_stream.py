"""The exported `chat-stream` resource: a live HTTP response turned into golem:llm events.

`get-next` does not wait for the server: it reads whatever bytes the body has now and
returns every event they complete (`None` when they complete none, or while the response's
headers, or a retry's pause, are still to come).  The one wait it allows is for frames
already in flight when they carry part of an event (`FOLLOW_FRAMES_NS`, 20 ms at most).  `blocking-get-next` waits only when nothing is buffered:
on the body or the response, and on the clock for the next deadline.  The stream ends at its
`finish` or `error` event; after that both return an empty list, at once.

`open_stream` builds the whole stream of one call: a `durability.recovery.RecoveringStream`
whose attempts are `EventSource`s, one HTTP exchange each, with the call's settings
(`providers/settings.py`: timeouts, retries, resumes, end-of-stream rule).

Open streams per instance.  componentize-py 0.23.0 runs no destructor when the caller drops
a `chat-stream`, so a stream abandoned mid-answer would keep its HTTP connection until the
instance ends, and a caller that opens streams without draining them would pile up
connections.  An instance therefore keeps at most `GOLEM_LLM_MAX_OPEN_STREAMS` exchanges
open (default 16, 0 = no cap): opening one more closes the one read least recently, whose
next `get-next` returns an `error` that says so.  A stream that ended has already closed its
exchange and let go of its buffers, so it counts for nothing.
"""

from __future__ import annotations

import sys
from typing import Callable, Mapping, Optional, Sequence, Union

from wit_world.exports import llm as w

from components import convert
from components.transport import (
    PendingResponse,
    ResponseBody,
    TransportError,
    WasiClock,
    now_ns,
    start,
)
from durability.call_stream import open_call
from durability.continuation import Partial
from durability.guard import guarded
from durability.held_back import HeldBackText
from durability.http_witness import Witness, no_witness
from durability.recovery import RecoveringStream
from durability.source import ENDED, Source
from normalizer.coalesce import coalesce
from normalizer.values import (
    Config,
    ErrorCode,
    LlmError,
    Message,
    StreamEvent,
    ToolCall,
    ToolResult,
)
from providers.exchange import Exchange
from providers.provider import HttpRequest, Provider
from providers.request_log import CallLog
from providers.retry import Failure
from providers.settings import MAX_OPEN_STREAMS, CallSettings

# One get-next returns at most about this many body bytes' worth of events, so a fast
# server cannot make one batch (one oplog entry, when durable) arbitrarily large.
MAX_BYTES_PER_BATCH = 1024 * 1024

# wasmtime's wasi:http hands the body over one HTTP frame at a time (a frame or two wait
# between the socket and the guest), so a read finds only what the last frame carried.  A
# server that writes an event in many small chunks (one byte each, at worst) would leave
# every non-blocking `get-next` with a piece of an event and no event: in the durable
# flavour, one oplog entry (tens of ms) per frame, minutes for one answer.  So when a read
# brings bytes but no complete event, `get-next` waits for the next frame, up to
# FOLLOW_FRAME_NS for each and FOLLOW_FRAMES_NS in all, and stops at the first wait that
# brings nothing: frames already in flight are followed, a silent server is not waited for.
FOLLOW_FRAME_NS = 2_000_000
FOLLOW_FRAMES_NS = 20_000_000


def open_stream(provider: Provider, messages: Sequence[Message], config: Config,
                env: Mapping[str, str], *, partial: Partial = Partial(), deliver: bool = True,
                tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
                operation: str = "stream",
                on_evict: Optional[Callable[[LlmError], None]] = None,
                witness: Witness = no_witness) -> Source:
    """The stream of one call (`durability.call_stream.open_call`), its attempts
    `EventSource`s over wasi:http, its log (`GOLEM_LLM_LOG`) on the component's stderr.
    `deliver=False` (`send`/`continue`) holds every event until the answer is whole.
    `on_evict` is told when the stream is closed to make room for newer ones.
    `witness` is told of every wasi:http resource the call releases
    (`durability/http_witness.py`; the durable flavour's reaches the Golem host)."""
    owner: list[RecoveringStream] = []  # the stream its attempts end if they are evicted

    def evicted(error: LlmError) -> None:
        if owner:
            owner[0].abandon(error)
        if on_evict is not None:
            on_evict(error)

    def make_attempt(request: Union[HttpRequest, LlmError], settings: CallSettings,
                     log: Optional[CallLog]) -> EventSource:
        return EventSource(provider, request, env, settings, evicted, log, witness)

    stream = open_call(provider, messages, config, env, make_attempt, WasiClock(witness),
                       partial=partial, deliver=deliver, tool_results=tool_results,
                       operation=operation, write=write_stderr)
    if isinstance(stream, RecoveringStream):
        owner.append(stream)
    # A streamed key must meet the scrubber whole (durability/held_back.py); `send` and
    # `continue` hand out the whole answer at once.
    return HeldBackText(stream, provider.scrubber(env)) if deliver else stream


def write_stderr(text: str) -> None:
    """The component's stderr (Golem keeps it per worker), looked up at call time."""
    sys.stderr.write(text)
    sys.stderr.flush()


class _OpenStreams:
    """The exchanges of this instance that hold a connection, least recently read first."""

    def __init__(self) -> None:
        self._live: dict[int, "EventSource"] = {}

    def admit(self, source: "EventSource", cap: int) -> None:
        """Count `source` in; past `cap`, close the least recently read one first."""
        while cap > 0 and len(self._live) >= cap:
            oldest = self._live.pop(next(iter(self._live)))
            oldest.evict()
        self._live[id(source)] = source

    def touch(self, source: "EventSource") -> None:
        key = id(source)
        if self._live.pop(key, None) is not None:
            self._live[key] = source

    def forget(self, source: "EventSource") -> None:
        self._live.pop(id(source), None)

    def __len__(self) -> int:
        return len(self._live)


#: What a stream closed to make room says at its next read: one value for all of them, so
#: an abandoned stream that is never read again keeps nothing of its own.
EVICTED = LlmError(
    ErrorCode.INTERNAL_ERROR,
    "the stream was closed because this instance had more streams open than "
    "GOLEM_LLM_MAX_OPEN_STREAMS allows; the one read least recently is closed first")

#: This instance's open exchanges.  Empty when the component is pre-initialised at build
#: time; filled and emptied at run time only.
OPEN_STREAMS = _OpenStreams()


class EventSource(Exchange):
    """One HTTP exchange over wasi:http (an attempt of a `RecoveringStream`): the bytes the
    body has now, fed to the `providers.exchange.Exchange` it is."""

    __slots__ = ("_request", "_body", "_on_evict")

    def __init__(self, provider: Provider, request: Union[HttpRequest, LlmError],
                 env: Optional[Mapping[str, str]] = None,
                 settings: Optional[CallSettings] = None,
                 on_evict: Optional[Callable[[LlmError], None]] = None,
                 log: Optional[CallLog] = None, witness: Witness = no_witness) -> None:
        env = env or {}
        settings = settings or CallSettings(env, {})
        super().__init__(provider, env, settings, log, now_ns())
        self._on_evict = on_evict
        self._request: Optional[PendingResponse] = None
        self._body: Optional[ResponseBody] = None
        if isinstance(request, LlmError):
            self.fail_with(request, Failure.FINAL)
            return
        OPEN_STREAMS.admit(self, settings.int(MAX_OPEN_STREAMS))
        started = start(request, self.timeouts, witness)
        if isinstance(started, TransportError):
            OPEN_STREAMS.forget(self)
            self.fail_with(LlmError(
                ErrorCode.INTERNAL_ERROR,
                f"{provider.name}: request to {_origin(request.url)} failed: {started.message}"),
                Failure.CONNECT if started.retryable else Failure.FINAL)
            return
        self._request = started

    def poll(self) -> Optional[list[StreamEvent]]:
        """Events the bytes available now complete; `None` if none yet; `[]` once ended."""
        pending = self.take_pending()
        if pending:
            return self.mark(pending)
        if self.ended:
            return []
        OPEN_STREAMS.touch(self)
        body = self._body
        if body is None:
            body = self._receive_response()
            if body is None:
                pending = self.take_pending()
                return self.mark(pending) if pending else None
        events: list[StreamEvent] = []
        read_bytes = 0
        follow_until: Optional[int] = None
        waited = False
        while read_bytes < MAX_BYTES_PER_BATCH:
            data = body.read()
            if isinstance(data, TransportError):
                events += self.body_broke(data.message)
                break
            if data is None:
                events += self.body_ended()
                break
            if not data:
                if events or not read_bytes or waited:
                    break
                # Bytes are coming but complete no event yet: follow the frames in flight
                # (see FOLLOW_FRAME_NS) instead of returning empty-handed.
                now = now_ns()
                if follow_until is None:
                    follow_until = now + FOLLOW_FRAMES_NS
                if now >= follow_until:
                    break
                body.wait(min(follow_until, now + FOLLOW_FRAME_NS))
                waited = True
                continue
            waited = False
            read_bytes += len(data)
            events += self.received(data, now_ns())
            if not self.decoding:
                break
        if not events:
            events = self.check_deadline(now_ns())
        return self.mark(coalesce(events)) if events else None

    def _receive_response(self) -> Optional[ResponseBody]:
        """The response, once its status and headers are in (a failure is pending)."""
        request = self._request
        if request is None:
            self.fail_with(LlmError(ErrorCode.INTERNAL_ERROR,
                                    f"{self._provider.name}: the request was closed"),
                           Failure.FINAL)
            return None
        response = request.poll()
        if response is None:
            self.check_deadline(now_ns())
            return None
        self._request = None
        if isinstance(response, TransportError):
            self.request_failed(response.message, response.retryable)
            return None
        self._body = response
        self.response(response.status, response.headers)
        return response

    def wait(self) -> None:
        """Block until there is something to read, or the next deadline passes."""
        if self._pending or self.ended:
            return
        if self._body is not None:
            self._body.wait(self.due_ns)
        elif self._request is not None:
            self._request.wait(self.due_ns)

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        """`poll`, or with `block`, wait until it has something (never `None`)."""
        while True:
            events = self.poll()
            if events is not None or not block:
                return events
            self.wait()

    def evict(self) -> None:
        """Closed to make room for a newer stream (see the module docstring): the stream it
        belongs to ends too (`on_evict`), and lets go of what it held."""
        self.fail_with(EVICTED, Failure.FINAL)
        self.close()
        on_evict, self._on_evict = self._on_evict, None
        if on_evict is not None:
            on_evict(EVICTED)

    def close(self) -> None:
        """Release the exchange: connection, body, decoder.  Safe to call more than once."""
        OPEN_STREAMS.forget(self)
        super().close()
        if self.ended:  # it ended by itself: nothing to tell the stream it belongs to
            self._on_evict = None
        request, self._request = self._request, None
        body, self._body = self._body, None
        if request is not None:
            request.close()
        if body is not None:
            body.close()


def _origin(url: str) -> str:
    """Scheme and host of a URL: enough to say where a request went, never a query secret."""
    head, sep, rest = url.partition("://")
    return head + sep + rest.split("/", 1)[0] if sep else url


class _Evicted:
    """What an evicted stream that records nothing after its end is swapped for: `EVICTED`
    at the next read, after which the resource swaps it for `ENDED` like any ended source.
    One object for every such stream, so one never read again keeps nothing of its own."""

    __slots__ = ()
    ended = True
    keep_after_end = False

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        return [EVICTED]

    def close(self) -> None:
        pass


EVICTED_SOURCE: Source = _Evicted()


class ChatStream(w.ChatStream):
    """The resource handed to the caller.  Every method returns a value, never raises (but
    for an oplog divergence, which must fail the worker).  `source` is a live stream
    (`open_stream`) or, in the durable flavour, a `durability.stream.RecordedStream`."""

    __slots__ = ("_source",)

    def __init__(self, source: Source) -> None:
        self._source = source

    def evicted(self, error: LlmError) -> None:
        """The stream's exchange was closed to make room (see the module docstring).  The
        caller may never read it again (a dropped handle is never freed), so a source that
        records nothing after its end is let go of now, wrappers and all, for one that says
        `EVICTED`.  A durable stream records every call, so it keeps its source, which
        returns the same error through the oplog."""
        if error is EVICTED and not getattr(self._source, "keep_after_end", True):
            self._source = EVICTED_SOURCE

    def get_next(self) -> Optional[list[w.StreamEvent]]:
        return self._next(block=False)

    def blocking_get_next(self) -> list[w.StreamEvent]:
        events = self._next(block=True)
        return [] if events is None else events

    def _next(self, block: bool) -> Optional[list[w.StreamEvent]]:
        source = self._source
        events = guarded("chat-stream", lambda: source.next_batch(block), self._fail)
        # A source that does not say otherwise keeps serving calls after its end (the
        # durable stream records every one); reading a missing attribute must not trap.
        if source.ended and not getattr(source, "keep_after_end", True):
            self._source = ENDED  # nothing of this stream is needed any more
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
        # the moment its finish or error arrives, and lets go of its buffers.  A durable
        # source closes inside persist-nothing (durability/stream.py), as `_fail` does.
        try:
            self._source.close()
        except BaseException:
            pass
