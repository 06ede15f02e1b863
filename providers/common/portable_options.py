"""The documented provider options: one set of keys, the same meaning for every provider.

golem:llm's `config` has no field for structured output, reasoning, caching and the other
settings every major API shares, so they travel as `provider-options`.  Keys spelled in
kebab-case, like golem:llm's own names, are this set; they are read and checked here, once,
and each dialect translates them to its wire fields (`providers/<dialect>/portable.py`).
Every other key is a native body field, passed through as before (`options.py`): wire
fields are snake_case, so the two never meet.  A kebab-case key outside the set is refused
(a typo must not reach the API as a field, nor vanish).

Values are read as the other options are (JSON when they parse as JSON).  A value of the
wrong kind or out of range is `invalid-request` naming the key; a key the provider cannot
honour is `unsupported` naming it and the provider (raised by the dialect), never dropped.

| key | value |
|---|---|
| `json-schema` | a JSON Schema object: the answer is JSON that follows it |
| `json-schema-name` | its name where the API wants one (default `response`) |
| `json-schema-strict` | `true` (default) or `false`: strict schema adherence |
| `json-mode` | `true`: the answer is a JSON object (no schema) |
| `json-schema-mode` | `native` or `tool`: how a provider with both forms sends the above (Anthropic) |
| `reasoning-effort` | `none`, `minimal`, `low`, `medium`, `high` or `xhigh` |
| `thinking-budget` | tokens the model may think for (an integer ≥ 1) |
| `prompt-cache` | `true` (system, tools and conversation) or an array of those three |
| `prompt-cache-key` | a string that groups requests sharing a cached prefix |
| `top-p` | nucleus sampling, a number from 0 to 1 |
| `seed` | an integer, for repeatable sampling |
| `user` | the end user's id (abuse monitoring) |
| `parallel-tool-calls` | `false` to allow at most one tool call per answer |
| `n` | `1` only: golem:llm returns one answer |
| `reasoning-blocks` | `continue` only: the reasoning to send back before the tool calls |

`reasoning-blocks` is the list found under `thinking` (Anthropic) or `reasoning_details`
(OpenRouter) in the finish metadata of the answer that asked for the tools.  An instance
remembers it by tool-call id and sends it by itself (`providers/reasoning_memory.py`); the
option is for a caller that continues on another instance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from normalizer.json_depth import JsonTooDeep
from normalizer.values import ErrorCode, Kv
from providers.common.options import option_value
from providers.common.refusal import Refusal

REASONING_BLOCKS = "reasoning-blocks"
JSON_SCHEMA_MODES = ("native", "tool")
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
CACHE_TARGETS = ("system", "tools", "messages")

#: Every documented key, in the order of the table above.
KEYS = ("json-schema", "json-schema-name", "json-schema-strict", "json-mode",
        "json-schema-mode", "reasoning-effort", "thinking-budget", "prompt-cache",
        "prompt-cache-key", "top-p", "seed", "user", "parallel-tool-calls", "n",
        REASONING_BLOCKS)


@dataclass(frozen=True)
class PortableOptions:
    """The documented options that were given, checked.  `given` lists their keys in the
    caller's order (what a provider must honour or refuse)."""

    given: tuple[str, ...] = ()
    json_schema: Optional[dict] = None
    json_schema_name: str = "response"
    json_schema_strict: bool = True
    json_mode: bool = False
    json_schema_mode: Optional[str] = None
    reasoning_effort: Optional[str] = None
    thinking_budget: Optional[int] = None
    prompt_cache: tuple[str, ...] = ()
    prompt_cache_key: Optional[str] = None
    top_p: Optional[float] = None
    seed: Optional[int] = None
    user: Optional[str] = None
    parallel_tool_calls: Optional[bool] = None
    reasoning_blocks: tuple[Any, ...] = field(default=())

    def refuse_unsupported(self, label: str, unsupported: Sequence[tuple[str, str]]) -> None:
        """`unsupported` lists (key, why) pairs the provider cannot honour; the first one
        given is refused."""
        for key, why in unsupported:
            if key in self.given:
                raise Refusal(f"provider option {key!r} is not supported by {label}: {why}",
                              ErrorCode.UNSUPPORTED)


def is_portable_key(key: str) -> bool:
    """Kebab-case, or one of the set: the documented keys' spelling (see the docstring)."""
    return "-" in key or key in KEYS


def split_options(options: Sequence[Kv]) -> tuple[PortableOptions, tuple[Kv, ...]]:
    """The documented options, checked, and the native ones, untouched, in order."""
    native: list[Kv] = []
    values: dict[str, Any] = {}
    order: list[str] = []
    for option in options:
        if not is_portable_key(option.key) or _credential_like(option.key):
            native.append(option)
            continue
        if option.key not in KEYS:
            raise Refusal(f"provider option {option.key!r} is not a documented option; the "
                          f"documented ones are {', '.join(KEYS)} (native fields are "
                          "spelled as on the wire, in snake_case)")
        try:
            values[option.key] = option_value(option.value)
        except JsonTooDeep as exc:
            raise Refusal(f"provider option {option.key!r} has {exc}") from exc
        if option.key in order:
            order.remove(option.key)
        order.append(option.key)
    return _checked(values, tuple(order)), tuple(native)


