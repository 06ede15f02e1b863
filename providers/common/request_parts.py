"""The dialect-independent parts of a request: the endpoint URL, the JSON in and out of it.

Everything is read from the `env` mapping passed in at call time, never at import (module
code runs at build time inside the component).  Input the API could not accept is refused
by raising `Refusal`, so nothing is sent for it.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from providers.common.refusal import Refusal

JsonObject = dict[str, Any]


def endpoint_url(env: Mapping[str, str], base_url_env: str, default_base_url: str,
                 path: str) -> str:
    """The base URL (the override variable when set and non-empty) plus the endpoint path; a
    trailing slash on the base is dropped so "…/v1/" does not give "…/v1//chat"."""
    base = (env.get(base_url_env) or "").strip() or default_base_url
    return base.rstrip("/") + path


def encode_body(body: JsonObject) -> bytes:
    """Compact UTF-8 JSON.  Text that cannot be encoded (a lone surrogate, possible only
    outside the component) is refused like any other input the API could not read."""
    try:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (ValueError, UnicodeEncodeError) as exc:
        raise Refusal(f"the request cannot be encoded as JSON: {exc}") from exc


def loads_strict(text: str) -> Any:
    """`json.loads`, but NaN and Infinity raise `ValueError` like the non-JSON they are, so
    whatever the caller's strings put into the body encodes as valid JSON again."""
    return json.loads(text, parse_constant=_reject_constant)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
