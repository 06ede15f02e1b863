"""The streaming Chat Completions request's body and headers (`Provider.build_request`
assembles them with the key and the URL).

Input the API could not accept is refused (`Refusal`, raised by the converter whose rule
it breaks) before a request exists, so nothing is sent for it.
"""

from __future__ import annotations

import math
from typing import Protocol, Sequence

from normalizer.values import Config, Message, ToolCall, ToolResult
from providers.chat_completions.cache import apply_breakpoints, takes_breakpoints
from providers.chat_completions.messages import convert_messages
from providers.chat_completions.options import ALWAYS_TYPED, RESERVED
from providers.chat_completions.portable import apply_fields, with_reasoning
from providers.chat_completions.refusals import (
    ParameterRule,
    refuse_inline_images,
    refuse_parameters,
)
from providers.chat_completions.tool_results import tool_exchange_messages
from providers.chat_completions.tools import convert_tool_choice, convert_tools
from providers.common.json_body import JsonObject
from providers.common.options import provider_options
from providers.common.portable_options import split_options
from providers.common.refusal import Refusal


class BodyRules(Protocol):
    """What the body reads from its provider (a `ChatCompletionsProvider`)."""

    label: str
    api_key_env: str
    parameter_rules: tuple[ParameterRule, ...]
    inline_image_types: tuple[str, ...]
    typed_options: tuple[tuple[str, str], ...]
    portable_unsupported: tuple[tuple[str, str], ...]
    cache_breakpoint_model_prefixes: tuple[str, ...]
    reasoning_style: str
    option_headers: tuple[tuple[str, str], ...]


def request_headers(key: str) -> tuple[tuple[str, str], ...]:
    """Bearer auth, a JSON body, an SSE answer."""
    return (
        ("Authorization", f"Bearer {key}"),
        ("Content-Type", "application/json"),
        ("Accept", "text/event-stream"),
    )


def build_body(
    provider: BodyRules,
    messages: Sequence[Message],
    config: Config,
    tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
    *,
    max_tokens_field: str,
) -> JsonObject:
    """The request body as a JSON object: config first, then the documented options
    (`portable.py`; `prompt-cache` as breakpoints in the messages, `cache.py`, for the
    models the provider names), then the native provider options, then the streaming fields that the engine depends on and options cannot remove; then what the
    provider refuses for the body's model, or among the images, is refused.
    `max_tokens_field` is where config.max-tokens goes (the provider picks it by where the
    request goes: `ChatCompletionsProvider.max_tokens_field_for`)."""
    portable, native = split_options(config.provider_options)
    breakpoints = takes_breakpoints(config.model, provider.cache_breakpoint_model_prefixes)
    portable.refuse_unsupported(provider.label, tuple(
        (key, why) for key, why in provider.portable_unsupported
        if not (breakpoints and key == "prompt-cache")))
    chat_messages = convert_messages(messages)
    first_exchange = len(chat_messages)
    chat_messages.extend(tool_exchange_messages(tool_results))
    with_reasoning(chat_messages, portable, first_exchange)
    if not chat_messages:
        raise Refusal("at least one message is required")
    if breakpoints:
        apply_breakpoints(chat_messages, portable.prompt_cache, provider.label)

    body: JsonObject = {"model": config.model, "messages": chat_messages}
    set_by_config: dict[str, str] = {}

    if config.temperature is not None:
        if not math.isfinite(config.temperature):
            raise Refusal(
                f"config.temperature must be a finite number, got {config.temperature}")
        body["temperature"] = config.temperature
        set_by_config["temperature"] = "config.temperature"
    if config.max_tokens is not None:
        body[max_tokens_field] = config.max_tokens
        for name in {max_tokens_field, "max_tokens", "max_completion_tokens"}:
            set_by_config[name] = "config.max-tokens"
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

    apply_fields(body, portable, set_by_config, provider.reasoning_style,
                 tuple(key for key, _ in provider.option_headers))
    extra = provider_options(native, api_key_env=provider.api_key_env,
                             set_by_config=set_by_config, reserved=RESERVED,
                             typed=(*ALWAYS_TYPED, *provider.typed_options))
    stream_options = extra.pop("stream_options", {})
    body.update(extra)
    body["stream"] = True
    body["stream_options"] = {**stream_options, "include_usage": True}
    refuse_parameters(provider.label, provider.parameter_rules, body)
    refuse_inline_images(provider.label, provider.inline_image_types, messages)
    return body
