"""What a call should have returned, and the verdict on what it did return.

The five failure kinds the campaign counts, each checked on every call:

- **trap**: the wasm call raised instead of returning a value (the instance is then dead; the
  campaign instantiates a fresh one);
- **hang**: the call did not return within its wall-clock budget (decided by the campaign's
  watchdog, which kills the worker process; see campaign.py);
- **wrong code**: the outcome differs from the one the input or fault implies: an error
  where an answer was due or the reverse, an error code outside the expected set, a finish
  reason other than the scripted one, or an error produced by the never-trap catch-all
  (`internal error in ...`: the rule for the fault did not answer, a bug caught late);
- **leak**: the API key appears in any string the call returned, or in the durable worker's
  oplog, verbatim or encoded (`\\uXXXX` and other JSON escapes, percent-encoding: every
  string is also searched after undoing them, repeatedly);
- **events lost** (or duplicated): compared with what the emulator sent, the text
  reassembled from the deltas is not exactly the scripted text (or, before an error, the
  text of the complete events the client was given), a tool call is missing, altered or
  repeated, or a stream does not end in exactly one terminal event that comes last.

`reference_stream` is the deliberately literal reading of the bytes the server wrote (HTTP
head, chunked framing, complete SSE events), independent of the component's engine, that
says which text a cut stream delivered and whether its end marker got through.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable, Literal, Optional, Sequence
from urllib.parse import unquote, unquote_plus

from normalizer import values as v

Outcome = Literal["finish", "error", "either"]

#: The normalized finish names a scenario scripts, as golem:llm finish reasons.
FINISH_REASONS = {
    "stop": v.FinishReason.STOP,
    "length": v.FinishReason.LENGTH,
    "tool_calls": v.FinishReason.TOOL_CALLS,
    "content_filter": v.FinishReason.CONTENT_FILTER,
}
CATCH_ALL_PREFIX = "internal error in"


@dataclass(frozen=True)
class Expect:
    """What the call must return.

    outcome   "finish" (an answer), "error", or "either" (both are right, e.g. a 10 MB
              line may be answered or refused, but never trap, hang or lose text)
    codes     the acceptable error codes
    text      the whole text an answer must carry (None: not checked)
    calls     the tool calls an answer must carry, in order: (id, name, arguments as JSON)
    finish    the finish reason an answer must carry (None: not checked)
    prefix    the text a stream may deliver before its error: exactly this (None: any
              prefix of `text`, or nothing when `text` is None)
    """

    outcome: Outcome
    codes: frozenset[v.ErrorCode] = frozenset()
    text: Optional[str] = None
    calls: tuple[tuple[str, str, str], ...] = ()
    finish: Optional[v.FinishReason] = None
    prefix: Optional[str] = None

    def with_(self, **changes: Any) -> "Expect":
        return dataclasses.replace(self, **changes)


def error(*codes: v.ErrorCode, prefix: Optional[str] = "") -> Expect:
    return Expect("error", frozenset(codes), prefix=prefix)


@dataclass
class Verdict:
    """The failure kinds one call showed (each counted at most once per call) and why."""

    trap: bool = False
    hang: bool = False
    wrong_code: bool = False
    leak: bool = False
    lost: bool = False
    details: list[str] = field(default_factory=list)
    #: What the call was expected to return ("answer", "error", ...): how the calls split.
    expected: str = ""

    KINDS = ("trap", "hang", "wrong_code", "leak", "lost")

    def flag(self, kind: str, detail: str) -> None:
        setattr(self, kind, True)
        self.details.append(f"{kind}: {detail}")

    @property
    def ok(self) -> bool:
        return not any(getattr(self, k) for k in self.KINDS)


@dataclass(frozen=True)
class Observed:
    """A call's result, the same shape whichever export produced it."""

    outcome: Literal["finish", "error", "none"]
    code: Optional[v.ErrorCode] = None
    message: str = ""
    text: str = ""
    calls: tuple[v.ToolCall, ...] = ()
    finish: Optional[v.FinishReason] = None
    problems: tuple[str, ...] = ()
    """Stream-shape problems found while reading (terminal count and position)."""
    tool_request: bool = False
    """A `tool-request` result: the calls are the answer, blank text is dropped by design."""


def observe_event(event: v.ChatEvent) -> Observed:
    """A `send`/`continue` result."""
    if isinstance(event, v.LlmError):
        return Observed("error", event.code, event.message)
    if isinstance(event, v.ToolRequest):
        return Observed("finish", calls=tuple(event.tool_calls), finish=v.FinishReason.TOOL_CALLS,
                        tool_request=True)
    text = "".join(p.text for p in event.content if isinstance(p, v.Text))
    return Observed("finish", text=text, calls=tuple(event.tool_calls),
                    finish=event.metadata.finish_reason)


