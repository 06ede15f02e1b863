"""golem:llm `provider-options` (`list<kv>` of strings) → typed Chat Completions body fields.

golem:llm has no typed escape hatch, so each value is read as JSON when it is JSON: "0.5"
becomes 0.5, "true" True, "null" None, '{"a":1}' an object; anything else ("hello") stays a
string.  To force a string that looks like JSON, quote it: '"42"'.  NaN and Infinity are not
JSON and stay strings, so the body is always valid JSON.

Options reach fields this module does not know (`top_p`, `seed`, `response_format`,
OpenRouter's `provider` and `models`, ...), so they are checked only where a wrong value
would break the contract rather than the request (the rules and the JSON reading are shared
with the Messages dialect: `providers.common.options`):

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

from typing import Mapping, Sequence

from normalizer.values import Kv
from providers.common import options as common
from providers.common.request_parts import JsonObject

_ALWAYS_TYPED = (("stream_options", "object"),)


def provider_options(
    options: Sequence[Kv],
    api_key_env: str,
    set_by_config: Mapping[str, str],
    typed: Sequence[tuple[str, str]] = (),
) -> JsonObject:
    """Body fields from the options; the first one that may not be set is refused.

    `set_by_config` maps each body field the config already filled to the config field that
    filled it, for the conflict message.  `typed` lists (option, JSON kind) pairs whose
    values must be of that kind (see the module doc).
    """
    return common.provider_options(options, api_key_env, set_by_config,
                                   common.RESERVED_EVERYWHERE, (*_ALWAYS_TYPED, *typed))
