"""Non-2xx Messages responses → `LlmError`, with the API key kept out of them.

The body mapping (status → code, Anthropic's `{"type":"error","error":{type,message}}`
read into the message, the body kept as `provider_error_json`) is the dialect's and lives
in `normalizer.anthropic_error`.  This wrapper adds what the provider is in a position to
do: scrub the API key.  Anthropic does not echo keys ("invalid x-api-key"), but a proxy,
gateway or emulator might, and an error value ends up in the oplog and in logs.  Two
scrubs, both applied to the body before it is parsed (so the message and the kept JSON
agree), and the key is removed once more from the result:

- the key itself, when the caller passes the environment: every literal occurrence;
- always, anything shaped like an Anthropic key (`sk-ant-…`, or any `sk-…` with 16 or more
  key characters) or an echoed `x-api-key:` / `Bearer` credential, because
  `Provider.error_from_response` may be called without the environment.
"""

from __future__ import annotations

import json
import re
from typing import Mapping, Optional

from normalizer.anthropic_error import error_from_body
from normalizer.error_codes import code_from_status
from normalizer.values import LlmError

REDACTED = "[redacted]"

_KEY_SHAPED = re.compile(
    rb"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{16,}"
    rb"|(?<=[Xx]-[Aa][Pp][Ii]-[Kk][Ee][Yy]: )[A-Za-z0-9._~+/=-]{8,}"
    rb"|(?<=[Bb]earer )[A-Za-z0-9._~+/=-]{8,}",
)


def error_from_response(status: int, body: bytes, label: str, secret: Optional[str]) -> LlmError:
    """The error value for an HTTP error response; never raises, never contains `secret`."""
    if secret:
        body = body.replace(secret.encode("utf-8"), REDACTED.encode("utf-8"))
    body = _KEY_SHAPED.sub(REDACTED.encode("utf-8"), body)
    try:
        error = error_from_body(status, body, label=label)
    except Exception as exc:  # an export must never trap; keep the status's meaning at least
        error = LlmError(
            code_from_status(status),
            f"{label} returned HTTP {status}; its body could not be read ({type(exc).__name__})",
            json.dumps({"status": status}),
        )
    return scrub_error(error, secret)


def scrub_error(error: LlmError, secret: Optional[str]) -> LlmError:
    """`error` with every occurrence of `secret` in its message and JSON replaced."""
    if not secret:
        return error
    message = error.message.replace(secret, REDACTED)
    provider_json = error.provider_error_json
    if provider_json is not None:
        provider_json = provider_json.replace(secret, REDACTED)
    if message == error.message and provider_json == error.provider_error_json:
        return error
    return LlmError(error.code, message, provider_json)


def secret_from_env(api_key_env: str, env: Optional[Mapping[str, str]]) -> Optional[str]:
    """The key as it was sent (stripped), or None when there is no environment or no key."""
    if env is None:
        return None
    key = (env.get(api_key_env) or "").strip()
    return key or None
