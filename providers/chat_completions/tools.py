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

from normalizer.values import ToolDefinition
from providers.common.json_body import JsonObject
from providers.common.tools import check_tool_choice, convert_each, load_schema

TOOL_CHOICE_MODES = ("auto", "none", "required")


def convert_tools(tools: Sequence[ToolDefinition]) -> list[JsonObject]:
    """Function tools in the caller's order; the first bad definition is refused."""
    return convert_each(tools, _function_tool)


def _function_tool(tool: ToolDefinition) -> JsonObject:
    function: JsonObject = {"name": tool.name}
    if tool.description is not None:
        function["description"] = tool.description
    if tool.parameters_schema.strip():
        function["parameters"] = load_schema(tool)
    return {"type": "function", "function": function}


def convert_tool_choice(
    choice: Optional[str], tools: Sequence[ToolDefinition]
) -> Union[str, JsonObject, None]:
    """The `tool_choice` value, or `None` to leave it out; an unknown tool is refused."""
    if choice is None or choice == "":
        return None
    if choice in TOOL_CHOICE_MODES:
        return choice
    check_tool_choice(choice, tools)
    return {"type": "function", "function": {"name": choice}}