def observe_stream(events: Sequence[v.StreamEvent], ended: bool) -> Observed:
    """A stream's events, in order; `ended` is whether it then returned an empty batch."""
    problems = []
    terminals = [i for i, e in enumerate(events) if v.is_terminal(e)]
    if len(terminals) != 1:
        problems.append(f"{len(terminals)} terminal events")
    elif terminals[0] != len(events) - 1:
        problems.append(f"{len(events) - 1 - terminals[0]} events after the terminal one")
    if not ended:
        problems.append("the stream never returned an empty batch")
    before = events[: terminals[0]] if terminals else events
    text = "".join(p.text for e in before if isinstance(e, v.StreamDelta)
                   for p in (e.content or ()) if isinstance(p, v.Text))
    calls = tuple(c for e in before if isinstance(e, v.StreamDelta) for c in (e.tool_calls or ()))
    terminal = events[terminals[0]] if terminals else None
    if isinstance(terminal, v.LlmError):
        return Observed("error", terminal.code, terminal.message, text, calls,
                        problems=tuple(problems))
    if isinstance(terminal, v.Finish):
        return Observed("finish", text=text, calls=calls,
                        finish=terminal.metadata.finish_reason, problems=tuple(problems))
    return Observed("none", text=text, calls=calls, problems=tuple(problems))


def judge(observed: Observed, expect: Expect, verdict: Verdict, streamed: bool) -> Verdict:
    """Compare `observed` with `expect`, flagging wrong codes and lost events.  `streamed`:
    the call was a stream, whose deltas before an error are checked too (`send` returns
    an error alone)."""
    for problem in observed.problems:
        verdict.flag("lost", problem)
    if observed.outcome == "none":
        return verdict  # no terminal event: already flagged
    if expect.outcome != "either" and observed.outcome != expect.outcome:
        got = (f"error {observed.code.value}: {observed.message[:160]!r}"
               if observed.outcome == "error" else "an answer")
        verdict.flag("wrong_code", f"expected {_describe(expect)}, got {got}")
        return verdict
    if observed.outcome == "error":
        if expect.codes and observed.code not in expect.codes:
            verdict.flag("wrong_code", f"expected {_describe(expect)}, got "
                                       f"{observed.code.value}: {observed.message[:160]!r}")
        elif observed.message.startswith(CATCH_ALL_PREFIX):
            verdict.flag("wrong_code", f"answered by the catch-all: {observed.message[:200]!r}")
        if streamed:
            _check_prefix(observed, expect, verdict)
            _check_calls(observed.calls, expect.calls[: len(observed.calls)], verdict)
        return verdict
    if observed.tool_request:
        if expect.text is not None and expect.text.strip():
            verdict.flag("lost", f"a tool-request dropped the answer's text {expect.text[:80]!r}")
    elif expect.text is not None and observed.text != expect.text:
        verdict.flag("lost", f"text {_diff(observed.text, expect.text)}")
    if expect.outcome == "finish" or expect.calls:
        _check_calls(observed.calls, expect.calls, verdict)
    if expect.finish is not None and observed.finish is not expect.finish:
        verdict.flag("wrong_code", f"finish reason {observed.finish} instead of {expect.finish}")
    return verdict


def _check_prefix(observed: Observed, expect: Expect, verdict: Verdict) -> None:
    if expect.prefix is not None:
        if observed.text != expect.prefix:
            verdict.flag("lost", f"text before the error {_diff(observed.text, expect.prefix)}")
    elif expect.text is not None and not expect.text.startswith(observed.text):
        verdict.flag("lost", f"text before the error is no prefix of the answer: "
                             f"{observed.text[:80]!r}")
    elif expect.text is None and observed.text:
        verdict.flag("lost", f"text before the error that was never sent: {observed.text[:80]!r}")


def _check_calls(got: Sequence[v.ToolCall], want: Sequence[tuple[str, str, str]],
                 verdict: Verdict) -> None:
    seen = [(c.id, c.name, _json_value(c.arguments_json)) for c in got]
    wanted = [(i, n, _json_value(a)) for i, n, a in want]
    if seen != wanted:
        verdict.flag("lost", f"tool calls {[(i, n) for i, n, _ in seen]} instead of "
                             f"{[(i, n) for i, n, _ in wanted]}"
                             + ("" if [s[:2] for s in seen] != [w[:2] for w in wanted]
                                else " (arguments differ)"))


