"""What the SSE parser produces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One dispatched server-sent event (WHATWG HTML §9.2.6).

    `event` is the type ("message" when the stream gave none); `data` has its lines joined
    with "\\n"; `id` is the last-event-ID in force when the event was dispatched (it persists
    across events, as the spec says).

    Slotted because one is built per event on the parser's hot path: the slots let the
    parser fill a new event directly (sse/parser.py `_run`), at half the cost of the frozen
    `__init__`, which was about 40% of the parse time at large chunks.
    """

    data: str
    event: str = "message"
    id: str = ""


class SseError(Exception):
    """The byte stream cannot be parsed within the parser's bounds (e.g. a line too long).

    Raised by the sans-IO parser; the chat-stream layer turns it into an `error` event.
    """
