"""Tool definitions and tool-choice: the checks both dialects make before any request.

The wire shapes differ (`input_schema` vs `function.parameters`, Anthropic's `any` vs
`required`) and stay in each dialect's `tools` module; these rules do not:

- tool names must be unique (the model calls tools by name);
- `parameters-schema` is a JSON string in golem:llm and a JSON object on the wire; text that
  is not JSON (NaN and Infinity included) is refused naming the tool, since the API's own
  400 would not say which string was bad;
- a tool-choice that is not a mode names one tool, which must be among `config.tools`.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Union

from normalizer.values import LlmError, ToolDefinition
from providers.common.request_parts import JsonObject, invalid_request, loads_strict


def convert_each(
    tools: Sequence[ToolDefinition],
    convert: Callable[[ToolDefinition], Union[JsonObject, LlmError]],
) -> Union[list[JsonObject], LlmError]:
    """Each tool in the caller's order through the dialect's `convert`, or the error for the
    first duplicate name or bad definition."""
    converted: list[JsonObject] = []
    seen: set[str] = set()
    for tool in tools:
        if tool.name in seen:
            return invalid_request(f"tool {tool.name!r} is defined twice: tool names must be unique")
        seen.add(tool.name)
        wire = convert(tool)
        if isinstance(wire, LlmError):
            return wire
        converted.append(wire)
    return converted


def load_schema(tool: ToolDefinition) -> Union[Any, LlmError]:
    """The tool's `parameters-schema` parsed as JSON (any JSON value: whether it must be an
    object, and what the message says, is the dialect's), or the error naming the tool."""
    try:
        return loads_strict(tool.parameters_schema)
    except ValueError as exc:
        return invalid_request(f"tool {tool.name!r}: parameters-schema is not valid JSON: {exc}")


def unknown_tool_choice(choice: str, tools: Sequence[ToolDefinition]) -> Optional[LlmError]:
    """None when `choice` names a tool in `tools`, else the error that lists the known ones."""
    names = [tool.name for tool in tools]
    if choice in names:
        return None
    known = ", ".join(repr(name) for name in names) if names else "none are defined"
    return invalid_request(
        f"tool-choice {choice!r} is not one of the tools in config.tools (known tools: "
        f"{known}); use 'auto', 'none', 'required' or the name of a defined tool"
    )
