"""Property tests of the SSE parser: generated streams against a model, and garbage input.

The model works on the *structure* of a stream (blocks of field lines), never on its bytes,
so it shares no code path with the parser: the bytes are produced from the structure with a
free choice of line end per line (LF, CR, CRLF), optional `": "` separators, an optional BOM,
and cut into chunks anywhere.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.fuzz_sse import TOKENS, main, parse_chunks, reference_parse
from sse import SseError, SseEvent, SseParser

BOM = b"\xef\xbb\xbf"
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters a line may hold: anything but CR/LF and lone surrogates (not encodable), with the
# troublemakers other parsers split on or choke at drawn often.
_SPECIAL = st.sampled_from(["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "😀", "中", "é", ":", " ", "\ufeff", "\x00"])
_CHAR = st.one_of(st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]), _SPECIAL)
_TEXT = st.text(_CHAR, max_size=12)
_KNOWN = {"data", "event", "id", "retry"}
# Unknown field names: no colon (it would end the name), no U+FEFF (a stream's first line
# starting with one would lose it as the BOM), never one of the four known names.
_UNKNOWN_NAME = st.text(
    st.characters(exclude_characters="\r\n:\ufeff", exclude_categories=["Cs"]), min_size=1, max_size=6
).filter(lambda name: name not in _KNOWN)


@dataclass(frozen=True)
class Field:
    """One field line; `name` None means a comment (its text is `value`)."""

    name: str | None
    value: str


_FIELD = st.one_of(
    st.builds(Field, st.just("data"), _TEXT),
    st.builds(Field, st.just("data"), _TEXT),  # data lines twice as often
    st.builds(Field, st.just("event"), _TEXT),
    st.builds(Field, st.just("id"), _TEXT),
    st.builds(Field, st.just("retry"), st.one_of(st.text("0123456789", min_size=1, max_size=6), _TEXT)),
    st.builds(Field, st.none(), _TEXT),
    st.builds(Field, _UNKNOWN_NAME, _TEXT),
)
_BLOCK = st.lists(_FIELD, max_size=5)
_LINE_END = st.sampled_from(["\n", "\r", "\r\n"])


@dataclass
class Model:
    """What the spec says a stream made of `blocks` (+ an unfinished tail) must produce."""

    events: list[SseEvent]
    last_event_id: str
    retry: int | None
    comment_count: int
    incomplete: bool


def model(blocks: list[list[Field]], tail: list[Field], partial: str) -> Model:
    """Apply the field rules to the structure; `tail` has no blank line, `partial` no line end."""
    events: list[SseEvent] = []
    id_buffer = last_event_id = ""
    retry: int | None = None
    comments = 0
    data: list[str] = []
    event_type = ""
    for block, finished in [(b, True) for b in blocks] + [(tail, False)]:
        data, event_type = [], ""
        for field in block:
            if field.name is None:
                comments += 1
            elif field.name == "data":
                data.append(field.value)
            elif field.name == "event":
                event_type = field.value
            elif field.name == "id" and "\x00" not in field.value:
                id_buffer = field.value
            elif field.name == "retry" and re.fullmatch("[0-9]+", field.value):
                retry = int(field.value)
        if finished:
            last_event_id = id_buffer
            if data:
                events.append(SseEvent("\n".join(data), event_type or "message", id_buffer))
    incomplete = bool(data or event_type or partial)
    return Model(events, last_event_id, retry, comments, incomplete)


@st.composite
def field_line(draw: st.DrawFn, field: Field) -> str:
    """Serialise a field, choosing freely among the spellings that mean the same."""
    if field.name is None:
        return ":" + field.value
    if field.value.startswith(" "):
        return f"{field.name}: {field.value}"  # the one space the parser strips must be there
    if field.value == "":
        return field.name + draw(st.sampled_from(["", ":", ": "]))
    return field.name + draw(st.sampled_from([":", ": "])) + field.value


@st.composite
def streams(draw: st.DrawFn) -> tuple[bytes, Model]:
    """A valid stream as bytes, and what it must parse to."""
    blocks = draw(st.lists(_BLOCK, max_size=6))
    tail = draw(_BLOCK)
    # An unfinished last line: a non-empty field line with no line end (or nothing at all).
    partial = draw(st.one_of(st.just(""), _FIELD.flatmap(field_line).filter(bool)))
    lines: list[str] = []
    for block in blocks:
        lines.extend(draw(field_line(f)) for f in block)
        lines.append("")  # the blank line that dispatches
    lines.extend(draw(field_line(f)) for f in tail)
    text = []
    previous_end = ""
    for line in lines:
        end = draw(_LINE_END)
        if previous_end == "\r" and line == "" and end == "\n":
            end = "\r\n"  # CR then a bare LF would be one CRLF, swallowing this blank line
        text.append(line + end)
        previous_end = end
    text.append(partial)
    body = "".join(text).encode("utf-8")
    if draw(st.booleans()):
        body = BOM + body
    return body, model(blocks, tail, partial)


@st.composite
def chunkings(draw: st.DrawFn, body: bytes) -> list[bytes]:
    """`body` cut at arbitrary points, or one byte at a time."""
    if draw(st.booleans()):
        return [body[i : i + 1] for i in range(len(body))]
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=12)))
    bounds = [0, *cuts, len(body)]
    return [body[a:b] for a, b in zip(bounds, bounds[1:])]


@SETTINGS
@given(st.data())
def test_generated_streams_parse_as_the_model_says(data: st.DataObject) -> None:
    body, expected = data.draw(streams())
    chunks = data.draw(chunkings(body))
    parser = SseParser()
    got: list[SseEvent] = []
    for chunk in chunks:
        got.extend(parser.feed(chunk))
    parser.finish()
    assert got == expected.events
    assert parser.last_event_id == expected.last_event_id
    assert parser.retry == expected.retry
    assert parser.comment_count == expected.comment_count
    assert parser.incomplete == expected.incomplete


_GARBAGE = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(TOKENS), max_size=60).map(b"".join),
)


@SETTINGS
@given(st.data(), _GARBAGE, st.sampled_from([2, 3, 7, 64, 16 * 1024 * 1024]))
def test_any_bytes_only_ever_raise_sse_error(data: st.DataObject, body: bytes, bound: int) -> None:
    start = time.perf_counter()
    expected = reference_parse(body, bound)
    # parse_chunks lets only SseError through silently: anything else fails this test.
    assert parse_chunks([body], bound) == expected
    assert parse_chunks(data.draw(chunkings(body)), bound) == expected
    assert time.perf_counter() - start < 2.0  # a few hundred bytes: any slowness is a hang


@SETTINGS
@given(st.binary(max_size=200), st.binary(max_size=200))
def test_feed_after_a_failure_keeps_failing(first: bytes, second: bytes) -> None:
    parser = SseParser(max_line_bytes=4)
    try:
        parser.feed(first)
        parser.feed(second)
        parser.finish()
    except SseError:
        assert parser.incomplete
        try:
            parser.feed(b"data: x\n\n")
        except SseError:
            pass
        else:
            raise AssertionError("a failed parser accepted more input")


def test_fuzz_target_runs(capsys: object) -> None:
    # Keeps `python -m fuzz.fuzz_sse` from rotting: one second of the real fuzz loop.
    assert main(["--seconds", "1", "--seed", "0", "--engine", "random"]) == 0
    assert "no invariant broken" in capsys.readouterr().out  # type: ignore[attr-defined]
