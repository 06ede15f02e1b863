"""Assemble the streaming Chat Completions request: URL, headers and compact JSON body.

Everything is read from the `env` mapping passed in at call time, never at import (module
code runs at build time inside the component).  Input the API could not accept is refused
(`Refusal`, raised by the converter whose rule it breaks) before a request exists, so
nothing is sent for it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Mapping, Sequence

from normalizer.values import Config, Message, ToolCall, ToolResult
from providers.chat_completions.messages import convert_messages
from providers.chat_completions.options import ALWAYS_TYPED, RESERVED
from providers.chat_completions.refusals import refuse_inline_images, refuse_parameters
from providers.chat_completions.tool_results import tool_exchange_messages
from providers.chat_completions.tools import convert_tool_choice, convert_tools
from providers.common.json_body import JsonObject, encode_body
from providers.common.options import provider_options
from providers.common.refusal import Refusal
from providers.provider import HttpRequest

if TYPE_CHECKING:
    from providers.chat_completions.provider import ChatCompletionsProvider


def build_request(
    provider: ChatCompletionsProvider,
    messages: Sequence[Message],
    config: Config,
    env: Mapping[str, str],
    tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
) -> HttpRequest:
    """The POST for `send`/`stream` (no tool results) or `continue`."""
    key = provider.api_key(env)
    body = build_body(provider, messages, config, tool_results)
    refuse_parameters(provider.label, provider.parameter_rules, body)
    refuse_inline_images(provider.label, provider.inline_image_types, messages)
    return HttpRequest(
        method="POST",
        url=provider.url(env),
        headers=request_headers(provider, env, key),
        body=encode_body(body),
    )


def request_headers(
    provider: ChatCompletionsProvider, env: Mapping[str, str], key: str
) -> tuple[tuple[str, str], ...]:
    """Bearer auth, a JSON body, an SSE answer; plus the provider's optional headers whose
    variables are set."""
    return (
        ("Authorization", f"Bearer {key}"),
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream"),
        *provider.extra_headers(env),
    )


def build_body(
    provider: ChatCompletionsProvider,
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
        body[provider.max_tokens_field] = config.max_tokens
        for field in {provider.max_tokens_field, "max_tokens", "max_completion_tokens"}:
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

    extra = provider_options(config.provider_options, api_key_env=provider.api_key_env,
                             set_by_config=set_by_config, reserved=RESERVED,
                             typed=(*ALWAYS_TYPED, *provider.typed_options))
    stream_options = extra.pop("stream_options", {})
    body.update(extra)
    body["stream"] = True
    body["stream_options"] = {**stream_options, "include_usage": True}
    return body
