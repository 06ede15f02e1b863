"""OpenAI-family error objects → golem:llm `error`, in-band (stream chunks) and as HTTP bodies.

The shapes this accepts, all seen in recorded traffic or documented (reference §3.5, §4,
§5.3, §7.6):

- OpenAI:      `{"error": {"message", "type", "param", "code": "<string>"|null}}`
- OpenRouter:  `{"error": {"code": 502 | "server_error", "message", "metadata": {...}}}`
- xAI (flat):  `{"code": "Client specified an invalid argument", "error": "<message>"}`
- vLLM:        `{"object": "error", "message", "type", "code": 400}`
- anything else: a plain `{"message": ...}` / `{"detail": ...}`, or not JSON at all.

For an HTTP error the status decides the code (it is the one thing every server gets right);
inside a stream the status is 200, so a numeric `code` stands in for it and, failing that,
the words in `type` / `code` / `metadata.error_type` decide.  Where a server means a status
differently (OpenRouter's 402, xAI's wrong-key 400) its `ChatQuirks` says so
(`status_rules`, `auth_error_phrases`), so each provider's errors are mapped by its own
table and OpenAI's by the defaults.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from normalizer.chat_quirks import OPENAI_QUIRKS, ChatQuirks
from normalizer.error_body import BODY_SNIPPET, CODE_PHRASES, kept_body_json
from normalizer.error_codes import code_from_status
from normalizer.values import ErrorCode, LlmError

# Checked in this order: "invalid_api_key" must be an authentication failure, not an
# invalid request, so the authentication words come first.
_KEYWORD_CODES: tuple[tuple[tuple[str, ...], ErrorCode], ...] = (
    (("authentication", "invalid_api_key", "api_key", "permission", "unauthorized"),
     ErrorCode.AUTHENTICATION_FAILED),
    (("rate_limit", "insufficient_quota", "quota", "too_many_requests"),
     ErrorCode.RATE_LIMIT_EXCEEDED),
    (("invalid", "not_found", "context_length"), ErrorCode.INVALID_REQUEST),
    (("server", "overloaded", "timeout", "unavailable"), ErrorCode.INTERNAL_ERROR),
)


def _numeric_code(value: Any) -> Optional[int]:
    """An HTTP-status-like code given as an int or a digit string (OpenRouter, vLLM)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _words(obj: dict) -> str:
    """The lowercased `type`, string `code` and OpenRouter `metadata.error_type`, joined."""
    parts = []
    for key in ("type", "code"):
        value = obj.get(key)
        if isinstance(value, str):
            parts.append(value)
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        error_type = metadata.get("error_type")
        if isinstance(error_type, str):
            parts.append(error_type)
    return " ".join(parts).lower().replace(" ", "_")


def _code_from_words(words: str) -> ErrorCode:
    for keywords, code in _KEYWORD_CODES:
        for keyword in keywords:
            if keyword in words:
                return code
    return ErrorCode.UNKNOWN


def status_code(status: int, quirks: ChatQuirks = OPENAI_QUIRKS) -> ErrorCode:
    """The golem:llm code for an HTTP status (or a numeric in-band code) from this server."""
    rule = quirks.status_rule(status)
    return rule.code if rule is not None else code_from_status(status)


def _is_auth_message(quirks: ChatQuirks, *texts: object) -> bool:
    """True when one of the server's authentication phrases is in one of `texts`."""
    phrases = quirks.auth_error_phrases
    if not phrases:
        return False
    for text in texts:
        if isinstance(text, str) and text:
            lowered = text.lower()
            if any(phrase in lowered for phrase in phrases):
                return True
    return False


def _refine(code: ErrorCode, quirks: ChatQuirks, *texts: object) -> ErrorCode:
    """An invalid-request or unknown error that says it is about the API key is an
    authentication failure on servers that send one that way (xAI's 400)."""
    if code in (ErrorCode.INVALID_REQUEST, ErrorCode.UNKNOWN) and _is_auth_message(quirks, *texts):
        return ErrorCode.AUTHENTICATION_FAILED
    return code


def error_code_from_object(obj: dict, quirks: ChatQuirks = OPENAI_QUIRKS) -> ErrorCode:
    """The golem:llm code for one error object found in a stream (no HTTP status known)."""
    status = _numeric_code(obj.get("code"))
    if status is not None:
        code = status_code(status, quirks)
    else:
        code = _code_from_words(_words(obj))
    message = obj.get("message")
    if message is None and isinstance(obj.get("error"), str):
        message = obj.get("error")  # xAI's flat shape: the message is the `error` string
    return _refine(code, quirks, message, obj.get("code"))


