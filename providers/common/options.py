"""golem:llm `provider-options` (`list<kv>` of strings) → typed JSON body fields.

golem:llm has no typed escape hatch, so each value is read as JSON when it is JSON: "0.5"
becomes 0.5, "true" True, '{"a":1}' an object; anything else ("hello") stays a string.  To
force a string that looks like JSON, quote it: '"42"'.  NaN and Infinity are not JSON and
stay strings, so the body is always valid JSON.  A value nested deeper than the JSON depth
bound (`normalizer/json_depth.py`) is refused naming the option.  Duplicate keys: the last
one wins, like JSON objects.

Options reach fields no dialect knows (`top_p`, `seed`, `response_format`, Anthropic's
`top_k` and `thinking`, OpenRouter's `provider` and `models`, ...), so they are checked only
where a wrong value would break the contract rather than the request, by the same rules in
both dialects (each dialect's `options` module lists its reserved and typed keys):

- reserved keys (each dialect's table: `model`, `messages`, `stream`, ...) have their own
  golem:llm input, or the engine depends on them;
- keys that look like credentials (`api_key`, `x-api-key`, `Authorization`, ...) are
  reserved: the key comes from the environment only, so it never travels in the body or the
  oplog;
- a field that config already set is a conflict, reported instead of silently picking one;
- `typed` options must parse as their JSON kind, so that a bare word is refused here instead
  of reaching the API as a string.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping, Optional, Sequence

from normalizer.json_depth import JsonTooDeep
from normalizer.values import Kv
from providers.common.refusal import Refusal
from providers.common.json_body import JsonObject, loads_strict

#: (key, why) pairs reserved in every dialect; a dialect adds its own.
RESERVED_EVERYWHERE: tuple[tuple[str, str], ...] = (
    ("model", "set it with config.model"),
    ("messages", "pass the conversation as the messages argument"),
    ("stream", "every request is streamed (send and continue drain the stream)"),
)

_CREDENTIAL_KEYS = ("api_key", "apikey", "authorization", "x_api_key")

_KINDS: Mapping[str, tuple[str, tuple[type, ...]]] = MappingProxyType({
    "object": ("a JSON object", (dict,)),
    "array": ("a JSON array", (list,)),
    "string": ("a string", (str,)),
    "number": ("a number", (int, float)),
    "boolean": ("true or false", (bool,)),
})


def provider_options(
    options: Sequence[Kv],
    *,
    api_key_env: str,
    set_by_config: Mapping[str, str],
    reserved: Sequence[tuple[str, str]],
    typed: Sequence[tuple[str, str]] = (),
) -> JsonObject:
    """Body fields from the options; the first one that may not be set is refused.

    `api_key_env` is named in the refusal of a credential-like key; `set_by_config` maps
    each body field the config already filled to the config field that filled it, for the
    conflict message.  `reserved` lists (key, why) pairs (the dialect's `options.RESERVED`);
    `typed` lists (option, JSON kind) pairs whose values must be of that kind (a later pair
    wins).
    """
    kinds = dict(typed)
    fields: JsonObject = {}
    for option in options:
        key = option.key
        refusal = _refusal(key, api_key_env, set_by_config, reserved)
        if refusal is not None:
            raise Refusal(refusal)
        try:
            value = option_value(option.value)
        except JsonTooDeep as exc:
            raise Refusal(f"provider option {key!r} has {exc}") from exc
        kind = kinds.get(key)
        if kind is not None and not _is_kind(value, kind):
            raise Refusal(
                f"provider option {key!r} must be {_KINDS[kind][0]}, got {option.value!r}")
        fields[key] = value
    return fields


def option_value(text: str) -> Any:
    """The value as JSON when it parses as JSON, else the string itself; JSON nested deeper
    than the bound raises `JsonTooDeep` (it is meant as JSON, and cannot be read)."""
    try:
        return loads_strict(text)
    except JsonTooDeep:
        raise
    except ValueError:
        return text


def _is_kind(value: Any, kind: str) -> bool:
    if kind not in _KINDS:
        return True  # an unknown kind in a provider's typed_options constrains nothing
    if isinstance(value, bool) and kind != "boolean":
        return False  # bool is an int in Python, never a number in JSON
    return isinstance(value, _KINDS[kind][1])


def _refusal(key: str, api_key_env: str, set_by_config: Mapping[str, str],
             reserved: Sequence[tuple[str, str]]) -> Optional[str]:
    for name, why in reserved:
        if key == name:
            return f"provider option {key!r} is reserved: {why}"
    if key.strip().lower().replace("-", "_") in _CREDENTIAL_KEYS:
        return f"provider option {key!r} is reserved: the API key is read from {api_key_env} only"
    if key in set_by_config:
        return (
            f"provider option {key!r} conflicts with {set_by_config[key]}, which is set; "
            "set one of them"
        )
    return None
