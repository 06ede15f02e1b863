"""The Anthropic Messages dialect (`POST /v1/messages`), rendered as Anthropic's API does.

Shapes follow recorded claude-sonnet-4 / haiku-4.5 traffic and the SDK's types
(reference/providers.md §2):

- Auth: `x-api-key` (a missing key and a wrong key are 401 `authentication_error`, with
  Anthropic's messages), and the `anthropic-version` header is required (400 without it).
  Both are checked in `check_auth`, the one hook that sees the headers.
- Requests are validated like the API does where a client can get it wrong: `model`,
  `max_tokens` and `messages` required, roles `user`/`assistant` only (a `system` role is a
  400), content a string or a list of blocks, no empty text blocks, image media types,
  `temperature` within 0–1, `tool_choice` shape (and no forced tool choice, `any` or
  `tool`, while `thinking` is enabled: the API refuses that), and the tool pairing rules: every
  `tool_use` answered by a `tool_result` in the very next message, results first there, and
  no `tool_result` without its `tool_use`.  Errors are 400 `invalid_request_error`.
- Streams are `event: <type>` + `data: <json>` events: `message_start` (input usage),
  per block `content_block_start` / `content_block_delta` / `content_block_stop`, then
  `message_delta` (stop reason, cumulative usage) and `message_stop`.  Reasoning is a
  `thinking` block (`thinking_delta`s, then one `signature_delta`), before the text; tool
  calls are `tool_use` blocks whose `input_json_delta`s start with an empty fragment (a
  no-argument tool gets only that one).  A `ping` follows the first block start, as on the
  wire.  In-band errors are `event: error` (`overloaded_error` by default), after which
  nothing follows.  Plain answers are `"type": "message"` objects; HTTP errors are
  `{"type": "error", "error": {"type", "message"}, "request_id"}` with the status's
  Anthropic type (400 invalid_request_error, 401 authentication_error, 403
  permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error, 500
  api_error, 529 overloaded_error, ...).  `Scenario.error_code` has no Anthropic field and
  is ignored.
- Finish reasons map `stop` → `end_turn`, `length` → `max_tokens`, `tool_calls` →
  `tool_use`, `content_filter` → `refusal`; other names (`stop_sequence`, `pause_turn`)
  pass through verbatim.

Dialect knobs in `Scenario.extra`:
  `ping_every` (int, default 0): also send a `ping` after every N content_block_delta events;
  `pings` (bool, default True): the `ping` after the first block start;
  `unknown_events` (int, or True for 1; default 0): after every N-th event, insert an event
      of a type no client knows (`emulator_notice`), which Anthropic's versioning policy
      says clients must skip;
  `stop_sequence` (str): the `stop_sequence` reported with finish "stop_sequence" (default:
      the request's first stop sequence);
  `pad_json` (bool, default False): pad the JSON data with spaces before the closing
      brace, as recorded Anthropic streams do.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from types import MappingProxyType
from typing import Any, Mapping

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

API_VERSIONS = ("2023-06-01", "2023-01-01")
MISSING_KEY_MESSAGE = "x-api-key header is required"
INVALID_KEY_MESSAGE = "invalid x-api-key"
MISSING_VERSION_MESSAGE = "anthropic-version: header is required"
BAD_JSON_MESSAGE = "There was an error parsing the body of your request: it is not valid JSON."
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
TOOL_CHOICE_TYPES = ("auto", "any", "tool", "none")

_FINISH_TO_STOP_REASON: Mapping[str, str] = MappingProxyType({
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "refusal",
})


def error_defaults(status: int, model: str) -> tuple[str, str]:
    """(type, message) Anthropic sends for an HTTP status."""
    if status == 400:
        return "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"
    if status == 401:
        return "authentication_error", INVALID_KEY_MESSAGE
    if status == 402:
        return "billing_error", "Your credit balance is too low to access the Anthropic API."
    if status == 403:
        return "permission_error", "Your API key does not have permission to use the specified resource."
    if status == 404:
        return "not_found_error", f"model: {model}"
    if status == 413:
        return "request_too_large", "Request exceeds the maximum allowed number of bytes."
    if status == 429:
        return (
            "rate_limit_error",
            "This request would exceed the rate limit for your organization "
            "(00000000-0000-0000-0000-000000000000) of 50 requests per minute. For details, "
            "refer to: https://docs.claude.com/en/api/rate-limits.",
        )
    if status == 504:
        return "timeout_error", "Request timed out"
    if status == 529:
        return "overloaded_error", "Overloaded"
    if status >= 500:
        return "api_error", "Internal server error"
    return "invalid_request_error", f"Request failed with status {status}."


def error_object(type: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "error", "error": {"type": type, "message": message}}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def event_bytes(obj: Mapping[str, Any], pad: bool = False) -> bytes:
    """One `event: <type>` / `data: <json>` SSE event."""
    data = json_bytes(obj)
    if pad:
        data = data[:-1] + b" " * (len(data) % 7 + 1) + b"}"
    return b"event: " + str(obj["type"]).encode() + b"\ndata: " + data + b"\n\n"


class AnthropicMessagesDialect:
    """Renders scenarios as Anthropic Messages answers.  `provider` names the registry entry
    this dialect stands in for; `path` overrides where it is served."""

    def __init__(self, provider: str = "anthropic", path: str | None = None) -> None:
        self.name = provider
        self.path = path if path is not None else served_path(provider)

    # -- auth and errors ---------------------------------------------------------------

    def check_auth(self, headers: Mapping[str, str], expected_key: str | None) -> Response | None:
        key = headers.get("x-api-key", "").strip()
        if not key:
            return self.error(401, MISSING_KEY_MESSAGE, type="authentication_error")
        if expected_key is not None and key != expected_key:
            return self.error(401, INVALID_KEY_MESSAGE, type="authentication_error")
        version = headers.get("anthropic-version", "").strip()
        if not version:
            return self.error(400, MISSING_VERSION_MESSAGE)
        if version not in API_VERSIONS:
            return self.error(400, f"anthropic-version: invalid version {version!r}; "
                                   f"supported: {', '.join(API_VERSIONS)}")
        return None

    def error(self, status: int, message: str, *, type: str | None = None, code: str | None = None,
              headers: tuple[tuple[str, str], ...] = ()) -> Response:
        """An Anthropic error body (`code` has no Anthropic field and is ignored)."""
        if type is None:
            type = error_defaults(status, "")[0]
        request_id = _request_id()
        return json_response(status, error_object(type, message, request_id),
                             (("request-id", request_id), *_retry_header(status), *headers))

    def bad_json(self) -> Response:
        return self.error(400, BAD_JSON_MESSAGE)

    # -- requests ------------------------------------------------------------------------

    def parse_request(self, request: Any) -> RequestView | Response:
        problem = validate(request)
        if problem is not None:
            return self.error(400, problem)
        return self.view(request)

    def view(self, request: Mapping[str, Any]) -> RequestView:
        """The neutral view of a request; tolerant of odd shapes (it never raises on JSON)."""
        messages = mappings(request.get("messages"))
        user_text, images = _content_text(last_user_content(messages))
        assistant_content, ends_with_assistant = last_assistant_content(messages)

        call_names: dict[str, str] = {}
        for m in messages:
            if m.get("role") == "assistant":
                for block in mappings(m.get("content")):
                    if block.get("type") == "tool_use":
                        call_names[str(block.get("id", ""))] = str(block.get("name", ""))
        trailing: list[ToolResult] = []
        if messages and messages[-1].get("role") == "user":
            for block in mappings(messages[-1].get("content")):
                if block.get("type") == "tool_result":
                    call_id = str(block.get("tool_use_id", ""))
                    trailing.append(ToolResult(call_id, call_names.get(call_id, ""),
                                               _content_text(block.get("content"))[0]))
        has_results = any(block.get("type") == "tool_result"
                          for m in messages for block in mappings(m.get("content")))

        tools = []
        for tool in as_list(request.get("tools")):
            if isinstance(tool, Mapping) and isinstance(tool.get("name"), str) \
                    and tool.get("type") in (None, "custom"):
                schema = tool.get("input_schema")
                tools.append(ToolSpec(tool["name"], str(tool.get("description") or ""),
                                      schema if isinstance(schema, Mapping) else {}))

        choice, choice_name = "auto", None
        raw_choice = request.get("tool_choice")
        if isinstance(raw_choice, Mapping):
            kind = raw_choice.get("type")
            if kind == "any":
                choice = "required"
            elif kind == "none":
                choice = "none"
            elif kind == "tool" and isinstance(raw_choice.get("name"), str):
                choice, choice_name = "function", raw_choice["name"]

        stops = strings(request.get("stop_sequences"))
        max_tokens = token_limit(request.get("max_tokens"))
        prompt = (json.dumps(request.get("system") or "", ensure_ascii=False)
                  + json.dumps(messages, ensure_ascii=False)
                  + json.dumps(request.get("tools") or []))
        return RequestView(
            model=str(request.get("model") or ""),
            stream=request.get("stream") is True,
            include_usage=True,  # Anthropic always reports usage
            last_user_text=user_text,
            last_user_images=images,
            tools=tuple(tools),
            tool_choice=choice,  # type: ignore[arg-type]
            tool_choice_name=choice_name,
            has_tool_results=has_results,
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
            return self.render_stream(scenario, view, ctx)
        return self.render_json(scenario, view, ctx)

    def render_error(self, scenario: Scenario, view: RequestView, ctx: RenderContext,
                     status: int | None = None) -> Response:
        status = status if status is not None else scenario.error_status or 500
        request_id = _request_id()
        headers = [("request-id", request_id), *_retry_header(status), *scenario.headers]
        if scenario.retry_after is not None:
            headers.append(("retry-after", header_seconds(scenario.retry_after)))
        if status == 429:
            headers += [("anthropic-ratelimit-requests-limit", "50"),
                        ("anthropic-ratelimit-requests-remaining", "0"),
                        ("anthropic-ratelimit-requests-reset", "2030-01-01T00:00:20Z")]
        if scenario.error_body is not None:
            return raw_error_response(status, scenario, tuple(headers))
        type_, message = error_defaults(status, view.model)
        body = error_object(scenario.error_type or type_, scenario.error_message or message, request_id)
        return json_response(status, body, tuple(headers), scenario=scenario)

    def render_json(self, scenario: Scenario, view: RequestView, ctx: RenderContext) -> Response:
        if scenario.in_band_error:
            # A plain answer has no "in band": overloaded mid-answer is an HTTP 529.
            return self.render_error(scenario, view, ctx, status=529)
        content: list[dict[str, Any]] = []
        if scenario.reasoning:
            content.append({"type": "thinking", "thinking": scenario.reasoning,
                            "signature": _signature(scenario.reasoning)})
        if scenario.text:
            content.append({"type": "text", "text": scenario.text})
        for call_id, call in self.tool_call_ids(scenario, ctx):
            content.append({"type": "tool_use", "id": call_id, "name": call.name,
                            "input": _input_object(call.arguments_json)})
        stop_reason, stop_sequence = self.stop(scenario, view)
        input_tokens, output_tokens = self.usage(scenario, view)
        body = {
            "id": self.message_id(ctx),
            "type": "message",
            "role": "assistant",
            "model": scenario.response_model or view.model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": stop_sequence,
            "usage": {"input_tokens": input_tokens, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0, "output_tokens": output_tokens,
                      "service_tier": "standard"},
        }
        data = json_bytes(body)
        headers = (("content-type", "application/json"), ("request-id", _request_id()),
                   *scenario.headers)
        return plain_response(data, headers, scenario)

    def render_stream(self, scenario: Scenario, view: RequestView, ctx: RenderContext) -> Response:
        extra = scenario.extra
        pad = bool(extra.get("pad_json", False))
        ping_every = int(extra.get("ping_every", 0) or 0)
        unknown_every = int(extra.get("unknown_events", 0) or 0)
        events: list[bytes] = []
        deltas = 0
        counted = 0

        def emit(obj: dict[str, Any]) -> None:
            nonlocal deltas, counted
            events.append(event_bytes(obj, pad))
            counted += 1
            if unknown_every and counted % unknown_every == 0:
                events.append(event_bytes({"type": "emulator_notice",
                                           "detail": "an event type clients must skip"}, pad))
            if obj["type"] == "content_block_delta":
                deltas += 1
                if ping_every and deltas % ping_every == 0:
                    events.append(event_bytes({"type": "ping"}))

        input_tokens, output_tokens = self.usage(scenario, view)
        emit({"type": "message_start", "message": {
            "id": self.message_id(ctx), "type": "message", "role": "assistant",
            "model": scenario.response_model or view.model, "content": [],
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0, "output_tokens": min(1, output_tokens),
                      "service_tier": "standard"}}})
        index = 0
        first_ping = bool(extra.get("pings", True))

        def start(block: dict[str, Any]) -> None:
            nonlocal first_ping
            emit({"type": "content_block_start", "index": index, "content_block": block})
            if first_ping:
                events.append(event_bytes({"type": "ping"}))
                first_ping = False

        def delta(d: dict[str, Any]) -> None:
            emit({"type": "content_block_delta", "index": index, "delta": d})

        def stop_block() -> None:
            nonlocal index
            emit({"type": "content_block_stop", "index": index})
            index += 1

        if scenario.reasoning:
            start({"type": "thinking", "thinking": "", "signature": ""})
            for piece in split_text(scenario.reasoning, scenario.text_chunk_chars):
                delta({"type": "thinking_delta", "thinking": piece})
            delta({"type": "signature_delta", "signature": _signature(scenario.reasoning)})
            stop_block()
        if scenario.text:
            start({"type": "text", "text": ""})
            for piece in split_text(scenario.text, scenario.text_chunk_chars):
                delta({"type": "text_delta", "text": piece})
            stop_block()
        for call_id, call in self.tool_call_ids(scenario, ctx):
            start({"type": "tool_use", "id": call_id, "name": call.name, "input": {}})
            for fragment in _fragments(call.arguments_json, scenario.args_chunk_chars):
                delta({"type": "input_json_delta", "partial_json": fragment})
            stop_block()
        if first_ping:  # no block at all: the ping still comes early
            events.append(event_bytes({"type": "ping"}))
        answer_events = len(events)

        if scenario.in_band_error:
            keep = max(min(2, answer_events), (answer_events + 1) // 2)
            del events[keep:]
            type_, message = error_defaults(529, view.model)
            events.append(event_bytes(error_object(scenario.error_type or type_,
                                                   scenario.error_message or message)))
            body, ending = tuple(events), "complete"
        else:
            stop_reason, stop_sequence = self.stop(scenario, view)
            emit({"type": "message_delta",
                  "delta": {"stop_reason": stop_reason, "stop_sequence": stop_sequence},
                  "usage": {"input_tokens": input_tokens, "cache_creation_input_tokens": 0,
                            "cache_read_input_tokens": 0, "output_tokens": output_tokens}})
            emit({"type": "message_stop"})
            body, ending = cut_events(events, answer_events, scenario)

        headers = (("content-type", "text/event-stream; charset=utf-8"), ("cache-control", "no-cache"),
                   ("request-id", _request_id()), *scenario.headers)
        return Response(200, headers, body, streaming=True, chunk_delay_s=scenario.chunk_delay_s,
                        write_size=scenario.write_size, ending=ending)  # type: ignore[arg-type]

    # -- pieces ----------------------------------------------------------------------------

    def stop(self, scenario: Scenario, view: RequestView) -> tuple[str, str | None]:
        """(stop_reason, stop_sequence) for the scenario's finish."""
        finish = scenario.effective_finish
        stop_reason = _FINISH_TO_STOP_REASON.get(finish, finish)
        if stop_reason != "stop_sequence":
            return stop_reason, None
        chosen = scenario.extra.get("stop_sequence")
        if not isinstance(chosen, str):
            chosen = view.stop[0] if view.stop else None
        return stop_reason, chosen

    def message_id(self, ctx: RenderContext) -> str:
        digest = hashlib.sha256(f"message:{ctx.request_number}:{ctx.created}".encode()).digest()
        return "msg_01" + base64.b32encode(digest).decode("ascii").rstrip("=")[:22]

    def tool_call_ids(self, scenario: Scenario, ctx: RenderContext) -> list[tuple[str, ScriptedToolCall]]:
        out = []
        for i, call in enumerate(scenario.tool_calls):
            cid = call.id or "toolu_01" + hashlib.sha256(
                f"toolu:{ctx.request_number}:{i}:{call.name}".encode()).hexdigest()[:22]
            out.append((cid, call))
        return out

    def usage(self, scenario: Scenario, view: RequestView) -> tuple[int, int]:
        """(input_tokens, output_tokens)."""
        if scenario.usage is not None:
            return scenario.usage
        output = count_words(scenario.text) + count_words(scenario.reasoning) + sum(
            estimate_tokens(c.arguments_json) + 5 for c in scenario.tool_calls)
        return view.prompt_tokens, output


