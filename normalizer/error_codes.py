"""HTTP status → golem:llm error-code, shared by every provider and by in-band errors.

In-band stream errors (OpenRouter) carry the same numeric codes as HTTP statuses, so both
paths use this one table.  Provider modules refine it where their API differs (e.g. xAI's
wrong-key 400) rather than copying it.
"""

from __future__ import annotations

from normalizer.values import ErrorCode


def code_from_status(status: int) -> ErrorCode:
    if status in (401, 403):
        return ErrorCode.AUTHENTICATION_FAILED
    if status == 429:
        return ErrorCode.RATE_LIMIT_EXCEEDED
    if 400 <= status < 500:
        return ErrorCode.INVALID_REQUEST
    if status >= 500:
        return ErrorCode.INTERNAL_ERROR
    return ErrorCode.UNKNOWN
