"""JSON laid out the way Meta's Llama 3.1 prompt examples show tool definitions: four-space
indentation, one member per line, and arrays of plain values kept on one line
(`"required": ["n"]`).  `json.dumps(indent=4)` would put every array item on its own line."""

from __future__ import annotations

import json
from typing import Any

INDENT = "    "


def pretty(value: Any, level: int = 0) -> str:
    if isinstance(value, dict) and value:
        inner = INDENT * (level + 1)
        members = [f"{inner}{_scalar(str(key))}: {pretty(item, level + 1)}"
                   for key, item in value.items()]
        return "{\n" + ",\n".join(members) + "\n" + INDENT * level + "}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        inner = INDENT * (level + 1)
        items = [inner + pretty(item, level + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + INDENT * level + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    """Plain values, empty containers and flat arrays, on one line."""
    return json.dumps(value, ensure_ascii=False)
