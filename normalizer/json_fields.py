"""Reading the fields of a parsed wire object, which a server may fill with anything.

Both dialects read counts and names out of JSON a server wrote.  A field of the wrong type
is treated as absent, never trusted: a boolean is not a count, even though Python's bool
is an int.
"""

from __future__ import annotations

from typing import Any, Optional


def int_or_none(value: Any) -> Optional[int]:
    """`value` when it is a JSON integer, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def str_or_none(value: Any) -> Optional[str]:
    """`value` when it is a JSON string, else None."""
    return value if isinstance(value, str) else None
