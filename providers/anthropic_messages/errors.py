"""Non-2xx Messages responses → golem:llm `error`.

Anthropic's body is `{"type": "error", "error": {"type", "message"}, "request_id"}`
(read with `normalizer/anthropic_messages/errors.py`, which maps the same object in a
stream).  Over HTTP the **status** decides the code (`code_from_status`, shared with every
provider), so a body from something in front of the API (Cloudflare's 413 page, an HTML 502
from a proxy) maps as well as Anthropic's own: 400/404/413 invalid-request, 401/403
authentication-failed, 429 rate-limit-exceeded, 408/409 (transient: the SDKs retry them)
and 500/529 internal-error.  The message says
which status, what it means (529: "overloaded"), the error `type` and `message` from the
body and the request id (what Anthropic support asks for); `provider_error_json` is the body
itself when it is JSON, else a JSON object holding the status and the start of the body, so
it is always valid JSON.

The API key never reaches the value (`Provider.error_from_response` redacts the body first
and scrubs the result).  Anthropic does not echo keys ("invalid x-api-key"), but a proxy,
gateway or emulator might, so besides the key itself anything shaped like an Anthropic key
(`sk-ant-…`, or any `sk-…` with 16 or more key characters) or an echoed `x-api-key:` /
`Bearer` credential is redacted (`KEY_SHAPED`), because the key may not be at hand.
"""

from __future__ import annotations

import re
from typing import Any

from normalizer.anthropic_messages.errors import describe, request_id, type_and_message
from normalizer.errors import BODY_SNIPPET, code_from_status
from normalizer.json_depth import loads
from normalizer.values import LlmError
from providers.common.http_errors import kept_body_json, phrase_for

KEY_SHAPED = re.compile(
    r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{16,}"
    r"|(?<=[Xx]-[Aa][Pp][Ii]-[Kk][Ee][Yy]: )[A-Za-z0-9._~+/=-]{8,}"
    r"|(?<=[Bb]earer )[A-Za-z0-9._~+/=-]{8,}",
)

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def error_from_body(status: int, body: bytes, label: str) -> LlmError:
    """The `LlmError` for a non-2xx response from the provider `label` names (see the
    module docstring)."""
    text = body.decode("utf-8", "replace")
    try:
        parsed: Any = loads(text)
        is_json = True
    except ValueError:
        parsed, is_json = None, False
    code = code_from_status(status)
    phrase = phrase_for(status, code)
    error_type, message = type_and_message(parsed)
    if error_type is None and message is None:
        if is_json:  # JSON in no known shape: show its start
            detail = describe(None, text.strip()[:BODY_SNIPPET], request_id(parsed))
        else:
            detail = _plain_snippet(text)
    else:
        detail = describe(error_type, message, request_id(parsed))
    return LlmError(code, f"{label} returned HTTP {status} ({phrase}): {detail}",
                    kept_body_json(status, text, is_json))


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