# --- request validation ---------------------------------------------------------------


def validate(request: Any) -> str | None:
    """The 400 message for a request the API would refuse, None when it is acceptable."""
    if not isinstance(request, Mapping):
        return "Input should be a valid dictionary"
    model = request.get("model")
    if "model" not in request:
        return "model: Field required"
    if not isinstance(model, str) or not model:
        return "model: Input should be a valid string"
    if "max_tokens" not in request:
        return "max_tokens: Field required"
    max_tokens = request["max_tokens"]
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 0:
        return "max_tokens: Input should be a valid integer greater than or equal to 0"
    if "messages" not in request:
        return "messages: Field required"
    messages = request["messages"]
    if not isinstance(messages, list):
        return "messages: Input should be a valid list"
    if not messages:
        return "messages: at least one message is required"
    if "stream" in request and not isinstance(request["stream"], bool):
        return "stream: Input should be a valid boolean"
    system = request.get("system")
    if system is not None and not isinstance(system, (str, list)):
        return "system: Input should be a valid string or a valid list"
    temperature = request.get("temperature")
    if temperature is not None:
        if not isinstance(temperature, (int, float)) or isinstance(temperature, bool):
            return "temperature: Input should be a valid number"
        if not 0 <= temperature <= 1:
            return "temperature: range: 0..1"
    stops = request.get("stop_sequences")
    if stops is not None and not (isinstance(stops, list) and all(isinstance(s, str) for s in stops)):
        return "stop_sequences: Input should be a valid list of strings"
    problem = _validate_tools(request.get("tools"), request.get("tool_choice"))
    if problem is not None:
        return problem
    if _forces_tool(request.get("tool_choice")) and _thinking_on(request.get("thinking")):
        return "Thinking may not be enabled when `tool_choice` forces tool use."
    for i, message in enumerate(messages):
        problem = _validate_message(i, message, len(messages))
        if problem is not None:
            return problem
    return _validate_tool_pairing(messages)


