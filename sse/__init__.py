"""Sans-IO Server-Sent-Events parsing: bytes in, `SseEvent`s out (see `sse.parser`)."""

from sse.events import SseError, SseEvent
from sse.parser import SseParser

__all__ = ["SseError", "SseEvent", "SseParser"]
