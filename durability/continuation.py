"""The one request that continues an interrupted streamed answer after a crash.

During replay the wrapper collects what the caller already received (text and completed
tool calls).  At the first live `get-next` it sends exactly one new request:

* nothing received yet: the original request, unchanged (the answer simply starts over,
  and the caller has seen none of it);
* only text, and the provider continues a trailing assistant message (Anthropic; OpenRouter
  for models that support it): the original messages plus the partial text as that
  assistant message, so the model goes on from the exact point it stopped;
* otherwise a continuation prompt: the original messages, the partial answer as an
  assistant turn (tool calls rendered as text, because a real tool-call turn would demand
  tool results), and a user instruction to continue without repeating it.

The instruction text is ours; it is kept short and explicit because every provider sees it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping, Sequence, Union

from normalizer.values import Config, LlmError, Message, Role, Text, ToolCall
from providers.provider import HttpRequest, Provider

INSTRUCTION = (
    "Your previous answer (the assistant message just above) was cut off by a connection "
    "failure. Continue it from exactly where it stopped. Do not repeat any of it and do not "
    "mention the interruption; if it ended in the middle of a word or sentence, finish it.")


@dataclass(frozen=True)
class Partial:
    """What the caller has received of an interrupted answer."""

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.text and not self.tool_calls


def continuation_messages(messages: Sequence[Message], partial: Partial,
                          prefill: bool) -> tuple[Message, ...]:
    original = tuple(messages)
    if partial.empty:
        return original
    if prefill and not partial.tool_calls:
        # Anthropic rejects a final assistant message that ends in whitespace; the model
        # supplies the whitespace again when it goes on.
        return original + (Message(Role.ASSISTANT, (Text(partial.text.rstrip()),)),)
    rendered = partial.text
    for call in partial.tool_calls:
        rendered += ("\n" if rendered else "") + _render_call(call)
    return original + (
        Message(Role.ASSISTANT, (Text(rendered),)),
        Message(Role.USER, (Text(INSTRUCTION),)),
    )


def continuation_request(provider: Provider, messages: Sequence[Message], config: Config,
                         env: Mapping[str, str], partial: Partial
                         ) -> tuple[Union[HttpRequest, LlmError], bool]:
    """The request, and whether it carries the partial text as a prefill without its
    trailing whitespace (the stream then drops the whitespace the model repeats)."""
    prefill = provider.continues_assistant_prefix(config)
    request = provider.chat_request(continuation_messages(messages, partial, prefill), config, env)
    trimmed = (prefill and not partial.tool_calls and partial.text != partial.text.rstrip())
    return request, trimmed


def _render_call(call: ToolCall) -> str:
    return "<tool-call " + json.dumps(
        {"id": call.id, "name": call.name, "arguments": call.arguments_json},
        ensure_ascii=False) + " />"
