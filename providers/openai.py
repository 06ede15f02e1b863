"""OpenAI Chat Completions (`POST https://api.openai.com/v1/chat/completions`).

Every fact about OpenAI lives here.  OpenAI is the reference Chat Completions server, so
its quirks are the defaults: Bearer `OPENAI_API_KEY`, the `max_completion_tokens` field
(OpenAI deprecated `max_tokens`, which o-series models reject), no extra headers, nothing
refused before sending, the request id in `x-request-id` (xAI uses the same header).  `OPENAI_BASE_URL` points the component at a proxy, a gateway, an
OpenAI-compatible server (llama.cpp, ...) or the local provider emulator (which serves this
API under `/v1`); at any host but api.openai.com `config.max-tokens` is sent as `max_tokens`,
the field such servers read (they ignore `max_completion_tokens`).  Of the documented
options it cannot honour `thinking-budget`, `prompt-cache` and `reasoning-blocks`.
"""

from __future__ import annotations

from normalizer.chat_completions.quirks import ChatQuirks
from providers.chat_completions.provider import ChatCompletionsProvider

PROVIDER = ChatCompletionsProvider(
    name="openai",
    label="OpenAI",
    api_key_env="OPENAI_API_KEY",
    base_url_env="OPENAI_BASE_URL",
    default_base_url="https://api.openai.com/v1",
    path="/chat/completions",
    default_model="gpt-4o-mini",
    emulator_prefix="/v1",
    max_tokens_field="max_completion_tokens",
    compatible_max_tokens_field="max_tokens",
    quirks=ChatQuirks(),
    portable_unsupported=(
        ("thinking-budget", "OpenAI sizes reasoning by effort; pass reasoning-effort"),
        ("prompt-cache", "OpenAI caches long prompts by itself; pass prompt-cache-key to "
                         "group requests that share a prefix"),
        ("reasoning-blocks", "Chat Completions takes no reasoning back from the caller"),
    ),
)
