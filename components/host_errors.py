"""What a wasi:http error says, reduced to what belongs in a message: pure, no bindings.

A host may put a whole Rust backtrace (several KB, with `RUST_BACKTRACE` set) into an
error's text, and the message ends up in the caller's logs and in the oplog, so a host's
text is kept to its first line, at most `MAX_DETAIL` characters.  The transport
(`components/transport.py`) passes the wasi:http `error-code` values and the wasi:io
error's debug string through here.
"""

from __future__ import annotations

#: Characters of a host's error text kept in a message.
MAX_DETAIL = 200

# Errors about our own request or the host's policy: sending the same request again cannot
# help.  Every other wasi:http error (refused, reset, DNS, TLS handshake, timeouts) may pass.
_PERMANENT = ("HttpRequest", "DestinationIpProhibited", "TlsCertificateError",
              "ConfigurationError", "LoopDetected")


def first_line(text: str, limit: int = MAX_DETAIL) -> str:
    """The first non-empty line of a host's error text, at most `limit` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _case(code: object) -> str:
    """The case of a wasi:http `error-code` binding (`ErrorCode_ConnectionRefused` →
    "ConnectionRefused")."""
    return type(code).__name__.split("_", 1)[-1]


def describe(code: object) -> str:
    """Readable text for a wasi:http error-code: "connection refused", or with its payload
    "internal error (hyper error: ...)", the payload's first line only."""
    words = "".join(" " + c.lower() if c.isupper() else c for c in _case(code)).strip()
    payload = getattr(code, "value", None)
    if payload in (None, ""):
        return words
    return f"{words} ({first_line(str(payload))})"


def retryable(code: object) -> bool:
    """Whether the same request might get through after this error."""
    return not _case(code).startswith(_PERMANENT)
