"""golem:llm `provider-options` (`list<kv>` of strings) → typed Chat Completions body fields.

golem:llm has no typed escape hatch, so each value is read as JSON when it is JSON: "0.5"
becomes 0.5, "true" True, "null" None, '{"a":1}' an object; anything else ("hello") stays a
string.  To force a string that looks like JSON, quote it: '"42"'.  NaN and Infinity are not
JSON and stay strings, so the body is always valid JSON.

Options reach fields this module does not know (`top_p`, `seed`, `response_format`,
OpenRouter's `provider` and `models`, ...), so they are checked only where a wrong value
would break the contract rather than the request:

- `model`, `messages` and `stream` are reserved: they have their own golem:llm inputs, and
  the engine always streams (send and continue drain the stream).
- keys that look like credentials (`api_key`, `Authorization`, ...) are reserved: the key
  comes from the environment only, so it never travels in the body or the oplog.
- a field that config already set (e.g. `temperature` with `config.temperature`) is a
  conflict, reported instead of silently picking one; unset config fields may be filled.
- `stream_options` must be an object; the request adds `include_usage: true` to it, because
  usage arrives only with it.  A flavour can require other kinds (`typed_options`, e.g.
  OpenRouter's `provider` object and `models` array), so that a value that did not parse as
  JSON is refused here instead of reaching the API as a string.  Duplicate keys: the last
  one wins, like JSON objects.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence, Union

from normalizer.values import ErrorCode, Kv, LlmError

JsonObject = dict[str, Any]

_RESERVED_WHY = (
    ("model", "set it with config.model"),
    ("messages", "pass the conversation as the messages argument"),
    ("stream", "every request is streamed (send and continue drain the stream)"),
)

_CREDENTIAL_KEYS = ("api_key", "apikey", "authorization", "x_api_key")


_KINDS: Mapping[str, tuple[str, tuple[type, ...]]] = {
    "object": ("a JSON object", (dict,)),
    "array": ("a JSON array", (list,)),
    "string": ("a string", (str,)),
    "number": ("a number", (int, float)),
    "boolean": ("true or false", (bool,)),
}

_ALWAYS_TYPED = (("stream_options", "object"),)


def provider_options(
    options: Sequence[Kv],
    api_key_env: str,
    set_by_config: Mapping[str, str],
    typed: Sequence[tuple[str, str]] = (),
) -> Union[JsonObject, LlmError]:
    """Body fields from the options, or the error for the first one that may not be set.

    `set_by_config` maps each body field the config already filled to the config field that
    filled it, for the conflict message.  `typed` lists (option, JSON kind) pairs whose
    values must be of that kind (see the module doc).
    """
    kinds = dict(_ALWAYS_TYPED)
    kinds.update(typed)
    fields: JsonObject = {}
    for option in options:
        key = option.key
        refusal = _refusal(key, api_key_env, set_by_config)
        if refusal is not None:
            return LlmError(ErrorCode.INVALID_REQUEST, refusal)
        value = option_value(option.value)
        kind = kinds.get(key)
        if kind is not None and not _is_kind(value, kind):
            return LlmError(
                ErrorCode.INVALID_REQUEST,
                f"provider option {key!r} must be {_KINDS[kind][0]}, got {option.value!r}",
            )
        fields[key] = value
    return fields


def _is_kind(value: Any, kind: str) -> bool:
    if kind not in _KINDS:
        return True  # an unknown kind in a flavour table constrains nothing
    if isinstance(value, bool) and kind != "boolean":
        return False  # bool is an int in Python, never a number in JSON
    return isinstance(value, _KINDS[kind][1])


def option_value(text: str) -> Any:
    """The value as JSON when it parses as JSON, else the string itself."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


def _refusal(key: str, api_key_env: str, set_by_config: Mapping[str, str]) -> Union[str, None]:
    for reserved, why in _RESERVED_WHY:
        if key == reserved:
            return f"provider option {key!r} is reserved: {why}"
    if key.strip().lower().replace("-", "_") in _CREDENTIAL_KEYS:
        return f"provider option {key!r} is reserved: the API key is read from {api_key_env} only"
    if key in set_by_config:
        return (
            f"provider option {key!r} conflicts with {set_by_config[key]}, which is set; "
            "set one of them"
        )
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