def _validate_tools(tools: Any, choice: Any) -> str | None:
    if tools is not None:
        if not isinstance(tools, list):
            return "tools: Input should be a valid list"
        for k, tool in enumerate(tools):
            if not isinstance(tool, Mapping):
                return f"tools.{k}: Input should be a valid dictionary"
            if tool.get("type") not in (None, "custom"):
                continue  # a server tool (web_search_..., computer_..., ...)
            if not isinstance(tool.get("name"), str) or not tool["name"]:
                return f"tools.{k}.custom.name: Field required"
            schema = tool.get("input_schema")
            if not isinstance(schema, Mapping):
                return f"tools.{k}.custom.input_schema: Field required"
            if schema.get("type") != "object":
                return f"tools.{k}.custom.input_schema.type: Input should be 'object'"
    if choice is not None:
        if not isinstance(choice, Mapping) or choice.get("type") not in TOOL_CHOICE_TYPES:
            return ("tool_choice: Input tag found using 'type' does not match any of the expected "
                    "tags: 'auto', 'any', 'tool', 'none'")
        if choice["type"] == "tool" and not isinstance(choice.get("name"), str):
            return "tool_choice.tool.name: Field required"
    return None


def _forces_tool(choice: Any) -> bool:
    return isinstance(choice, Mapping) and choice.get("type") in ("any", "tool")


