"""A dialect-neutral summary of a chat request: what the auto scenario and the request
limits (stop sequences, max tokens) need to know.

Each dialect parses its own request body into a `RequestView`; everything downstream
(auto.py, limits.py, scenario selection) reads only this, so a new dialect needs only its
parser and renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

ToolChoice = Literal["auto", "none", "required", "function"]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class ToolResult:
    call_id: str
    name: str  # "" when the matching call could not be found
    content: str


@dataclass(frozen=True)
class RequestView:
    model: str
    stream: bool = False
    include_usage: bool = False
    #: Text of the last user message (text parts joined with a blank line).
    last_user_text: str = ""
    #: Images attached to the last user message.
    last_user_images: int = 0
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: ToolChoice = "auto"
    #: The function named by tool_choice when tool_choice == "function".
    tool_choice_name: str | None = None
    #: Whether any tool result is in the conversation.
    has_tool_results: bool = False
    #: The tool results ending the conversation (empty unless the last message is one).
    trailing_tool_results: tuple[ToolResult, ...] = ()
    stop: tuple[str, ...] = ()
    max_tokens: int | None = None
    #: Rough size of the prompt, for the usage numbers.
    prompt_tokens: int = 0
    #: The text of the conversation's last assistant message ("" when there is none)...
    last_assistant_text: str = ""
    #: ...and whether that message ends the conversation (a prefill to continue).
    ends_with_assistant: bool = False
