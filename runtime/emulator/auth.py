"""Credentials as providers check them, and the masking they apply when echoing a bad key."""

from __future__ import annotations

from typing import Mapping


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of `Authorization: Bearer <token>`, or None if missing, empty or another scheme."""
    value = headers.get("authorization", "")
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def mask_key(key: str) -> str:
    """Mask a key the way OpenAI does in "Incorrect API key provided: sk-abc12***...wxyz":
    a short prefix and suffix, stars in between.  At most a quarter of the key's start and a
    sixth of its end are shown, so the key itself is never echoed."""
    if len(key) <= 8:
        return "*" * len(key)
    head = min(8, len(key) // 4)
    tail = min(4, len(key) // 6)
    return key[:head] + "*" * (len(key) - head - tail) + key[len(key) - tail :]
