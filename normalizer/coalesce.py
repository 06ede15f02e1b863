"""Merge the text deltas of one batch into one delta.

A batch is what the bytes available now produce: its deltas reached the caller at the same
moment, so one delta carrying their joined text loses no latency and no information.  It
does cut the cost of everything per event downstream: the host-boundary values of each
`get-next`, and in the durable flavour the oplog entry, where every delta is half a dozen
`wit-value` nodes (a 4 KB answer streamed as 370 deltas is over 70 KB of payload unmerged).
Only plain text deltas merge; a delta with tool calls or an image keeps its place, so the
order of everything the caller sees is unchanged.
"""

from __future__ import annotations

from normalizer.values import StreamDelta, StreamEvent, Text


def coalesce(events: list[StreamEvent]) -> list[StreamEvent]:
    out: list[StreamEvent] = []
    run: list[str] = []
    for event in events:
        text = _only_text(event)
        if text is not None:
            run.append(text)
            continue
        if run:
            out.append(StreamDelta((Text("".join(run)),)))
            run = []
        out.append(event)
    if run:
        out.append(StreamDelta((Text("".join(run)),)))
    return out


def _only_text(event: StreamEvent) -> str | None:
    """The text of a delta that carries nothing but text parts, else None."""
    if type(event) is not StreamDelta or event.tool_calls or not event.content:
        return None
    parts = event.content
    if len(parts) == 1:
        part = parts[0]
        return part.text if type(part) is Text else None
    if all(type(p) is Text for p in parts):
        return "".join(p.text for p in parts)  # type: ignore[union-attr]
    return None
