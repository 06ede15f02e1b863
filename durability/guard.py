"""The never-trap rule, held in one place.

An exception that escapes a component export traps the instance for good (in Golem, the
worker fails), so every export, every `chat-stream` method and the live half of every
durable call runs through `guarded`: whatever it raises becomes an `internal-error` value,
built here (`internal_error`) and nowhere else.  One exception is let through:
`DurabilityError`, an oplog divergence, where failing the worker is right because carrying
on would hand the caller made-up data.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from durability.host_api import DurabilityError
from normalizer.strings import well_formed
from normalizer.values import ErrorCode, LlmError

R = TypeVar("R")


def internal_error(where: str, exc: BaseException) -> LlmError:
    """The error value for an unexpected exception in `where` (an export's name); its text
    is made valid Unicode, since an exception's repr is not bound to be and this value may
    go straight to the caller."""
    message = f"internal error in {where}: {exc!r}"
    return LlmError(ErrorCode.INTERNAL_ERROR, well_formed(message))


def guarded(where: str, run: Callable[[], R], fallback: Callable[[LlmError], R]) -> R:
    """`run()`; if it raises anything but `DurabilityError`, `fallback` of the error value."""
    try:
        return run()
    except DurabilityError:
        raise
    except BaseException as exc:  # a trap would kill the instance for good
        return fallback(internal_error(where, exc))


def never_trap(where: str, fallback: Callable[[LlmError], R]
               ) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """`guarded` as a decorator, for an export whose error value `fallback` builds."""
    def decorate(export: Callable[..., R]) -> Callable[..., R]:
        @wraps(export)
        def guarded_export(*args, **kwargs) -> R:
            return guarded(where, lambda: export(*args, **kwargs), fallback)
        return guarded_export
    return decorate