def _thinking_on(thinking: Any) -> bool:
    return isinstance(thinking, Mapping) and thinking.get("type") in ("enabled", "adaptive")


def _validate_message(i: int, message: Any, count: int) -> str | None:
    if not isinstance(message, Mapping):
        return f"messages.{i}: Input should be a valid dictionary"
    role = message.get("role")
    if role not in ("user", "assistant"):
        return f"messages.{i}.role: Input should be 'user' or 'assistant'"
    content = message.get("content")
    final_assistant = role == "assistant" and i == count - 1
    if isinstance(content, str):
        if not content and not final_assistant:
            return (f"messages.{i}: all messages must have non-empty content except for the "
                    "optional final assistant message")
        return None
    if not isinstance(content, list):
        return f"messages.{i}.content: Input should be a valid list"
    if not content and not final_assistant:
        return (f"messages.{i}: all messages must have non-empty content except for the "
                "optional final assistant message")
    for j, block in enumerate(content):
        if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
            return f"messages.{i}.content.{j}: Input should be a valid dictionary with a type"
        kind = block["type"]
        if kind == "text":
            text = block.get("text")
            if not isinstance(text, str):
                return f"messages.{i}.content.{j}.text.text: Field required"
            if not text:
                return "messages: text content blocks must be non-empty"
            if not text.strip():
                return "messages: text content blocks must contain non-whitespace text"
        elif kind == "image":
            if role != "user":
                return f"messages.{i}.content.{j}: image blocks are only allowed in user messages"
            problem = _validate_image(f"messages.{i}.content.{j}.image.source", block.get("source"))
            if problem is not None:
                return problem
        elif kind == "tool_use":
            if role != "assistant":
                return f"messages.{i}.content.{j}: tool_use blocks are only allowed in assistant messages"
            if not isinstance(block.get("id"), str) or not isinstance(block.get("name"), str):
                return f"messages.{i}.content.{j}.tool_use: id and name are required"
            if not isinstance(block.get("input"), Mapping):
                return f"messages.{i}.content.{j}.tool_use.input: Input should be a valid dictionary"
        elif kind == "tool_result":
            if role != "user":
                return f"messages.{i}.content.{j}: tool_result blocks are only allowed in user messages"
            if not isinstance(block.get("tool_use_id"), str):
                return f"messages.{i}.content.{j}.tool_result.tool_use_id: Field required"
            if "is_error" in block and not isinstance(block["is_error"], bool):
                return f"messages.{i}.content.{j}.tool_result.is_error: Input should be a valid boolean"
    return None


