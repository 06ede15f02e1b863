"""Which `provider-options` the Chat Completions dialect reserves or types.

How options are read and checked is the same in both dialects (`providers.common.options`);
this is what is the dialect's own.  `model`, `messages` and `stream` are reserved, and
`stream_options` must be an object: the request adds `include_usage: true` to it, because
usage arrives only with it.  A provider may type more options (`typed_options`, e.g.
OpenRouter's `provider` object and `models` array).
"""

from __future__ import annotations

from providers.common.options import RESERVED_EVERYWHERE

#: (key, why) pairs no option may set.
RESERVED = RESERVED_EVERYWHERE

#: (option, JSON kind) pairs typed for every Chat Completions provider.
ALWAYS_TYPED = (("stream_options", "object"),)
