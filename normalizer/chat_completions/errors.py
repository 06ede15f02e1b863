"""Error objects inside a Chat Completions stream → golem:llm `error`.

The shapes this accepts, all seen in recorded traffic or documented (reference §3.5, §4,
§5.3, §7.6):

- OpenAI:      `{"error": {"message", "type", "param", "code": "<string>"|null}}`
- OpenRouter:  `{"error": {"code": 502 | "server_error", "message", "metadata": {...}}}`
- xAI (flat):  `{"code": "Client specified an invalid argument", "error": "<message>"}`
- vLLM:        `{"object": "error", "message", "type", "code": 400}`

Inside a stream the status is 200, so a numeric `code` stands in for it and, failing that,
the words in `type` / `code` / `metadata.error_type` decide.  Where a server means a status
differently (OpenRouter's in-band 402, xAI's wrong-key phrases) its `ChatQuirks` says so.
HTTP error bodies come in the same shapes; `providers/chat_completions/errors.py` maps them,
reading them with the helpers here (`error_words`, `with_upstream_detail`).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.errors import BODY_SNIPPET
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


def is_error_chunk(chunk: dict) -> bool:
    """True for a parsed chunk that is an error: a truthy top-level `error` (OpenAI,
    OpenRouter; openai-python applies the same test) or vLLM's `"object": "error"`."""
    return bool(chunk.get("error")) or chunk.get("object") == "error"


def error_from_chunk(chunk: dict, label: str, quirks: ChatQuirks) -> LlmError:
    """The `LlmError` for a stream chunk that `is_error_chunk` accepted; `label` names the
    provider.  `provider_error_json` is the JSON of the error object itself (the whole
    chunk for the flat xAI and vLLM shapes, where the error *is* the chunk)."""
    error = chunk.get("error")
    if isinstance(error, dict):
        obj = error
        message = error.get("message")
        if isinstance(message, str) and message:
            message = with_upstream_detail(message, error)
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
    rule = quirks.status_rule(status, obj) if status is not None else None
    if rule is not None and rule.note and code is rule.code:
        text = f"{rule.note} {label} said: {text}"
    return LlmError(code, f"{prefix}: {text}", json.dumps(obj, ensure_ascii=False))


def error_code_from_object(obj: dict, quirks: ChatQuirks) -> ErrorCode:
    """The golem:llm code for one error object found in a stream (no HTTP status known)."""
    status = _numeric_code(obj.get("code"))
    if status is not None:
        code = quirks.code_for_status(status, obj)
    else:
        code = _code_from_words(error_words(obj))
    message = obj.get("message")
    if message is None and isinstance(obj.get("error"), str):
        message = obj.get("error")  # xAI's flat shape: the message is the `error` string
    return quirks.refine(code, message, obj.get("code"))


def error_words(obj: dict) -> str:
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


def with_upstream_detail(message: str, error: dict) -> str:
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


def _numeric_code(value: Any) -> Optional[int]:
    """An HTTP-status-like code given as an int or a digit string (OpenRouter, vLLM)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _code_from_words(words: str) -> ErrorCode:
    for keywords, code in _KEYWORD_CODES:
        for keyword in keywords:
            if keyword in words:
                return code
    return ErrorCode.UNKNOWN


def _kind(obj: dict) -> str:
    """A short label for the message: OpenAI's `type`, else a string `code`."""
    for key in ("type", "code"):
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
    return ""
