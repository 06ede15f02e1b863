"""Provider methods that return values and never raise.

An exception escaping a component export traps the worker for good, so both dialects' providers
wrap request building and whole-body decoding the same way: an unexpected failure becomes an
`internal-error` value naming the provider (with the API key scrubbed from it, since the
exception text may quote request data).
"""

from __future__ import annotations

from typing import Callable, Mapping, Union

from normalizer.values import ErrorCode, LlmError, StreamEvent
from providers.base import HttpRequest
from providers.common.secrets import scrub_error, secret_from_env


def guarded_request(
    build: Callable[[], Union[HttpRequest, LlmError]],
    label: str,
    api_key_env: str,
    env: Mapping[str, str],
) -> Union[HttpRequest, LlmError]:
    """`build()`, or the scrubbed `internal-error` for a bug in it."""
    try:
        return build()
    except Exception as exc:  # a bug here must not trap the component
        error = LlmError(
            ErrorCode.INTERNAL_ERROR,
            f"building the {label} request failed: {type(exc).__name__}: {exc}",
        )
        return scrub_error(error, secret_from_env(api_key_env, env))


def guarded_events(decode: Callable[[], list[StreamEvent]], label: str) -> list[StreamEvent]:
    """`decode()`, or one `internal-error` event for a body it could not read."""
    try:
        return decode()
    except Exception as exc:  # an export must never trap
        return [
            LlmError(
                ErrorCode.INTERNAL_ERROR,
                f"{label} response could not be read: {type(exc).__name__}: {exc}",
            )
        ]
