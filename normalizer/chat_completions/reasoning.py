"""OpenRouter's `reasoning_details`, merged from stream fragments into whole blocks.

OpenRouter streams each reasoning block in pieces (reference/providers.md §5.2): entries of
`delta.reasoning_details` that share an `index` and a `type` are one block, whose `text`,
`summary` or `data` arrive in order and whose `signature`, `id` and `format` arrive once,
often on an entry of their own at the end (Anthropic models send the signature last, with
no text).  A non-streamed answer has the blocks whole in `message.reasoning_details`, which
is the same merge with one piece each.  The merged blocks are what OpenRouter wants sent
back unmodified on the assistant message, so they go, whole and in order, into the finish's
`provider_metadata_json` as `reasoning_details`.
"""

from __future__ import annotations

from typing import Any

#: The fields whose pieces are concatenated; every other field keeps its first non-empty value.
_JOINED = ("text", "summary", "data")


class ReasoningDetails:
    """Merges `reasoning_details` entries (see the module docstring)."""

    __slots__ = ("_blocks",)

    def __init__(self) -> None:
        self._blocks: list[dict[str, Any]] = []

    def add(self, entries: Any) -> None:
        """One `reasoning_details` list, as a delta or a message carries it; anything that is
        not a list of objects is ignored."""
        if not isinstance(entries, list):
            return
        for entry in entries:
            if isinstance(entry, dict):
                self._add(entry)

    def _add(self, entry: dict) -> None:
        blocks = self._blocks
        last = blocks[-1] if blocks else None
        if (last is None or last.get("index") != entry.get("index")
                or last.get("type") != entry.get("type")):
            blocks.append(dict(entry))
            return
        for key, value in entry.items():
            if key in _JOINED and isinstance(value, str):
                held = last.get(key)
                last[key] = (held if isinstance(held, str) else "") + value
            elif value is not None and value != "" and last.get(key) in (None, ""):
                last[key] = value

    def blocks(self) -> list[dict[str, Any]]:
        """The merged blocks, in the order they started."""
        return self._blocks
