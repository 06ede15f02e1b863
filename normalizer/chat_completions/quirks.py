"""How an OpenAI-compatible server differs from OpenAI's Chat Completions: the types.

OpenAI, xAI Grok and OpenRouter speak the same wire dialect with a handful of deviations
(reference/providers.md §3–§5).  Rather than three normalizers there is one
(`stream.ChatCompletionsNormalizer`) that reads a `ChatQuirks` value, so a provider states
its quirks by name instead of forking the parsing code.  The values are each provider's own
and live in its file (`providers/grok.py`, `providers/openrouter.py`, ...).  Every field
defaults to OpenAI's behaviour; a field that is harmless for OpenAI (knowing OpenRouter's
reasoning key) stays on by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from normalizer.errors import code_from_status
from normalizer.values import ErrorCode


@dataclass(frozen=True)
class StatusRule:
    """How a server means one HTTP status differently from the shared table
    (`normalizer.errors.code_from_status`).

    The rule also applies to the same number given as `code` in an in-band error object,
    because OpenRouter uses its HTTP statuses there.

    status: the HTTP status (or numeric in-band `code`).
    code: the golem:llm error code it means for this server.
    phrase: the words in parentheses after the status in the message ("insufficient
        credits" rather than the code's generic "invalid request").
    note: what the caller should know or do, put before the server's own message;
        empty for none.
    when: lowercase words, one of which the error must carry (in its message, the names
        of its `metadata` fields or its `metadata.error_type`) for the rule to apply; an
        error without them means what the shared table says.  Empty: always.  OpenRouter's
        403 is a moderation refusal only when the error says so: a proxy's HTML page or an
        empty body is not.
    """

    status: int
    code: ErrorCode
    phrase: str
    note: str = ""
    when: tuple[str, ...] = ()

    def applies_to(self, error: Any) -> bool:
        """Whether this rule holds for `error`, the parsed error body or in-band error
        object (None when it was not JSON)."""
        if not self.when:
            return True
        words = _error_words(error)
        return any(word in words for word in self.when)


def _error_words(parsed: Any) -> str:
    """The lowercased message, `metadata` field names and `metadata.error_type` of an error
    object, or of the `error` object inside it."""
    if not isinstance(parsed, dict):
        return ""
    inner = parsed.get("error")
    error = inner if isinstance(inner, dict) else parsed
    parts = []
    for message in (error.get("message"), inner if isinstance(inner, str) else None):
        if isinstance(message, str):
            parts.append(message)
    metadata = error.get("metadata")
    if isinstance(metadata, dict):
        parts.extend(key for key in metadata if isinstance(key, str))
        error_type = metadata.get("error_type")
        if isinstance(error_type, str):
            parts.append(error_type)
    return " ".join(parts).lower()


@dataclass(frozen=True)
class ChatQuirks:
    """How one OpenAI-compatible server differs from OpenAI's chat-completions API.

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
    reasoning_details_in_metadata:
        OpenRouter's structured `reasoning_details` (signed reasoning that must be sent back
        with the tool calls it preceded) are joined (`reasoning_details.py`) and returned
        as `"reasoning_details"` in `provider_metadata_json`, from where `continue` sends
        them back (`providers/reasoning_memory.py`).  Off by default.
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

    reasoning_fields: tuple[str, ...] = ("reasoning_content", "reasoning")
    reasoning_in_metadata: bool = False
    reasoning_details_in_metadata: bool = False
    usage_completion_excludes_reasoning: bool = False
    error_finish_is_error: bool = True
    metadata_fields: tuple[str, ...] = ("model", "system_fingerprint")
    status_rules: tuple[StatusRule, ...] = ()
    auth_error_phrases: tuple[str, ...] = ()

    def status_rule(self, status: int, error: Any = None) -> Optional[StatusRule]:
        """The rule for `status` that holds for `error` (the parsed error body or in-band
        error object; None when there is none), or None when the shared table applies."""
        for rule in self.status_rules:
            if rule.status == status and rule.applies_to(error):
                return rule
        return None

    def code_for_status(self, status: int, error: Any = None) -> ErrorCode:
        """The golem:llm code for an HTTP status (or a numeric in-band code) from this
        server, given the parsed `error` when there is one: its own rule, else the shared
        table."""
        rule = self.status_rule(status, error)
        return rule.code if rule is not None else code_from_status(status)

    def refine(self, code: ErrorCode, *texts: object) -> ErrorCode:
        """An invalid-request or unknown error whose message or code string (`texts`)
        carries one of the authentication phrases is an authentication failure on this
        server (xAI's wrong-key 400); any other code is kept."""
        if code not in (ErrorCode.INVALID_REQUEST, ErrorCode.UNKNOWN) or not self.auth_error_phrases:
            return code
        for text in texts:
            if isinstance(text, str) and text:
                lowered = text.lower()
                if any(phrase in lowered for phrase in self.auth_error_phrases):
                    return ErrorCode.AUTHENTICATION_FAILED
        return code
