"""The one exception of the value-and-type codec and checker.

Whatever is wrong with a payload (a value that does not fit its type, a stored type that is
not the expected one, a malformed node list) surfaces as `CodecError` with the path of the
offending part, e.g. `messages[2].content[0].image.inline.data`, never as an IndexError or
RecursionError from deep inside the walk.  The path is collected while the exception
propagates, so the successful path pays nothing for it.
"""

from __future__ import annotations


class CodecError(ValueError):
    """A value-and-type payload that cannot be encoded, decoded or accepted."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self._segments: list[str] = []  # innermost first

    def at(self, segment: object) -> "CodecError":
        """Prepend one path step (a field or case name, or an int list index); returns self
        so that `raise err.at(name)` reads naturally."""
        self._segments.append(f"[{segment}]" if isinstance(segment, int) else str(segment))
        return self

    @property
    def path(self) -> str:
        out = ""
        for segment in reversed(self._segments):
            out += segment if segment.startswith("[") or not out else "." + segment
        return out

    def __str__(self) -> str:
        path = self.path
        return f"{path}: {self.reason}" if path else self.reason
