"""OpenRouter's flavour of the Chat Completions dialect, rendered as OpenRouter's API does
(served where `providers/openrouter.py` says: its `emulator_prefix` plus its `path`).

The stream is OpenAI's with OpenRouter's habits (reference/providers.md §5, recorded
Anthropic-, Gemini-, Kimi- and OpenAI-via-OpenRouter traffic), stated in
`OpenRouterDialect.wire`:

- `: OPENROUTER PROCESSING` comment lines before the first chunk
  (`Scenario.extra["processing_comments"]`, default 2);
- every delta repeats `"role": "assistant"` next to `content` (`""`, or `null` beside tool
  calls); each choice has `finish_reason` and `native_finish_reason` (null until the end);
- `Scenario.reasoning` streams as `reasoning` deltas with their `reasoning_details`;
- usage always comes, whatever `stream_options` says, in a last chunk that repeats the
  finish choice (`finish_reason` twice in the stream, as recorded); with
  `Scenario.extra["usage_with_finish"]` the finish and the usage share one chunk instead
  (also seen, for Grok and Gemini upstreams);
- chunks name the upstream in `provider` (`Scenario.extra["provider"]`, default "OpenAI")
  and the response carries the id in `x-generation-id`.

A stream that fails after some answer ends with OpenRouter's in-band error chunk: the usual
envelope with a top-level `error` object (`code` numeric, or a string when
`Scenario.error_code` is not a number) and a choice with `finish_reason: "error"`.

HTTP errors are `{"error": {"code": <status>, "message", "metadata"?}, "user_id"}`: 401
"No auth credentials found" / "User not found.", 402 insufficient credits, 403 moderation
(metadata `reasons`, `flagged_input`, `provider_name`, `model_slug`), 429 and 502 from the
upstream ("Provider returned error", metadata `provider_name` and `raw`), 503 no provider
available.  Plain answers are preceded by whitespace keep-alive lines, as recorded.

Prompt-cache breakpoints (`cache_control` on content parts) are accepted as OpenRouter
accepts them, and checked as the Anthropic upstream checks them for `anthropic/` models:
a marker that is not `{"type": "ephemeral"}` (with an optional `ttl` of "5m" or "1h"), or
more than four of them, is OpenRouter's 400 "Provider returned error" with Anthropic's
message in `metadata.raw`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from runtime.emulator.auth import bearer_token
from runtime.emulator.chat_completions import ChatCompletionsDialect, ChatWire, sse
from runtime.emulator.request_fields import as_list, mappings
from runtime.emulator.request_view import RequestView
from runtime.emulator.response import RenderContext, Response, json_response
from runtime.emulator.scenario import Scenario, ScriptedToolCall

CREDITS_URL = "https://openrouter.ai/settings/credits"
USER_ID = "user_emulator0000000000000000"
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#: Anthropic's limit on `cache_control` markers in one request.
MAX_CACHE_BREAKPOINTS = 4
_CACHE_TTLS = ("5m", "1h")
_NATIVE_FINISH = {"stop": "stop", "length": "length", "tool_calls": "tool_calls",
                  "content_filter": "content_filter"}


def error_defaults(status: int, model: str, provider: str) -> tuple[str, dict[str, Any] | None]:
    """(message, metadata) OpenRouter sends for an HTTP status (plausible defaults)."""
    if status == 400:
        return (f"This endpoint's maximum context length is 128000 tokens. However, you "
                f"requested about 262144 tokens. Please reduce the length of the messages.",
                {"provider_name": None})
    if status == 401:
        return "User not found.", None
    if status == 402:
        return (f"This request requires more credits, or fewer max_tokens. You requested up to "
                f"4096 tokens, but can only afford 812. To increase, visit {CREDITS_URL} and "
                "add more credits", None)
    if status == 403:
        return (f"{model} requires moderation on {provider}. Your input was flagged for "
                '"harassment". No credits were charged.',
                {"reasons": ["harassment"], "flagged_input": "...", "provider_name": provider,
                 "model_slug": model})
    if status == 404:
        return f"No endpoints found for {model}.", None
    if status == 408:
        return "Request timed out. Please try again later.", {"error_type": "timeout"}
    if status == 413:
        return "Request entity too large.", None
    if status == 429:
        return ("Provider returned error",
                {"provider_name": provider, "error_type": "rate_limit_exceeded",
                 "raw": f"{model} is temporarily rate-limited upstream. Please retry shortly."})
    if status == 502:
        return ("Provider returned error",
                {"provider_name": provider, "error_type": "server",
                 "raw": "upstream connect error or disconnect/reset before headers"})
    if status == 503:
        return ("No allowed providers are available for the selected model.",
                {"error_type": "server"})
    return "Internal Server Error", None


def error_object(status: int, message: str, metadata: Mapping[str, Any] | None = None,
                 code: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "code": status if code is None else code}
    if metadata:
        error["metadata"] = dict(metadata)
    return {"error": error, "user_id": USER_ID}


def cache_control_problem(request: Mapping[str, Any]) -> str | None:
    """What Anthropic would refuse in the request's content-part `cache_control` markers
    (its wording), None when they are fine."""
    markers = [part["cache_control"] for message in mappings(request.get("messages"))
               for part in mappings(as_list(message.get("content")))
               if "cache_control" in part]
    for marker in markers:
        if (not isinstance(marker, Mapping) or marker.get("type") != "ephemeral"
                or set(marker) - {"type", "ttl"} or marker.get("ttl", "5m") not in _CACHE_TTLS):
            return f"messages: cache_control: invalid value {json.dumps(marker)}"
    if len(markers) > MAX_CACHE_BREAKPOINTS:
        return (f"A maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be "
                f"provided. Found {len(markers)}.")
    return None


def wire_code(code: str | None, default: int) -> Any:
    """A scenario's error code as OpenRouter sends it: a number when it is one."""
    if code is None:
        return default
    return int(code) if code.isdigit() else code


