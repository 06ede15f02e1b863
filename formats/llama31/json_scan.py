"""JSON from untrusted text, safely: where a value ends in text that may be cut off, and
parsing with a bound on nesting.

Streaming decode has to tell "this call is not finished yet" (read more) from "this call is
broken" (fail).  `json.loads` cannot: an unterminated string and a syntax error look alike.
Balancing brackets outside strings can: if the text runs out first, the value is unfinished;
otherwise the balanced span is handed to `json.loads`, which says whether it is valid.

The nesting bound matters inside the component: the parser recurses on the C stack, and a
few thousand nested brackets overflow the WebAssembly stack, which traps the instance for
good instead of raising.  No tool argument or schema needs more than `MAX_DEPTH` levels.
"""

from __future__ import annotations

import json
from typing import Any, Optional

MAX_DEPTH = 100

_OPEN = "{["
_CLOSE = "}]"


class TooDeep(ValueError):
    """JSON nested deeper than MAX_DEPTH: refused before it reaches the parser."""

    def __init__(self) -> None:
        super().__init__(f"JSON nested deeper than {MAX_DEPTH} levels")


def value_end(text: str, start: int) -> Optional[int]:
    """The index just past the object or array that opens at `text[start]`, or None if the
    text ends first.  Brackets are only counted, not matched: json.loads judges the span.
    Raises TooDeep past MAX_DEPTH."""
    if text[start] not in _OPEN:
        raise ValueError("value_end expects an opening bracket")
    return _scan(text, start, stop=True)


def loads(text: str) -> Any:
    """`json.loads` that refuses (ValueError) nesting deeper than MAX_DEPTH."""
    _scan(text, 0, stop=False)
    return json.loads(text)


def _scan(text: str, start: int, stop: bool) -> Optional[int]:
    """Count brackets outside strings from `start`; with `stop`, answer where the depth
    first returns to zero."""
    depth = 0
    in_string = False
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPEN:
            depth += 1
            if depth > MAX_DEPTH:
                raise TooDeep()
        elif char in _CLOSE:
            depth -= 1
            if stop and depth == 0:
                return index + 1
    return None
