"""Incremental, sans-IO Server-Sent-Events parser (WHATWG HTML §9.2.5-9.2.6).

Bytes go in, in whatever chunks the network gives; `SseEvent`s come out. There is no I/O, so
the same code runs in tests, benchmarks and inside a componentize-py component.

How it works, and why:

- Lines are split on **bytes**, and only on CR, LF and CRLF. UTF-8 is decoded after the split:
  CR and LF never occur inside a multibyte sequence, so a character cut across chunks is never
  damaged, and U+2028/U+2029/U+0085/VT/FF stay inside the data (httpx-sse #34, openai #1230).
- A CR at the end of a chunk ends its line at once (no delay); one LF at the start of the next
  chunk is then swallowed, so a CRLF cut in two is one line end, not a phantom blank line.
- CRs are rare in practice: a chunk without one goes straight to the LF search, and a chunk
  with one is first rewritten to LF-only with two C-level `replace` calls. All the lines a
  chunk completes are then decoded in one `decode` call and split with `str.split("\n")`
  (never `splitlines`): same text as decoding line by line, because an invalid UTF-8 sequence
  never extends over an ASCII byte such as LF.
- A partial line is kept as a list of fragments, joined once when its end arrives, and only the
  new chunk is searched for line ends: a huge line in tiny chunks costs linear time
  (eventsource-parser #19/#28, deno #35881). Its size is bounded by `max_line_bytes`.
"""

from __future__ import annotations

from sse.events import SseError, SseEvent

_BOM = b"\xef\xbb\xbf"

# A new event is built by filling its slots directly: the frozen dataclass's `__init__`
# (one `object.__setattr__` per field) was about 40% of the parse time at large chunks.  The
# result is an ordinary SseEvent, complete before anyone sees it (see sse/events.py).
_new = object.__new__
_set_data = SseEvent.data.__set__  # type: ignore[attr-defined]
_set_event = SseEvent.event.__set__  # type: ignore[attr-defined]
_set_id = SseEvent.id.__set__  # type: ignore[attr-defined]


