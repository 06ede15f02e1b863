"""Tool definitions and tool-choice: the checks both dialects make before any request.

The wire shapes differ (`input_schema` vs `function.parameters`, Anthropic's `any` vs
`required`) and stay in each dialect's `tools` module; these rules do not:

- tool names must be unique (the model calls tools by name);
- `parameters-schema` is a JSON string in golem:llm and a JSON object (a JSON Schema) on the
  wire; text that is not JSON (NaN and Infinity included), JSON nested deeper than the bound
  (`normalizer/json_depth.py`), or JSON that is not an object, is refused naming the tool,
  since the API's own 400 would not say which string was bad;
- a tool-choice that is not a mode names one tool, which must be among `config.tools`.
"""

from __future__ import annotations

from typing import Callable, Sequence

from normalizer.json_depth import JsonTooDeep
from normalizer.values import ToolDefinition
from providers.common.refusal import Refusal
from providers.common.json_body import JsonObject, loads_strict


def convert_each(
    tools: Sequence[ToolDefinition], convert: Callable[[ToolDefinition], JsonObject]
) -> list[JsonObject]:
    """Each tool in the caller's order through the dialect's `convert`; a duplicate name is
    refused (and `convert` refuses a bad definition)."""
    converted: list[JsonObject] = []
    seen: set[str] = set()
    for tool in tools:
        if tool.name in seen:
            raise Refusal(f"tool {tool.name!r} is defined twice: tool names must be unique")
        seen.add(tool.name)
        converted.append(convert(tool))
    return converted


def load_schema(tool: ToolDefinition) -> JsonObject:
    """The tool's `parameters-schema` as the JSON object it must be; anything else is refused
    naming the tool."""
    try:
        schema = loads_strict(tool.parameters_schema)
    except JsonTooDeep as exc:
        raise Refusal(f"tool {tool.name!r}: parameters-schema has {exc}") from exc
    except ValueError as exc:
        raise Refusal(f"tool {tool.name!r}: parameters-schema is not valid JSON: {exc}") from exc
    if not isinstance(schema, dict):
        raise Refusal(
            f"tool {tool.name!r}: parameters-schema is not valid JSON: "
            f"expected a JSON object (a JSON Schema), got {type(schema).__name__}"
        )
    return schema


def check_tool_choice(choice: str, tools: Sequence[ToolDefinition]) -> None:
    """Refuse a `choice` that names no tool in `tools`, listing the known ones."""
    names = [tool.name for tool in tools]
    if choice in names:
        return
    known = ", ".join(repr(name) for name in names) if names else "none are defined"
    raise Refusal(
        f"tool-choice {choice!r} is not one of the tools in config.tools (known tools: "
        f"{known}); use 'auto', 'none', 'required' or the name of a defined tool"
    )
