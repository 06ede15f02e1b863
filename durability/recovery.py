"""One stream over several attempts: retries before the caller has any event, resumes after.

An attempt is one HTTP exchange (`components/chat_stream.py`'s `EventSource`, natively any
`Attempt`).  When it ends in an error, `RecoveringStream` asks the policy
(`providers/retry.py`) what to do:

- nothing has reached the caller yet: a retryable failure opens the same request again
  after the policy's pause (`get-next` answers `none` meanwhile, `blocking-get-next` sleeps
  on the clock), and the failed attempt's events are dropped;
- events have reached the caller: a broken, truncated or stalled body opens one
  continuation request (`durability/continuation.py`: the partial answer as a prefill
  where the provider continues one, a continuation prompt otherwise), and the caller keeps
  reading one stream with one finish.  After a prefill without its trailing whitespace,
  the whitespace the model repeats is dropped;
- otherwise, or when the attempts run out, the error ends the stream, as it always did.

`send`/`continue` run the same stream with `deliver=False`: every event is held until the
terminal one, so nothing reaches their caller before the answer is whole, and any retryable
failure, even mid-answer, starts the answer over (no continuation is ever needed).

The finish of a stream that took more than one request says so in its
`provider-metadata-json`: `"attempts"` (requests sent) and `"resumes"` (of them,
continuations), keys of the one metadata shape (`normalizer/provider_metadata.py`); an error
after retries says how many attempts it took, in its message and, as the same two keys,
beside the provider's body in its `provider-error-json`.  In the durable
flavour all of this runs inside the live half of one durable call (`durability/stream.py`),
so what the caller sees is what is recorded, and replay sends nothing.

When the stream ends it lets go of everything it held (the attempt, the partial answer, the
opener with the request's messages, the policy and the clock), so an ended stream that
nobody drops (componentize-py 0.23.0 runs no destructor) keeps only its own slots, and
the resource replaces even that with `durability.source.ENDED`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Optional, Protocol

from durability.continuation import Partial
from normalizer.provider_metadata import with_keys
from normalizer.values import (
    Finish,
    LlmError,
    StreamDelta,
    StreamEvent,
    Text,
    ToolCall,
    is_terminal,
)
from providers.retry import AttemptFailure, Failure, RetryPolicy

Batch = Optional[list[StreamEvent]]


class Attempt(Protocol):
    """One exchange: a `durability.source.Source` that says why it failed."""

    ended: bool
    failure: Optional[AttemptFailure]

    def next_batch(self, block: bool) -> Batch: ...

    def close(self) -> None: ...


class Clock(Protocol):
    """Monotonic time in nanoseconds, a blocking sleep, a random number in [0, 1) and the
    wall clock in seconds (for a `retry-after` date)."""

    def now_ns(self) -> int: ...

    def sleep_until(self, when_ns: int) -> None: ...

    def random(self) -> float: ...

    def wall_s(self) -> float: ...


#: Opens an attempt for a partial answer (empty: the original request); True when the
#: partial went as a prefill without its trailing whitespace.
OpenAttempt = Callable[[Partial], tuple[Attempt, bool]]

#: Told once, when the stream ends: requests sent, of them retries and resumes, and how it
#: ended (`outcome`).  The request log's hook (`providers/request_log.py`).
OnEnd = Callable[[int, int, int, str], None]


def outcome(events: list[StreamEvent]) -> str:
    """How a stream that ends with `events` ended, in a word: the finish reason, the error
    code, or `closed` (the caller let go first)."""
    last = events[-1] if events else None
    if isinstance(last, Finish):
        reason = last.metadata.finish_reason
        return reason.value if reason is not None else "finish"
    if isinstance(last, LlmError):
        return "error:" + last.code.value
    return "closed"

_MS = 1_000_000

class RecoveringStream:
    """`Source` over attempts (see the module docstring).  `partial` is what the caller
    already has (a stream resumed after a crash); `deliver=False` holds the events until
    the end (`send`/`continue`)."""

    keep_after_end = False

    __slots__ = ("_open", "_policy", "_clock", "_deliver", "_text", "_calls", "_handed_out",
                 "_held", "_attempt", "_trim", "_retry_at", "_attempts", "_retries",
                 "_resumes", "_last", "_on_end", "ended")

    def __init__(self, open_attempt: OpenAttempt, policy: RetryPolicy, clock: Clock, *,
                 partial: Partial = Partial(), deliver: bool = True,
                 on_end: Optional[OnEnd] = None) -> None:
        self._on_end = on_end
        self._open: Optional[OpenAttempt] = open_attempt
        self._policy = policy
        self._clock = clock
        self._deliver = deliver
        self._text: list[str] = [partial.text] if partial.text else []
        self._calls: list[ToolCall] = list(partial.tool_calls)
        self._handed_out = not partial.empty
        self._held: list[StreamEvent] = []
        self._attempt: Optional[Attempt] = None
        self._trim = False
        self._retry_at: Optional[int] = None
        self._attempts = self._retries = self._resumes = 0
        self._last: Optional[LlmError] = None  # what an abandoned stream still has to say
        self.ended = False
        self._start(resume=not partial.empty)

    # -- the Source protocol -----------------------------------------------------------------

    def next_batch(self, block: bool) -> Batch:
        while True:
            if self.ended:
                last, self._last = self._last, None
                return [] if last is None else [last]
            if self._attempt is None:  # a retry is due at `_retry_at`
                if not self._retry_due(block):
                    return None
                self._start(resume=False)
                continue
            batch = self._attempt.next_batch(block)
            if batch is None:
                return None
            if not batch:  # the attempt ended without a terminal event it could tell
                return self._end([])
            if self._trim:
                batch = self._trim_leading_space(batch)
            last = batch[-1] if batch else None
            if isinstance(last, LlmError):
                outcome = self._after_error(batch[:-1], last)
                if outcome is not None:
                    return outcome
                continue
            if isinstance(last, Finish):
                return self._end(self._held + batch[:-1] + [self._finish(last)])
            if batch and self._deliver:
                self._note(batch)
                return batch
            self._held += batch
            if not block:
                return None

    def close(self) -> None:
        """The caller is done with the stream: close the exchange, open no other."""
        self._end([])

    def abandon(self, error: LlmError) -> None:
        """End the stream now (its exchange was closed for it, e.g. to make room for newer
        streams): let go of everything; the next `next_batch` returns `error`."""
        if not self.ended:
            self._end([])
            self._last = error

    def _drop_attempt(self) -> None:
        attempt, self._attempt = self._attempt, None
        if attempt is not None:
            attempt.close()

    # -- attempts --------------------------------------------------------------------------

    def _start(self, resume: bool) -> None:
        """Open the next attempt: the continuation of what the caller has (`resume`), or
        the original request (a retry happens only before the caller has anything)."""
        opener = self._open
        if opener is None:
            return
        partial = Partial("".join(self._text), tuple(self._calls)) if resume else Partial()
        self._attempts += 1
        if resume:
            self._resumes += 1
        self._attempt, self._trim = opener(partial)

    def _retry_due(self, block: bool) -> bool:
        due = self._retry_at or 0
        if self._clock.now_ns() < due:
            if not block:
                return False
            self._clock.sleep_until(due)
        self._retry_at = None
        return True

    def _after_error(self, before: list[StreamEvent], error: LlmError) -> Batch:
        """The attempt ended in `error` after `before`: retry, resume or end.  None means
        "read on" (the next attempt is open or due)."""
        attempt = self._attempt
        failure = (attempt.failure if attempt is not None else None) or AttemptFailure(
            Failure.FINAL, error=error)
        if not (self._deliver and self._handed_out):
            delay = self._policy.retry_delay(failure, self._retries, self._clock.random(),
                                             self._clock.wall_s())
            if delay is not None:
                self._retries += 1
                self._drop_attempt()
                self._held = []
                self._retry_at = self._clock.now_ns() + delay * _MS
                return None
        elif self._policy.resumable(failure, self._resumes):
            self._drop_attempt()
            if before:
                self._note(before)
            self._start(resume=True)
            return before or None
        return self._end(self._held + before + [self._final_error(error)])

    def _note(self, batch: list[StreamEvent]) -> None:
        """The caller gets `batch`: remember its text and tool calls for a resume."""
        self._handed_out = True
        for event in batch:
            if isinstance(event, StreamDelta):
                for part in event.content or ():
                    if isinstance(part, Text):
                        self._text.append(part.text)
                self._calls.extend(event.tool_calls or ())

    def _end(self, events: list[StreamEvent]) -> list[StreamEvent]:
        """The stream ends with `events`: let go of everything it held, down to the policy
        and the clock (a dropped stream is never freed, so what stays is this object's
        slots and nothing they point to)."""
        self.ended = True
        self._drop_attempt()
        on_end, self._on_end = self._on_end, None
        if on_end is not None:
            on_end(self._attempts, self._retries, self._resumes, outcome(events))
        self._open = None
        self._policy = self._clock = None  # type: ignore[assignment]
        self._text = self._calls = self._held = ()  # type: ignore[assignment]
        return events

    # -- what the caller is told -----------------------------------------------------------

    def _finish(self, finish: Finish) -> Finish:
        if self._attempts <= 1 and not self._resumes:
            return finish
        raw = with_keys(finish.metadata.provider_metadata_json,
                        {"attempts": self._attempts, "resumes": self._resumes},
                        documented_order=True)
        return Finish(replace(finish.metadata, provider_metadata_json=raw))

    def _final_error(self, error: LlmError) -> LlmError:
        if self._attempts <= 1:
            return error
        resumed = f", {self._resumes} of them to resume" if self._resumes else ""
        body = with_keys(error.provider_error_json,
                         {"attempts": self._attempts, "resumes": self._resumes}, overwrite=False)
        return replace(error, message=f"{error.message} (after {self._attempts} attempts"
                                      f"{resumed})", provider_error_json=body)

    def _trim_leading_space(self, batch: list[StreamEvent]) -> list[StreamEvent]:
        """After a prefill without its trailing whitespace, drop the whitespace the model
        repeats at the start of its continuation (the caller already has it)."""
        out: list[StreamEvent] = []
        for event in batch:
            if self._trim and isinstance(event, StreamDelta) and event.content:
                parts = list(event.content)
                first = parts[0]
                if isinstance(first, Text):
                    stripped = first.text.lstrip()
                    if stripped or len(parts) > 1 or event.tool_calls:
                        self._trim = False
                    parts[0] = Text(stripped)
                    if not stripped:
                        parts.pop(0)
                    event = StreamDelta(tuple(parts) or None, event.tool_calls)
                else:
                    self._trim = False
                if not event.content and not event.tool_calls:
                    continue
            elif is_terminal(event) or (isinstance(event, StreamDelta) and event.tool_calls):
                self._trim = False
            out.append(event)
        return out
