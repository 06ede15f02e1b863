"""OpenRouter Chat Completions (`POST https://openrouter.ai/api/v1/chat/completions`).

OpenRouter is the OpenAI dialect with the differences of reference/providers.md §5, stated
as data:

- request: Bearer `OPENROUTER_API_KEY`; `OPENROUTER_BASE_URL` overrides the API root;
  `max_tokens` (the only max-tokens field OpenRouter documents).  Two optional attribution
  headers, sent only when their variable is set and non-empty:
  `HTTP-Referer` from `OPENROUTER_HTTP_REFERER` (the app's URL) and `X-Title` from
  `OPENROUTER_X_TITLE` (the app's name; OpenRouter also reads it as `X-OpenRouter-Title`).
  `stream_options.include_usage` is still sent (OpenRouter documents it as a harmless no-op:
  usage always comes).
- routing through provider-options, passed through as typed JSON: `provider` (object),
  `models` (array, fallbacks), `route` (string), `reasoning` (object), `transforms`
  (array, legacy), `plugins` (array).  A value of the wrong kind is refused before sending.
- stream and errors: `OPENROUTER_QUIRKS` (402 insufficient credits, 403 moderation, 408
  timeout, the upstream `provider` kept in metadata).  `: OPENROUTER PROCESSING` comments,
  the role repeated in every delta, the finish_reason repeated with the usage, `reasoning`
  / `reasoning_details` deltas and in-band error chunks are handled by the shared SSE
  parser and normalizer.
"""

from __future__ import annotations

from normalizer.chat_quirks import OPENROUTER_QUIRKS
from providers.chat_completions.flavor import ChatCompletionsFlavor
from providers.chat_completions.provider import ChatCompletionsProvider

OPENROUTER_FLAVOR = ChatCompletionsFlavor(
    label="OpenRouter",
    name="openrouter",
    api_key_env="OPENROUTER_API_KEY",
    base_url_env="OPENROUTER_BASE_URL",
    default_base_url="https://openrouter.ai/api/v1",
    quirks=OPENROUTER_QUIRKS,
    path="/chat/completions",
    max_tokens_field="max_tokens",
    prefill_model_prefixes=("anthropic/",),
    extra_headers_from_env=(
        ("HTTP-Referer", "OPENROUTER_HTTP_REFERER"),
        ("X-Title", "OPENROUTER_X_TITLE"),
    ),
    typed_options=(
        ("provider", "object"),
        ("models", "array"),
        ("route", "string"),
        ("reasoning", "object"),
        ("transforms", "array"),
        ("plugins", "array"),
    ),
)

PROVIDER = ChatCompletionsProvider(OPENROUTER_FLAVOR)