class SseParser:
    """Turns an SSE byte stream into events; call `feed` per chunk, then `finish` once.

    Typical use::

        parser = SseParser()
        for chunk in body:
            for event in parser.feed(chunk):
                ...
        parser.finish()
        if parser.incomplete:
            ...  # the stream ended in the middle of an event: report a truncation

    When a line is longer than `max_line_bytes`, the parser fails: `feed` returns the events
    completed before that line (if any) and the next `feed`/`finish` raises `SseError`, or, when
    there are none, `feed` raises right away. Either way the caller sees every event that
    preceded the bad line, then the error, however the bytes were chunked.
    """

    __slots__ = (
        "_max",
        "_at_start",
        "_head",
        "_pending",
        "_pending_len",
        "_skip_lf",
        "_data",
        "_event",
        "_id",
        "_last_event_id",
        "_retry",
        "_comments",
        "_finished",
        "_ended_incomplete",
        "_error",
        "_error_raised",
        "_special",
    )

    def __init__(self, max_line_bytes: int = 16 * 1024 * 1024) -> None:
        # At least 2: up to two bytes of a possible split BOM are held before they can be
        # counted as part of a line, and they must never exceed the bound on their own.
        if max_line_bytes < 2:
            raise ValueError("max_line_bytes must be at least 2")
        self._max = max_line_bytes
        self._at_start = True  # no byte after a possible BOM seen yet
        self._head = b""  # bytes at stream start that may still turn out to be a BOM
        self._pending: list[bytes] = []  # fragments of the unfinished line (LF-normalised)
        self._pending_len = 0
        self._skip_lf = False  # the previous chunk ended in CR: swallow one leading LF
        self._data: list[str] = []  # the data buffer, as lines (joined with LF at dispatch)
        self._event = ""  # event-type buffer
        self._id = ""  # last-event-ID buffer (what the next dispatched event will carry)
        self._last_event_id = ""  # the source's last-event-ID, set at each dispatch
        self._retry: int | None = None
        self._comments = 0
        self._finished = False
        self._ended_incomplete = False
        self._error: str | None = None
        self._error_raised = False
        # True while `feed` must look at more than plain lines (stream start, a CR just before,
        # finished or failed): one flag keeps those checks off the hot path.
        self._special = True

    @property
    def last_event_id(self) -> str:
        """The last-event-ID as of the latest dispatch (blank line), "" if none.

        As in the spec, an `id:` line takes effect at the blank line that ends its event (even
        one with no data), so an id seen in an event cut off by the end of the stream is not
        reported here: a reconnecting client must not claim an event it never received.
        """
        return self._last_event_id

    @property
    def retry(self) -> int | None:
        """The last valid `retry` field (reconnection time in ms), or None if none was seen."""
        return self._retry

    @property
    def comment_count(self) -> int:
        """How many comment lines were seen; OpenRouter's keep-alives prove the stream is alive."""
        return self._comments

    @property
    def incomplete(self) -> bool:
        """Whether an unfinished line or an undispatched event is buffered.

        After `finish()` it keeps the answer as it was at the end of the stream, so the caller
        can tell "the stream ended mid-event" (a truncation) from a clean end. It is also True
        once the parser has failed on an over-long line.
        """
        if self._finished:
            return self._ended_incomplete
        return bool(
            self._error is not None or self._pending or self._head or self._data or self._event
        )

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """Parse one chunk; return every event it completes, in stream order."""
        if self._special:
            chunk = self._prologue(chunk)
        elif type(chunk) is not bytes:
            chunk = bytes(chunk)  # we keep fragments: never alias a caller's mutable buffer
        # Byte tests are written `13 in chunk` (CR) and `10 in chunk` (LF): an int needle is
        # one memchr, where `b"\r" in chunk` costs ~0.2 µs of setup per call, which was a
        # third of the time per chunk when a stream arrives in tiny chunks.
        if 13 in chunk:
            if chunk.endswith(b"\r"):
                self._skip_lf = self._special = True
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

        if 10 not in chunk:  # no line end: only grow the unfinished line
            if chunk:
                pending_len = self._pending_len = self._pending_len + len(chunk)
                if pending_len > self._max:
                    return self._fail([], pending_len)
                self._pending.append(chunk)
            return []
        end = chunk.rfind(b"\n")
        complete = chunk[:end]  # every line this chunk finishes, without the last LF
        if self._pending:
            self._pending.append(complete)
            complete = b"".join(self._pending)
            self._pending = []
            self._pending_len = 0
        events: list[SseEvent] = []
        if len(complete) > self._max:
            # Rare: some finished line may be over the bound; find the first such line.
            lines = complete.split(b"\n")
            for index, line in enumerate(lines):
                if len(line) > self._max:
                    if index:
                        self._run(b"\n".join(lines[:index]).decode("utf-8", "replace"), events)
                    return self._fail(events, len(line))
        self._run(complete.decode("utf-8", "replace"), events)
        tail = chunk[end + 1 :]
        if tail:
            self._pending_len = len(tail)
            if self._pending_len > self._max:
                return self._fail(events, self._pending_len)
            self._pending.append(tail)
        return events

    def finish(self) -> None:
        """Mark the end of input; an unfinished event is discarded, as the spec says.

        Safe to call more than once. Raises `SseError` only if the parser failed in an earlier
        `feed` that returned events instead of raising (see the class docstring).
        """
        if self._finished:
            return
        self._ended_incomplete = self.incomplete
        self._finished = self._special = True
        self._head = b""
        self._pending = []
        self._pending_len = 0
        self._data = []
        self._event = ""
        if self._error is not None and not self._error_raised:
            self._error_raised = True
            raise SseError(self._error)

    def _prologue(self, chunk: bytes) -> bytes:
        """The rare cases, kept off the hot path: failure, stream start (BOM), a CR before.

        Returns what is left of `chunk` to parse as ordinary lines (maybe nothing).
        """
        if self._error is not None:
            self._error_raised = True
            raise SseError(self._error)
        if self._finished:
            raise SseError("feed() called after finish()")
        if type(chunk) is not bytes:
            chunk = bytes(chunk)
        if not chunk:
            return chunk  # an empty first chunk must not end the BOM window (eventsource-parser #41)
        if self._at_start:
            chunk = self._head + chunk
            if len(chunk) < 3 and _BOM.startswith(chunk):
                self._head = chunk  # maybe a BOM cut across chunks: wait for more
                return b""
            self._head = b""
            self._at_start = False
            if chunk.startswith(_BOM):
                chunk = chunk[3:]
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[0] == 0x0A:
                chunk = chunk[1:]
        self._special = self._at_start or self._skip_lf
        return chunk

    def _fail(self, events: list[SseEvent], size: int) -> list[SseEvent]:
        """Stop parsing on an over-long line; raise now, or after returning earlier events."""
        self._special = True
        self._error = (
            f"SSE line longer than max_line_bytes={self._max} "
            f"({size} bytes and counting); the stream cannot be parsed further"
        )
        self._pending = []  # free the memory now: nothing after this line will be parsed
        self._pending_len = 0
        self._data = []
        self._event = ""
        if events:
            return events
        self._error_raised = True
        raise SseError(self._error)

    def _run(self, text: str, events: list[SseEvent]) -> None:
        """Interpret complete, decoded lines (joined with LF), appending dispatched events.

        The hot loop: buffers live in locals, and `data:` and `event:` lines (nearly every
        line of an LLM stream) are recognised before the general field split.
        """
        data = self._data
        event_type = self._event
        id_buffer = self._id
        last_event_id = self._last_event_id
        comments = self._comments
        new, set_data, set_event, set_id, cls = _new, _set_data, _set_event, _set_id, SseEvent
        for line in text.split("\n"):
            if not line:  # blank line: dispatch
                last_event_id = id_buffer
                if data:
                    event = new(cls)
                    set_data(event, "\n".join(data))
                    set_event(event, event_type or "message")
                    set_id(event, id_buffer)
                    events.append(event)
                    data = []
                event_type = ""
                continue
            if line.startswith("data:"):
                data.append(line[6:] if line.startswith(" ", 5) else line[5:])
                continue
            if line.startswith("event:"):  # every other line of an Anthropic stream
                event_type = line[7:] if line.startswith(" ", 6) else line[6:]
                continue
            colon = line.find(":")
            if colon == 0:
                comments += 1
                continue
            if colon < 0:
                name, value = line, ""
            else:
                name = line[:colon]
                value = line[colon + 2 :] if line.startswith(" ", colon + 1) else line[colon + 1 :]
            if name == "data":
                data.append(value)
            elif name == "event":
                event_type = value
            elif name == "id":
                if "\0" not in value:
                    id_buffer = value
            elif name == "retry":
                if value.isascii() and value.isdigit():
                    try:
                        self._retry = int(value)
                    except ValueError:  # more digits than int() accepts: not a sane delay
                        pass
        self._data = data
        self._event = event_type
        self._id = id_buffer
        self._last_event_id = last_event_id
        self._comments = comments
