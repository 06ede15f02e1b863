"""Assemble the streaming Chat Completions request: URL, headers and compact JSON body.

Everything is read from the `env` mapping passed in at call time, never at import (module
code runs at build time inside the component).  Input the API could not accept is refused
(`Refusal`, raised by the converter whose rule it breaks) before a request exists, so
nothing is sent for it.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from normalizer.values import Config, Message, ToolCall, ToolResult
from providers.base import HttpRequest
from providers.chat_completions.flavor import ChatCompletionsFlavor
from providers.chat_completions.messages import convert_messages
from providers.chat_completions.options import provider_options
from providers.chat_completions.refusals import refuse_inline_images, refuse_parameters
from providers.chat_completions.tool_results import tool_exchange_messages
from providers.chat_completions.tools import convert_tool_choice, convert_tools
from providers.common.refusal import Refusal
from providers.common.request_parts import JsonObject, encode_body, endpoint_url
from providers.common.secrets import api_key


def build_request(
    flavor: ChatCompletionsFlavor,
    messages: Sequence[Message],
    config: Config,
    env: Mapping[str, str],
    tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
) -> HttpRequest:
    """The POST for `send`/`stream` (no tool results) or `continue`."""
    key = api_key(env, flavor.api_key_env, flavor.label)
    body = build_body(flavor, messages, config, tool_results)
    refuse_parameters(flavor.label, flavor.parameter_rules, body)
    refuse_inline_images(flavor.label, flavor.inline_image_types, messages)
    return HttpRequest(
        method="POST",
        url=endpoint_url(env, flavor.base_url_env, flavor.default_base_url, flavor.path),
        headers=request_headers(flavor, env, key),
        body=encode_body(body),
    )


def request_headers(
    flavor: ChatCompletionsFlavor, env: Mapping[str, str], key: str
) -> tuple[tuple[str, str], ...]:
    """Bearer auth, a JSON body, an SSE answer; plus the flavor's optional headers whose
    variables are set (unset ones are left out rather than sent empty)."""
    headers = [
        ("Authorization", f"Bearer {key}"),
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream"),
    ]
    for header, variable in flavor.extra_headers_from_env:
        value = (env.get(variable) or "").strip()
        if value:
            headers.append((header, value))
    return tuple(headers)


def build_body(
    flavor: ChatCompletionsFlavor,
    messages: Sequence[Message],
    config: Config,
    tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
) -> JsonObject:
    """The request body as a JSON object: config first, then provider options, then the
    streaming fields that the engine depends on and options cannot remove."""
    chat_messages = convert_messages(messages)
    chat_messages.extend(tool_exchange_messages(tool_results))
    if not chat_messages:
        raise Refusal("at least one message is required")

    body: JsonObject = {"model": config.model, "messages": chat_messages}
    set_by_config: dict[str, str] = {}

    if config.temperature is not None:
        if not math.isfinite(config.temperature):
            raise Refusal(
                f"config.temperature must be a finite number, got {config.temperature}")
        body["temperature"] = config.temperature
        set_by_config["temperature"] = "config.temperature"
    if config.max_tokens is not None:
        body[flavor.max_tokens_field] = config.max_tokens
        for field in {flavor.max_tokens_field, "max_tokens", "max_completion_tokens"}:
            set_by_config[field] = "config.max-tokens"
    if config.stop_sequences:
        body["stop"] = list(config.stop_sequences)
        set_by_config["stop"] = "config.stop-sequences"
    if config.tools:
        body["tools"] = convert_tools(config.tools)
        set_by_config["tools"] = "config.tools"
    tool_choice = convert_tool_choice(config.tool_choice, config.tools)
    if tool_choice is not None:
        body["tool_choice"] = tool_choice
        set_by_config["tool_choice"] = "config.tool-choice"

    extra = provider_options(config.provider_options, flavor.api_key_env, set_by_config,
                             flavor.typed_options)
    stream_options = extra.pop("stream_options", {})
    body.update(extra)
    body["stream"] = True
    body["stream_options"] = {**stream_options, "include_usage": True}
    return body
