"""What both dialects' HTTP error mappings say the same way: the words for each code, and
the body kept as `provider_error_json`.

The status decides the code for every provider (`normalizer.errors.code_from_status`), so
the phrase shown for it ("rate limit exceeded") is the same too; and `provider_error_json`
must always be valid JSON, so a body that is not JSON (a proxy's HTML page) is kept inside a
small JSON object, cut to a size that keeps the oplog small.  Where each dialect finds the
message in a body stays in its `errors` module.
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Mapping

from normalizer.values import ErrorCode

#: Characters of a non-JSON body kept in `provider_error_json`.
RAW_BODY_KEPT = 2000

#: Why the request failed, in words, by golem:llm code.
CODE_PHRASES: Mapping[ErrorCode, str] = MappingProxyType(
    {
        ErrorCode.AUTHENTICATION_FAILED: "authentication failed",
        ErrorCode.RATE_LIMIT_EXCEEDED: "rate limit exceeded",
        ErrorCode.INVALID_REQUEST: "invalid request",
        ErrorCode.INTERNAL_ERROR: "server error",
        ErrorCode.UNSUPPORTED: "unsupported",
        ErrorCode.UNKNOWN: "unexpected status",
    }
)


#: Statuses whose own words say more than their code's phrase.
STATUS_PHRASES: Mapping[int, str] = MappingProxyType(
    {408: "request timeout", 409: "conflict", 529: "overloaded"}
)


def phrase_for(status: int, code: ErrorCode) -> str:
    """The words in parentheses after the status in a message: the status's own (408
    "request timeout") when it has some, else its code's."""
    return STATUS_PHRASES.get(status) or CODE_PHRASES[code]


def kept_body_json(status: int, text: str, is_json: bool) -> str:
    """`provider_error_json` for an HTTP error body: the body itself when it is JSON, else a
    JSON object holding the status and the start of the body."""
    if is_json:
        return text
    return json.dumps({"status": status, "body": text[:RAW_BODY_KEPT]}, ensure_ascii=False)
