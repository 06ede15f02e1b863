"""When to try a failed request again, and how long to wait first.  Sans-IO: the caller gives
the time and the random number.

Two ways to try again (the stream that does it is `durability/recovery.py`):

- **retry**, before the first event reaches the caller (for `send`/`continue`, before the
  answer is returned): the same request again, after a pause.  Retried: no response at all
  (connection refused or reset, DNS, TLS, no event before the first-event deadline), HTTP
  408, 409, 429, 5xx (529 included), an in-band error that stands for one of those statuses
  (Anthropic's `overloaded_error` before any content, OpenRouter's numeric codes), and a
  body that broke, stopped or went silent.  A response's `x-should-retry: true|false`
  overrides its status, as in the official SDKs.  The pause is the server's
  `retry-after-ms`, else `retry-after` (seconds or an HTTP date), when it is within
  `max_retry_after_ms`; a server that asks for longer is not retried (its error is
  returned at once, so the caller can schedule the wait itself).  Otherwise it is
  exponential: `retry_delay_ms` × 2^n, at most 16 × `retry_delay_ms`, less up to 25 %
  jitter (the SDKs' 0.5 s, 1 s, 2 s ... 8 s).  At most `max_retries` retries (default 2).
- **resume**, after events reached the caller of a stream: one continuation request
  (`durability/continuation.py`) when the body broke, stopped before its end, or went
  silent past the between-events deadline.  At most `max_resumes` (default 1); no pause.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, Mapping, Optional

from normalizer.values import LlmError
from providers.settings import MAX_RESUMES, MAX_RETRIES, MAX_RETRY_AFTER, RETRY_DELAY, CallSettings


class Failure(Enum):
    """How one attempt failed."""

    CONNECT = "connect"      # no response: refused, reset, DNS, TLS, no headers in time
    STATUS = "status"        # an HTTP error status
    IN_BAND = "in-band"      # an error event inside a 2xx stream
    BROKEN = "broken"        # the connection failed in the middle of the body
    TRUNCATED = "truncated"  # the body ended before the stream's end
    TIMED_OUT = "timed-out"  # no event before the deadline
    FINAL = "final"          # never tried again: a refused request, an unreadable answer


#: What a resume can repair: the answer stopped, the provider did not refuse it.
RESUMABLE = frozenset({Failure.BROKEN, Failure.TRUNCATED, Failure.TIMED_OUT})
_RETRIED_ANYWAY = frozenset({Failure.CONNECT, Failure.BROKEN, Failure.TRUNCATED,
                             Failure.TIMED_OUT})


@dataclass(frozen=True)
class AttemptFailure:
    """Why an attempt ended in an error: its kind, and for a response its status, headers
    (lower-case names) and the error it produced."""

    kind: Failure
    status: Optional[int] = None
    headers: Mapping[str, str] = field(default_factory=dict)
    error: Optional[LlmError] = None


def retryable_status(status: int) -> bool:
    """The statuses the official SDKs retry."""
    return status in (408, 409, 429) or status >= 500


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = int(MAX_RETRIES.default)
    max_resumes: int = int(MAX_RESUMES.default)
    retry_delay_ms: int = int(RETRY_DELAY.default)
    max_retry_after_ms: int = int(MAX_RETRY_AFTER.default)

    @staticmethod
    def read(settings: CallSettings) -> "RetryPolicy":
        return RetryPolicy(settings.int(MAX_RETRIES), settings.int(MAX_RESUMES),
                           settings.int(RETRY_DELAY), settings.int(MAX_RETRY_AFTER))

    def retryable(self, failure: AttemptFailure) -> bool:
        """Whether the failure is worth the same request again (before any event)."""
        if failure.kind in _RETRIED_ANYWAY:
            return True
        if failure.kind is Failure.STATUS and failure.status is not None:
            should = (failure.headers.get("x-should-retry") or "").strip().lower()
            if should in ("true", "false"):
                return should == "true"
            return retryable_status(failure.status)
        if failure.kind is Failure.IN_BAND and failure.error is not None:
            status = in_band_status(failure.error.provider_error_json)
            return status is not None and retryable_status(status)
        return False

    def retry_delay(self, failure: AttemptFailure, retries_done: int, random: float,
                    now_s: float) -> Optional[int]:
        """Milliseconds to wait before the next retry, or None for no retry.  `random` is in
        [0, 1) (the jitter), `now_s` the wall clock (for a `retry-after` date)."""
        if retries_done >= self.max_retries or not self.retryable(failure):
            return None
        asked = retry_after_ms(failure.headers, now_s)
        if asked is not None:
            return asked if asked <= self.max_retry_after_ms else None
        return self.backoff_ms(retries_done, random)

    def backoff_ms(self, retries_done: int, random: float) -> int:
        """Exponential, capped at 16 × the first pause, with up to 25 % taken off."""
        base = self.retry_delay_ms
        pause = min(base * 2 ** min(retries_done, 16), base * 16)
        return int(pause * (1 - 0.25 * random))

    def resumable(self, failure: AttemptFailure, resumes_done: int) -> bool:
        return resumes_done < self.max_resumes and failure.kind in RESUMABLE


def retry_after_ms(headers: Mapping[str, str], now_s: float) -> Optional[int]:
    """The pause a response asks for: `retry-after-ms` (milliseconds), else `retry-after`
    (seconds, or an HTTP date); None when it asks for none or says nothing readable."""
    raw = (headers.get("retry-after-ms") or "").strip()
    if raw:
        ms = _number(raw)
        if ms is not None:
            return max(0, int(ms))
    raw = (headers.get("retry-after") or "").strip()
    if not raw:
        return None
    seconds = _number(raw)
    if seconds is not None:
        return max(0, int(seconds * 1000))
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0, int((when.timestamp() - now_s) * 1000))


def _number(text: str) -> Optional[float]:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


# The HTTP status an in-band error stands for, by the words servers use for it.
_ANTHROPIC_TYPES = {"overloaded_error": 529, "api_error": 500, "rate_limit_error": 429,
                    "timeout_error": 504}
_WORDS = (("overloaded", 529), ("server_error", 500), ("timeout", 408), ("rate_limit", 429))


def in_band_status(error_json: Optional[str]) -> Optional[int]:
    """The HTTP status an in-band error object stands for, if it says: Anthropic's error
    `type`, a numeric `code` (OpenRouter uses its HTTP statuses in-band), or the words of a
    Chat Completions `type`/`code` ("server_error", "overloaded", ...)."""
    if not error_json:
        return None
    try:
        parsed: Any = json.loads(error_json)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    inner = parsed.get("error")
    obj = inner if isinstance(inner, dict) else parsed
    kind = obj.get("type")
    if isinstance(kind, str) and kind in _ANTHROPIC_TYPES:
        return _ANTHROPIC_TYPES[kind]
    code = obj.get("code")
    if isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599:
        return code
    if isinstance(code, str) and code.isdigit() and 100 <= int(code) <= 599:
        return int(code)
    words = " ".join(str(obj.get(k) or "") for k in ("type", "code")).lower()
    for word, status in _WORDS:
        if word in words:
            return status
    return None