def _validate_image(where: str, source: Any) -> str | None:
    if not isinstance(source, Mapping):
        return f"{where}: Field required"
    kind = source.get("type")
    if kind == "url":
        return None if isinstance(source.get("url"), str) and source["url"] else f"{where}.url.url: Field required"
    if kind != "base64":
        return (f"{where}: Input tag found using 'type' does not match any of the expected tags: "
                "'base64', 'url'")
    if source.get("media_type") not in MEDIA_TYPES:
        return (f"{where}.base64.media_type: Input should be 'image/jpeg', 'image/png', "
                "'image/gif' or 'image/webp'")
    data = source.get("data")
    try:
        if not isinstance(data, str) or not data:
            raise ValueError
        base64.b64decode(data, validate=True)
    except ValueError:
        return f"{where}.base64.data: invalid base64 data"
    return None


def _validate_tool_pairing(messages: list[Any]) -> str | None:
    """Every `tool_use` answered in the next message, results first, no orphan results."""
    for i, message in enumerate(messages):
        blocks = mappings(message.get("content"))
        if message.get("role") == "user":
            previous = messages[i - 1] if i else None
            uses = ({str(b.get("id")) for b in mappings(previous.get("content")) if b.get("type") == "tool_use"}
                    if previous is not None and previous.get("role") == "assistant" else set())
            seen_other = False
            for j, block in enumerate(blocks):
                if block.get("type") != "tool_result":
                    seen_other = True
                    continue
                if block.get("tool_use_id") not in uses:
                    return (f"messages.{i}.content.{j}: unexpected `tool_use_id` found in "
                            f"`tool_result` blocks: {block.get('tool_use_id')}. Each `tool_result` "
                            "block must have a corresponding `tool_use` block in the previous message.")
                if seen_other:
                    return (f"messages.{i}.content.{j}: `tool_result` blocks must come before any "
                            "other content in the message")
        else:
            ids = [str(b.get("id")) for b in blocks if b.get("type") == "tool_use"]
            if not ids:
                continue
            following = messages[i + 1] if i + 1 < len(messages) else None
            answered = ({str(b.get("tool_use_id")) for b in mappings(following.get("content"))
                         if b.get("type") == "tool_result"}
                        if following is not None and following.get("role") == "user" else set())
            missing = [cid for cid in ids if cid not in answered]
            if missing and following is not None:
                return (f"messages.{i}: `tool_use` ids were found without `tool_result` blocks "
                        f"immediately after: {', '.join(missing)}. Each `tool_use` block must have "
                        "a corresponding `tool_result` block in the next message.")
    return None


