"""An Anthropic `event: error` inside a stream → golem:llm `error`.

Anthropic has one error shape everywhere (reference/providers.md §2.6):
`{"type": "error", "error": {"type": "<error type>", "message": "..."}, "request_id": "req_..."}`.
Mid-stream it arrives as `event: error` (normally `overloaded_error`, the in-band twin of
HTTP 529), and nothing follows it.  In a stream there is no status, so the error `type`
decides, by the table below; a type not in it is UNKNOWN rather than a guess.  HTTP error
bodies have the same shape; `providers/anthropic_messages/errors.py` maps them by status,
reading them with the helpers here (`type_and_message`, `request_id`, `describe`).
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any, Mapping, Optional

from normalizer.values import ErrorCode, LlmError

#: Anthropic's error types (the SDK's `ErrorType` plus the documented `request_too_large`).
#: `billing_error` (credit balance exhausted) is grouped with rate limits, as OpenAI's
#: `insufficient_quota` is: the account may not spend more right now.
_CODE_BY_TYPE: Mapping[str, ErrorCode] = MappingProxyType(
    {
        "invalid_request_error": ErrorCode.INVALID_REQUEST,
        "not_found_error": ErrorCode.INVALID_REQUEST,
        "request_too_large": ErrorCode.INVALID_REQUEST,
        "authentication_error": ErrorCode.AUTHENTICATION_FAILED,
        "permission_error": ErrorCode.AUTHENTICATION_FAILED,
        "rate_limit_error": ErrorCode.RATE_LIMIT_EXCEEDED,
        "billing_error": ErrorCode.RATE_LIMIT_EXCEEDED,
        "api_error": ErrorCode.INTERNAL_ERROR,
        "overloaded_error": ErrorCode.INTERNAL_ERROR,
        "timeout_error": ErrorCode.INTERNAL_ERROR,
    }
)


def error_from_event(event: Any, label: str) -> LlmError:
    """The `LlmError` for an in-stream `event: error` (or a 2xx body of `type: "error"`)
    from the provider `label` names.

    The code comes from `error.type` (no status exists); `provider_error_json` is the whole
    event object, the same `ErrorResponse` shape an HTTP error body has.
    """
    error_type, message = type_and_message(event)
    code = error_code_from_type(error_type)
    where = f"{label} reported an error mid-stream"
    text = f"{where}: {describe(error_type, message, request_id(event))}"
    try:
        provider_json = json.dumps(event, ensure_ascii=False)
    except (TypeError, ValueError):  # cannot happen for parsed JSON; never raise anyway
        provider_json = None
    return LlmError(code, text, provider_json)


def error_code_from_type(error_type: Optional[str]) -> ErrorCode:
    """The golem:llm code for an Anthropic error `type` (used where no HTTP status exists)."""
    if not error_type:
        return ErrorCode.UNKNOWN
    return _CODE_BY_TYPE.get(error_type, ErrorCode.UNKNOWN)


def type_and_message(parsed: Any) -> tuple[Optional[str], Optional[str]]:
    """(error type, message) from Anthropic's shape, or from the flatter shapes a proxy or
    an OpenAI-style gateway might send instead; None for what is not there."""
    if not isinstance(parsed, dict):
        return None, None
    error = parsed.get("error")
    if isinstance(error, dict):
        error_type = error.get("type")
        message = error.get("message")
        return (
            error_type if isinstance(error_type, str) and error_type else None,
            message if isinstance(message, str) and message else None,
        )
    if isinstance(error, str) and error:
        return None, error
    for key in ("message", "detail"):
        message = parsed.get(key)
        if isinstance(message, str) and message:
            return None, message
    return None, None


def request_id(parsed: Any) -> Optional[str]:
    """The `request_id` Anthropic support asks for, when the body has one."""
    if isinstance(parsed, dict):
        value = parsed.get("request_id")
        if isinstance(value, str) and value:
            return value
    return None


def describe(error_type: Optional[str], message: Optional[str], request: Optional[str]) -> str:
    """`<type>: <message> (request <id>)`, leaving out what is missing."""
    text = message or "no message given"
    if error_type:
        text = f"{error_type}: {text}"
    if request:
        text += f" (request {request})"
    return text
