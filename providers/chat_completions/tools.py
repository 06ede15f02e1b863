"""golem:llm tool definitions and tool-choice → Chat Completions `tools` and `tool_choice`.

- `parameters-schema` is a JSON string in golem:llm and a JSON object on the wire, so it is
  parsed here; a schema that is not a JSON object is the caller's mistake and is reported
  before any request, naming the tool (the API's own 400 would not say which string was bad).
- An empty (or blank) schema means "no parameters": the API documents that omitting
  `parameters` declares a function without arguments.
- `tool-choice` is a plain string in golem:llm: "auto", "none" and "required" are the API's
  own modes; anything else names one tool, which must be among `config.tools` (the API would
  reject it anyway, with less help).  An empty string means "not set".
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence, Union

from normalizer.values import ErrorCode, LlmError, ToolDefinition

JsonObject = dict[str, Any]

TOOL_CHOICE_MODES = ("auto", "none", "required")


def convert_tools(tools: Sequence[ToolDefinition]) -> Union[list[JsonObject], LlmError]:
    """Function tools in the caller's order, or the error for the first bad definition."""
    converted: list[JsonObject] = []
    seen: set[str] = set()
    for tool in tools:
        if tool.name in seen:
            return _invalid(f"tool {tool.name!r} is defined twice: tool names must be unique")
        seen.add(tool.name)
        function: JsonObject = {"name": tool.name}
        if tool.description is not None:
            function["description"] = tool.description
        if tool.parameters_schema.strip():
            schema = parse_schema(tool)
            if isinstance(schema, LlmError):
                return schema
            function["parameters"] = schema
        converted.append({"type": "function", "function": function})
    return converted


def parse_schema(tool: ToolDefinition) -> Union[JsonObject, LlmError]:
    """The tool's JSON Schema as an object; NaN/Infinity are refused as the JSON they are not."""
    try:
        schema = json.loads(tool.parameters_schema, parse_constant=_reject_constant)
    except ValueError as exc:
        return _invalid(f"tool {tool.name!r}: parameters-schema is not valid JSON: {exc}")
    if not isinstance(schema, dict):
        return _invalid(
            f"tool {tool.name!r}: parameters-schema is not valid JSON: "
            f"expected a JSON object (a JSON Schema), got {type(schema).__name__}"
        )
    return schema


def convert_tool_choice(
    choice: Optional[str], tools: Sequence[ToolDefinition]
) -> Union[str, JsonObject, None, LlmError]:
    """The `tool_choice` value, `None` to leave it out, or an error for an unknown tool."""
    if choice is None or choice == "":
        return None
    if choice in TOOL_CHOICE_MODES:
        return choice
    names = [tool.name for tool in tools]
    if choice not in names:
        known = ", ".join(repr(name) for name in names) if names else "none are defined"
        return _invalid(
            f"tool-choice {choice!r} is not one of the tools in config.tools (known tools: "
            f"{known}); use 'auto', 'none', 'required' or the name of a defined tool"
        )
    return {"type": "function", "function": {"name": choice}}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _invalid(message: str) -> LlmError:
    return LlmError(ErrorCode.INVALID_REQUEST, message)
