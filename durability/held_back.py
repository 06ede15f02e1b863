"""A streamed answer's text, held back where it may be the start of the API key.

Every batch leaves the component through the one scrubber (`providers/outbound.py`), but a
scrubber sees one batch at a time, and a streamed answer comes a few characters per batch:
a key a server or a model echoes into the text would reach the caller (and the oplog) in
pieces, none of them the key.  So a live stream's batches pass through `HeldBackText`
first: text that ends with the first characters of the key (`Scrubber.held_back`) keeps
them until the next batch's text shows whether the key follows; the whole key then meets
the scrubber in one piece.  Held text goes out in front of the next batch's text, or just
before the stream's `finish` or `error`.  What is held is one token or so, and only when
the text ends like the key begins.

It wraps the live stream below the durable recording, so the oplog holds the same batches
as the caller gets, and a replay, which returns them as recorded, needs no holding.  Only
the verbatim key is held for: its JSON-escaped and percent-encoded forms, which an answer's
text carries only if the model writes them, are caught within a batch (README, "Secrets").
"""

from __future__ import annotations

from typing import Optional

from durability.source import Source, SourceWrapper
from normalizer.values import StreamDelta, StreamEvent, Text, is_terminal
from providers.common.secrets import Scrubber


class HeldBackText(SourceWrapper):
    """`source`, its text held back where it may continue into the key (module docstring)."""

    __slots__ = ("_scrubber", "_held")

    def __init__(self, source: Source, scrubber: Scrubber) -> None:
        super().__init__(source)
        self._scrubber = scrubber
        self._held = ""

    def next_batch(self, block: bool) -> Optional[list[StreamEvent]]:
        while True:
            batch = self._next(block)
            if batch is not None or not block:  # a blocking read never answers "nothing"
                return batch

    def _next(self, block: bool) -> Optional[list[StreamEvent]]:
        batch = self._source.next_batch(block)
        if batch is None:
            return None
        if not batch:  # ended without a terminal event: nothing may stay behind
            held, self._held = self._held, ""
            return [StreamDelta(content=(Text(held),))] if held else batch
        if any(is_terminal(e) for e in batch):
            return self._release(batch)
        return self._hold(batch)

    def _release(self, batch: list[StreamEvent]) -> list[StreamEvent]:
        """The last batch: what is held goes out with the text, or before the end."""
        held, self._held = self._held, ""
        if not held:
            return batch
        out, placed = _prepend(batch, held)
        if placed:
            return out
        end = next(i for i, e in enumerate(batch) if is_terminal(e))
        return batch[:end] + [StreamDelta(content=(Text(held),))] + batch[end:]

    def _hold(self, batch: list[StreamEvent]) -> Optional[list[StreamEvent]]:
        if self._held:
            batch, placed = _prepend(batch, self._held)
            if placed:
                self._held = ""
        if self._held:  # no text in this batch: nothing shows yet whether the key follows
            return batch
        last = _last_text(batch)
        if last is None:
            return batch
        i, j = last
        delta = batch[i]
        assert isinstance(delta, StreamDelta) and delta.content is not None
        part = delta.content[j]
        assert isinstance(part, Text)
        keep = self._scrubber.held_back(part.text)
        if not keep:
            return batch
        self._held = part.text[-keep:]
        shown = part.text[:-keep]
        content = delta.content[:j] + ((Text(shown),) if shown else ()) + delta.content[j + 1:]
        out = list(batch)
        if content or delta.tool_calls:
            out[i] = StreamDelta(content=content, tool_calls=delta.tool_calls)
        else:
            del out[i]
        return out or None  # all of it held: nothing to hand out yet (`[]` would mean the end)


def _last_text(batch: list[StreamEvent]) -> Optional[tuple[int, int]]:
    """Where the batch's last text part is (event index, part index)."""
    for i in range(len(batch) - 1, -1, -1):
        event = batch[i]
        if isinstance(event, StreamDelta) and event.content:
            for j in range(len(event.content) - 1, -1, -1):
                if isinstance(event.content[j], Text):
                    return i, j
    return None


def _prepend(batch: list[StreamEvent], held: str) -> tuple[list[StreamEvent], bool]:
    """`held` in front of the batch's first text part; whether there was one."""
    for i, event in enumerate(batch):
        if isinstance(event, StreamDelta) and event.content:
            for j, part in enumerate(event.content):
                if isinstance(part, Text):
                    content = (event.content[:j] + (Text(held + part.text),)
                               + event.content[j + 1:])
                    out = list(batch)
                    out[i] = StreamDelta(content=content, tool_calls=event.tool_calls)
                    return out, True
    return batch, False