def _json_value(text: str) -> Any:
    """Arguments compared as JSON values (Anthropic's server re-encodes them), else as text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _describe(expect: Expect) -> str:
    if expect.outcome == "finish":
        return "an answer"
    codes = "/".join(sorted(c.value for c in expect.codes)) or "any code"
    return f"error {codes}" if expect.outcome == "error" else f"an answer or error {codes}"


def _diff(got: str, want: str) -> str:
    i = next((k for k, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    return (f"differs at {i} (got {len(got)} chars, want {len(want)}): "
            f"got {got[max(0, i - 10): i + 30]!r}, want {want[max(0, i - 10): i + 30]!r}")


# -- leaks -------------------------------------------------------------------------------------

_JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[\"\\/bfnrt])")
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape_json(text: str) -> str:
    return _JSON_ESCAPE.sub(
        lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] == "u" else _SIMPLE[m.group(1)],
        text)


def decodings(text: str, rounds: int = 3) -> set[str]:
    """`text` and what it becomes with JSON escapes and percent-encoding undone, in any
    order, up to `rounds` times (a key escaped inside JSON kept inside JSON, and so on)."""
    seen = {text}
    frontier = {text}
    for _ in range(rounds):
        nxt = set()
        for t in frontier:
            for decoded in (_unescape_json(t), unquote(t), unquote_plus(t)):
                if decoded not in seen:
                    seen.add(decoded)
                    nxt.add(decoded)
        if not nxt:
            break
        frontier = nxt
    return seen


def leaks(key: str, text: str) -> bool:
    """Does `text` hold `key`, verbatim or encoded?"""
    if not text:
        return False
    return any(key in t for t in decodings(text))


def strings_in(value: Any) -> Iterable[str]:
    """Every string inside a golem:llm value (dataclasses, tuples, lists; enums skipped)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (bytes, bytearray)):
        yield bytes(value).decode("utf-8", "replace")
    elif isinstance(value, Enum) or value is None:
        return
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from strings_in(getattr(value, f.name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


# -- the bytes the server wrote ------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    """What a client was given, read literally from the bytes written."""

    status: Optional[int]
    """None: the status line and headers never arrived whole."""
    text: str
    """The answer text of every complete SSE event, in order."""
    end_marker: bool
    """The dialect's end marker (`data: [DONE]`, `message_stop`) arrived whole."""


def reference_stream(written: bytes, dialect: str) -> Delivered:
    """Read `written` (status line, headers, body, possibly cut anywhere) as a client must:
    only complete SSE events count, and a cut event is no event."""
    head, sep, body = written.partition(b"\r\n\r\n")
    if not sep:
        return Delivered(None, "", False)
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ")[1])
    except (IndexError, ValueError):
        return Delivered(None, "", False)
    headers = {k.strip().lower(): val.strip() for k, _, val in
               (line.partition(b":") for line in lines[1:])}
    if status != 200 or b"text/event-stream" not in headers.get(b"content-type", b""):
        return Delivered(status, "", False)
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        body = _dechunk(body)
    text, end = [], False
    for block in body.split(b"\n\n")[:-1]:  # the last piece has no blank line after it
        values = [line[5:] for line in block.split(b"\n") if line.startswith(b"data:")]
        if not values:
            continue  # a comment or an event without data dispatches nothing
        data = b"\n".join(value[1:] if value.startswith(b" ") else value for value in values)
        if data == b"[DONE]":
            end = True
            continue
        try:
            obj = json.loads(data.decode("utf-8", "replace"))
        except ValueError:
            continue
        piece, stop = _text_of(obj, dialect)
        text.append(piece)
        end = end or stop
    return Delivered(status, "".join(text), end)


def _text_of(obj: Any, dialect: str) -> tuple[str, bool]:
    if not isinstance(obj, dict):
        return "", False
    if dialect == "anthropic_messages":
        delta = obj.get("delta") if obj.get("type") == "content_block_delta" else None
        text = delta.get("text", "") if isinstance(delta, dict) and delta.get("type") == "text_delta" else ""
        return text, obj.get("type") == "message_stop"
    choices = obj.get("choices") or []
    if choices and isinstance(choices[0], dict):
        delta = choices[0].get("delta") or {}
        content = delta.get("content") if isinstance(delta, dict) else None
        return (content if isinstance(content, str) else ""), False
    return "", False


def _dechunk(body: bytes) -> bytes:
    """The data of a chunked body, as far as it goes (a cut chunk gives what arrived)."""
    out = bytearray()
    pos = 0
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            break
        try:
            size = int(body[pos:eol].split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        start = eol + 2
        out += body[start : start + size]
        if start + size > len(body):
            break
        pos = start + size + 2
    return bytes(out)
