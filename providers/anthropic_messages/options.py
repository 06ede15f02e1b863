"""Which `provider-options` the Messages dialect reserves.

How options are read and checked is the same in both dialects (`providers.common.options`);
this is what is the dialect's own.  Options are how the fields golem:llm has no input for
reach the API (`top_k`, `top_p`, `metadata`, `thinking`, `service_tier`, a richer
`tool_choice`, ...); besides the keys every dialect reserves, `system` and `tools` have
their own golem:llm inputs (system messages, config.tools).  Unset config fields may be
filled (e.g. `max_tokens` replaces the default).
"""

from __future__ import annotations

from providers.common.options import RESERVED_EVERYWHERE

#: (key, why) pairs no option may set.
RESERVED = RESERVED_EVERYWHERE + (
    ("system", "pass system messages (role system) in the conversation"),
    ("tools", "define tools in config.tools"),
)
