"""Turn one HTTP response (status, content type, body bytes in any chunks) into stream events.

This is the single path from bytes to golem:llm events, used by the component's chat stream
and by native callers alike.  It owns the stream-level rules that no dialect should have to
repeat: exactly one terminal event (`finish` or `error`), nothing after it, error statuses
mapped through the provider, a non-streamed JSON answer accepted, and transport failures
and parser failures reported as `error` events instead of exceptions.  It also says *why*
a stream ended in an error (`failure`, a `providers.retry.AttemptFailure`), which is what
decides a retry or a resume, and counts the SSE events it has seen (`events_seen`), which is
what the between-events deadline watches.  The terminal event also gets what the response's
headers say (`providers/common/response_headers.py`: the request id, the rate-limit state),
in a finish's `provider-metadata-json` or an error's `provider-error-json`.

The end of a stream.  Every provider shipped here always ends its stream with a marker
(`data: [DONE]` for OpenAI, xAI and OpenRouter; `message_stop` for Anthropic), so a stream
from the provider's own API is complete only at its marker: a body that ends cleanly before
it is a truncation, even after a finish reason (the usage, in the next chunk, would be lost,
and an in-band error may have followed).  For a base URL that is not the provider's own (a
proxy, a gateway, a compatible server: Azure and vLLM omit `[DONE]`), the end of the body
after a finish reason is accepted.  `GOLEM_LLM_END_MARKER` (`required`, `optional`, `auto`
= by the base URL) overrides the rule; `end_marker_required` decides it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Optional

from normalizer.provider_metadata import with_keys
from normalizer.values import ErrorCode, Finish, LlmError, StreamEvent, is_terminal
from providers.common.response_headers import response_facts
from providers.provider import Provider
from providers.retry import AttemptFailure, Failure
from providers.settings import END_MARKER, CallSettings
from sse.events import SseError
from sse.parser import SseParser

# An error body or a non-streamed JSON answer is buffered whole; bound it so a misbehaving
# server cannot exhaust the component's memory.
MAX_BUFFERED_BODY = 32 * 1024 * 1024


def end_marker_required(provider: Provider, env: Optional[Mapping[str, str]],
                        settings: Optional[CallSettings] = None) -> bool:
    """Whether a stream must reach its end marker to be complete (see the module
    docstring).  Without an environment the base URL is unknown, so the end of the body
    after a finish reason is accepted."""
    rule = (settings or CallSettings(env or {}, {})).text(END_MARKER)
    if rule != "auto":
        return rule == "required"
    if env is None:
        return False
    base = (env.get(provider.base_url_env) or "").strip().rstrip("/")
    return not base or base == provider.default_base_url.rstrip("/")


class ResponseDecoder:
    """Sans-IO: `feed(bytes)` while the body arrives, then `end()` (or `fail()`, or
    `time_out()`).

    `env` is the environment the request was built from (to scrub its key from an error
    body, and to know the base URL); `parser` replaces the default SSE parser (e.g. one with
    other line bounds); `headers` are the response's (lower-case names), kept for the retry
    decision; `require_end_marker` overrides `end_marker_required`.
    """

    def __init__(self, provider: Provider, status: int, content_type: str,
                 env: Optional[Mapping[str, str]] = None,
                 parser: Optional[SseParser] = None, *,
                 headers: Optional[Mapping[str, str]] = None,
                 require_end_marker: Optional[bool] = None) -> None:
        self._provider = provider
        self._env = env
        self._status = status
        self._headers = headers or {}
        self._done = False
        self._require_marker = (end_marker_required(provider, env)
                                if require_end_marker is None else require_end_marker)
        ctype = content_type.split(";", 1)[0].strip().lower()
        self._streaming = 200 <= status < 300 and ctype != "application/json"
        self._buffer = bytearray()
        #: SSE events seen (or, for a body that is not a stream, chunks): progress.
        self.events_seen = 0
        #: Why the stream ended in an error; None while it runs and after a finish.
        self.failure: Optional[AttemptFailure] = None
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
            self.events_seen += 1
            if len(self._buffer) + len(chunk) > MAX_BUFFERED_BODY:
                return self._terminate([LlmError(
                    ErrorCode.INTERNAL_ERROR,
                    f"{self._provider.name}: response body larger than "
                    f"{MAX_BUFFERED_BODY} bytes (HTTP {self._status}); not read further",
                )], Failure.FINAL)
            self._buffer += chunk
            return []
        try:
            sse_events = self._parser.feed(chunk)
        except SseError as exc:
            return self._terminate([LlmError(
                ErrorCode.INTERNAL_ERROR, f"{self._provider.name}: unreadable event stream: {exc}")],
                Failure.FINAL)
        if not sse_events:  # most chunks of a slow or byte-sized stream complete no event
            return sse_events
        self.events_seen += len(sse_events)
        out: list[StreamEvent] = []
        feed = self._normalizer.feed
        for sse_event in sse_events:
            out.extend(feed(sse_event))
        return self._terminate(out, Failure.IN_BAND) if any(map(is_terminal, out)) else out

    def end(self) -> list[StreamEvent]:
        """The body ended cleanly."""
        if self._done:
            return []
        if not (200 <= self._status < 300):
            return self._terminate([self._error_response()], Failure.STATUS)
        if not self._streaming:
            return self._terminate(self._provider.events_from_json(bytes(self._buffer)),
                                   Failure.FINAL)
        try:
            self._parser.finish()
        except SseError as exc:  # an over-long line whose error was deferred to the end
            return self._terminate([LlmError(
                ErrorCode.INTERNAL_ERROR, f"{self._provider.name}: unreadable event stream: {exc}")],
                Failure.FINAL)
        events = self._normalizer.end()
        if self._require_marker and events and isinstance(events[-1], Finish):
            # Complete only at the end marker: a finish reason is not the end of the stream.
            events = events[:-1] + [LlmError(
                ErrorCode.INTERNAL_ERROR,
                f"{self._provider.name}: the response ended after its finish reason but before "
                f"the end of the stream (truncated; the usage and anything after it were lost)")]
        return self._terminate(events, Failure.TRUNCATED)

    def fail(self, reason: str) -> list[StreamEvent]:
        """The transport broke (connection reset, protocol error) before the body ended."""
        if self._done:
            return []
        if not (200 <= self._status < 300):
            # The status alone still says what went wrong; keep what body we have.
            return self._terminate([self._error_response()], Failure.STATUS)
        return self._terminate([LlmError(
            ErrorCode.INTERNAL_ERROR,
            f"{self._provider.name}: the response was cut off before it finished ({reason})",
        )], Failure.BROKEN)

    def time_out(self, reason: str) -> list[StreamEvent]:
        """The deadline for the next event passed (`reason` says which)."""
        if self._done:
            return []
        if not (200 <= self._status < 300):
            return self._terminate([self._error_response()], Failure.STATUS)
        return self._terminate([LlmError(
            ErrorCode.INTERNAL_ERROR,
            f"{self._provider.name}: the response stalled: {reason}",
        )], Failure.TIMED_OUT)

    def _error_response(self) -> LlmError:
        return self._provider.error_from_response(self._status, bytes(self._buffer), self._env)

    def _terminate(self, events: list[StreamEvent], kind: Failure) -> list[StreamEvent]:
        """Keep events up to and including the first terminal one; if none, add a truncation
        error so a stream can never end silently.  An error ending records its `failure`
        (`kind`, which a missing terminal event makes a truncation)."""
        self._done = True
        self._buffer = bytearray()
        for i, event in enumerate(events):
            if is_terminal(event):
                event = self._with_response_facts(event)
                if isinstance(event, LlmError):
                    self._fail_as(kind, event)
                return events[:i] + [event]
        error = LlmError(
            ErrorCode.INTERNAL_ERROR,
            f"{self._provider.name}: the response ended without a finish event (truncated)",
        )
        self._fail_as(Failure.TRUNCATED if kind is not Failure.FINAL else kind, error)
        return events + [error]

    def _with_response_facts(self, event: StreamEvent) -> StreamEvent:
        """The terminal `event` with the request id and rate-limit state of the response's
        headers: in a finish's `provider_metadata_json`, or added to an error's
        `provider_error_json` (keeping what the provider's body says, such as Anthropic's
        own `request_id`)."""
        facts = response_facts(self._headers, self._provider.request_id_header)
        if isinstance(event, Finish):
            metadata = event.metadata
            if (self._provider.response_id_is_request_id and "request_id" not in facts
                    and metadata.provider_id):
                facts["request_id"] = metadata.provider_id
            if not facts:
                return event
            return Finish(replace(metadata, provider_metadata_json=with_keys(
                metadata.provider_metadata_json, facts, documented_order=True)))
        if isinstance(event, LlmError) and facts:
            return replace(event, provider_error_json=with_keys(
                event.provider_error_json, facts, overwrite=False))
        return event

    def _fail_as(self, kind: Failure, error: LlmError) -> None:
        status = self._status if kind is Failure.STATUS else None
        self.failure = AttemptFailure(kind, status, self._headers, error)
