"""The tool definitions turn: Meta's JSON-based (zero-shot) custom tool calling.

Meta's Llama 3.1 prompt format documents this as a user turn that follows the system turn:
an instruction line pair, each function as a JSON definition
(`{"type": "function", "function": {"name", "description", "parameters"}}`), and a closing
request for JSON calls.  The sentences below are Meta's documented prompt text, kept verbatim
because they are what the model was shown; the layout of each definition follows Meta's
example too.

One difference from Meta's example, on purpose: there `parameters.properties` is a list of
one-key objects that all say `"type": "object"` (an artifact of the template that produced
it, which drops the parameter types).  Hayride hands us each parameter's JSON Schema, so we
write `properties` as the JSON Schema object it is, types and all.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from formats.llama31.json_scan import loads
from formats.llama31.pretty_json import pretty
from formats.values import Tool

INTRO = ("Answer the user's question by making use of the following functions if needed.\n"
         "If none of the function can be used, please say so.\n"
         "Here is a list of functions in JSON format:\n")
OUTRO = "\n\nReturn function calls in JSON format."


def tool_instructions(tools: Sequence[Tool]) -> str:
    """The body of the user turn that lists the tools."""
    return INTRO + "\n".join(pretty(definition(tool)) for tool in tools) + OUTRO


def definition(tool: Tool) -> dict[str, Any]:
    """A tool as the JSON function definition the model expects."""
    schema = tool.input_schema
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": {
                "type": schema.schema_type or "object",
                "properties": {name: _schema_value(text) for name, text in schema.properties},
                "required": list(schema.required),
            },
        },
    }


def _schema_value(text: str) -> Any:
    """A property's JSON Schema text, parsed; text that is not JSON stays a string (what
    Hayride's own marshaller does)."""
    try:
        return loads(text)
    except ValueError:
        return text


def unique_tools(groups: Iterable[Sequence[Tool]]) -> list[Tool]:
    """Every tool once, first definition wins: an agent may repeat its tools in the
    history, and a model shown two definitions of one name has to guess."""
    seen: dict[str, Tool] = {}
    for group in groups:
        for tool in group:
            seen.setdefault(tool.name, tool)
    return list(seen.values())
