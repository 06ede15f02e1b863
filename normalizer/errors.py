"""What every error mapping shares, in both dialects, in a stream and over HTTP.

- The HTTP status decides the golem:llm code for every provider (it is the one thing every
  server gets right), and in-band stream errors (OpenRouter) carry the same numeric codes as
  HTTP statuses, so both paths use this one table.  A server that means a status differently
  says so in its quirks (`chat_completions.quirks.StatusRule`) rather than copying it.
- The code tells the caller whether to retry: `internal-error` is the transient one.  So 408
  (request timeout) and 409 (conflict, e.g. a concurrent request on the same resource) are
  `internal-error`, not `invalid-request`, though they are 4xx: the request itself was fine,
  and the official OpenAI and Anthropic SDKs retry both, as they retry 429 and 5xx.
- A message quotes at most `BODY_SNIPPET` characters of what a server sent, so an HTML error
  page or a long upstream message cannot flood the caller's logs and the oplog.
"""

from __future__ import annotations

from normalizer.values import ErrorCode

#: Characters of a body (or an upstream's message) quoted in an error message.
BODY_SNIPPET = 300

#: 4xx statuses that say "try again" rather than "the request is wrong": request timeout
#: and conflict.
TRANSIENT_4XX = (408, 409)


def code_from_status(status: int) -> ErrorCode:
    """The golem:llm code for an HTTP status (or a numeric in-band code)."""
    if status in (401, 403):
        return ErrorCode.AUTHENTICATION_FAILED
    if status == 429:
        return ErrorCode.RATE_LIMIT_EXCEEDED
    if status in TRANSIENT_4XX:
        return ErrorCode.INTERNAL_ERROR
    if 400 <= status < 500:
        return ErrorCode.INVALID_REQUEST
    if status >= 500:
        return ErrorCode.INTERNAL_ERROR
    return ErrorCode.UNKNOWN
