"""Stream events → one golem:llm `chat-event`: how `send` and `continue` get their answer.

`send` is the stream, drained (design.md): whatever dialect produced the events, this turns
them into `CompleteResponse`, `ToolRequest` or `LlmError`.  It also exposes the partial
answer (`text`, `tool_calls`) while the stream is open, which is what a resumed durable
stream carries into its continuation request.
"""

from __future__ import annotations

from typing import Iterable, Optional, Union

from normalizer.values import (
    ChatEvent,
    CompleteResponse,
    ContentPart,
    ErrorCode,
    Finish,
    FinishReason,
    LlmError,
    StreamDelta,
    StreamEvent,
    Text,
    ToolCall,
    ToolRequest,
)


class Accumulator:
    """Collects the events of one stream; the first terminal event decides the result and
    anything after it is ignored (a stream ends at its first finish or error)."""

    __slots__ = ("_content", "_text", "_tool_calls", "_terminal")

    def __init__(self) -> None:
        # Text pieces are kept as a list of strings and joined once, at the end: appending
        # is O(1) per delta, where repeated string concatenation could be quadratic.
        self._content: list[Union[list[str], ContentPart]] = []  # text runs and images
        self._text: list[str] = []  # all text, for the `text` property
        self._tool_calls: list[ToolCall] = []
        self._terminal: Optional[Union[Finish, LlmError]] = None

    def add(self, events: Iterable[StreamEvent]) -> None:
        for event in events:
            if self._terminal is not None:
                return
            if isinstance(event, StreamDelta):
                if event.content:
                    self._add_content(event.content)
                if event.tool_calls:
                    self._tool_calls.extend(event.tool_calls)
            elif isinstance(event, (Finish, LlmError)):
                self._terminal = event

    def _add_content(self, parts: tuple[ContentPart, ...]) -> None:
        content = self._content
        for part in parts:
            if isinstance(part, Text):
                if not part.text:
                    continue
                self._text.append(part.text)
                if content and isinstance(content[-1], list):
                    content[-1].append(part.text)
                else:
                    content.append([part.text])
            else:  # an image: kept in its place between text runs
                content.append(part)

    @property
    def text(self) -> str:
        """All text received so far (the partial answer while the stream is open)."""
        return "".join(self._text)

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The complete tool calls received so far, in order."""
        return tuple(self._tool_calls)

    @property
    def done(self) -> bool:
        """True once a terminal event (finish or error) has been added."""
        return self._terminal is not None

    def result(self, keep_metadata: bool = False) -> ChatEvent:
        """The chat-event for the events added so far.

        A finish with tool calls, no visible text and finish_reason TOOL_CALLS is a
        `ToolRequest` (the model wants tools run and said nothing else); any other finish is
        a `CompleteResponse`, tool calls included.  `keep_metadata` makes it a
        `CompleteResponse` even then, because a `ToolRequest` has no metadata and the
        metadata holds something the caller needs (reasoning that `continue` must send
        back, `providers/reasoning_memory.py`).  No terminal event means the stream was cut
        off, which is an error, never a silently partial answer.
        """
        terminal = self._terminal
        if isinstance(terminal, LlmError):
            return terminal
        if terminal is None:
            return LlmError(
                ErrorCode.INTERNAL_ERROR, "stream ended without a finish event (truncated)"
            )
        metadata = terminal.metadata
        tool_calls = tuple(self._tool_calls)
        if (
            tool_calls
            and metadata.finish_reason is FinishReason.TOOL_CALLS
            and not "".join(self._text).strip()
            and not keep_metadata
        ):
            return ToolRequest(tool_calls)
        content = tuple(
            Text("".join(item)) if isinstance(item, list) else item for item in self._content
        )
        return CompleteResponse(
            id=metadata.provider_id or "",
            content=content,
            tool_calls=tool_calls,
            metadata=metadata,
        )
