"""OpenAI Chat Completions (`POST https://api.openai.com/v1/chat/completions`).

OpenAI is the reference dialect, so its flavor is the defaults: Bearer auth, the
`max_completion_tokens` field (OpenAI deprecated `max_tokens`, which o-series models
reject), no extra headers.  `OPENAI_BASE_URL` points the component at a proxy, a gateway
or the local provider emulator.
"""

from __future__ import annotations

from normalizer.chat_quirks import OPENAI_QUIRKS
from providers.chat_completions.flavor import ChatCompletionsFlavor
from providers.chat_completions.provider import ChatCompletionsProvider

OPENAI_FLAVOR = ChatCompletionsFlavor(
    label="OpenAI",
    name="openai",
    api_key_env="OPENAI_API_KEY",
    base_url_env="OPENAI_BASE_URL",
    default_base_url="https://api.openai.com/v1",
    quirks=OPENAI_QUIRKS,
    path="/chat/completions",
    max_tokens_field="max_completion_tokens",
    extra_headers_from_env=(),
)

PROVIDER = ChatCompletionsProvider(OPENAI_FLAVOR)
