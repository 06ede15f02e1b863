"""The dialect-independent parts of a request: the endpoint URL, the JSON in and out of it.

Everything is read from the `env` mapping passed in at call time, never at import (module
code runs at build time inside the component).  Refusals are `LlmError` values, so nothing
is sent for input the API could not accept.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Union

from normalizer.values import ErrorCode, LlmError

JsonObject = dict[str, Any]


def endpoint_url(env: Mapping[str, str], base_url_env: str, default_base_url: str,
                 path: str) -> str:
    """The base URL (the override variable when set and non-empty) plus the endpoint path; a
    trailing slash on the base is dropped so "…/v1/" does not give "…/v1//chat"."""
    base = (env.get(base_url_env) or "").strip() or default_base_url
    return base.rstrip("/") + path


def encode_body(body: JsonObject) -> Union[bytes, LlmError]:
    """Compact UTF-8 JSON.  Text that cannot be encoded (a lone surrogate, possible only
    outside the component) is refused as a value rather than raised."""
    try:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (ValueError, UnicodeEncodeError) as exc:
        return invalid_request(f"the request cannot be encoded as JSON: {exc}")


def loads_strict(text: str) -> Any:
    """`json.loads`, but NaN and Infinity raise `ValueError` like the non-JSON they are, so
    whatever the caller's strings put into the body encodes as valid JSON again."""
    return json.loads(text, parse_constant=_reject_constant)


def invalid_request(message: str) -> LlmError:
    """The refusal of input the API would reject, reported before anything is sent."""
    return LlmError(ErrorCode.INVALID_REQUEST, message)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
