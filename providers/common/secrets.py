"""The API key: read from the environment at call time, and scrubbed from everything that
leaves the component, by one scrubber.

Both dialects read the key the same way (stripped, since a pasted trailing newline would make
an invalid header).  A server, proxy, gateway or emulator may echo the key back, in an HTTP
error body, an in-band stream error, a chunk an error message quotes, or anywhere in an
answer, and whatever the component returns ends up in the oplog and in the caller's logs.
So `Scrubber` is applied to every string on its way out (`providers/outbound.py`) and
replaces the key with "[redacted]" in each form it can take in text:

- verbatim;
- JSON-escaped, any of its characters written as `\\uXXXX` (either case) or, for `"`, `\\`
  and `/`, with a backslash, as a server that escapes non-ASCII or slashes writes it;
- percent-encoded, any of its characters as `%XX` (either case), as in an echoed URL.

Text a server wrote about a failure (an error's message and `provider-error-json`) is
scrubbed harder, with `diagnostic`: a message may quote only the start of what the server
sent, cutting the key off, so any run of at least `PREFIX_CHARS` of the key's first
characters (in any of those forms) is redacted with the key characters that follow it; and
anything shaped like a key of the dialect (`key_shaped`, each dialect's pattern) is
redacted even when it is not this key, since the key may not be at hand.  The answer's text,
tool calls and metadata get only the exact key (and only a key of `MIN_CONTENT_CHARS` or
more): a model may well write a key-shaped example, and a thinking signature must come back
unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping, Optional

from normalizer.values import ErrorCode
from providers.common.refusal import Refusal

REDACTED = "[redacted]"

#: How many of the key's first characters, cut off in error text, are redacted as the key.
PREFIX_CHARS = 12

#: A key shorter than this is kept out of error text only: it cannot be a secret (local
#: servers take placeholders like "EMPTY" or "ollama"), and an answer that uses the word
#: must not come back with "[redacted]" in it.
MIN_CONTENT_CHARS = 8


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


def _hex(digits: str) -> str:
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)


def _utf16(char: str) -> list[int]:
    """The UTF-16 code units of `char` (a JSON escape writes one `\\uXXXX` per unit); done
    by hand, since the component's Python has no UTF-16 codec."""
    point = ord(char)
    if point < 0x10000:
        return [point]
    point -= 0x10000
    return [0xD800 + (point >> 10), 0xDC00 + (point & 0x3FF)]


def _forms(char: str) -> list[str]:
    """Regular expressions for `char` verbatim, JSON-escaped and percent-encoded."""
    forms = [
        re.escape(char),
        "".join(r"\\u" + _hex(f"{unit:04x}") for unit in _utf16(char)),
        "".join("%" + _hex(f"{byte:02x}") for byte in char.encode("utf-8", "surrogatepass")),
    ]
    if char in '"\\/':
        forms.append(re.escape("\\" + char))
    return forms


def _char(char: str) -> str:
    return "(?:" + "|".join(_forms(char)) + ")"


@lru_cache(maxsize=4)
def _whole(secret: str) -> re.Pattern[str]:
    """The key in any mix of its forms (cached: a component's calls share one key)."""
    return re.compile("".join(_char(c) for c in secret))


@lru_cache(maxsize=4)
def _start(secret: str) -> re.Pattern[str]:
    """The key's first `PREFIX_CHARS` characters, then any run of its characters, in any
    mix of their forms."""
    alphabet = "|".join(sorted({form for c in set(secret) for form in _forms(c)},
                               key=len, reverse=True))
    return re.compile("".join(_char(c) for c in secret[:PREFIX_CHARS]) + f"(?:{alphabet})*")


class Scrubber:
    """Replaces the key `secret` (None: no key known) and, in diagnostic text, anything
    `key_shaped`, with "[redacted]".  Each method returns its argument itself when there is
    nothing to replace; the patterns for the escaped forms are compiled on first need."""

    __slots__ = ("_secret", "_key_shaped")

    def __init__(self, secret: Optional[str],
                 key_shaped: Optional[re.Pattern[str]] = None) -> None:
        self._secret = secret or None
        self._key_shaped = key_shaped

    def content(self, text: str) -> str:
        """`text` with the key, in every form, replaced."""
        secret = self._secret
        if secret is None or len(secret) < MIN_CONTENT_CHARS:
            return text
        if secret in text:
            text = text.replace(secret, REDACTED)
        if "\\" in text or "%" in text:  # maybe an escaped or encoded form
            text = _whole(secret).sub(REDACTED, text)
        return text

    def held_back(self, text: str) -> int:
        """How many of `text`'s last characters are the key's first ones (the longest such
        run, shorter than the key): a stream holds them until its next text shows whether
        the key follows (durability/held_back.py).  0 for a key the content scrubber does
        not replace."""
        secret = self._secret
        if secret is None or len(secret) < MIN_CONTENT_CHARS:
            return 0
        first = secret[0]
        start = max(0, len(text) - len(secret) + 1)
        at = text.find(first, start)
        while at != -1:
            if secret.startswith(text[at:]):
                return len(text) - at
            at = text.find(first, at + 1)
        return 0

    def diagnostic(self, text: str) -> str:
        """`text`, a server's words about a failure, with the key replaced also where it is
        cut off after its first `PREFIX_CHARS` characters, and anything key-shaped."""
        secret = self._secret
        if secret is not None:
            if secret[:PREFIX_CHARS] in text or "\\" in text or "%" in text:
                text = _start(secret).sub(REDACTED, text)
        if self._key_shaped is not None:
            text = self._key_shaped.sub(REDACTED, text)
        return text
