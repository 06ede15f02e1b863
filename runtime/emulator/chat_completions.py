"""The Chat Completions dialect (OpenAI's `POST /v1/chat/completions`), rendered as OpenAI's
API does; the OpenAI-compatible providers' flavours (grok.py, openrouter.py) build on it.

Streams are `data: <chunk>\\n\\n` events ending with `data: [DONE]`: a first chunk with the
role, content deltas, tool calls whose `id`/`type`/`name` come only on each index's first
fragment with `arguments` split over later chunks, a `finish_reason` chunk with `delta: {}`,
and, when the request set `stream_options.include_usage`, a `choices: []` usage chunk (and
`usage: null` on every other chunk).  Plain answers are `chat.completion` objects; errors are
`{"error": {"message", "type", "param", "code"}}`.  Shapes follow recorded gpt-4o traffic
(reference/providers.md §3).

Dialect knobs in `Scenario.extra`: `obfuscation` (bool, default True: add OpenAI's random
`obfuscation` padding field to chunks unless the request disables it), `system_fingerprint`
(str or None), `service_tier` (str or None), `unknown_events` (int N, default 0: after every
N-th answer delta, an SSE event of a type no client knows), `refusal` (str: the model
declines with these words, streamed as `refusal` deltas after the text, in a plain answer
`message.refusal`, as OpenAI's structured-output refusals come; the finish stays `stop`).

OpenAI-compatible servers reuse this class: the stream's habits come from a `ChatWire` table
(`wire`; OpenAI's are its defaults) and the shapes that really differ (error bodies, the
plain answer's message, usage) from the hook methods at the end, which each provider's
flavour (grok.py, openrouter.py) overrides.  Where the API is served comes from the
provider's file (`providers/<provider>.py`: `emulator_prefix` plus `path`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal, Mapping

from runtime.emulator.auth import bearer_token, mask_key
from runtime.emulator.dialect import served_path
from runtime.emulator.request_fields import (
    as_list, last_assistant_content, last_user_content, mappings, strings, token_limit)
from runtime.emulator.request_view import RequestView, ToolResult, ToolSpec
from runtime.emulator.response import (
    RenderContext,
    Response,
    cut_events,
    header_seconds,
    json_bytes,
    json_response,
    plain_response,
    raw_error_response,
    split_in_two_or_more,
    split_text,
)
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.tokens import count_words, estimate_tokens

RoleStyle = Literal["opening_chunk", "first_delta", "every_delta"]


@dataclass(frozen=True)
class ChatWire:
    """Stream habits of one server; every default is OpenAI's.

    role: where `"role": "assistant"` goes.  "opening_chunk" (OpenAI): a first chunk of its
        own, `{"role", "content": "", "refusal": null}` (holding the first tool call's
        opener when there is no text); "first_delta" (xAI): added to the first delta that
        carries something; "every_delta" (OpenRouter): every delta repeats the role next to
        `content` (`""`, or `null` beside tool calls).
    logprobs: each choice carries `"logprobs": null` (xAI leaves the key out).
    null_finish_reason: intermediate chunks carry `"finish_reason": null` (xAI leaves the
        key out until the finish).
    native_finish_reason: OpenRouter's `native_finish_reason` next to every finish_reason.
    whole_tool_calls: each tool call arrives complete in one chunk, id, name and all the
        arguments (xAI), instead of an opener followed by argument fragments.
    reasoning_key: the delta key that streams `Scenario.reasoning` (`reasoning_content` for
        xAI, `reasoning` for OpenRouter); None = reasoning is not sent (OpenAI's chat
        completions never show it).
    usage_always: usage arrives whether or not the request set
        `stream_options.include_usage` (OpenRouter).
    usage_null_on_chunks: with `include_usage`, every chunk but the last carries
        `"usage": null` (OpenAI).
    finish_in_usage_chunk: the usage chunk repeats the finish choice instead of
        `"choices": []` (OpenRouter, recorded).
    obfuscation: OpenAI's random `obfuscation` padding field (unless the request or the
        scenario turns it off).
    comment: an SSE comment line the server sends before the first data line
        (`: OPENROUTER PROCESSING`); empty = none.
    """

    role: RoleStyle = "opening_chunk"
    logprobs: bool = True
    null_finish_reason: bool = True
    native_finish_reason: bool = False
    whole_tool_calls: bool = False
    reasoning_key: str | None = None
    usage_always: bool = False
    usage_null_on_chunks: bool = True
    finish_in_usage_chunk: bool = False
    obfuscation: bool = True
    comment: str = ""


API_KEYS_URL = "https://platform.openai.com/account/api-keys"
MISSING_KEY_MESSAGE = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
    "(with blank username) if you're accessing the API from your browser and are prompted for "
    f"a username and password. You can obtain an API key from {API_KEYS_URL}."
)
BAD_JSON_MESSAGE = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON. If you have trouble figuring out how to fix this, please "
    "contact us through our help center at help.openai.com.)"
)
SERVER_ERROR_MESSAGE = "The server had an error while processing your request. Sorry about that!"
DEFAULT_FINGERPRINT = "fp_e1a2b3c4d5"
_OBFUSCATION_ALPHABET = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


def error_defaults(status: int, model: str) -> tuple[str, str, str | None, str | None]:
    """(message, type, code, param) OpenAI sends for an HTTP status."""
    if status == 400:
        return (
            "This model's maximum context length is 128000 tokens. However, your messages "
            "resulted in 131072 tokens. Please reduce the length of the messages.",
            "invalid_request_error", "context_length_exceeded", "messages",
        )
    if status == 401:
        return (
            f"Incorrect API key provided: sk-emula{'*' * 20}tor0. You can find your API key at {API_KEYS_URL}.",
            "invalid_request_error", "invalid_api_key", None,
        )
    if status == 403:
        return ("Country, region, or territory not supported", "request_forbidden",
                "unsupported_country_region_territory", None)
    if status == 404:
        return (f"The model `{model}` does not exist or you do not have access to it.",
                "invalid_request_error", "model_not_found", None)
    if status == 429:
        return (
            f"Rate limit reached for {model} in organization org-emulator on requests per min "
            "(RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit "
            "https://platform.openai.com/account/rate-limits to learn more.",
            "requests", "rate_limit_exceeded", None,
        )
    if status == 503:
        return ("The engine is currently overloaded, please try again later.", "server_error", None, None)
    if status >= 500:
        return (SERVER_ERROR_MESSAGE, "server_error", None, None)
    return (f"Request failed with status {status}.", "invalid_request_error", None, None)


def error_object(message: str, type: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


class ChatCompletionsDialect:
    """Renders scenarios as Chat Completions answers: OpenAI's, unless a flavour subclass
    states another server's habits.  `provider` names the registry entry this dialect
    stands in for; `path` overrides where it is served."""

    wire: ChatWire = ChatWire()

    def __init__(self, provider: str = "openai", path: str | None = None) -> None:
        self.name = provider
        self.path = path if path is not None else served_path(provider)

    # -- auth and errors ---------------------------------------------------------------

    def check_auth(self, headers: Mapping[str, str], expected_key: str | None) -> Response | None:
        token = bearer_token(headers)
        if token is None:
            return self.error(401, MISSING_KEY_MESSAGE)
        if expected_key is not None and token != expected_key:
            return self.error(
                401,
                f"Incorrect API key provided: {mask_key(token)}. You can find your API key at {API_KEYS_URL}.",
                code="invalid_api_key",
            )
        return None

    def error(self, status: int, message: str, *, type: str | None = None, code: str | None = None,
              param: str | None = None, headers: tuple[tuple[str, str], ...] = ()) -> Response:
        return json_response(status, self.error_body(status, message, type=type, code=code, param=param),
                             (*self.common_headers(), *headers))

    def bad_json(self) -> Response:
        return self.error(400, BAD_JSON_MESSAGE)

    def common_headers(self, ctx: RenderContext | None = None) -> tuple[tuple[str, str], ...]:
        return (
            ("x-request-id", "req_" + uuid.uuid4().hex),
            ("openai-version", "2020-10-01"),
            ("openai-processing-ms", "42"),
        )

    # -- requests ------------------------------------------------------------------------

    def parse_request(self, request: Any) -> RequestView | Response:
        if not isinstance(request, Mapping):
            return self.error(400, "Invalid request body: expected a JSON object.", code="invalid_type")
        model = request.get("model")
        if not isinstance(model, str) or not model:
            return self.error(400, "you must provide a model parameter")
        messages = request.get("messages")
        if messages is None:
            return self.error(400, "Missing required parameter: 'messages'.",
                              code="missing_required_parameter", param="messages")
        if not isinstance(messages, list):
            return self.error(400, "Invalid type for 'messages': expected an array.",
                              code="invalid_type", param="messages")
        if not messages:
            return self.error(
                400,
                "Invalid 'messages': empty array. Expected an array with minimum length 1, "
                "but got an empty array instead.",
                code="empty_array", param="messages",
            )
        return self.view(request)

    def view(self, request: Mapping[str, Any]) -> RequestView:
        """The neutral view of a request; tolerant of odd shapes (it never raises on JSON)."""
        messages = mappings(request.get("messages"))
        user_text, images = _content_text(last_user_content(messages))
        assistant_content, ends_with_assistant = last_assistant_content(messages)

        call_names: dict[str, str] = {}
        for m in messages:
            if m.get("role") == "assistant":
                for call in as_list(m.get("tool_calls")):
                    if isinstance(call, Mapping):
                        fn = call.get("function") if isinstance(call.get("function"), Mapping) else {}
                        call_names[str(call.get("id", ""))] = str(fn.get("name", ""))
        trailing: list[ToolResult] = []
        for m in reversed(messages):
            if m.get("role") != "tool":
                break
            call_id = str(m.get("tool_call_id", ""))
            trailing.append(ToolResult(call_id, call_names.get(call_id, ""), _content_text(m.get("content"))[0]))
        trailing.reverse()

        tools = []
        for tool in as_list(request.get("tools")):
            fn = tool.get("function") if isinstance(tool, Mapping) else None
            if isinstance(fn, Mapping) and isinstance(fn.get("name"), str):
                params = fn.get("parameters")
                tools.append(ToolSpec(fn["name"], str(fn.get("description") or ""),
                                      params if isinstance(params, Mapping) else {}))

        choice, choice_name = "auto", None
        raw_choice = request.get("tool_choice")
        if raw_choice in ("none", "auto", "required"):
            choice = raw_choice
        elif isinstance(raw_choice, Mapping):
            fn = raw_choice.get("function")
            if isinstance(fn, Mapping) and isinstance(fn.get("name"), str):
                choice, choice_name = "function", fn["name"]

        stop = request.get("stop")
        stops = (stop,) if isinstance(stop, str) else strings(stop)
        max_tokens = token_limit(request.get("max_completion_tokens", request.get("max_tokens")))
        options = request.get("stream_options")
        include_usage = isinstance(options, Mapping) and options.get("include_usage") is True

        prompt = json.dumps(messages, ensure_ascii=False) + json.dumps(request.get("tools") or [])
        return RequestView(
            model=str(request.get("model") or ""),
            stream=request.get("stream") is True,
            include_usage=include_usage,
            last_user_text=user_text,
            last_user_images=images,
            tools=tuple(tools),
            tool_choice=choice,  # type: ignore[arg-type]
            tool_choice_name=choice_name,
            has_tool_results=any(m.get("role") in ("tool", "function") for m in messages),
            trailing_tool_results=tuple(trailing),
            stop=stops,
            max_tokens=max_tokens,
            prompt_tokens=estimate_tokens(prompt),
            last_assistant_text=_content_text(assistant_content)[0],
            ends_with_assistant=ends_with_assistant,
        )

    # -- answers -------------------------------------------------------------------------

    def render(self, scenario: Scenario, request: Mapping[str, Any], ctx: RenderContext | None = None) -> Response:
        ctx = ctx or RenderContext()
        view = self.view(request if isinstance(request, Mapping) else {})
        if scenario.error_status is not None:
            return self.render_error(scenario, view, ctx)
        if view.stream:
            return self.render_stream(scenario, view, request, ctx)
        return self.render_json(scenario, view, ctx)

    def render_error(self, scenario: Scenario, view: RequestView, ctx: RenderContext,
                     status: int | None = None) -> Response:
        status = status if status is not None else scenario.error_status or 500
        headers = [*self.common_headers(ctx), *scenario.headers, *self.error_headers(status, scenario)]
        if scenario.error_body is not None:
            return raw_error_response(status, scenario, tuple(headers))
        return json_response(status, self.scenario_error_body(status, scenario, view), tuple(headers),
                             scenario=scenario)

    def render_json(self, scenario: Scenario, view: RequestView, ctx: RenderContext) -> Response:
        if scenario.in_band_error:
            # A plain answer has no "in band": the failure becomes an HTTP 500.
            return self.render_error(scenario, view, ctx, status=500)
        calls = self.tool_call_ids(scenario, ctx)
        body = {
            "id": self.completion_id(ctx),
            "object": "chat.completion",
            "created": ctx.created,
            "model": scenario.response_model or view.model,
            "choices": [self.choice(scenario, self.completion_message(scenario, calls),
                                    self.finish_reason(scenario.effective_finish), key="message")],
            "usage": self.usage(scenario, view),
            **self.envelope_tail(scenario),
        }
        data = self.json_prefix(scenario) + json_bytes(body)
        headers = (("content-type", "application/json"), *self.common_headers(ctx), *scenario.headers)
        return plain_response(data, headers, scenario)

    def render_stream(self, scenario: Scenario, view: RequestView, request: Mapping[str, Any],
                      ctx: RenderContext) -> Response:
        wire = self.wire
        options = request.get("stream_options")
        obfuscate = wire.obfuscation and scenario.extra.get("obfuscation", True) and not (
            isinstance(options, Mapping) and options.get("include_obfuscation") is False)
        include_usage = view.include_usage or wire.usage_always
        head = {
            "id": self.completion_id(ctx),
            "object": "chat.completion.chunk",
            "created": ctx.created,
            "model": scenario.response_model or view.model,
            **self.envelope_tail(scenario),
        }
        events: list[bytes] = list(self.stream_prelude(scenario))
        prelude = len(events)

        def chunk(choices: list[Any], usage: Any = None) -> None:
            obj = {**head, "choices": choices}
            if usage is not None or (view.include_usage and wire.usage_null_on_chunks):
                obj["usage"] = usage
            if obfuscate:
                n = len(events) - prelude
                obj["obfuscation"] = (_OBFUSCATION_ALPHABET * 2)[n % 17 : n % 17 + (n * 5) % 16]
            events.append(sse(obj))

        def delta(d: dict[str, Any], finish: str | None = None) -> None:
            if wire.role == "every_delta":
                d = {"content": None if "tool_calls" in d else d.get("content", ""),
                     "role": "assistant", **d}
            chunk([self.choice(scenario, d, finish)])

        unknown_every = int(scenario.extra.get("unknown_events", 0) or 0)
        for n, d in enumerate(self.answer_deltas(scenario, ctx), 1):
            delta(d)
            if unknown_every and n % unknown_every == 0:
                events.append(self.unknown_event(n))
        answer_events = len(events)

        if scenario.in_band_error:
            shown = answer_events - prelude
            keep = prelude + max(min(2, shown), (shown + 1) // 2)
            del events[keep:]
            events.extend(self.in_band_error_events(scenario, view, head))
            body, ending = tuple(events), "complete"
        else:
            finish = self.finish_reason(scenario.effective_finish)
            closing = [self.choice(scenario, self.closing_delta(), finish)]
            if include_usage and wire.finish_in_usage_chunk and scenario.extra.get("usage_with_finish"):
                chunk(closing, self.usage(scenario, view))  # one chunk with both (seen via OpenRouter)
            else:
                delta({}, finish)
                if include_usage:
                    chunk(closing if wire.finish_in_usage_chunk else [], self.usage(scenario, view))
            events.append(b"data: [DONE]\n\n")
            cut, ending = cut_events(events[prelude:], answer_events - prelude, scenario)
            body = (*events[:prelude], *cut)

        headers = (("content-type", "text/event-stream; charset=utf-8"), *self.common_headers(ctx),
                   *scenario.headers)
        return Response(200, headers, body, streaming=True, chunk_delay_s=scenario.chunk_delay_s,
                        write_size=scenario.write_size, ending=ending)  # type: ignore[arg-type]

    def unknown_event(self, n: int) -> bytes:
        """An event of a type no client knows (a named SSE event, as proxies and newer API
        versions add): clients must skip it."""
        return b"event: emulator.unknown\ndata: " + json.dumps(
            {"type": "emulator.unknown", "sequence": n}).encode() + b"\n\n"

    def answer_deltas(self, scenario: Scenario, ctx: RenderContext) -> list[dict[str, Any]]:
        """The deltas that carry the answer, in order: reasoning (when the wire streams it),
        text, then tool calls (whole, or an opener and argument fragments), with the role
        placed as the wire places it ("every_delta" is applied when each chunk is written)."""
        wire = self.wire
        deltas: list[dict[str, Any]] = []
        if wire.reasoning_key and scenario.reasoning:
            deltas += [self.reasoning_delta(piece)
                       for piece in split_text(scenario.reasoning, scenario.text_chunk_chars)]
        deltas += [{"content": piece} for piece in split_text(scenario.text, scenario.text_chunk_chars)]
        refusal = scenario.extra.get("refusal")
        if refusal:
            deltas += [{"refusal": piece}
                       for piece in split_text(str(refusal), scenario.text_chunk_chars)]
        calls = self.tool_call_ids(scenario, ctx)
        if calls:
            deltas += [{} for _ in range(self.empty_deltas(scenario))]
        for index, (cid, call) in enumerate(calls):
            if wire.whole_tool_calls:
                deltas.append({"tool_calls": [self.whole_tool_call(index, cid, call)]})
                continue
            deltas.append({"tool_calls": [self.tool_call_opener(index, cid, call)]})
            for fragment in _fragments(call.arguments_json, scenario.args_chunk_chars):
                deltas.append({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]})
        if wire.role == "opening_chunk":
            first: dict[str, Any] = {"role": "assistant", "content": ""}
            if not scenario.text and deltas and "tool_calls" in deltas[0]:
                first["content"] = None
                first["tool_calls"] = deltas.pop(0)["tool_calls"]
            first["refusal"] = None
            deltas.insert(0, first)
        elif wire.role == "first_delta":
            if deltas:
                deltas[0] = {**deltas[0], "role": "assistant"}
            else:
                deltas.append({"content": "", "role": "assistant"})
        return deltas

    def choice(self, scenario: Scenario, payload: dict[str, Any], finish: str | None,
               key: str = "delta") -> dict[str, Any]:
        """One choice: `{"index": 0, key: payload}` plus the wire's logprobs and finish keys."""
        out: dict[str, Any] = {"index": 0, key: payload}
        if self.wire.logprobs:
            out["logprobs"] = None
        if finish is not None or self.wire.null_finish_reason or key == "message":
            out["finish_reason"] = finish
        if self.wire.native_finish_reason:
            out["native_finish_reason"] = self.native_finish_reason(scenario, finish)
        return out

    def closing_delta(self) -> dict[str, Any]:
        """The delta of the finish choice as the usage chunk repeats it."""
        if self.wire.role == "every_delta":
            return {"content": "", "role": "assistant"}
        return {}

    # -- hooks for OpenAI-compatible dialects ------------------------------------------

    def finish_reason(self, finish: str) -> str:
        return finish

    def native_finish_reason(self, scenario: Scenario, finish: str | None) -> str | None:
        """OpenRouter's upstream finish reason (only asked when the wire sends one)."""
        return finish

    def stream_prelude(self, scenario: Scenario) -> list[bytes]:
        """SSE comment events sent before the first chunk (the wire's `comment`)."""
        return []

    def json_prefix(self, scenario: Scenario) -> bytes:
        """Bytes sent before a plain JSON answer (OpenRouter pads with whitespace)."""
        return b""

    def empty_deltas(self, scenario: Scenario) -> int:
        """How many empty `delta: {}` chunks precede the tool calls (xAI)."""
        return 0

    def reasoning_delta(self, piece: str) -> dict[str, Any]:
        return {str(self.wire.reasoning_key): piece}

    def whole_tool_call(self, index: int, call_id: str, call: ScriptedToolCall) -> dict[str, Any]:
        return {"index": index, "id": call_id, "type": "function",
                "function": {"name": call.name, "arguments": call.arguments_json}}

    def completion_message(self, scenario: Scenario, calls: list[tuple[str, ScriptedToolCall]]) -> dict[str, Any]:
        """`choices[0].message` of a plain answer."""
        message: dict[str, Any] = {
            "role": "assistant",
            "content": scenario.text if (scenario.text or not calls) else None,
        }
        if calls:
            message["tool_calls"] = [
                {"id": cid, "type": "function", "function": {"name": c.name, "arguments": c.arguments_json}}
                for cid, c in calls
            ]
        message["refusal"] = scenario.extra.get("refusal") or None
        message["annotations"] = []
        return message

    def error_body(self, status: int, message: str, *, type: str | None = None, code: str | None = None,
                   param: str | None = None) -> Any:
        """The error body for `message` (auth failures, unparseable requests, bad paths)."""
        if type is None:
            type = "server_error" if status >= 500 else "invalid_request_error"
        return error_object(message, type, code, param)

    def scenario_error_body(self, status: int, scenario: Scenario, view: RequestView) -> Any:
        """The error body of an error scenario: the status's defaults, overridden by the
        scenario's message, type and code."""
        message, type_, code, param = error_defaults(status, view.model)
        return error_object(scenario.error_message or message, scenario.error_type or type_,
                            scenario.error_code if scenario.error_code is not None else code, param)

    def error_headers(self, status: int, scenario: Scenario) -> list[tuple[str, str]]:
        headers = []
        if scenario.retry_after is not None:
            headers.append(("retry-after", header_seconds(scenario.retry_after)))
            headers.append(("retry-after-ms", str(int(scenario.retry_after * 1000))))
        if status == 429:
            headers += [("x-ratelimit-limit-requests", "3"), ("x-ratelimit-remaining-requests", "0"),
                        ("x-ratelimit-reset-requests", "20s")]
        return headers

    def in_band_error_events(self, scenario: Scenario, view: RequestView,
                             head: Mapping[str, Any]) -> list[bytes]:
        """What a stream that fails after some answer ends with (OpenAI: a bare error object)."""
        message, type_, code, _ = error_defaults(500, view.model)
        return [sse(error_object(scenario.error_message or message,
                                 scenario.error_type or type_, scenario.error_code or code))]

    def envelope_tail(self, scenario: Scenario) -> dict[str, Any]:
        return {
            "service_tier": scenario.extra.get("service_tier", "default"),
            "system_fingerprint": scenario.extra.get("system_fingerprint", DEFAULT_FINGERPRINT),
        }

    def tool_call_opener(self, index: int, call_id: str, call: ScriptedToolCall) -> dict[str, Any]:
        return {"index": index, "id": call_id, "type": "function",
                "function": {"name": call.name, "arguments": ""}}

    def completion_id(self, ctx: RenderContext) -> str:
        digest = hashlib.sha256(f"completion:{ctx.request_number}:{ctx.created}".encode()).hexdigest()
        return "chatcmpl-emu" + digest[:26]

    def tool_call_ids(self, scenario: Scenario, ctx: RenderContext) -> list[tuple[str, ScriptedToolCall]]:
        out = []
        for i, call in enumerate(scenario.tool_calls):
            cid = call.id or "call_" + hashlib.sha256(
                f"call:{ctx.request_number}:{i}:{call.name}".encode()).hexdigest()[:24]
            out.append((cid, call))
        return out

    def token_counts(self, scenario: Scenario, view: RequestView) -> tuple[int, int, int]:
        """(prompt, answer, reasoning) tokens; answer + reasoning is everything generated,
        golem:llm's output-tokens.  `Scenario.usage` gives (prompt, output): the reasoning
        streamed (if the wire streams it) is counted in words and taken out of the output;
        otherwise the answer is estimated (words of text, ~4 chars per argument token)."""
        reasoning = count_words(scenario.reasoning) if self.wire.reasoning_key else 0
        if scenario.usage is not None:
            prompt, output = scenario.usage
            reasoning = min(reasoning, output)
            return prompt, output - reasoning, reasoning
        answer = count_words(scenario.text) + sum(
            estimate_tokens(c.arguments_json) + 5 for c in scenario.tool_calls)
        return view.prompt_tokens, answer, reasoning

    def usage(self, scenario: Scenario, view: RequestView) -> dict[str, Any]:
        prompt, answer, reasoning = self.token_counts(scenario, view)
        completion = answer + reasoning
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        }


def sse(value: Any) -> bytes:
    """One `data:` event."""
    return b"data: " + json_bytes(value) + b"\n\n"


def _fragments(arguments: str, size: int) -> list[str]:
    """Argument fragments: `size`-character pieces, and at least two pieces for anything
    longer than one character, so every client sees arguments split across chunks."""
    if not arguments:
        return []
    return split_in_two_or_more(arguments, size)


def _content_text(content: Any) -> tuple[str, int]:
    """(text, image count) of a message content: a string, or a list of parts."""
    if isinstance(content, str):
        return content, 0
    texts, images = [], 0
    for part in as_list(content):
        if isinstance(part, Mapping):
            if part.get("type") == "text" and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif part.get("type") in ("image_url", "input_image"):
                images += 1
        elif isinstance(part, str):
            texts.append(part)
    return "\n\n".join(texts), images
