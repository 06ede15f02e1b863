"""golem:llm tool definitions and tool-choice → Messages `tools` and `tool_choice`.

- `parameters-schema` (a JSON string) becomes `input_schema` (a JSON object).  A schema that
  is not valid JSON, or not an object, is refused before any request, naming the tool (the
  API's own 400 would not say which string was bad).  The API requires `input_schema` and
  requires it to describe an object: an empty schema means "no parameters" and becomes
  `{"type": "object", "properties": {}}`; a schema without `type` gets `"type": "object"`
  (JSON Schemas often leave it implicit); a schema of another type is refused.
- Tool names must be unique (the model calls tools by name).  This rule, the JSON reading of
  the schema and the unknown-tool message are shared with Chat Completions
  (`providers.common.tools`).
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
from typing import Mapping, Optional, Sequence

from normalizer.values import ToolDefinition
from providers.common.refusal import Refusal
from providers.common.json_body import JsonObject
from providers.common.tools import check_tool_choice, convert_each, load_schema

_MODES: Mapping[str, str] = MappingProxyType({"auto": "auto", "none": "none", "required": "any"})


def convert_tools(tools: Sequence[ToolDefinition]) -> list[JsonObject]:
    """Client tools in the caller's order; the first bad definition is refused."""
    return convert_each(tools, _client_tool)


def _client_tool(tool: ToolDefinition) -> JsonObject:
    schema = input_schema(tool)
    wire: JsonObject = {"name": tool.name}
    if tool.description is not None:
        wire["description"] = tool.description
    wire["input_schema"] = schema
    return wire


def input_schema(tool: ToolDefinition) -> JsonObject:
    """The tool's `input_schema` object (see the module docstring)."""
    if not tool.parameters_schema.strip():
        return {"type": "object", "properties": {}}
    schema = load_schema(tool)
    if "type" not in schema:
        return {"type": "object", **schema}
    if schema["type"] != "object":
        raise Refusal(
            f"tool {tool.name!r}: the Anthropic API requires parameters-schema to describe an "
            f"object (\"type\": \"object\"), got \"type\": {json.dumps(schema['type'])}"
        )
    return schema


def convert_tool_choice(
    choice: Optional[str], tools: Sequence[ToolDefinition]
) -> Optional[JsonObject]:
    """The `tool_choice` object, or None to leave it out; a choice that cannot be satisfied
    is refused (see the module doc)."""
    if choice is None or choice == "":
        return None
    if choice in _MODES:
        if not tools:
            if choice == "required":
                raise Refusal("tool-choice 'required' needs at least one tool in config.tools")
            return None
        return {"type": _MODES[choice]}
    check_tool_choice(choice, tools)
    return {"type": "tool", "name": choice}
