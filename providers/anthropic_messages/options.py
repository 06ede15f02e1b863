"""golem:llm `provider-options` (`list<kv>` of strings) → typed Messages body fields.

golem:llm has no typed escape hatch, so each value is read as JSON when it is JSON: "40"
becomes 40, "0.9" 0.9, '{"type": "enabled", "budget_tokens": 2048}' an object; anything
else ("hello") stays a string.  To force a string that looks like JSON, quote it: '"42"'.
NaN and Infinity are not JSON and stay strings, so the body is always valid JSON.  This is
how the fields golem:llm has no input for reach the API: `top_k`, `top_p`, `metadata`,
`thinking`, `service_tier`, a richer `tool_choice` (e.g. `disable_parallel_tool_use`), ...

Checked only where a wrong value would break the contract rather than the request:

- `model`, `messages`, `system`, `tools` and `stream` are reserved: each has its own
  golem:llm input (config.model, the messages, system messages, config.tools), and the
  engine always streams (send and continue drain the stream).
- keys that look like credentials (`api_key`, `x-api-key`, `Authorization`, ...) are
  reserved: the key comes from the environment only, so it never travels in the body or the
  oplog.
- a field that config already set (`temperature`, `max_tokens`, `stop_sequences`,
  `tool_choice`) is a conflict, reported instead of silently picking one; unset config
  fields may be filled (e.g. `max_tokens` replaces the default).
Duplicate keys: the last one wins, like JSON objects.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Sequence, Union

from normalizer.values import ErrorCode, Kv, LlmError

JsonObject = dict[str, Any]

_RESERVED_WHY = (
    ("model", "set it with config.model"),
    ("messages", "pass the conversation as the messages argument"),
    ("system", "pass system messages (role system) in the conversation"),
    ("tools", "define tools in config.tools"),
    ("stream", "every request is streamed (send and continue drain the stream)"),
)

_CREDENTIAL_KEYS = ("api_key", "apikey", "authorization", "x_api_key")


def provider_options(
    options: Sequence[Kv], api_key_env: str, set_by_config: Mapping[str, str]
) -> Union[JsonObject, LlmError]:
    """Body fields from the options, or the error for the first one that may not be set.

    `set_by_config` maps each body field the config already filled to the config field that
    filled it, for the conflict message.
    """
    fields: JsonObject = {}
    for option in options:
        refusal = _refusal(option.key, api_key_env, set_by_config)
        if refusal is not None:
            return LlmError(ErrorCode.INVALID_REQUEST, refusal)
        fields[option.key] = option_value(option.value)
    return fields


def option_value(text: str) -> Any:
    """The value as JSON when it parses as JSON, else the string itself."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


def _refusal(key: str, api_key_env: str, set_by_config: Mapping[str, str]) -> Optional[str]:
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