def _credential_like(key: str) -> bool:
    # `x-api-key` and the like stay with the native options, whose rule refuses them.
    return key.strip().lower().replace("-", "_") in ("x_api_key", "api_key")


def _checked(values: dict[str, Any], given: tuple[str, ...]) -> PortableOptions:
    fields: dict[str, Any] = {"given": given}
    if "json-schema" in values:
        fields["json_schema"] = _kind(values, "json-schema", dict, "a JSON Schema object")
    if "json-schema-name" in values:
        name = _kind(values, "json-schema-name", str, "a name")
        if not name or len(name) > 64 or not all(c.isascii() and (c.isalnum() or c in "_-")
                                                 for c in name):
            _invalid("json-schema-name", "letters, digits, _ and - only (at most 64)", name)
        fields["json_schema_name"] = name
    if "json-schema-strict" in values:
        fields["json_schema_strict"] = _kind(values, "json-schema-strict", bool, "true or false")
    if "json-mode" in values:
        fields["json_mode"] = _kind(values, "json-mode", bool, "true or false")
    if fields.get("json_mode") and "json_schema" in fields:
        raise Refusal("provider options 'json-mode' and 'json-schema' exclude each other: "
                      "a schema already makes the answer JSON")
    for key in ("json-schema-name", "json-schema-strict"):
        if key in values and "json_schema" not in fields:
            raise Refusal(f"provider option {key!r} needs 'json-schema'")
    if "json-schema-mode" in values:
        mode = values["json-schema-mode"]
        if mode not in JSON_SCHEMA_MODES:
            _invalid("json-schema-mode", " or ".join(JSON_SCHEMA_MODES), mode)
        if "json_schema" not in fields and not fields.get("json_mode"):
            raise Refusal("provider option 'json-schema-mode' needs 'json-schema' or "
                          "'json-mode'")
        fields["json_schema_mode"] = mode
    if "reasoning-effort" in values:
        effort = values["reasoning-effort"]
        if effort not in EFFORTS:
            _invalid("reasoning-effort", f"one of {', '.join(EFFORTS)}", effort)
        fields["reasoning_effort"] = effort
    if "thinking-budget" in values:
        fields["thinking_budget"] = _positive_int(values, "thinking-budget")
    if "prompt-cache" in values:
        fields["prompt_cache"] = _cache_targets(values["prompt-cache"])
    if "prompt-cache-key" in values:
        key = _kind(values, "prompt-cache-key", str, "a string")
        if not key.strip():
            _invalid("prompt-cache-key", "a non-empty string", key)
        fields["prompt_cache_key"] = key
    if "top-p" in values:
        top_p = values["top-p"]
        if (isinstance(top_p, bool) or not isinstance(top_p, (int, float))
                or not math.isfinite(top_p) or not 0 <= top_p <= 1):
            _invalid("top-p", "a number from 0 to 1", top_p)
        fields["top_p"] = top_p
    if "seed" in values:
        seed = values["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int):
            _invalid("seed", "an integer", seed)
        fields["seed"] = seed
    if "user" in values:
        user = values["user"]
        if isinstance(user, (int, float)) and not isinstance(user, bool):
            user = str(values["user"])  # an id that looks like a number is still an id
        user = _kind({"user": user}, "user", str, "a string")
        if not user.strip():
            _invalid("user", "a non-empty string", user)
        fields["user"] = user
    if "parallel-tool-calls" in values:
        fields["parallel_tool_calls"] = _kind(values, "parallel-tool-calls", bool,
                                              "true or false")
    if "n" in values:
        n = values["n"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            _invalid("n", "a positive integer", n)
        if n != 1:
            raise Refusal(f"provider option 'n' = {n} is not supported: golem:llm returns "
                          "one answer per call; make several calls instead",
                          ErrorCode.UNSUPPORTED)
    if REASONING_BLOCKS in values:
        blocks = values[REASONING_BLOCKS]
        if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
            _invalid(REASONING_BLOCKS, "a JSON array of objects", blocks)
        fields["reasoning_blocks"] = tuple(blocks)
    return PortableOptions(**fields)


def _kind(values: dict[str, Any], key: str, kind: type, what: str) -> Any:
    value = values[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        _invalid(key, what, value)
    return value


def _positive_int(values: dict[str, Any], key: str) -> int:
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        _invalid(key, "a positive integer", value)
    return value


def _cache_targets(value: Any) -> tuple[str, ...]:
    if value is True:
        return CACHE_TARGETS
    if value is False:
        return ()
    if isinstance(value, list) and value and all(t in CACHE_TARGETS for t in value):
        return tuple(t for t in CACHE_TARGETS if t in value)
    _invalid("prompt-cache", "true, false or an array of " + ", ".join(CACHE_TARGETS), value)
    raise AssertionError  # unreachable: _invalid raises


def _invalid(key: str, what: str, value: Any) -> None:
    raise Refusal(f"provider option {key!r} must be {what}, got {value!r}")
