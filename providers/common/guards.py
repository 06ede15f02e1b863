"""The boundary where a provider's internals meet its callers: values out, never exceptions.

Request building raises `Refusal` where a rule fails (`providers.common.refusal`); this is
the one place that turns it into the golem:llm `error` value.  Anything else that escapes
is a bug, and an exception escaping a component export would trap the worker for good, so it
becomes an `internal-error` value naming the provider (with the API key scrubbed from it,
since the exception text may quote request data).  Whole-body decoding gets the same
treatment.
"""

from __future__ import annotations

from typing import Callable, Mapping, Union

from normalizer.values import ErrorCode, LlmError, StreamEvent
from providers.base import HttpRequest
from providers.common.refusal import Refusal
from providers.common.secrets import scrub_error, secret_from_env


def guarded_request(
    build: Callable[[], HttpRequest],
    label: str,
    api_key_env: str,
    env: Mapping[str, str],
) -> Union[HttpRequest, LlmError]:
    """`build()`, the error value of the `Refusal` it raised, or the scrubbed
    `internal-error` for a bug in it."""
    try:
        return build()
    except Refusal as refusal:
        return refusal.error
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