def _kind(obj: dict) -> str:
    """A short label for the message: OpenAI's `type`, else a string `code`."""
    for key in ("type", "code"):
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def error_from_chunk(chunk: dict, label: Optional[str] = None, *,
                     quirks: ChatQuirks = OPENAI_QUIRKS) -> LlmError:
    """The `LlmError` for a stream chunk that `is_error_chunk` accepted.

    `label` defaults to the quirks' label.  `provider_error_json` is the JSON of the error
    object itself (the whole chunk for the flat xAI and vLLM shapes, where the error *is*
    the chunk).
    """
    label = label or quirks.label
    error = chunk.get("error")
    if isinstance(error, dict):
        obj = error
        message = error.get("message")
        if isinstance(message, str) and message:
            message = _with_upstream_detail(message, error)
    elif isinstance(error, str):
        obj = chunk
        message = error
    else:  # vLLM {"object": "error", ...} or an error object we only know is truthy
        obj = chunk
        message = chunk.get("message")
        if message is None and error:
            message = str(error)
    code = error_code_from_object(obj, quirks)
    kind = _kind(obj)
    text = str(message) if message else "no message given"
    prefix = f"{label} reported an error mid-stream"
    if kind:
        prefix += f" ({kind})"
    status = _numeric_code(obj.get("code"))
    rule = quirks.status_rule(status) if status is not None else None
    if rule is not None and rule.note and code is rule.code:
        text = f"{rule.note} {label} said: {text}"
    return LlmError(code, f"{prefix}: {text}", json.dumps(obj, ensure_ascii=False))


def is_error_chunk(chunk: dict) -> bool:
    """True for a parsed chunk that is an error: a truthy top-level `error` (OpenAI,
    OpenRouter; openai-python applies the same test) or vLLM's `"object": "error"`."""
    return bool(chunk.get("error")) or chunk.get("object") == "error"


def _with_upstream_detail(message: str, error: dict) -> str:
    """OpenRouter wraps an upstream failure as "Provider returned error" and puts the useful
    part in `metadata.raw` (with `metadata.provider_name`): append it, shortened."""
    metadata = error.get("metadata")
    if not isinstance(metadata, dict):
        return message
    detail = metadata.get("raw")
    if not isinstance(detail, str) or not detail or detail in message:
        return message
    provider = metadata.get("provider_name")
    source = f"{provider} said" if isinstance(provider, str) and provider else "upstream said"
    return f"{message} ({source}: {detail[:BODY_SNIPPET]})"


def _message_from_body(parsed: Any) -> Optional[str]:
    """The human message inside an error body, whatever the server's shape."""
    if not isinstance(parsed, dict):
        return None
    error = parsed.get("error")
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, str) and message:
            return _with_upstream_detail(message, error)
    elif isinstance(error, str) and error:
        return error
    for key in ("message", "detail"):
        message = parsed.get(key)
        if isinstance(message, str) and message:
            return message
    return None


def _phrase(code: ErrorCode, parsed: Any) -> str:
    """Why the request failed, in words; a 429 for an exhausted quota says so, because
    unlike a rate limit it does not go away by waiting."""
    if code is ErrorCode.RATE_LIMIT_EXCEEDED and isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, dict) and "quota" in _words(error):
            return "quota exhausted"
    return CODE_PHRASES[code]


def error_from_body(status: int, body: bytes, label: Optional[str] = None, *,
                    quirks: ChatQuirks = OPENAI_QUIRKS) -> LlmError:
    """The `LlmError` for a non-2xx HTTP response.

    The status decides the code (`status_code`: the shared table, refined by the server's
    `status_rules`); a 4xx whose message is about the API key is an authentication failure
    on servers with `auth_error_phrases`.  The message names the provider (`label`, default
    the quirks' label), the status and its meaning, the rule's note if any, then the
    provider's own message, or the start of the body when there is none.
    `provider_error_json` is the body when it is JSON; otherwise a JSON object holding the
    status and (the start of) the body, so it is always valid JSON.
    """
    label = label or quirks.label
    text = body.decode("utf-8", "replace")
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = None
    message = _message_from_body(parsed)
    code = status_code(status, quirks)
    if 400 <= status < 500:
        flat_code = parsed.get("code") if isinstance(parsed, dict) else None
        code = _refine(code, quirks, message, flat_code)
    rule = quirks.status_rule(status)
    if rule is not None and code is not rule.code:
        rule = None  # refined away from the rule's meaning (a key problem): say that instead
    phrase = rule.phrase if rule is not None else _phrase(code, parsed)
    if message is None:
        snippet = text.strip()[:BODY_SNIPPET]
        message = snippet if snippet else "(empty body)"
    if rule is not None and rule.note:
        message = f"{rule.note} {label} said: {message}"
    full = f"{label} returned HTTP {status} ({phrase}): {message}"
    return LlmError(code, full, kept_body_json(status, text, parsed is not None))
