"""The agent's two tools, in plain Python (no bindings), so they run natively in tests too.

Each tool takes the model's JSON arguments and gives `(ok, json_text)`: a result for a
`tool-success`, or an error message for a `tool-failure`, because a model's bad arguments
are the model's problem to fix in its next round, not a reason for the agent to fail.
"""

from __future__ import annotations

import json
from typing import Any, Callable

ADD_SCHEMA = json.dumps({
    "type": "object",
    "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
    "required": ["a", "b"],
})
WORD_COUNT_SCHEMA = json.dumps({
    "type": "object",
    "properties": {"text": {"type": "string"}},
    "required": ["text"],
})

# (name, description, JSON schema of the arguments): immutable, so safe at module level
# (componentize-py runs module code at build time and freezes what it leaves).
TOOL_SPECS: tuple[tuple[str, str, str], ...] = (
    ("add", "Add two numbers a and b; returns {\"sum\": a + b}.", ADD_SCHEMA),
    ("word_count", "Count the words in text; returns {\"words\": n}.", WORD_COUNT_SCHEMA),
)


def _number(args: dict[str, Any], key: str) -> float:
    value = args.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"argument {key!r} must be a number, not {value!r}")
    return value


def _add(args: dict[str, Any]) -> dict[str, Any]:
    total = _number(args, "a") + _number(args, "b")
    return {"sum": int(total) if float(total).is_integer() else total}


def _word_count(args: dict[str, Any]) -> dict[str, Any]:
    text = args.get("text")
    if not isinstance(text, str):
        raise ValueError(f"argument 'text' must be a string, not {text!r}")
    return {"words": len(text.split())}


def _tool(name: str) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    return {"add": _add, "word_count": _word_count}.get(name)


def run_tool(name: str, arguments_json: str) -> tuple[bool, str]:
    """Run tool `name` on the model's arguments: `(True, result JSON)` or `(False, why)`."""
    tool = _tool(name)
    if tool is None:
        return False, f"unknown tool {name!r}"
    try:
        args = json.loads(arguments_json or "{}")
        if not isinstance(args, dict):
            raise ValueError("the arguments must be a JSON object")
        return True, json.dumps(tool(args))
    except (ValueError, TypeError, OverflowError) as exc:  # JSONDecodeError is a ValueError
        return False, str(exc)
