"""The JSON in and out of a request: the body's type, the caller's JSON strings read
strictly (and with bounded nesting), and the body written compactly.

Input the API could not accept is refused by raising `Refusal`, so nothing is sent for it.
"""

from __future__ import annotations

import json
from typing import Any

from normalizer.json_depth import loads
from providers.common.refusal import Refusal

#: A JSON object on its way to the wire: a request body, a message, a content block.
JsonObject = dict[str, Any]


def encode_body(body: JsonObject) -> bytes:
    """Compact UTF-8 JSON.  Text that cannot be encoded (a lone surrogate, possible only
    outside the component) is refused like any other input the API could not read."""
    try:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (ValueError, UnicodeEncodeError) as exc:
        raise Refusal(f"the request cannot be encoded as JSON: {exc}") from exc


def loads_strict(text: str) -> Any:
    """`json.loads` of the caller's text, but NaN and Infinity raise `ValueError` like the
    non-JSON they are, so whatever the caller's strings put into the body encodes as valid
    JSON again, and nesting deeper than the bound raises `JsonTooDeep` (a `ValueError`)
    before the parser could exhaust the component's stack."""
    return loads(text, parse_constant=_reject_constant)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
