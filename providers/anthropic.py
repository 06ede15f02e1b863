"""Anthropic Messages (`POST https://api.anthropic.com/v1/messages`).

Every fact about Anthropic lives here; the mapping is `providers/anthropic_messages/`, the
stream decoding `normalizer/anthropic_messages/`.

- `ANTHROPIC_API_KEY` is sent as `x-api-key`; `ANTHROPIC_BASE_URL` is, like the official
  SDKs' variable of the same name, the origin *without* `/v1` (the request goes to
  `{base}/v1/messages`), and points the component at a proxy, a gateway or the local
  provider emulator (which serves this API at the origin itself).
- the response's `request-id` header is the request id (`req_...`) reported in the
  metadata and in `provider-error-json`.
- `anthropic-version: 2023-06-01`: required by the API, and the version every current model
  and feature (tools, images, thinking) is documented against.
- `max_tokens` defaults to 4096, the largest output limit that every Claude model accepts
  (the Claude 3 models cap output at 4096, newer ones allow more), so the default never
  makes a request fail on any model while leaving room for an ordinary answer.  Set
  `config.max-tokens` (or the `max_tokens` provider option) for longer answers.
- With extended thinking on, the assistant turn that `continue` sends back must start with
  the signed `thinking` / `redacted_thinking` blocks that preceded its `tool_use` blocks
  (the API answers 400 otherwise): they are kept under `thinking` in the finish metadata
  and sent back from there (`reasoning_echo_key`).
- Claude continues a trailing assistant message (a prefill) from its last word, whatever
  the model: a durable stream resumes an interrupted answer that way.
- Native structured output (`output_config.format`) is generally available for Claude
  Opus 4.6, Sonnet 4.6, Sonnet 4.5, Opus 4.5 and Haiku 4.5 (Anthropic's "Structured
  outputs" page, docs.claude.com/en/docs/build-with-claude/structured-outputs), and Opus
  4.7 has it too (Vertex AI's list of Claude models with structured outputs); Opus 4.1 had
  it only in the retired beta (`output_format` with a beta header).  `json-schema` on any
  other model is sent as a forced tool (`anthropic_messages/structured_output.py`), which
  every model takes.
"""

from __future__ import annotations

from providers.anthropic_messages.provider import AnthropicMessagesProvider

PROVIDER = AnthropicMessagesProvider(
    name="anthropic",
    label="Anthropic",
    api_key_env="ANTHROPIC_API_KEY",
    base_url_env="ANTHROPIC_BASE_URL",
    default_base_url="https://api.anthropic.com",
    path="/v1/messages",
    default_model="claude-sonnet-4-5",
    emulator_prefix="",
    prefill_model_prefixes=("",),
    request_id_header="request-id",
    api_version="2023-06-01",
    default_max_tokens=4096,
    reasoning_echo_key="thinking",
    native_json_schema_models=(
        "claude-opus-4-7",
        "claude-opus-4-6",
        "claude-sonnet-4-6",
        "claude-opus-4-5",
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
    ),
)
