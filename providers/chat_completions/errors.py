"""Non-2xx Chat Completions responses → `LlmError`, with the API key kept out of them.

The body mapping itself (status → code, the message found in OpenAI's nested, xAI's flat or
OpenRouter's error shape, the body kept as `provider_error_json`) is the dialect's and lives
in `normalizer.openai_error`, driven by the provider's `ChatQuirks`.  This wrapper adds two
things the provider is in a position to do: name the provider in the message, and scrub the
API key (the mechanics, shared with the Messages dialect, are
`providers.common.error_response`; the key shapes are this dialect's).

No real server echoes a full key (OpenAI masks it), but a proxy, gateway or emulator might,
and an error value ends up in the oplog and in the caller's logs.  Two scrubs, both applied
to the body before it is parsed (so the message and the kept JSON agree):

- the key itself, when the caller passes the environment: every literal occurrence, whatever
  its length, is replaced by "[redacted]"; the result is checked once more afterwards;
- always, anything shaped like a key or a bearer credential (`sk-…`, `xai-…` with 16 or more
  key characters after the prefix, `Bearer <token>`), because `Provider.error_from_response`
  is called with the status and body only and the key may not be at hand.
  OpenAI's own masked echo ("sk-proj-****abcd") does not match and stays readable.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Optional

from normalizer.chat_quirks import ChatQuirks
from normalizer.openai_error import error_from_body, status_code
from normalizer.values import LlmError
from providers.common.error_response import error_from_response as _guarded_error

_KEY_SHAPED = re.compile(
    rb"(?<![A-Za-z0-9_-])(?:sk|xai)-[A-Za-z0-9_-]{16,}|(?<=[Bb]earer )[A-Za-z0-9._~+/=-]{8,}",
)


def error_from_response(status: int, body: bytes, quirks: ChatQuirks,
                        secret: Optional[str]) -> LlmError:
    """The error value for an HTTP error response, mapped by the provider's own quirks
    (`quirks.label` names it); never raises, never contains `secret`."""
    return _guarded_error(
        status, body, label=quirks.label, secret=secret, key_shaped=_KEY_SHAPED,
        from_body=partial(error_from_body, quirks=quirks),
        code_from_status=partial(status_code, quirks=quirks),
    )
