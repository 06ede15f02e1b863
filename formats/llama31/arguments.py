"""Tool-call arguments: JSON objects on the model's side, string pairs on Hayride's.

`hayride:mcp/types.call-tool-params.arguments` is `list<tuple<string, string>>`, so every
value has to be a string.  Decoding keeps strings as they are and writes any other JSON value
(numbers, booleans, null, nested objects and arrays) as compact JSON text, so nothing the
model wrote is lost.  Encoding a past call reverses that for objects and arrays: a value that
is exactly the compact JSON text of one goes back to the model as that JSON value, so the
model sees the call the way it wrote it.  Everything else goes back as a JSON string; that is
the one place where the string pair loses information (the model's `10` and `"10"` both
decode to "10").
"""

from __future__ import annotations

import json
from typing import Any

from formats.errors import decode_error
from formats.llama31.json_scan import loads
from formats.values import Pairs


def json_text(value: Any) -> str:
    """The canonical JSON text of a decoded value: compact, key order kept, UTF-8 as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def pairs_from_json(parameters: Any) -> Pairs:
    """The string pairs for a call's decoded `parameters`."""
    if parameters is None:
        return ()
    if isinstance(parameters, str):
        # Some outputs encode the object twice: "parameters": "{\"n\": 10}".
        try:
            parameters = loads(parameters)
        except ValueError:
            raise decode_error(f"tool call parameters are a string, not a JSON object: "
                               f"{parameters[:80]!r}") from None
    if not isinstance(parameters, dict):
        raise decode_error(f"tool call parameters must be a JSON object, "
                           f"got {type(parameters).__name__}")
    return tuple((str(key), value if isinstance(value, str) else json_text(value))
                 for key, value in parameters.items())


def json_from_pairs(arguments: Pairs) -> dict[str, Any]:
    """The JSON object a past call's string pairs stand for (a repeated name: the last wins,
    as in a JSON parser)."""
    return {key: _value(text) for key, text in arguments}


def _value(text: str) -> Any:
    if not text.startswith(("{", "[")):
        return text
    try:
        value = loads(text)
    except ValueError:
        return text
    return value if json_text(value) == text else text
