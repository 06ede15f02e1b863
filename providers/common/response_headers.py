"""What a response's headers say about the call: its request id and the rate-limit state.

Both go into the finish's `provider-metadata-json` and into `provider-error-json`
(`normalizer/provider_metadata.py`), because they are what a caller needs to report a
problem to the provider (the request id) or to pace its own calls (the limits).  Only these
headers are read; every other header stays in the transport.

- The request id is the provider's own header (`Provider.request_id_header`: OpenAI and xAI
  `x-request-id`, Anthropic `request-id`, OpenRouter `x-generation-id`).
- The rate-limit headers are grouped by the limit they describe, with the provider's words
  for it: OpenAI and xAI `x-ratelimit-{limit,remaining,reset}-<what>` and Anthropic
  `anthropic-ratelimit-<what>-{limit,remaining,reset}` both become
  `{"<what>": {"limit": .., "remaining": .., "reset": ..}}` (`input-tokens` →
  `input_tokens`).  A bare `x-ratelimit-<field>` (no limit named) is kept under its field.
  `retry-after` and `retry-after-ms` are kept as `retry_after` and `retry_after_ms`, and
  `x-should-retry` (Anthropic's and OpenAI's word on whether to try the request again,
  which the retry machinery obeys, `providers/retry.py`) as the boolean `should_retry`;
  a value other than `true` or `false` is left out.
  A value that is a whole number becomes a number; any other (OpenAI's `6m0s`, Anthropic's
  RFC 3339 time, an HTTP date) stays the text the provider sent.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

_FIELDS = ("limit", "remaining", "reset")
_OPENAI_PREFIX = "x-ratelimit-"
_ANTHROPIC_PREFIX = "anthropic-ratelimit-"
_RETRY = (("retry-after", "retry_after"), ("retry-after-ms", "retry_after_ms"))
_SHOULD_RETRY = ("x-should-retry", "should_retry")
#: Bounds on what is copied, so a hostile server cannot bloat the metadata.
_MAX_VALUE = 200
_MAX_LIMITS = 16


def _value(text: str) -> Union[int, str]:
    text = text.strip()[:_MAX_VALUE]
    return int(text) if text.isdigit() and len(text) < 19 else text


def _split(name: str) -> Optional[tuple[str, str]]:
    """(what, field) for a rate-limit header name, or None for any other header."""
    if name.startswith(_OPENAI_PREFIX):
        rest = name[len(_OPENAI_PREFIX):]
        for field in _FIELDS:
            if rest == field:
                return "", field
            if rest.startswith(field + "-"):
                return rest[len(field) + 1:], field
        return None
    if name.startswith(_ANTHROPIC_PREFIX):
        rest = name[len(_ANTHROPIC_PREFIX):]
        for field in _FIELDS:
            if rest.endswith("-" + field):
                return rest[: -len(field) - 1], field
    return None


def rate_limit(headers: Mapping[str, str]) -> dict[str, Any]:
    """The rate-limit state the headers (lower-case names) give; empty when none."""
    out: dict[str, Any] = {}
    for name, text in headers.items():
        split = _split(name)
        if split is None or not isinstance(text, str):
            continue
        what, field = split
        if not what:
            out.setdefault(field, _value(text))
            continue
        key = what.replace("-", "_")[:_MAX_VALUE]
        group = out.get(key)
        if group is None:
            if len(out) >= _MAX_LIMITS:
                continue
            group = out[key] = {}
        if isinstance(group, dict):
            group[field] = _value(text)
    for header, key in _RETRY:
        text = headers.get(header)
        if isinstance(text, str) and text.strip():
            out[key] = _value(text)
    header, key = _SHOULD_RETRY
    should = headers.get(header)
    if isinstance(should, str) and should.strip().lower() in ("true", "false"):
        out[key] = should.strip().lower() == "true"
    return out


def response_facts(headers: Mapping[str, str], request_id_header: str) -> dict[str, Any]:
    """`request_id` and `rate_limit` from a response's headers (lower-case names), each
    left out when the headers do not have it."""
    out: dict[str, Any] = {}
    request_id = headers.get(request_id_header)
    if isinstance(request_id, str) and request_id.strip():
        out["request_id"] = request_id.strip()[:_MAX_VALUE]
    limits = rate_limit(headers)
    if limits:
        out["rate_limit"] = limits
    return out
