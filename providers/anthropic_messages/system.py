"""golem:llm system messages → the Messages API's top-level `system` field.

Anthropic has no system role inside `messages` (it answers 400), only one `system` prompt.
So every system message, wherever it stands in the conversation, is lifted into it, in
order, joined with a blank line (the separator that keeps separate instructions separate
without inventing words).  Several text parts of one message are joined the same way.

- A system message's `name` has no meaning for a prompt that is not a turn and is dropped.
- Images are refused: `system` takes text only.
- Blank system messages add nothing and are skipped; with no text at all the field is left
  out (rather than sent empty, which the API rejects).
"""

from __future__ import annotations

from typing import Optional, Sequence

from normalizer.values import Image, Message, Role, Text
from providers.common.refusal import Refusal

SEPARATOR = "\n\n"


def system_prompt(messages: Sequence[Message]) -> Optional[str]:
    """The joined system text, None when there is none; an image is refused."""
    pieces: list[str] = []
    for index, message in enumerate(messages):
        if message.role is not Role.SYSTEM:
            continue
        for part in message.content:
            if isinstance(part, Image):
                raise Refusal(
                    f"message {index} (system): the Anthropic API takes only text in the "
                    "system prompt; put images in a user message"
                )
            if not isinstance(part, Text):
                raise TypeError(f"message {index}: not a content part: {part!r}")
            if part.text.strip():
                pieces.append(part.text)
    return SEPARATOR.join(pieces) if pieces else None
