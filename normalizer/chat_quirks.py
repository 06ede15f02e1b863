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

from normalizer.values import ErrorCode


@dataclass(frozen=True)
class StatusRule:
    """How a server means one HTTP status differently from the shared table
    (`normalizer.error_codes.code_from_status`).

    The rule also applies to the same number given as `code` in an in-band error object,
    because OpenRouter uses its HTTP statuses there.

    status: the HTTP status (or numeric in-band `code`).
    code: the golem:llm error code it means for this server.
    phrase: the words in parentheses after the status in the message ("insufficient
        credits" rather than the code's generic "invalid request").
    note: what the caller should know or do, put before the server's own message;
        empty for none.
    """

    status: int
    code: ErrorCode
    phrase: str
    note: str = ""


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
    status_rules:
        Statuses this server means differently from the shared status table (`StatusRule`).
    auth_error_phrases:
        Lowercase phrases that make a 4xx error an authentication failure whatever its
        status: xAI answers a wrong API key with HTTP 400 ("Incorrect API key provided"),
        where the status alone would say invalid-request.  Matched against the error's
        message and its `code` string.
    """

    label: str = "OpenAI"
    reasoning_fields: tuple[str, ...] = ("reasoning_content", "reasoning")
    reasoning_in_metadata: bool = False
    usage_completion_excludes_reasoning: bool = False
    error_finish_is_error: bool = True
    metadata_fields: tuple[str, ...] = ("model", "system_fingerprint")
    status_rules: tuple[StatusRule, ...] = ()
    auth_error_phrases: tuple[str, ...] = ()

    def status_rule(self, status: int) -> StatusRule | None:
        """The rule for `status`, or None when the shared table applies."""
        for rule in self.status_rules:
            if rule.status == status:
                return rule
        return None


OPENAI_QUIRKS = ChatQuirks()
"""OpenAI itself: the defaults."""

XAI_QUIRKS = ChatQuirks(
    label="xAI",
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
)
"""xAI Grok (reference §4): whole tool calls per chunk, absent `finish_reason` keys and empty
deltas need no flag (the normalizer handles them for every server).  What differs is the
usage arithmetic, the wrong-key 400, and 410 for retired features.  Its flat error body
(`{"code": "<gRPC status words>", "error": "<message>"}`) is read by the shared error
mapping, which accepts every shape."""

OPENROUTER_QUIRKS = ChatQuirks(
    label="OpenRouter",
    metadata_fields=("model", "system_fingerprint", "provider"),
    status_rules=(
        StatusRule(
            402, ErrorCode.RATE_LIMIT_EXCEEDED, "insufficient credits",
            "OpenRouter account has insufficient credits for this request; add credits at "
            "https://openrouter.ai/settings/credits or lower max-tokens (retrying will not "
            "help until then).",
        ),
        StatusRule(403, ErrorCode.INVALID_REQUEST, "flagged by moderation",
                   "the input was flagged by the model's moderation."),
        StatusRule(408, ErrorCode.INTERNAL_ERROR, "timed out"),
        StatusRule(502, ErrorCode.INTERNAL_ERROR, "upstream provider error"),
        StatusRule(503, ErrorCode.INTERNAL_ERROR, "no provider available"),
    ),
)
"""OpenRouter (reference §5): repeated finish_reason, `: OPENROUTER PROCESSING` comments and
in-band errors are handled for every server; the upstream provider's name is worth keeping.

Status decisions (§5.3): 402 (no credits) is `rate-limit-exceeded`, the code OpenAI's
exhausted quota (429 `insufficient_quota`) already gets, so one caller policy ("usage limit
reached") covers both; the message says that waiting does not help.  403 is OpenRouter's
moderation refusal, not a credentials problem, so `invalid-request`.  408 is an upstream
timeout, so `internal-error` like the other transient server-side failures."""
