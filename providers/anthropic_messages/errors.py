"""Non-2xx Messages responses → `LlmError`, with the API key kept out of them.

The body mapping (status → code, Anthropic's `{"type":"error","error":{type,message}}`
read into the message, the body kept as `provider_error_json`) is the dialect's and lives
in `normalizer.anthropic_error`.  This wrapper adds what the provider is in a position to
do: scrub the API key.  Anthropic does not echo keys ("invalid x-api-key"), but a proxy,
gateway or emulator might, and an error value ends up in the oplog and in logs.  Two
scrubs, both applied to the body before it is parsed (so the message and the kept JSON
agree), and the key is removed once more from the result (the mechanics, shared with Chat
Completions, are `providers.common.error_response`; the key shapes are this API's):

- the key itself, when the caller passes the environment: every literal occurrence;
- always, anything shaped like an Anthropic key (`sk-ant-…`, or any `sk-…` with 16 or more
  key characters) or an echoed `x-api-key:` / `Bearer` credential, because
  `Provider.error_from_response` may be called without the environment.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Optional

from normalizer.anthropic_error import error_from_body
from normalizer.error_codes import code_from_status
from normalizer.values import LlmError
from providers.common.error_response import error_from_response as _guarded_error

_KEY_SHAPED = re.compile(
    rb"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{16,}"
    rb"|(?<=[Xx]-[Aa][Pp][Ii]-[Kk][Ee][Yy]: )[A-Za-z0-9._~+/=-]{8,}"
    rb"|(?<=[Bb]earer )[A-Za-z0-9._~+/=-]{8,}",
)


def error_from_response(status: int, body: bytes, label: str, secret: Optional[str]) -> LlmError:
    """The error value for an HTTP error response; never raises, never contains `secret`."""
    return _guarded_error(
        status, body, label=label, secret=secret, key_shaped=_KEY_SHAPED,
        from_body=partial(error_from_body, label=label),
        code_from_status=code_from_status,
    )
