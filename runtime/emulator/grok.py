"""Grok's flavour of the Chat Completions dialect, rendered as xAI's API does (served where
`providers/grok.py` says: its `emulator_prefix` plus its `path`).

The stream is OpenAI's with xAI's habits (reference/providers.md §4, recorded grok-3-mini,
grok-4-fast and grok-code-fast traffic), stated in `GrokDialect.wire`:

- the role rides on the first delta (`{"content": "Olá", "role": "assistant"}`), no
  separate opening chunk, no `logprobs`, and no `finish_reason` key until the finish;
- every tool call arrives whole in one chunk (id, name and all the arguments), parallel
  calls at index 0, 1, ...; before them, `Scenario.extra["empty_deltas"]` (default 2)
  empty `delta: {}` chunks, as grok-code-fast sends while it builds the calls;
- `Scenario.reasoning` streams as `reasoning_content` deltas before the text;
- usage (only with `stream_options.include_usage`) leaves the reasoning tokens out of
  `completion_tokens`: total = prompt + completion + reasoning, with xAI's extra fields.

Errors use xAI's flat body `{"code": "<gRPC status words>", "error": "<message>"}`.  The one
recorded `code` is "Client specified an invalid argument" (gRPC INVALID_ARGUMENT as Rust's
tonic words it); the other statuses use tonic's words for the matching gRPC code, an
inference.  A wrong key is HTTP 400 with "Incorrect API key provided: xa***..." (xAI's
documented behaviour), a missing one 401.  An error inside a stream is not documented for
xAI; like the reference, the emulator assumes OpenAI's shape there (the inherited one).

Plain answers: `message.content` is "" (not null) beside tool calls, tool calls carry no
`index`, `refusal: null`, and `reasoning_content` when the scenario has reasoning.
"""

from __future__ import annotations

import uuid
from typing import Any, Mapping

from runtime.emulator.auth import bearer_token
from runtime.emulator.chat_completions import ChatCompletionsDialect, ChatWire
from runtime.emulator.request_view import RequestView
from runtime.emulator.response import RenderContext, Response
from runtime.emulator.scenario import Scenario, ScriptedToolCall

CONSOLE_URL = "https://console.x.ai"
DEFAULT_FINGERPRINT = "fp_9e8d7c6b5a"

# gRPC status words, as xAI's `code` field carries them.
INVALID_ARGUMENT = "Client specified an invalid argument"
UNAUTHENTICATED = "The request does not have valid authentication credentials"
PERMISSION_DENIED = "The caller does not have permission to execute the specified operation"
NOT_FOUND = "Some requested entity was not found"
DEADLINE_EXCEEDED = "Deadline expired before operation could complete"
RESOURCE_EXHAUSTED = "Some resource has been exhausted"
INTERNAL = "Internal error"
UNAVAILABLE = "The service is currently unavailable"
UNKNOWN = "Unknown error"


def xai_mask(key: str) -> str:
    """How xAI shows a wrong key back: its first two characters, then stars."""
    return key[:2] + "***"


def status_words(status: int) -> str:
    """The gRPC words xAI puts in `code` for an HTTP status."""
    if status == 401:
        return UNAUTHENTICATED
    if status == 403:
        return PERMISSION_DENIED
    if status == 404:
        return NOT_FOUND
    if status == 408:
        return DEADLINE_EXCEEDED
    if status == 429:
        return RESOURCE_EXHAUSTED
    if status in (502, 503):
        return UNAVAILABLE
    if status >= 500:
        return INTERNAL
    if 400 <= status < 500:
        return INVALID_ARGUMENT
    return UNKNOWN


def error_message(status: int, model: str) -> str:
    """The message xAI gives for an HTTP status (the emulator's plausible defaults)."""
    if status == 400:
        return ("This model's maximum prompt length is 131072 but the request contains "
                "262144 tokens.")
    if status == 401:
        return f"No API key provided. You can obtain an API key from {CONSOLE_URL}."
    if status == 403:
        return (f"The API key does not have permission to use the model {model}, or the team "
                "is blocked. Check the key's ACLs in the xAI console.")
    if status == 404:
        return f"The model {model} does not exist or your team does not have access to it."
    if status == 410:
        return "Live search is deprecated. Please switch to the Agent Tools API."
    if status == 413:
        return "The request body is too large."
    if status == 429:
        return (f"Your team has reached its requests-per-second limit for {model}. Please "
                "retry after a short wait.")
    if status >= 500:
        return "The service is temporarily unable to handle the request. Please try again."
    return f"Request failed with status {status}."


