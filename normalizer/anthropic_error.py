"""Anthropic error objects → golem:llm `error`, as HTTP bodies and as in-stream `error` events.

Anthropic has one error shape everywhere (reference/providers.md §2.6):
`{"type": "error", "error": {"type": "<error type>", "message": "..."}, "request_id": "req_..."}`.
Mid-stream the same object arrives as `event: error` (normally `overloaded_error`, the in-band
twin of HTTP 529), and nothing follows it.

- For an HTTP error the **status** decides the code (`code_from_status`, shared with every
  provider), so a body from something in front of the API (Cloudflare's 413 page, an HTML
  502 from a proxy) maps as well as Anthropic's own: 400/404/413 invalid-request, 401/403
  authentication-failed, 429 rate-limit-exceeded, 500/529 internal-error.  The message says
  which status, what it means, the error `type` and `message` from the body and the request
  id (what Anthropic support asks for); `provider_error_json` is the body itself when it is
  JSON, else a JSON object holding the status and the start of the body, so it is always
  valid JSON.
- In a stream there is no status, so the error `type` decides, by the table below; a type
  not in it is UNKNOWN rather than a guess.
"""

from __future__ import annotations

import json
import re
from types import MappingProxyType
from typing import Any, Mapping, Optional

from normalizer.error_body import BODY_SNIPPET, CODE_PHRASES, kept_body_json
from normalizer.error_codes import code_from_status
from normalizer.values import ErrorCode, LlmError

LABEL = "Anthropic"

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

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def error_code_from_type(error_type: Optional[str]) -> ErrorCode:
    """The golem:llm code for an Anthropic error `type` (used where no HTTP status exists)."""
    if not error_type:
        return ErrorCode.UNKNOWN
    return _CODE_BY_TYPE.get(error_type, ErrorCode.UNKNOWN)


def _type_and_message(parsed: Any) -> tuple[Optional[str], Optional[str]]:
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


def _request_id(parsed: Any) -> Optional[str]:
    if isinstance(parsed, dict):
        request_id = parsed.get("request_id")
        if isinstance(request_id, str) and request_id:
            return request_id
    return None


def _describe(error_type: Optional[str], message: Optional[str], request_id: Optional[str]) -> str:
    """`<type>: <message> (request <id>)`, leaving out what is missing."""
    text = message or "no message given"
    if error_type:
        text = f"{error_type}: {text}"
    if request_id:
        text += f" (request {request_id})"
    return text


def _plain_snippet(text: str) -> str:
    """The readable start of a non-JSON body: an HTML page's <title> (a proxy's "502 Bad
    Gateway"), else its text with tags and runs of whitespace removed."""
    title = _TITLE.search(text)
    if title and title.group(1).strip():
        plain = title.group(1)
    else:
        plain = _TAG.sub(" ", text) if "<" in text else text
    plain = " ".join(plain.split())
    return plain[:BODY_SNIPPET] if plain else "(empty body)"


def error_from_body(status: int, body: bytes, label: str = LABEL) -> LlmError:
    """The `LlmError` for a non-2xx HTTP response (see the module docstring)."""
    text = body.decode("utf-8", "replace")
    try:
        parsed: Any = json.loads(text)
        is_json = True
    except ValueError:
        parsed, is_json = None, False
    code = code_from_status(status)
    phrase = "overloaded" if status == 529 else CODE_PHRASES[code]
    error_type, message = _type_and_message(parsed)
    if error_type is None and message is None:
        if is_json:  # JSON in no known shape: show its start
            detail = _describe(None, text.strip()[:BODY_SNIPPET], _request_id(parsed))
        else:
            detail = _plain_snippet(text)
    else:
        detail = _describe(error_type, message, _request_id(parsed))
    return LlmError(code, f"{label} returned HTTP {status} ({phrase}): {detail}",
                    kept_body_json(status, text, is_json))


def error_from_event(event: Any, label: str = LABEL) -> LlmError:
    """The `LlmError` for an in-stream `event: error` (or a 2xx body of `type: "error"`).

    The code comes from `error.type` (no status exists); `provider_error_json` is the whole
    event object, the same `ErrorResponse` shape an HTTP error body has.
    """
    error_type, message = _type_and_message(event)
    code = error_code_from_type(error_type)
    where = f"{label} reported an error mid-stream"
    text = f"{where}: {_describe(error_type, message, _request_id(event))}"
    try:
        provider_json = json.dumps(event, ensure_ascii=False)
    except (TypeError, ValueError):  # cannot happen for parsed JSON; never raise anyway
        provider_json = None
    return LlmError(code, text, provider_json)