class OpenRouterDialect(ChatCompletionsDialect):
    """Renders scenarios as OpenRouter Chat Completions answers."""

    wire = ChatWire(
        role="every_delta",
        logprobs=False,
        native_finish_reason=True,
        reasoning_key="reasoning",
        usage_always=True,
        usage_null_on_chunks=False,
        finish_in_usage_chunk=True,
        obfuscation=False,
        comment="OPENROUTER PROCESSING",
    )

    def __init__(self, path: str | None = None) -> None:
        super().__init__("openrouter", path)

    # -- auth and errors ---------------------------------------------------------------

    def check_auth(self, headers: Mapping[str, str], expected_key: str | None) -> Response | None:
        token = bearer_token(headers)
        if token is None:
            return self.error(401, "No auth credentials found")
        if expected_key is not None and token != expected_key:
            return self.error(401, "User not found.")
        return None

    def bad_json(self) -> Response:
        return self.error(400, "Invalid JSON in request body")

    def parse_request(self, request: Any) -> RequestView | Response:
        view = super().parse_request(request)
        if isinstance(view, RequestView) and view.model.startswith("anthropic/"):
            problem = cache_control_problem(request)
            if problem is not None:
                return json_response(400, error_object(
                    400, "Provider returned error",
                    {"provider_name": "Anthropic", "raw": json.dumps(
                        {"type": "error", "error": {"type": "invalid_request_error",
                                                    "message": problem}})}))
        return view

    def common_headers(self, ctx: RenderContext | None = None) -> tuple[tuple[str, str], ...]:
        if ctx is None:
            return ()
        return (("x-generation-id", self.completion_id(ctx)),)

    def error_body(self, status: int, message: str, *, type: str | None = None, code: str | None = None,
                   param: str | None = None) -> Any:
        return {"error": {"message": message, "code": status}}

    def scenario_error_body(self, status: int, scenario: Scenario, view: RequestView) -> Any:
        message, metadata = error_defaults(status, view.model, self.upstream(scenario))
        if scenario.error_type is not None:
            metadata = {**(metadata or {}), "error_type": scenario.error_type}
        return error_object(status, scenario.error_message or message, metadata,
                            wire_code(scenario.error_code, status))

    def error_headers(self, status: int, scenario: Scenario) -> list[tuple[str, str]]:
        headers = []
        if scenario.retry_after is not None:
            headers.append(("retry-after", f"{scenario.retry_after:g}"))
        return headers

    def in_band_error_events(self, scenario: Scenario, view: RequestView,
                             head: Mapping[str, Any]) -> list[bytes]:
        """The in-band error chunk of reference §5.3: envelope, `error`, and a choice whose
        finish_reason is "error"; nothing follows it."""
        provider = self.upstream(scenario)
        metadata = {"error_type": scenario.error_type or "server", "provider_name": provider}
        error = {
            "code": wire_code(scenario.error_code, 502),
            "message": scenario.error_message or "Provider returned error",
            "metadata": metadata,
        }
        chunk = {**head, "error": error,
                 "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}
        return [sse(chunk)]

    # -- answers -------------------------------------------------------------------------

    def upstream(self, scenario: Scenario) -> str:
        return str(scenario.extra.get("provider", "OpenAI"))

    def completion_id(self, ctx: RenderContext) -> str:
        """`gen-<created>-<20 characters>`, derived from the request so it is repeatable."""
        digest = hashlib.sha256(f"gen:{ctx.request_number}:{ctx.created}".encode()).digest()
        tail = "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:20])
        return f"gen-{ctx.created}-{tail}"

    def envelope_tail(self, scenario: Scenario) -> dict[str, Any]:
        return {"provider": self.upstream(scenario)}

    def stream_prelude(self, scenario: Scenario) -> list[bytes]:
        count = int(scenario.extra.get("processing_comments", 2))
        return [f": {self.wire.comment}\n\n".encode()] * count

    def json_prefix(self, scenario: Scenario) -> bytes:
        return b"\n         \n" * int(scenario.extra.get("processing_comments", 2))

    def native_finish_reason(self, scenario: Scenario, finish: str | None) -> str | None:
        if finish is None:
            return None
        native = scenario.extra.get("native_finish_reason")
        return str(native) if native is not None else _NATIVE_FINISH.get(finish, finish)

    def reasoning_delta(self, piece: str) -> dict[str, Any]:
        return {"reasoning": piece,
                "reasoning_details": [{"type": "reasoning.text", "text": piece,
                                       "format": "unknown", "index": 0}]}

    def completion_message(self, scenario: Scenario, calls: list[tuple[str, ScriptedToolCall]]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": scenario.text or None,
            "refusal": None,
            "reasoning": scenario.reasoning or None,
        }
        if calls:
            message["tool_calls"] = [
                {"type": "function", "index": i, "id": cid,
                 "function": {"name": c.name, "arguments": c.arguments_json}}
                for i, (cid, c) in enumerate(calls)
            ]
        if scenario.reasoning:
            message["reasoning_details"] = [{"type": "reasoning.text", "text": scenario.reasoning,
                                             "format": "unknown", "index": 0}]
        return message

    def usage(self, scenario: Scenario, view: RequestView) -> dict[str, Any]:
        """`completion_tokens` includes the reasoning, as OpenAI counts it."""
        prompt, answer, reasoning = self.token_counts(scenario, view)
        completion = answer + reasoning
        cost = round(prompt * 1e-6 + completion * 4e-6, 9)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "cost": cost,
            "is_byok": False,
            "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0, "audio_tokens": 0,
                                      "video_tokens": 0},
            "cost_details": {"upstream_inference_cost": cost,
                             "upstream_inference_prompt_cost": round(prompt * 1e-6, 9),
                             "upstream_inference_completions_cost": round(completion * 4e-6, 9)},
            "completion_tokens_details": {"reasoning_tokens": reasoning, "image_tokens": 0,
                                          "audio_tokens": 0},
        }
