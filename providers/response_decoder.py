"""Turn one HTTP response (status, content type, body bytes in any chunks) into stream events.

This is the single path from bytes to golem:llm events, used by the component's chat stream
and by native callers alike.  It owns the stream-level rules that no dialect should have to
repeat: exactly one terminal event (`finish` or `error`), nothing after it, error statuses
mapped through the provider, a non-streamed JSON answer accepted, and transport failures
and parser failures reported as `error` events instead of exceptions.
"""

from __future__ import annotations

from typing import Mapping, Optional

from normalizer.values import ErrorCode, LlmError, StreamEvent, is_terminal
from providers.provider import Provider
from sse.events import SseError
from sse.parser import SseParser

# An error body or a non-streamed JSON answer is buffered whole; bound it so a misbehaving
# server cannot exhaust the component's memory.
MAX_BUFFERED_BODY = 32 * 1024 * 1024


class ResponseDecoder:
    """Sans-IO: `feed(bytes)` while the body arrives, then `end()` (or `fail()`).

    `env` is the environment the request was built from (to scrub its key from an error
    body); `parser` replaces the default SSE parser (e.g. one with other line bounds).
    """

    def __init__(self, provider: Provider, status: int, content_type: str,
                 env: Optional[Mapping[str, str]] = None,
                 parser: Optional[SseParser] = None) -> None:
        self._provider = provider
        self._env = env
        self._status = status
        self._done = False
        ctype = content_type.split(";", 1)[0].strip().lower()
        self._streaming = 200 <= status < 300 and ctype != "application/json"
        self._buffer = bytearray()
        if self._streaming:
            self._parser = parser if parser is not None else SseParser()
            self._normalizer = provider.normalizer()

    @property
    def done(self) -> bool:
        """True once the terminal event has been produced; later input is ignored."""
        return self._done

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if self._done or not chunk:
            return []
        if not self._streaming:
            if len(self._buffer) + len(chunk) > MAX_BUFFERED_BODY:
                return self._terminate([LlmError(
                    ErrorCode.INTERNAL_ERROR,
                    f"{self._provider.name}: response body larger than "
                    f"{MAX_BUFFERED_BODY} bytes (HTTP {self._status}); not read further",
                )])
            self._buffer += chunk
            return []
        try:
            sse_events = self._parser.feed(chunk)
        except SseError as exc:
            return self._terminate([LlmError(
                ErrorCode.INTERNAL_ERROR, f"{self._provider.name}: unreadable event stream: {exc}")])
        if not sse_events:  # most chunks of a slow or byte-sized stream complete no event
            return sse_events
        out: list[StreamEvent] = []
        feed = self._normalizer.feed
        for sse_event in sse_events:
            out.extend(feed(sse_event))
        return self._terminate(out) if any(map(is_terminal, out)) else out

    def end(self) -> list[StreamEvent]:
        """The body ended cleanly."""
        if self._done:
            return []
        if not (200 <= self._status < 300):
            return self._terminate([self._error_response()])
        if not self._streaming:
            return self._terminate(self._provider.events_from_json(bytes(self._buffer)))
        try:
            self._parser.finish()
        except SseError as exc:  # an over-long line whose error was deferred to the end
            return self._terminate([LlmError(
                ErrorCode.INTERNAL_ERROR, f"{self._provider.name}: unreadable event stream: {exc}")])
        return self._terminate(self._normalizer.end())

    def fail(self, reason: str) -> list[StreamEvent]:
        """The transport broke (connection reset, protocol error) before the body ended."""
        if self._done:
            return []
        if not (200 <= self._status < 300):
            # The status alone still says what went wrong; keep what body we have.
            return self._terminate([self._error_response()])
        return self._terminate([LlmError(
            ErrorCode.INTERNAL_ERROR,
            f"{self._provider.name}: the response was cut off before it finished ({reason})",
        )])

    def _error_response(self) -> LlmError:
        return self._provider.error_from_response(self._status, bytes(self._buffer), self._env)

    def _terminate(self, events: list[StreamEvent]) -> list[StreamEvent]:
        """Keep events up to and including the first terminal one; if none, add a truncation
        error so a stream can never end silently."""
        for i, event in enumerate(events):
            if is_terminal(event):
                self._done = True
                self._buffer = bytearray()
                return events[: i + 1]
        self._done = True
        return events + [LlmError(
            ErrorCode.INTERNAL_ERROR,
            f"{self._provider.name}: the response ended without a finish event (truncated)",
        )]
