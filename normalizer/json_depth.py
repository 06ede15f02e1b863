"""JSON from outside (a provider's answer, a caller's schema or option) is parsed only when
its nesting is bounded.

CPython's `json` parser recurses once per nested array or object.  Natively that ends in a
`RecursionError`, but inside the component the WebAssembly stack runs out first: 850 to 900
nested objects (1,200 to 1,500 arrays; a few KB of input) trap the instance for good.  So
every parse of untrusted JSON first measures the nesting, with a scan that does not
recurse, and refuses anything deeper than `MAX_DEPTH` with `JsonTooDeep` (a `ValueError`,
so every parse site's handling of bad JSON applies: an error event for provider data, an
invalid-request naming the field for the caller's).

`MAX_DEPTH` is 128, serde_json's default recursion limit: the Rust golem-llm components
parse with serde_json, so whatever they accept is accepted here too, and it leaves the
component's stack a margin of more than six times (the parse and the re-encoding of the
request body, at the bound, fit with room to spare).  No JSON Schema, tool argument or
provider option in practice comes near it.

The check costs a `len` for text too short to nest deeper than `MAX_DEPTH` and still be
JSON (most stream events), and two `str.count` calls for text with at most `MAX_DEPTH`
opening brackets; other text is scanned without recursion and in C but for a short loop
(`nested_deeper_than`).  Where it errs, it errs deep: brackets after
the first complete value, which the parser never reaches, still count.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Union

#: The deepest nesting of arrays and objects accepted in untrusted JSON (see above).
MAX_DEPTH = 128

#: Text this long or shorter needs no check: JSON nested deeper than `MAX_DEPTH` has at least
#: 2 * (`MAX_DEPTH` + 1) characters, so shorter text is shallow enough or not JSON at all
#: (and a parser gives up on it within as many levels as it has characters, far from the
#: stack's end).  Stream events are mostly shorter, so the hot path skips even the count.
UNCHECKED_LENGTH = 2 * MAX_DEPTH + 1

# A JSON string, or an unterminated one to the end of the text (possessive, so a string that
# never closes is read once, not once per quote in it).
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
# bytes.translate tables: `{}` read as `[]`, and every byte but a bracket deleted.
_ONE_KIND = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_STEP = {ord("["): 1, ord("]"): -1}


class JsonTooDeep(ValueError):
    """JSON whose arrays and objects nest deeper than `MAX_DEPTH`."""

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        super().__init__(f"arrays and objects nested deeper than {limit} levels, the limit")
        self.limit = limit


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether arrays and objects in `text` nest deeper than `limit`, brackets inside strings
    not counted.  Never recurses; linear in the text, and in C for all but a few steps.

    The brackets alone are kept, `{}` read as `[]`.  `limit` + 1 opening brackets in a row
    are nested in one another: too deep.  Otherwise rounds remove every adjacent `[]`, the
    innermost pairs, so that after k rounds every pair enclosing at most k levels is gone;
    data of many shallow values is gone in a few rounds (nothing left after k rounds: the
    depth is k).  When a round no longer shrinks the brackets by a quarter, the running depth
    of what is left, plus the rounds, is the answer.  Unpaired brackets (cut-off JSON) count
    as nesting everything after them, so this errs only on the deep side."""
    brackets = (_STRING.sub("", text).encode("utf-8", "surrogatepass")
                .translate(_ONE_KIND, _NOT_BRACKETS))
    run = b"[" * (limit + 1)
    rounds = 0
    while True:
        if not brackets:
            return rounds > limit
        if run in brackets:
            return True
        inner_removed = brackets.replace(b"[]", b"")
        if len(inner_removed) > len(brackets) * 3 // 4:
            break
        brackets, rounds = inner_removed, rounds + 1
    deepest = max(accumulate(map(_STEP.__getitem__, brackets)))
    return deepest + rounds > limit


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise `JsonTooDeep` when `text` is (or starts) JSON nesting arrays and objects deeper
    than `limit`.  Text of at most 2 * `limit` + 1 characters (`UNCHECKED_LENGTH`) costs a
    `len`, text with at most `limit` opening brackets two `str.count` calls."""
    if (len(text) > 2 * limit + 1 and text.count("{") + text.count("[") > limit
            and nested_deeper_than(text, limit)):
        raise JsonTooDeep(limit)


def loads(data: Union[str, bytes], **kwargs: Any) -> Any:
    """`json.loads` of untrusted text, refused (`JsonTooDeep`) when nested too deep.  Bytes
    are read as UTF-8 (RFC 8259's encoding for JSON between systems; a BOM is skipped)."""
    if isinstance(data, (bytes, bytearray)):
        # Not the "utf-8-sig" codec: the component's Python has only the built-in ones.
        data = bytes(data).decode("utf-8", "surrogatepass").removeprefix("\ufeff")
    check_depth(data)
    return json.loads(data, **kwargs)
