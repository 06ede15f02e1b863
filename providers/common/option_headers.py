"""Documented options a provider takes as request headers instead of body fields.

Some APIs key a setting by a header: xAI's Chat Completions routes cached prompts by
`x-grok-conv-id`, where OpenAI takes a `prompt_cache_key` body field.  The provider states
which documented options become which headers (`Provider.option_headers`); the dialect then
leaves them out of the body and `Provider.build_request` sends them here.

A header value is checked before it exists: visible ASCII and inner spaces only, no
leading or trailing space, at most `MAX_VALUE` characters.  CR or LF would end the header
and start another (header injection), other control or non-ASCII characters are not valid
in an HTTP field value, so any of them is refused as `invalid-request` naming the option,
never sent.
"""

from __future__ import annotations

from typing import Any, Sequence

from providers.common.portable_options import PortableOptions
from providers.common.refusal import Refusal

MAX_VALUE = 512


def option_headers(options: PortableOptions,
                   declared: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The (header, value) pairs for the `declared` (option, header) pairs whose option was
    given, in the declared order."""
    out = []
    for key, header in declared:
        if key in options.given:
            out.append((header, header_value(key, getattr(options, key.replace("-", "_")))))
    return tuple(out)


def header_value(key: str, value: Any) -> str:
    """`value` as a header's value, or a refusal naming the option `key`."""
    if (not isinstance(value, str) or not value or len(value) > MAX_VALUE
            or value != value.strip(" ")
            or not all(" " <= char <= "~" for char in value)):
        raise Refusal(f"provider option {key!r} is sent as an HTTP header, so it must be "
                      f"visible ASCII characters or inner spaces (no CR, LF or other control "
                      f"characters, at most {MAX_VALUE}), got {value!r}")
    return value
