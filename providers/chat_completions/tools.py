"""golem:llm tool definitions and tool-choice → Chat Completions `tools` and `tool_choice`.

- `parameters-schema` is a JSON string in golem:llm and a JSON object on the wire, so it is
  parsed here; a schema that is not a JSON object is the caller's mistake and is reported
  before any request, naming the tool (the API's own 400 would not say which string was bad).
- An empty (or blank) schema means "no parameters": the API documents that omitting
  `parameters` declares a function without arguments.
- `tool-choice` is a plain string in golem:llm: "auto", "none" and "required" are the API's
  own modes; anything else names one tool, which must be among `config.tools` (the API would
  reject it anyway, with less help).  An empty string means "not set".
- Tool names must be unique.  This rule, the JSON reading of the schema and the unknown-tool
  message are shared with the Messages dialect (`providers.common.tools`).
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

from normalizer.values import LlmError, ToolDefinition
from providers.common.request_parts import JsonObject, invalid_request
from providers.common.tools import convert_each, load_schema, unknown_tool_choice

TOOL_CHOICE_MODES = ("auto", "none", "required")


def convert_tools(tools: Sequence[ToolDefinition]) -> Union[list[JsonObject], LlmError]:
    """Function tools in the caller's order, or the error for the first bad definition."""
    return convert_each(tools, _function_tool)


def _function_tool(tool: ToolDefinition) -> Union[JsonObject, LlmError]:
    function: JsonObject = {"name": tool.name}
    if tool.description is not None:
        function["description"] = tool.description
    if tool.parameters_schema.strip():
        schema = parse_schema(tool)
        if isinstance(schema, LlmError):
            return schema
        function["parameters"] = schema
    return {"type": "function", "function": function}


def parse_schema(tool: ToolDefinition) -> Union[JsonObject, LlmError]:
    """The tool's JSON Schema as an object; NaN/Infinity are refused as the JSON they are not."""
    schema = load_schema(tool)
    if isinstance(schema, LlmError):
        return schema
    if not isinstance(schema, dict):
        return invalid_request(
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
    unknown = unknown_tool_choice(choice, tools)
    return unknown if unknown is not None else {"type": "function", "function": {"name": choice}}
