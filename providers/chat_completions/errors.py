"""Non-2xx Chat Completions responses → `LlmError`, with the API key kept out of them.

The body mapping itself (status → code, the message found in OpenAI's nested, xAI's flat or
OpenRouter's error shape, the body kept as `provider_error_json`) is the dialect's and lives
in `normalizer.openai_error`, driven by the provider's `ChatQuirks`.  This wrapper adds two things the provider is in a position to
do: name the provider in the message, and scrub the API key.

No real server echoes a full key (OpenAI masks it), but a proxy, gateway or emulator might,
and an error value ends up in the oplog and in the caller's logs.  Two scrubs, both applied
to the body before it is parsed (so the message and the kept JSON agree):

- the key itself, when the caller passes the environment: every literal occurrence, whatever
  its length, is replaced by "[redacted]"; the result is checked once more afterwards;
- always, anything shaped like a key or a bearer credential (`sk-…`, `xai-…` with 16 or more
  key characters after the prefix, `Bearer <token>`), because `Provider.error_from_response`
  is called with the status and body only and the key may not be at hand.
  OpenAI's own masked echo ("sk-proj-****abcd") does not match and stays readable.
"""

from __future__ import annotations

import json
import re
from typing import Mapping, Optional

from normalizer.chat_quirks import ChatQuirks
from normalizer.openai_error import error_from_body, status_code
from normalizer.values import LlmError

REDACTED = "[redacted]"

_KEY_SHAPED = re.compile(
    rb"(?<![A-Za-z0-9_-])(?:sk|xai)-[A-Za-z0-9_-]{16,}|(?<=[Bb]earer )[A-Za-z0-9._~+/=-]{8,}",
)


def error_from_response(status: int, body: bytes, quirks: ChatQuirks,
                        secret: Optional[str]) -> LlmError:
    """The error value for an HTTP error response, mapped by the provider's own quirks
    (`quirks.label` names it); never raises, never contains `secret`."""
    if secret:
        body = body.replace(secret.encode("utf-8"), REDACTED.encode("utf-8"))
    body = _KEY_SHAPED.sub(REDACTED.encode("utf-8"), body)
    label = quirks.label
    try:
        error = error_from_body(status, body, quirks=quirks)
    except Exception as exc:  # an export must never trap; keep the status's meaning at least
        error = LlmError(
            status_code(status, quirks),
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