# --- small helpers ----------------------------------------------------------------------


def _request_id() -> str:
    return "req_011C" + uuid.uuid4().hex[:20]


def _retry_header(status: int) -> tuple[tuple[str, str], ...]:
    """Anthropic's `x-should-retry`: true for 408/409/429 and 5xx (529 included)."""
    if status < 400:
        return ()
    retry = status in (408, 409, 429) or status >= 500
    return (("x-should-retry", "true" if retry else "false"),)


def _signature(reasoning: str) -> str:
    """A deterministic stand-in for the opaque thinking signature."""
    return base64.b64encode(hashlib.sha256(reasoning.encode("utf-8")).digest() * 3).decode("ascii")


def _input_object(arguments: str) -> Any:
    """`tool_use.input` for a plain answer: the parsed arguments; scripted invalid JSON is
    sent as the raw string (the real API never does this; it tests a client's robustness)."""
    if not arguments.strip():
        return {}
    try:
        return json.loads(arguments)
    except ValueError:
        return arguments


def _fragments(arguments: str, size: int) -> list[str]:
    """`partial_json` fragments: always an empty first one (as Anthropic sends), then
    `size`-character pieces, at least two for anything longer than one character.  A
    no-argument tool (`{}` or nothing) gets the empty fragment only."""
    if not arguments.strip() or arguments.strip() == "{}":
        return [""]
    return ["", *split_in_two_or_more(arguments, size)]


def _content_text(content: Any) -> tuple[str, int]:
    """(text, image count) of a content value: a string, or a list of blocks."""
    if isinstance(content, str):
        return content, 0
    texts, images = [], 0
    for block in mappings(content):
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif block.get("type") == "image":
            images += 1
    return "\n\n".join(texts), images
