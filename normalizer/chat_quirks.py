"""The differences between OpenAI-compatible chat-completions servers, as one small table.

OpenAI, xAI Grok and OpenRouter speak the same wire dialect with a handful of deviations
(reference/providers.md §3–§5).  Rather than three normalizers, there is one
(`openai_chat.OpenAiChatNormalizer`) that reads this table, so a provider module states its
quirks by name instead of forking the parsing code.  Every field defaults to OpenAI's
behaviour; a field that is harmless for OpenAI (e.g. knowing OpenRouter's reasoning key)
stays on by default.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatQuirks:
    """How one OpenAI-compatible server differs from OpenAI's chat-completions API.

    label:
        The provider's name in error messages ("OpenAI returned HTTP 401 ...").
    reasoning_fields:
        Delta / message keys that carry reasoning text (xAI and vLLM `reasoning_content`,
        OpenRouter `reasoning`).  The normalizer never reads them into the answer's text: only
        `content` (and `refusal`) become text.  The order matters when `reasoning_in_metadata`
        is on: per delta the first non-empty key wins, because some servers (vLLM) send the
        same reasoning under two keys.
    reasoning_in_metadata:
        Off by default, to keep the per-chunk work minimal.  When on, the reasoning text is
        collected and returned as `"reasoning"` in `Finish.metadata.provider_metadata_json`
        (golem:llm has no reasoning content part).
    usage_completion_excludes_reasoning:
        xAI reports `completion_tokens` without the reasoning tokens (total = prompt +
        completion + reasoning).  golem:llm's `output-tokens` means everything the model
        generated, as OpenAI counts it, so for xAI the reasoning tokens are added back.
    error_finish_is_error:
        OpenRouter ends a stream that failed after the first token with
        `finish_reason: "error"` (normally next to an `error` object).  When on, such a finish
        ends the stream with an `LlmError` even if the error object is missing, because the
        answer is broken; when off it becomes `Finish(finish_reason=ERROR)`.
    metadata_fields:
        Top-level chunk keys copied into `provider_metadata_json` when present and not null
        (OpenRouter adds `provider`, the upstream that served the request).
    """

    label: str = "OpenAI"
    reasoning_fields: tuple[str, ...] = ("reasoning_content", "reasoning")
    reasoning_in_metadata: bool = False
    usage_completion_excludes_reasoning: bool = False
    error_finish_is_error: bool = True
    metadata_fields: tuple[str, ...] = ("model", "system_fingerprint")


OPENAI_QUIRKS = ChatQuirks()
"""OpenAI itself: the defaults."""

XAI_QUIRKS = ChatQuirks(label="xAI", usage_completion_excludes_reasoning=True)
"""xAI Grok (reference §4): whole tool calls per chunk need no flag (the assembler handles
them); only the usage arithmetic differs."""

OPENROUTER_QUIRKS = ChatQuirks(
    label="OpenRouter",
    metadata_fields=("model", "system_fingerprint", "provider"),
)
"""OpenRouter (reference §5): repeated finish_reason and in-band errors are handled by the
normalizer for every server; the upstream provider's name is worth keeping."""
