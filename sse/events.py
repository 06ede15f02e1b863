"""What the SSE parser produces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SseEvent:
    """One dispatched server-sent event (WHATWG HTML §9.2.6).

    `event` is the type ("message" when the stream gave none); `data` has its lines joined
    with "\\n"; `id` is the last-event-ID in force when the event was dispatched (it persists
    across events, as the spec says).
    """

    data: str
    event: str = "message"
    id: str = ""


class SseError(Exception):
    """The byte stream cannot be parsed within the parser's bounds (e.g. a line too long).

    Raised by the sans-IO parser; the chat-stream layer turns it into an `error` event.
    """
