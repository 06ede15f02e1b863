"""OpenRouter's `reasoning_details`, put back together from a stream.

OpenRouter streams a model's reasoning as `delta.reasoning_details[]` pieces (reference
§5.2): each piece names its detail by `index` and carries a slice of its `text` (or
`summary`, or encrypted `data`); the last piece of a detail brings its `signature`.  The
API wants the whole details sent back unmodified on the assistant message that made the
tool calls (Anthropic models reject a tool-call turn without its signed reasoning), so the
normaliser keeps them, whole, for the finish's metadata (`reasoning_details`).

Joining: pieces with the same `index` are one detail, in order of first appearance; its
string slices (`text`, `summary`, `data`) are concatenated, every other field takes the
last non-null value seen (`type`, `format`, `id`, `signature`).  A piece without an index
is a detail of its own.  A non-streamed message carries the details whole and is taken as
it is.
"""

from __future__ import annotations

from typing import Any

#: The fields a streamed detail splits into slices.
_SLICED = ("text", "summary", "data")


class ReasoningDetails:
    """Collects the `reasoning_details` pieces of one answer (`add`), joined (`details`)."""

    __slots__ = ("_details", "_by_index")

    def __init__(self) -> None:
        self._details: list[dict[str, Any]] = []
        self._by_index: dict[Any, dict[str, Any]] = {}

    def add(self, pieces: Any) -> None:
        """One delta's `reasoning_details` (anything but a list of objects is ignored)."""
        if not isinstance(pieces, list):
            return
        for piece in pieces:
            if not isinstance(piece, dict):
                continue
            index = piece.get("index")
            detail = self._by_index.get(index) if index is not None else None
            if detail is None:
                detail = {}
                self._details.append(detail)
                if index is not None:
                    self._by_index[index] = detail
            for key, value in piece.items():
                if value is None:
                    continue
                if key in _SLICED and isinstance(value, str) and isinstance(detail.get(key), str):
                    detail[key] += value
                else:
                    detail[key] = value

    def details(self) -> list[dict[str, Any]]:
        """The joined details, in order (copies: the collector may go on)."""
        return [dict(detail) for detail in self._details]
