"""Plausible tool arguments from a tool's JSON Schema, for the auto scenario.

Required properties are filled (strings with a word taken from the user's message, numbers
with 42, booleans with true, enums with their first value, nested objects and arrays
recursively); optional ones are left out, as a model usually does.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

_WORD = re.compile(r"[^\W_][\w'-]*", re.UNICODE)
_MAX_DEPTH = 8


def pick_word(text: str) -> str:
    """A word of `text` that looks like the subject: the first capitalised word that does not
    start the message (a name, a city), else the longest word, else "example"."""
    words = [w.strip("'-") for w in _WORD.findall(text)]
    words = [w for w in words if w]
    if not words:
        return "example"
    for word in words[1:]:
        if word[0].isupper():
            return word
    return max(words, key=len)


def example_value(schema: Any, word: str, depth: int = 0) -> Any:
    """A value that satisfies the common parts of `schema`."""
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return word
    if "const" in schema:
        return schema["const"]
    if "default" in schema:
        return schema["default"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")]
            return example_value((non_null or options)[0], word, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "string":
        return _string_for(schema.get("format"), word)
    if kind == "integer":
        return 42
    if kind == "number":
        return 42
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        return [example_value(schema.get("items", {}), word, depth + 1)]
    if kind == "object":
        return example_object(schema, word, depth + 1)
    return word


def example_object(schema: Mapping[str, Any], word: str, depth: int = 0) -> dict[str, Any]:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}
    required = schema.get("required")
    names = [n for n in required if n in properties] if isinstance(required, list) else []
    return {name: example_value(properties[name], word, depth) for name in names}


def example_arguments(parameters: Any, user_text: str) -> dict[str, Any]:
    """Arguments for a tool whose `parameters` schema is given (an object schema)."""
    if not isinstance(parameters, Mapping):
        return {}
    return example_object(parameters, pick_word(user_text))


def _string_for(fmt: Any, word: str) -> str:
    return {
        "date": "2025-01-01",
        "date-time": "2025-01-01T12:00:00Z",
        "time": "12:00:00",
        "email": "someone@example.com",
        "uri": "https://example.com/",
        "url": "https://example.com/",
        "uuid": "00000000-0000-4000-8000-000000000000",
    }.get(fmt, word) if isinstance(fmt, str) else word