def flat_error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "error": message}


class GrokDialect(ChatCompletionsDialect):
    """Renders scenarios as xAI Grok Chat Completions answers."""

    wire = ChatWire(
        role="first_delta",
        logprobs=False,
        null_finish_reason=False,
        whole_tool_calls=True,
        reasoning_key="reasoning_content",
        usage_null_on_chunks=False,
        obfuscation=False,
    )

    def __init__(self, path: str | None = None) -> None:
        super().__init__("grok", path)

    # -- auth and errors ---------------------------------------------------------------

    def check_auth(self, headers: Mapping[str, str], expected_key: str | None) -> Response | None:
        token = bearer_token(headers)
        if token is None:
            return self.error(401, error_message(401, ""))
        if expected_key is not None and token != expected_key:
            # xAI answers a wrong key with 400, not 401 (docs.x.ai "Debugging errors").
            return self.error(400, f"Incorrect API key provided: {xai_mask(token)}. "
                                   f"You can obtain an API key from {CONSOLE_URL}.")
        return None

    def bad_json(self) -> Response:
        return self.error(400, "Failed to parse the request body as JSON.")

    def common_headers(self, ctx: RenderContext | None = None) -> tuple[tuple[str, str], ...]:
        return (("x-request-id", str(uuid.uuid4())),)

    def error_body(self, status: int, message: str, *, type: str | None = None, code: str | None = None,
                   param: str | None = None) -> Any:
        return flat_error(status_words(status), message)

    def scenario_error_body(self, status: int, scenario: Scenario, view: RequestView) -> Any:
        code = scenario.error_code if scenario.error_code is not None else status_words(status)
        return flat_error(code, scenario.error_message or error_message(status, view.model))

    def error_headers(self, status: int, scenario: Scenario) -> list[tuple[str, str]]:
        if scenario.retry_after is None:
            return []
        return [("retry-after", f"{scenario.retry_after:g}")]

    # -- answers -------------------------------------------------------------------------

    def completion_id(self, ctx: RenderContext) -> str:
        """A UUID, as xAI's ids are; derived from the request number so it is repeatable."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"xai-emulator:{ctx.request_number}:{ctx.created}"))

    def envelope_tail(self, scenario: Scenario) -> dict[str, Any]:
        return {"system_fingerprint": scenario.extra.get("system_fingerprint", DEFAULT_FINGERPRINT)}

    def empty_deltas(self, scenario: Scenario) -> int:
        return int(scenario.extra.get("empty_deltas", 2))

    def whole_tool_call(self, index: int, call_id: str, call: ScriptedToolCall) -> dict[str, Any]:
        """Recorded key order: id, function, index, type."""
        return {"id": call_id, "function": {"name": call.name, "arguments": call.arguments_json},
                "index": index, "type": "function"}

    def completion_message(self, scenario: Scenario, calls: list[tuple[str, ScriptedToolCall]]) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": scenario.text}
        if scenario.reasoning:
            message["reasoning_content"] = scenario.reasoning
        if calls:
            message["tool_calls"] = [
                {"id": cid, "function": {"name": c.name, "arguments": c.arguments_json}, "type": "function"}
                for cid, c in calls
            ]
        message["refusal"] = None
        return message

    def usage(self, scenario: Scenario, view: RequestView) -> dict[str, Any]:
        """`completion_tokens` without the reasoning; `total_tokens` with it."""
        prompt, answer, reasoning = self.token_counts(scenario, view)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": answer,
            "total_tokens": prompt + answer + reasoning,
            "prompt_tokens_details": {"text_tokens": prompt, "audio_tokens": 0, "image_tokens": 0,
                                      "cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
            "num_sources_used": 0,
            "cost_in_usd_ticks": (prompt * 2 + (answer + reasoning) * 5) * 100,
        }
