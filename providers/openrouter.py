"""OpenRouter Chat Completions (`POST https://openrouter.ai/api/v1/chat/completions`).

Every fact about OpenRouter lives here.  OpenRouter is the Chat Completions dialect with the
differences of reference/providers.md §5, stated as data:

- request: Bearer `OPENROUTER_API_KEY`; `OPENROUTER_BASE_URL` overrides the API root (the
  local emulator serves it under `/openrouter/api/v1`); `max_tokens` (the only max-tokens
  field OpenRouter documents).  Two optional attribution headers, sent only when their
  variable is set and non-empty: `HTTP-Referer` from `OPENROUTER_HTTP_REFERER` (the app's
  URL) and `X-Title` from `OPENROUTER_X_TITLE` (the app's name; OpenRouter also reads it as
  `X-OpenRouter-Title`).  `stream_options.include_usage` is still sent (OpenRouter documents
  it as a harmless no-op: usage always comes).
- routing through provider-options, passed through as typed JSON: `provider` (object),
  `models` (array, fallbacks), `route` (string), `reasoning` (object), `transforms`
  (array, legacy), `plugins` (array).  A value of the wrong kind is refused before sending.
- reasoning: `reasoning-effort` and `thinking-budget` go into the `reasoning` object; the
  streamed `reasoning_details` are joined into the finish metadata and sent back on the
  assistant message of `continue` (`reasoning_echo_key`), which Anthropic models require
  after thinking.
- prefill: `anthropic/` models continue a trailing assistant message, as Claude does.
- prompt caching (https://openrouter.ai/docs/guides/best-practices/prompt-caching): most
  upstreams cache a prompt's prefix by themselves (OpenAI, DeepSeek, xAI Grok, Moonshot,
  Groq, Gemini 2.5's implicit cache), and nothing in the request changes that, so for
  their models `prompt-cache` is refused, saying so.  Anthropic's caching is explicit, and
  Gemini's explicit cache is asked for the same way: a `cache_control: {"type":
  "ephemeral"}` on a text part of a message's content, which OpenRouter passes on
  (Anthropic allows four such breakpoints and answers 400 beyond; Gemini caches what
  precedes the last one, and on Google AI Studio OpenRouter skips a breakpoint in the last
  message, so the system prompt's is then the one used).  The same page lists Alibaba's
  Qwen caching as explicit too; it is served by other hosts as well, so it is not listed
  here yet.  For `CACHE_BREAKPOINT_MODELS` the option becomes those breakpoints, on the
  system prompt and on the end of the conversation
  (`providers/chat_completions/cache.py`).  A recorded request
  (`../shared/fixtures/real/openrouter/pydantic-length`) shows OpenRouter accepting one on
  a user text part for `anthropic/claude-sonnet-4.6` and reporting the cache write as
  `usage.prompt_tokens_details.cache_write_tokens`.
- stream and errors: the upstream `provider` is kept in the finish's metadata, and the
  statuses below mean something of their own (§5.3).  402 (no credits) is
  `rate-limit-exceeded`, the code OpenAI's exhausted quota (429 `insufficient_quota`)
  already gets, so one caller policy ("usage limit reached") covers both; the message says
  that waiting does not help.  403 is OpenRouter's moderation refusal, not a credentials
  problem, so `invalid-request`, but only when the error says so: OpenRouter's moderation
  error names it ("requires moderation", "flagged") and carries `metadata.reasons` and
  `metadata.flagged_input`.  Any other 403 (a proxy's or firewall's HTML page, an empty
  body, a key without access) is what a 403 is everywhere, `authentication-failed`: the
  client is refused, and neither a retry nor changing the input helps.  408 (upstream
  timeout) is `internal-error` by the shared table.  `: OPENROUTER PROCESSING` comments,
  the role repeated in every delta, the finish_reason repeated with the usage, `reasoning` /
  `reasoning_details` deltas and in-band error chunks need no quirk: the shared SSE parser
  and normalizer handle them for every server.
- the request id is the generation id: the `x-generation-id` header, and, where a proxy
  dropped the header, the answer's own `id` (`gen-...`), which is the same value.
"""

from __future__ import annotations

from normalizer.chat_completions.quirks import ChatQuirks, StatusRule
from normalizer.values import ErrorCode
from providers.chat_completions.provider import ChatCompletionsProvider

#: The models (by id prefix) whose upstream caches only where `cache_control` says.
CACHE_BREAKPOINT_MODELS = ("anthropic/", "google/gemini")

PROVIDER = ChatCompletionsProvider(
    name="openrouter",
    label="OpenRouter",
    api_key_env="OPENROUTER_API_KEY",
    base_url_env="OPENROUTER_BASE_URL",
    default_base_url="https://openrouter.ai/api/v1",
    path="/chat/completions",
    default_model="openai/gpt-4o-mini",
    emulator_prefix="/openrouter/api/v1",
    max_tokens_field="max_tokens",
    headers_from_env=(
        ("HTTP-Referer", "OPENROUTER_HTTP_REFERER"),
        ("X-Title", "OPENROUTER_X_TITLE"),
    ),
    prefill_model_prefixes=("anthropic/",),
    cache_breakpoint_model_prefixes=CACHE_BREAKPOINT_MODELS,
    request_id_header="x-generation-id",
    response_id_is_request_id=True,
    reasoning_echo_key="reasoning_details",
    reasoning_style="reasoning",
    portable_unsupported=(
        ("prompt-cache", "the upstream of this model caches long prompts by itself "
                         "(automatic prompt caching); breakpoints are written for "
                         + " and ".join(f"{p}*" for p in CACHE_BREAKPOINT_MODELS)
                         + " models only"),
        ("prompt-cache-key", "OpenRouter does not document prompt_cache_key"),
    ),
    typed_options=(
        ("provider", "object"),
        ("models", "array"),
        ("route", "string"),
        ("reasoning", "object"),
        ("transforms", "array"),
        ("plugins", "array"),
    ),
    quirks=ChatQuirks(
        metadata_fields=("model", "system_fingerprint", "provider"),
        status_rules=(
            StatusRule(
                402, ErrorCode.RATE_LIMIT_EXCEEDED, "insufficient credits",
                "OpenRouter account has insufficient credits for this request; add credits at "
                "https://openrouter.ai/settings/credits or lower max-tokens (retrying will not "
                "help until then).",
            ),
            StatusRule(403, ErrorCode.INVALID_REQUEST, "flagged by moderation",
                       "the input was flagged by the model's moderation.",
                       when=("moderation", "flagged", "content_policy")),
            StatusRule(502, ErrorCode.INTERNAL_ERROR, "upstream provider error"),
            StatusRule(503, ErrorCode.INTERNAL_ERROR, "no provider available"),
        ),
    ),
)
