"""The API key: read from the environment at call time, and kept out of error values.

Both dialects read the key the same way (stripped, since a pasted trailing newline would make
an invalid header) and scrub it the same way from anything a server, proxy or emulator
echoed back, because an error value ends up in the oplog and in the caller's logs.  What a
key *looks like* differs per API, so each dialect passes its own `key_shaped` pattern.
"""

from __future__ import annotations

import re
from typing import Mapping, Optional

from normalizer.values import ErrorCode, LlmError
from providers.common.refusal import Refusal

REDACTED = "[redacted]"


def api_key(env: Mapping[str, str], api_key_env: str, label: str) -> str:
    """The key, stripped; a missing one is refused as an authentication failure that names
    the variable to set, since that is the fix (and it then costs no round trip)."""
    key = (env.get(api_key_env) or "").strip()
    if not key:
        raise Refusal(
            f"{api_key_env} is not set: set it in the environment to your {label} API key",
            ErrorCode.AUTHENTICATION_FAILED,
        )
    return key


def secret_from_env(api_key_env: str, env: Optional[Mapping[str, str]]) -> Optional[str]:
    """The key as it was sent (stripped), or None when there is no environment or no key."""
    if env is None:
        return None
    key = (env.get(api_key_env) or "").strip()
    return key or None


def redact_body(body: bytes, secret: Optional[str], key_shaped: re.Pattern[bytes]) -> bytes:
    """`body` with every literal occurrence of `secret`, then anything `key_shaped`, replaced;
    done before the body is parsed so the message and the kept JSON agree."""
    if secret:
        body = body.replace(secret.encode("utf-8"), REDACTED.encode("utf-8"))
    return key_shaped.sub(REDACTED.encode("utf-8"), body)


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
