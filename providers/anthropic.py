"""Anthropic Messages API (`POST https://api.anthropic.com/v1/messages`).

`ANTHROPIC_API_KEY` is sent as `x-api-key`; `ANTHROPIC_BASE_URL` (the origin, without
`/v1`, as in Anthropic's SDKs) points the component at a proxy, a gateway or the local
provider emulator.  The mapping is in `providers/anthropic_messages/`, the stream decoding
in `normalizer/anthropic_stream.py`.
"""

from __future__ import annotations

from providers.anthropic_messages.provider import AnthropicProvider

PROVIDER = AnthropicProvider()
