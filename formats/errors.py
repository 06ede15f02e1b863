"""The failures a format reports, with `hayride:ai/model`'s error codes.

A format raises `FormatError`; the guest turns it into the WIT `error` resource.  The code
is what the host acts on (Hayride's runner keeps reading on `partial-decode` and gives up on
anything else); the message is for the person reading the log, so it says what was wrong
and where.
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(Enum):
    CONTEXT_ERROR = "context-error"
    CONTEXT_ENCODE = "context-encode"
    CONTEXT_DECODE = "context-decode"
    COMPUTE_ERROR = "compute-error"
    PARTIAL_DECODE = "partial-decode"
    UNKNOWN = "unknown"


class FormatError(Exception):
    """An input the format cannot encode or decode (or, for `partial-decode`, not yet)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"FormatError({self.code.value}, {self.message!r})"


def encode_error(message: str) -> FormatError:
    return FormatError(ErrorCode.CONTEXT_ENCODE, message)


def decode_error(message: str) -> FormatError:
    return FormatError(ErrorCode.CONTEXT_DECODE, message)


def partial(message: str) -> FormatError:
    """Output that may still become valid: the host should read more and decode again."""
    return FormatError(ErrorCode.PARTIAL_DECODE, message)
