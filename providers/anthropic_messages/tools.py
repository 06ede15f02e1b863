"""golem:llm tool definitions and tool-choice → Messages `tools` and `tool_choice`.

- `parameters-schema` (a JSON string) becomes `input_schema` (a JSON object).  A schema that
  is not valid JSON, or not an object, is refused before any request, naming the tool (the
  API's own 400 would not say which string was bad).  The API requires `input_schema` and
  requires it to describe an object: an empty schema means "no parameters" and becomes
  `{"type": "object", "properties": {}}`; a schema without `type` gets `"type": "object"`
  (JSON Schemas often leave it implicit); a schema of another type is refused.
- Tool names must be unique (the model calls tools by name).
- `tool-choice` is a string in golem:llm: `auto` → `{"type": "auto"}`, `none` →
  `{"type": "none"}`, `required` → `{"type": "any"}` (Anthropic's word for "must call some
  tool"), anything else names one tool → `{"type": "tool", "name": ...}`, which must be among
  `config.tools`.  Without tools, `auto` and `none` already hold and are left out (the API
  rejects a tool_choice without tools); `required` or a name cannot be satisfied and is
  refused.  An empty string means "not set".
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any, Mapping, Optional, Sequence, Union

from normalizer.values import ErrorCode, LlmError, ToolDefinition

JsonObject = dict[str, Any]

_MODES: Mapping[str, str] = MappingProxyType({"auto": "auto", "none": "none", "required": "any"})


def convert_tools(tools: Sequence[ToolDefinition]) -> Union[list[JsonObject], LlmError]:
    """Client tools in the caller's order, or the error for the first bad definition."""
    converted: list[JsonObject] = []
    seen: set[str] = set()
    for tool in tools:
        if tool.name in seen:
            return _invalid(f"tool {tool.name!r} is defined twice: tool names must be unique")
        seen.add(tool.name)
        schema = input_schema(tool)
        if isinstance(schema, LlmError):
            return schema
        wire: JsonObject = {"name": tool.name}
        if tool.description is not None:
            wire["description"] = tool.description
        wire["input_schema"] = schema
        converted.append(wire)
    return converted


def input_schema(tool: ToolDefinition) -> Union[JsonObject, LlmError]:
    """The tool's `input_schema` object (see the module docstring)."""
    if not tool.parameters_schema.strip():
        return {"type": "object", "properties": {}}
    try:
        schema = json.loads(tool.parameters_schema, parse_constant=_reject_constant)
    except ValueError as exc:
        return _invalid(f"tool {tool.name!r}: parameters-schema is not valid JSON: {exc}")
    if not isinstance(schema, dict):
        return _invalid(
            f"tool {tool.name!r}: parameters-schema is not valid JSON Schema: expected a JSON "
            f"object, got {type(schema).__name__}"
        )
    if "type" not in schema:
        return {"type": "object", **schema}
    if schema["type"] != "object":
        return _invalid(
            f"tool {tool.name!r}: the Anthropic API requires parameters-schema to describe an "
            f"object (\"type\": \"object\"), got \"type\": {json.dumps(schema['type'])}"
        )
    return schema


def convert_tool_choice(
    choice: Optional[str], tools: Sequence[ToolDefinition]
) -> Union[JsonObject, None, LlmError]:
    """The `tool_choice` object, None to leave it out, or an error (see the module doc)."""
    if choice is None or choice == "":
        return None
    names = [tool.name for tool in tools]
    if choice in _MODES:
        if not names:
            if choice == "required":
                return _invalid("tool-choice 'required' needs at least one tool in config.tools")
            return None
        return {"type": _MODES[choice]}
    if choice not in names:
        known = ", ".join(repr(name) for name in names) if names else "none are defined"
        return _invalid(
            f"tool-choice {choice!r} is not one of the tools in config.tools (known tools: "
            f"{known}); use 'auto', 'none', 'required' or the name of a defined tool"
        )
    return {"type": "tool", "name": choice}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _invalid(message: str) -> LlmError:
    return LlmError(ErrorCode.INVALID_REQUEST, message)
