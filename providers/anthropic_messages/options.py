"""golem:llm `provider-options` (`list<kv>` of strings) → typed Messages body fields.

golem:llm has no typed escape hatch, so each value is read as JSON when it is JSON: "40"
becomes 40, "0.9" 0.9, '{"type": "enabled", "budget_tokens": 2048}' an object; anything
else ("hello") stays a string.  To force a string that looks like JSON, quote it: '"42"'.
NaN and Infinity are not JSON and stay strings, so the body is always valid JSON.  This is
how the fields golem:llm has no input for reach the API: `top_k`, `top_p`, `metadata`,
`thinking`, `service_tier`, a richer `tool_choice` (e.g. `disable_parallel_tool_use`), ...

Checked only where a wrong value would break the contract rather than the request (the rules
and the JSON reading are shared with Chat Completions: `providers.common.options`):

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

from typing import Mapping, Sequence

from normalizer.values import Kv
from providers.common import options as common
from providers.common.request_parts import JsonObject

_RESERVED_WHY = common.RESERVED_EVERYWHERE + (
    ("system", "pass system messages (role system) in the conversation"),
    ("tools", "define tools in config.tools"),
)


def provider_options(
    options: Sequence[Kv], api_key_env: str, set_by_config: Mapping[str, str]
) -> JsonObject:
    """Body fields from the options; the first one that may not be set is refused.

    `set_by_config` maps each body field the config already filled to the config field that
    filled it, for the conflict message.
    """
    return common.provider_options(options, api_key_env, set_by_config, _RESERVED_WHY)
