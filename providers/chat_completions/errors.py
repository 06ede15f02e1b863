"""Non-2xx Chat Completions responses → golem:llm `error`.

The body shapes are the in-band ones (`normalizer/chat_completions/errors.py`: OpenAI's
nested object, OpenRouter's, xAI's flat `{"code", "error"}`, vLLM's), plus a plain
`{"message"}` / `{"detail"}` or no JSON at all.  The **status** decides the code (it is the
one thing every server gets right), by the shared table refined by the provider's quirks:
its `status_rules` (OpenRouter's 402, xAI's 410) and its `auth_error_phrases` (xAI answers
a wrong key with 400).  The message names the provider, the status and its meaning, the
rule's note if any, then the provider's own message, or the start of the body when there
is none; `provider_error_json` is the body when it is JSON, else a JSON object holding the
status and the start of the body, so it is always valid JSON.

The API key never reaches the value (`Provider.error_from_response` redacts the body first
and scrubs the result): besides the key itself, anything shaped like this dialect's keys or
a bearer credential (`KEY_SHAPED`: `sk-…`, `xai-…` with 16 or more key characters after the
prefix, `Bearer <token>`) is redacted, because the key may not be at hand.  OpenAI's own
masked echo ("sk-proj-****abcd") does not match and stays readable.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from normalizer.chat_completions.errors import error_words, with_upstream_detail
from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.errors import BODY_SNIPPET
from normalizer.json_depth import loads
from normalizer.values import ErrorCode, LlmError
from providers.common.http_errors import kept_body_json, phrase_for

KEY_SHAPED = re.compile(
    r"(?<![A-Za-z0-9_-])(?:sk|xai)-[A-Za-z0-9_-]{16,}|(?<=[Bb]earer )[A-Za-z0-9._~+/=-]{8,}",
)


def error_from_body(status: int, body: bytes, label: str, quirks: ChatQuirks) -> LlmError:
    """The `LlmError` for a non-2xx response from the provider `label` names, whose
    differences are `quirks` (see the module docstring)."""
    text = body.decode("utf-8", "replace")
    try:
        parsed: Any = loads(text)
    except ValueError:
        parsed = None
    message = _message_from_body(parsed)
    code = quirks.code_for_status(status, parsed)
    if 400 <= status < 500:
        flat_code = parsed.get("code") if isinstance(parsed, dict) else None
        code = quirks.refine(code, message, flat_code)
    rule = quirks.status_rule(status, parsed)
    if rule is not None and code is not rule.code:
        rule = None  # refined away from the rule's meaning (a key problem): say that instead
    phrase = rule.phrase if rule is not None else _phrase(status, code, parsed)
    if message is None:
        snippet = text.strip()[:BODY_SNIPPET]
        message = snippet if snippet else "(empty body)"
    if rule is not None and rule.note:
        message = f"{rule.note} {label} said: {message}"
    full = f"{label} returned HTTP {status} ({phrase}): {message}"
    return LlmError(code, full, kept_body_json(status, text, parsed is not None))


def _message_from_body(parsed: Any) -> Optional[str]:
    """The human message inside an error body, whatever the server's shape."""
    if not isinstance(parsed, dict):
        return None
    error = parsed.get("error")
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, str) and message:
            return with_upstream_detail(message, error)
    elif isinstance(error, str) and error:
        return error
    for key in ("message", "detail"):
        message = parsed.get(key)
        if isinstance(message, str) and message:
            return message
    return None


def _phrase(status: int, code: ErrorCode, parsed: Any) -> str:
    """Why the request failed, in words; a 429 for an exhausted quota says so, because
    unlike a rate limit it does not go away by waiting."""
    if code is ErrorCode.RATE_LIMIT_EXCEEDED and isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, dict) and "quota" in error_words(error):
            return "quota exhausted"
    return phrase_for(status, code)
