"""How one OpenAI-compatible server writes its chat-completions stream, as one small table.

OpenAI, xAI and OpenRouter stream the same chunks with different habits (reference/
providers.md §3.4, §4, §5.2).  `OpenAIDialect` renders any scenario from this table, so the
xAI and OpenRouter dialects state their habits by name instead of copying the renderer;
only their error bodies and a few message shapes are methods of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


OPENAI_WIRE = ChatWire()

XAI_WIRE = ChatWire(
    role="first_delta",
    logprobs=False,
    null_finish_reason=False,
    whole_tool_calls=True,
    reasoning_key="reasoning_content",
    usage_null_on_chunks=False,
    obfuscation=False,
)

OPENROUTER_WIRE = ChatWire(
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
