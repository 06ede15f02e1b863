"""The streaming Messages request's body and headers (`Provider.build_request` assembles
them with the key and the URL).

Input the API could not accept is refused (`Refusal`, raised by the converter whose rule
it breaks) before a request exists, so nothing is sent for it.

Body fields, in order: `model`, `max_tokens` (required by the API: config, else the
`max_tokens` option, else the provider's `default_max_tokens`), `system`, `messages`,
`tools`, `tool_choice` (or the forced answer tool of structured output's tool form,
`structured_output.py`), `temperature` (0–1 on this API, checked here), `stop_sequences`,
then what the documented options set (`portable.py`), then the native provider options,
then `stream: true`, which options cannot remove.  Cache breakpoints (`prompt-cache`) are
placed last, on the finished system prompt, tools and conversation.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from normalizer.values import Config, Message, ToolCall, ToolResult
from providers.anthropic_messages.messages import convert_messages, merge_turns, trim_prefill
from providers.anthropic_messages.options import RESERVED
from providers.anthropic_messages.portable import (
    apply_cache,
    apply_fields,
    reasoning_blocks,
    refuse_unsupported,
    with_reasoning,
)
from providers.anthropic_messages.structured_output import (
    answer_form,
    apply_answer_form,
    refuse_prefill,
    refuse_reserved_name,
    refuse_thinking,
)
from providers.anthropic_messages.system import system_prompt
from providers.anthropic_messages.tool_results import tool_exchange_turns
from providers.anthropic_messages.tools import convert_tool_choice, convert_tools
from providers.common.json_body import JsonObject
from providers.common.options import provider_options
from providers.common.portable_options import split_options
from providers.common.refusal import Refusal


def request_headers(key: str, api_version: str) -> tuple[tuple[str, str], ...]:
    """The key header, the required API version, a JSON body, an SSE answer."""
    return (
        ("x-api-key", key),
        ("anthropic-version", api_version),
        ("content-type", "application/json"),
        ("accept", "text/event-stream"),
    )


def build_body(
    messages: Sequence[Message],
    config: Config,
    tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
    *,
    api_key_env: str,
    default_max_tokens: int,
    label: str = "Anthropic",
    native_json_schema_models: tuple[str, ...] = (),
) -> JsonObject:
    """The request body as a JSON object (field order in the module docstring).
    `api_key_env` is named when an option looks like a credential; `default_max_tokens` is
    the provider's; `label` names it in refusals; `native_json_schema_models` are the model
    prefixes whose structured output is native by default."""
    portable, native = split_options(config.provider_options)
    refuse_unsupported(portable, label)
    refuse_reserved_name(config.tools)
    form = answer_form(portable, config.model, native_json_schema_models)
    echo = reasoning_blocks(portable, bool(tool_results))
    system = system_prompt(messages)
    turns = trim_prefill(merge_turns([*convert_messages(messages),
                                      *tool_exchange_turns(tool_results)]))
    if tool_results:
        turns = with_reasoning(turns, echo)
    if not turns:
        raise Refusal("at least one user or assistant message with content is required")
    refuse_prefill(form, turns, portable)

    set_by_config: dict[str, str] = {}
    body: JsonObject = {"model": config.model, "max_tokens": default_max_tokens}
    if config.max_tokens is not None:
        body["max_tokens"] = config.max_tokens
        set_by_config["max_tokens"] = "config.max-tokens"
    if system is not None:
        body["system"] = system
    body["messages"] = turns
    if config.tools:
        body["tools"] = convert_tools(config.tools)
    tool_choice = convert_tool_choice(config.tool_choice, config.tools)
    if tool_choice is not None:
        body["tool_choice"] = tool_choice
        set_by_config["tool_choice"] = "config.tool-choice"
    apply_answer_form(body, portable, form, label, set_by_config)
    if config.temperature is not None:
        temperature = config.temperature
        if not math.isfinite(temperature) or not 0.0 <= temperature <= 1.0:
            raise Refusal(f"config.temperature must be between 0 and 1 for the "
                          f"Anthropic API, got {temperature}")
        body["temperature"] = temperature
        set_by_config["temperature"] = "config.temperature"
    if config.stop_sequences:
        body["stop_sequences"] = list(config.stop_sequences)
        set_by_config["stop_sequences"] = "config.stop-sequences"

    apply_fields(body, portable, set_by_config)
    extra = provider_options(native, api_key_env=api_key_env,
                             set_by_config=set_by_config, reserved=RESERVED)
    if "max_tokens" not in extra and config.max_tokens is None:
        budget = _thinking_budget(extra.get("thinking", body.get("thinking")))
        if budget is not None and budget >= default_max_tokens:
            body["max_tokens"] = budget + default_max_tokens
    body.update(extra)
    refuse_thinking(body, form, portable, set_by_config)
    apply_cache(body, portable.prompt_cache)
    body["stream"] = True
    return body


def _thinking_budget(thinking: Any) -> Optional[int]:
    """`thinking.budget_tokens` when the option gives one as an integer."""
    if isinstance(thinking, dict):
        budget = thinking.get("budget_tokens")
        if isinstance(budget, int) and not isinstance(budget, bool):
            return budget
    return None
