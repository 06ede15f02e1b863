"""xAI Grok Chat Completions (`POST https://api.x.ai/v1/chat/completions`).

Every fact about xAI lives here.  Grok is the Chat Completions dialect with the differences
of reference/providers.md §4, stated as data:

- request: Bearer `XAI_API_KEY`; `XAI_BASE_URL` overrides the API root (proxies, the local
  emulator, which serves it under `/xai/v1`); `max_completion_tokens` (xAI prefers it,
  `max_tokens` is deprecated); `stream_options.include_usage` (added for every provider) is
  what makes xAI send usage.
- refused before sending, because xAI answers them with an error: `stop`,
  `presence_penalty` and `frequency_penalty` for reasoning models (grok-3-mini, grok-4*,
  grok-code*, except the `-non-reasoning` variants); `reasoning_effort` for any model but
  grok-3-mini; `search_parameters` (Live Search, now 410 Gone); inline images that are not
  JPEG or PNG.
- stream and errors: `completion_tokens` leaves the reasoning tokens out (total = prompt +
  completion + reasoning), a wrong key is answered with HTTP 400 ("Incorrect API key
  provided"), 410 means a retired feature, and errors come in the flat
  `{"code": "<gRPC status words>", "error": "<message>"}` body (read by the dialect's error
  mapping, which accepts every shape).  Whole tool calls per chunk, absent `finish_reason`
  keys, empty deltas and `reasoning_content` need no quirk: the dialect's normalizer handles
  them for every server.
- `prompt-cache-key` is sent as the `x-grok-conv-id` header, not a body field: on Chat
  Completions xAI routes requests with the same conversation id to the same server, where
  the cached prompt is ("Maximizing Cache Hits",
  https://docs.x.ai/developers/advanced-api-usage/prompt-caching/maximizing-cache-hits;
  `prompt_cache_key` is that page's body field for the Responses API only).
- `seed` and `user` are body fields of xAI's Chat Completions request (its REST API
  reference lists both, OpenAI-compatible: an integer seed, an end-user id string), so the
  dialect's mapping sends them as is.
- documented options it cannot honour: `thinking-budget`, `prompt-cache` and
  `reasoning-blocks`.
"""

from __future__ import annotations

from normalizer.chat_completions.quirks import ChatQuirks, StatusRule
from normalizer.values import ErrorCode
from providers.chat_completions.provider import ChatCompletionsProvider
from providers.chat_completions.refusals import ParameterRule

_REASONING_MODELS = ("grok-3-mini", "grok-4", "grok-code")

PROVIDER = ChatCompletionsProvider(
    name="grok",
    label="xAI",
    api_key_env="XAI_API_KEY",
    base_url_env="XAI_BASE_URL",
    default_base_url="https://api.x.ai/v1",
    path="/chat/completions",
    default_model="grok-4-fast",
    emulator_prefix="/xai/v1",
    max_tokens_field="max_completion_tokens",
    parameter_rules=(
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
    ),
    inline_image_types=("image/jpeg", "image/jpg", "image/png"),
    option_headers=(("prompt-cache-key", "x-grok-conv-id"),),
    portable_unsupported=(
        ("thinking-budget", "xAI sizes reasoning by effort; pass reasoning-effort"),
        ("prompt-cache", "xAI caches prompts by itself"),
        ("reasoning-blocks", "xAI's Chat Completions takes no reasoning back from the caller"),
    ),
    quirks=ChatQuirks(
        usage_completion_excludes_reasoning=True,
        auth_error_phrases=(
            "incorrect api key",
            "invalid api key",
            "no api key",
            "missing api key",
            "valid authentication credentials",
        ),
        status_rules=(
            StatusRule(
                410, ErrorCode.UNSUPPORTED, "gone",
                "xAI retired this feature (Live Search's search_parameters answers 410); "
                "use the Agent Tools API instead.",
            ),
        ),
    ),
)
