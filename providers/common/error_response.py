"""A non-2xx response → `LlmError`: the dialect maps the body, this makes the mapping safe.

The body mapping (status → code, where the message is) is the dialect's and lives in the
normalizer.  Around it, both dialects need the same two guarantees: the value never holds the
API key (the body is redacted before it is parsed, the result scrubbed once more), and the
call never raises, because an exception escaping a component export traps the worker.  A
mapping that fails still yields the status's code and a message naming the provider.
"""

from __future__ import annotations

import json
import re
from typing import Callable, Optional

from normalizer.values import ErrorCode, LlmError
from providers.common.secrets import redact_body, scrub_error


def error_from_response(
    status: int,
    body: bytes,
    *,
    label: str,
    secret: Optional[str],
    key_shaped: re.Pattern[bytes],
    from_body: Callable[[int, bytes], LlmError],
    code_from_status: Callable[[int], ErrorCode],
) -> LlmError:
    """The error value for an HTTP error response; never raises, never contains `secret`.

    `from_body` is the dialect's body mapping; `code_from_status` gives the code when that
    mapping fails; `key_shaped` matches what the dialect's keys and credentials look like.
    """
    body = redact_body(body, secret, key_shaped)
    try:
        error = from_body(status, body)
    except Exception as exc:  # an export must never trap; keep the status's meaning at least
        error = LlmError(
            code_from_status(status),
            f"{label} returned HTTP {status}; its body could not be read ({type(exc).__name__})",
            json.dumps({"status": status}),
        )
    return scrub_error(error, secret)
