"""xAI Grok Chat Completions (`POST https://api.x.ai/v1/chat/completions`).

Grok is the OpenAI dialect with the differences of reference/providers.md §4, stated as data:

- request: Bearer `XAI_API_KEY`; `XAI_BASE_URL` overrides the API root (proxies, the local
  emulator); `max_completion_tokens` (xAI prefers it, `max_tokens` is deprecated);
  `stream_options.include_usage` (added for every flavour) is what makes xAI send usage.
- refused before sending, because xAI answers them with an error: `stop`,
  `presence_penalty` and `frequency_penalty` for reasoning models (grok-3-mini, grok-4*,
  grok-code*, except the `-non-reasoning` variants); `reasoning_effort` for any model but
  grok-3-mini; `search_parameters` (Live Search, now 410 Gone); inline images that are not
  JPEG or PNG.
- stream and errors: `XAI_QUIRKS` (completion_tokens without reasoning tokens, a wrong key
  answered with 400, the flat `{"code", "error"}` body).  Whole tool calls per chunk, absent
  `finish_reason` keys, empty deltas and `reasoning_content` need no flag: the shared
  normalizer handles them for every server.
"""

from __future__ import annotations

from normalizer.chat_quirks import XAI_QUIRKS
from providers.chat_completions.flavor import ChatCompletionsFlavor
from providers.chat_completions.provider import ChatCompletionsProvider
from providers.chat_completions.refusals import ParameterRule

_REASONING_MODELS = ("grok-3-mini", "grok-4", "grok-code")

XAI_PARAMETER_RULES = (
    ParameterRule(
        fields=("search_parameters",),
        reason="xAI retired Live Search (the API answers 410 Gone); use the Agent Tools API",
    ),
    ParameterRule(
        fields=("stop", "presence_penalty", "frequency_penalty"),
        reason="xAI reasoning models reject it with an error",
        model_prefixes=_REASONING_MODELS,
        unless_containing=("non-reasoning",),
    ),
    ParameterRule(
        fields=("reasoning_effort",),
        reason="only grok-3-mini accepts reasoning_effort; other models answer with an error",
        unless_containing=("grok-3-mini",),
    ),
)

GROK_FLAVOR = ChatCompletionsFlavor(
    label="xAI",
    name="grok",
    api_key_env="XAI_API_KEY",
    base_url_env="XAI_BASE_URL",
    default_base_url="https://api.x.ai/v1",
    quirks=XAI_QUIRKS,
    path="/chat/completions",
    max_tokens_field="max_completion_tokens",
    extra_headers_from_env=(),
    parameter_rules=XAI_PARAMETER_RULES,
    inline_image_types=("image/jpeg", "image/jpg", "image/png"),
)

PROVIDER = ChatCompletionsProvider(GROK_FLAVOR)
