"""What a dialect hands to the server: status, headers and the body as a list of pieces.

For a stream, each piece is one SSE event, written (and flushed) on its own, with the
scenario's pacing in between; the server adds the chunked framing.  For a plain answer the
body is one piece sent with `Content-Length`.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

from runtime.emulator.scenario import Scenario

Ending = Literal["complete", "abort"]

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: tuple[bytes, ...]
    #: Chunked transfer encoding, one flush per piece (SSE streams).
    streaming: bool = False
    chunk_delay_s: float = 0.0
    write_size: int | None = None
    #: "abort": close the connection after the body without ending it properly (no
    #: terminating chunk for a stream; fewer bytes than `declared_length` otherwise).
    ending: Ending = "complete"
    #: Content-Length to announce for a non-streaming body; None = its real length.
    declared_length: int | None = None
    #: For a stream: instead of ending the body, send `: keep-alive` every this many
    #: seconds (`Scenario.stall_with_comments_s`).
    stall_with_comments_s: float | None = None
    #: A socket-level `runtime.emulator.faults.Fault` that writes this answer its way (typed
    #: `Any`: faults.py builds on this module).
    fault: Any = None

    @property
    def body_bytes(self) -> bytes:
        return b"".join(self.body)


@dataclass(frozen=True)
class RenderContext:
    """Per-request facts a renderer may use: a sequence number for deterministic ids, and
    the creation time."""

    request_number: int = 0
    created: int = field(default_factory=lambda: int(time.time()))


def json_bytes(value: Any) -> bytes:
    """Compact JSON, UTF-8 and not ASCII-escaped, as OpenAI's and Anthropic's servers send;
    a lone surrogate in a scenario's string (which UTF-8 cannot carry) is written as its
    `\\uXXXX` escape, the only way a server can send one."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if not text.isascii():
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.encode("utf-8")


def json_response(
    status: int, value: Any, headers: Sequence[tuple[str, str]] = (), *, scenario: Scenario | None = None
) -> Response:
    return Response(
        status=status,
        headers=(("content-type", "application/json"), *headers),
        body=(json_bytes(value),),
        write_size=scenario.write_size if scenario else None,
    )


def raw_error_response(status: int, scenario: Scenario, headers: Sequence[tuple[str, str]] = ()) -> Response:
    """The scenario's `error_body` override, sent as is."""
    body = scenario.error_body
    if isinstance(body, (bytes, str)):
        data = body.encode("utf-8") if isinstance(body, str) else body
        ctype = scenario.error_content_type or (
            "text/html; charset=utf-8" if data.lstrip().startswith(b"<") else "text/plain; charset=utf-8"
        )
    else:
        data = json_bytes(body)
        ctype = scenario.error_content_type or "application/json"
    return Response(status=status, headers=(("content-type", ctype), *headers), body=(data,))


def cut_events(events: list[bytes], answer_events: int, scenario: Scenario) -> tuple[tuple[bytes, ...], Ending]:
    """Apply the scenario's truncation to a complete list of SSE events.

    `answer_events` is how many leading events carry the answer itself (role, deltas), before
    the finish/usage/end-marker tail.  "clean" keeps the first `k` events and ends the body
    properly; "abort" keeps them plus the first half of the next event and aborts.  `k` is
    `scenario.truncate_after_events`, else about half of the answer events (at least one
    delta after the opening chunk when there is one).
    """
    if scenario.truncate == "none":
        return tuple(events), "complete"
    if scenario.truncate_after_events is not None:
        k = max(0, min(scenario.truncate_after_events, len(events)))
    else:
        k = max(min(2, answer_events), (answer_events + 1) // 2)
    kept = events[:k]
    if scenario.truncate == "clean":
        return tuple(kept), "complete"
    if k < len(events):
        nxt = events[k]
        kept.append(nxt[: max(1, len(nxt) // 2)])
    return tuple(kept), "abort"


def split_text(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def split_in_two_or_more(text: str, size: int) -> list[str]:
    """`size`-character pieces, and at least two for anything longer than one character, so
    every client sees tool-call arguments split across events."""
    pieces = split_text(text, size)
    if len(pieces) == 1 and len(text) > 1:
        mid = len(text) // 2
        pieces = [text[:mid], text[mid:]]
    return pieces


def plain_response(data: bytes, headers: tuple[tuple[str, str], ...],
                   scenario: Scenario) -> Response:
    """A plain (non-streamed) answer with the scenario's truncation: "clean" sends the first
    half of the body as if complete, "abort" announces the full length and cuts it off."""
    if scenario.truncate == "none":
        return Response(200, headers, (data,), write_size=scenario.write_size)
    half = data[: len(data) // 2]
    if scenario.truncate == "clean":
        return Response(200, headers, (half,), write_size=scenario.write_size)
    return Response(200, headers, (half,), write_size=scenario.write_size,
                    ending="abort", declared_length=len(data))


def header_seconds(value: float) -> str:
    """A number of seconds for a header (`retry-after`): "2", or "0.5" when fractional."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
