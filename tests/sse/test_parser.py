"""Rule-by-rule tests of the SSE parser (WHATWG HTML §9.2.5-9.2.6) and recorded streams.

Most tests go through `events()`, which also checks that every way of cutting the input into
chunks (each split into two, and one byte at a time) gives the same events as a whole feed:
the chunk-boundary bugs other SDKs had (CRLF cut in two, BOM cut in two, split UTF-8) are
thereby tested for every rule, not only where a test names them.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from sse import SseError, SseEvent, SseParser
from fuzz.fuzz_sse import reference_parse
from tests.helpers import REAL_FIXTURES

BOM = b"\xef\xbb\xbf"
FIXTURES = REAL_FIXTURES


def feed_all(chunks: Iterable[bytes], **kwargs: int) -> tuple[list[SseEvent], SseParser]:
    """Feed `chunks` to a new parser, then finish it; return the events and the parser."""
    parser = SseParser(**kwargs)
    out: list[SseEvent] = []
    for chunk in chunks:
        out.extend(parser.feed(chunk))
    parser.finish()
    return out, parser


def events(stream: bytes) -> list[SseEvent]:
    """The events of `stream`, after checking that no chunking changes them."""
    whole, _ = feed_all([stream])
    for cut in range(1, len(stream)):
        assert feed_all([stream[:cut], stream[cut:]])[0] == whole, f"split at {cut}"
    assert feed_all([stream[i : i + 1] for i in range(len(stream))])[0] == whole, "byte by byte"
    return whole


def msg(data: str, event: str = "message", id: str = "") -> SseEvent:
    return SseEvent(data, event, id)


# --- line ends ---------------------------------------------------------------------------


def test_lf_line_ends() -> None:
    assert events(b"data: a\n\ndata: b\n\n") == [msg("a"), msg("b")]


def test_cr_line_ends() -> None:
    assert events(b"data: a\r\rdata: b\rdata: c\r\r") == [msg("a"), msg("b\nc")]


def test_crlf_line_ends() -> None:
    assert events(b"data: a\r\n\r\ndata: b\r\ndata: c\r\n\r\n") == [msg("a"), msg("b\nc")]


def test_mixed_line_ends() -> None:
    # `\n\r\n` is LF then CRLF: a blank line (openai-node PR #2309's case).
    stream = b"data: a\n\r\ndata: b\rdata: c\r\n\rdata: d\r\r\n\n"
    assert events(stream) == [msg("a"), msg("b\nc"), msg("d")]


def test_cr_lf_across_chunks_is_one_line_end() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\r") == []
    # A phantom blank line from the LF would have dispatched "a" alone.
    assert parser.feed(b"\ndata: b\r\n\r\n") == [msg("a\nb")]


def test_line_at_chunk_end_cr_is_not_delayed() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\n\r") == [msg("a")]  # dispatched at the CR, not later
    assert parser.feed(b"\n") == []  # the LF of that CRLF is swallowed, not a second blank line
    assert not parser.incomplete


def test_only_one_lf_is_swallowed_after_a_chunk_end_cr() -> None:
    parser = SseParser()
    parser.feed(b"data: a\r")
    assert parser.feed(b"\n\n") == [msg("a")]


def test_swallowing_survives_an_empty_chunk() -> None:
    parser = SseParser()
    parser.feed(b"data: a\r")
    assert parser.feed(b"") == []
    assert parser.feed(b"\ndata: b\n\n") == [msg("a\nb")]


def test_cr_cr_is_two_line_ends_across_chunks() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"\r") == [msg("a")]


# --- byte order mark ---------------------------------------------------------------------


def test_leading_bom_is_stripped() -> None:
    assert events(BOM + b"data: a\n\n") == [msg("a")]


def test_bom_split_across_chunks() -> None:
    assert feed_all([b"\xef", b"\xbb", b"\xbf", b"data: a\n\n"])[0] == [msg("a")]
    assert feed_all([b"\xef\xbb", b"\xbfdata: a\n\n"])[0] == [msg("a")]


def test_empty_first_chunk_keeps_the_bom_window_open() -> None:
    assert feed_all([b"", b"\xef", b"", b"\xbb\xbf", b"data: a\n\n"])[0] == [msg("a")]


def test_second_bom_is_kept() -> None:
    # The second BOM is part of the field name, so "\ufeffdata" is an unknown field.
    assert events(BOM + BOM + b"data: a\n\n") == []
    assert events(BOM + b"data: " + BOM + b"a\n\n") == [msg("\ufeffa")]


def test_bom_after_stream_start_is_kept() -> None:
    assert events(b"data: a\n\n" + BOM + b"data: b\n\ndata: c\n\n") == [msg("a"), msg("c")]


def test_partial_bom_is_data() -> None:
    assert events(b"\xef\xbbdata: a\n\n") == []  # "\ufffddata" is an unknown field
    assert events(b"data: \xef\xbb\n\n") == [msg("\ufffd")]


def test_partial_bom_at_end_of_stream_is_incomplete() -> None:
    _, parser = feed_all([b"\xef\xbb"])
    assert parser.incomplete


# --- comments ----------------------------------------------------------------------------


def test_comments_are_ignored_and_counted() -> None:
    stream = b": hello\ndata: a\n:\n: world\n\n"
    assert events(stream) == [msg("a")]
    assert feed_all([stream])[1].comment_count == 3


def test_openrouter_processing_comments() -> None:
    stream = (
        b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n"
        b'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n'
        b"data: [DONE]\n\n"
    )
    got, parser = feed_all([stream])
    assert got == [msg('{"choices":[{"delta":{"content":"Hi"}}]}'), msg("[DONE]")]
    assert parser.comment_count == 2
    assert events(stream) == got


# --- fields ------------------------------------------------------------------------------


def test_one_leading_space_is_stripped() -> None:
    assert events(b"data:a\n\ndata: a\n\ndata:  a\n\ndata:\ta\n\n") == [
        msg("a"),
        msg("a"),
        msg(" a"),
        msg("\ta"),
    ]


def test_field_name_is_text_before_first_colon() -> None:
    assert events(b"data: a: b:c\n\n") == [msg("a: b:c")]
    assert events(b"event: x:y\ndata: a\n\n") == [msg("a", event="x:y")]


def test_line_without_colon_is_field_with_empty_value() -> None:
    assert events(b"data\n\n") == [msg("")]
    assert events(b"data: a\ndata\n\n") == [msg("a\n")]
    assert events(b"event\ndata: a\n\n") == [msg("a")]  # empty event type means "message"


def test_unknown_fields_are_ignored() -> None:
    assert events(b"foo: bar\ndata: a\nx\n\n") == [msg("a")]


def test_field_names_are_case_sensitive() -> None:
    assert events(b"Data: a\nDATA: b\n\n") == []
    assert events(b"Event: x\ndata: a\n\n") == [msg("a")]
    assert events(b" data: a\n\n") == []  # leading space is part of the name


def test_space_before_colon_is_part_of_the_name() -> None:
    assert events(b"data : a\n\n") == []


# --- data and dispatch -------------------------------------------------------------------


def test_data_lines_are_joined_with_lf() -> None:
    assert events(b"data: a\ndata: b\ndata: c\n\n") == [msg("a\nb\nc")]


def test_only_one_trailing_lf_is_stripped() -> None:
    assert events(b"data: a\ndata:\n\n") == [msg("a\n")]
    assert events(b"data\ndata\n\n") == [msg("\n")]


def test_empty_data_fires_an_event() -> None:
    assert events(b"data:\n\n") == [msg("")]
    assert events(b"data: \n\n") == [msg("")]


def test_no_data_fires_nothing() -> None:
    assert events(b"event: ping\n\n") == []
    assert events(b"\n\n\n") == []
    assert events(b"id: 1\n\nretry: 5\n\n") == []


def test_event_type_defaults_to_message() -> None:
    assert events(b"data: a\n\n") == [msg("a", event="message")]
    assert events(b"event:\ndata: a\n\n") == [msg("a", event="message")]


def test_event_type_is_reset_after_dispatch() -> None:
    assert events(b"event: delta\ndata: a\n\ndata: b\n\n") == [msg("a", "delta"), msg("b")]


def test_event_type_is_reset_by_a_dataless_dispatch() -> None:
    assert events(b"event: ping\n\ndata: a\n\n") == [msg("a")]


def test_last_event_type_line_wins() -> None:
    assert events(b"event: a\nevent: b\ndata: x\n\n") == [msg("x", "b")]


def test_many_events_in_one_chunk_keep_order() -> None:
    stream = b"".join(b"data: %d\n\n" % i for i in range(100))
    assert feed_all([stream])[0] == [msg(str(i)) for i in range(100)]


# --- id ----------------------------------------------------------------------------------


def test_id_persists_across_events() -> None:
    got = events(b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n")
    assert got == [msg("a", id="1"), msg("b", id="1"), msg("c", id="2")]
    assert feed_all([b"id: 1\ndata: a\n\ndata: b\n\n"])[1].last_event_id == "1"


def test_id_with_nul_is_ignored() -> None:
    stream = b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n"
    assert events(stream) == [msg("a", id="1"), msg("b", id="1")]
    assert feed_all([stream])[1].last_event_id == "1"


def test_empty_id_resets_last_event_id() -> None:
    stream = b"id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\n\nid:\ndata: c\n\n"
    assert events(stream) == [msg("a", id="1"), msg("b"), msg("c")]
    assert feed_all([stream])[1].last_event_id == ""


def test_id_takes_effect_at_the_blank_line_even_without_data() -> None:
    parser = SseParser()
    parser.feed(b"id: 7\n")
    assert parser.last_event_id == ""  # not yet: its event has not ended
    parser.feed(b"\n")
    assert parser.last_event_id == "7"
    assert parser.feed(b"data: a\n\n") == [msg("a", id="7")]


def test_id_of_an_unfinished_event_is_not_committed() -> None:
    _, parser = feed_all([b"id: 1\ndata: a\n\nid: 2\ndata: b\n"])
    assert parser.last_event_id == "1"


def test_id_value_keeps_inner_spaces() -> None:
    assert events(b"id:  x y\ndata: a\n\n") == [msg("a", id=" x y")]


# --- retry -------------------------------------------------------------------------------


def test_retry_ascii_digits_are_kept() -> None:
    _, parser = feed_all([b"retry: 1500\n\nretry:007\n"])
    assert parser.retry == 7


@pytest.mark.parametrize(
    "value",
    [b"", b"abc", b"1.5", b"-1", b"+1", b" 10", b"10 ", b"1e3", "١٢".encode(), "²".encode()],
)
def test_retry_non_digits_are_ignored(value: bytes) -> None:
    _, parser = feed_all([b"retry: 42\nretry: " + value + b"\n\n"])
    assert parser.retry == 42


def test_retry_absent_is_none() -> None:
    assert feed_all([b"data: a\n\n"])[1].retry is None


def test_retry_too_long_for_int_is_ignored_not_raised() -> None:
    _, parser = feed_all([b"retry: 5\nretry: " + b"9" * 5000 + b"\n\n"])
    assert parser.retry == 5


def test_retry_alone_fires_no_event() -> None:
    # openai-python #2722: a retry-only block must not become an empty data event.
    assert events(b"retry: 3000\n\n") == []


# --- end of stream -----------------------------------------------------------------------


def test_unfinished_event_is_not_dispatched() -> None:
    got, parser = feed_all([b"data: a\n\ndata: b\n"])
    assert got == [msg("a")]
    assert parser.incomplete


def test_unfinished_line_is_not_dispatched() -> None:
    got, parser = feed_all([b"data: a\n\ndata: b"])
    assert got == [msg("a")]
    assert parser.incomplete


def test_clean_end_is_not_incomplete() -> None:
    _, parser = feed_all([b"data: a\n\n"])
    assert not parser.incomplete
    assert not feed_all([b""])[1].incomplete
    assert not feed_all([b": keep-alive\n"])[1].incomplete


def test_incomplete_tracks_buffered_state() -> None:
    parser = SseParser()
    assert not parser.incomplete
    parser.feed(b"event: x\n")
    assert parser.incomplete  # event type set, not dispatched
    parser.feed(b"\n")
    assert not parser.incomplete
    parser.feed(b": partial comment")
    assert parser.incomplete  # unfinished line
    parser.feed(b"\n")
    assert not parser.incomplete


def test_finish_is_idempotent_and_keeps_incomplete() -> None:
    parser = SseParser()
    parser.feed(b"data: a\n")
    parser.finish()
    parser.finish()
    assert parser.incomplete


def test_feed_after_finish_raises() -> None:
    parser = SseParser()
    parser.finish()
    with pytest.raises(SseError, match="after finish"):
        parser.feed(b"data: a\n\n")


# --- UTF-8 -------------------------------------------------------------------------------


def test_multibyte_character_split_at_every_point() -> None:
    # events() cuts the 4-byte emoji and the 3-byte CJK character at every byte.
    assert events("data: 😀 中\n\n".encode()) == [msg("😀 中")]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert events(b"data: a\xffb\xc3\n\n") == [msg("a\ufffdb\ufffd")]
    assert events(b"data: \xf0\x9f\x98\ndata: x\n\n") == [msg("\ufffd\nx")]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"])
def test_unicode_line_breaks_are_not_line_ends(char: str) -> None:
    # str.splitlines() breaks on these; SSE does not (httpx-sse #34, openai-python #1230).
    assert events(f"data: a{char}b\n\n".encode()) == [msg(f"a{char}b")]


def test_nul_in_data_is_kept() -> None:
    assert events(b"data: a\x00b\n\n") == [msg("a\x00b")]


# --- input types -------------------------------------------------------------------------


def test_bytearray_and_memoryview_are_accepted_and_not_aliased() -> None:
    parser = SseParser()
    buffer = bytearray(b"data: ab")
    parser.feed(buffer)
    buffer[:] = b"XXXXXXXX"  # the caller reuses its buffer
    assert parser.feed(memoryview(b"cd\n\n")) == [msg("abcd")]
    fresh = SseParser()
    assert fresh.feed(bytearray(b"data: x\n\n")) == [msg("x")]


# --- line-length bound -------------------------------------------------------------------


def test_line_longer_than_bound_raises_as_soon_as_buffered() -> None:
    parser = SseParser(max_line_bytes=10)
    parser.feed(b"data: 1234")  # exactly 10 bytes buffered: fine
    with pytest.raises(SseError, match="max_line_bytes=10"):
        parser.feed(b"5")  # 11 bytes without a line end


def test_line_at_bound_is_accepted() -> None:
    got, parser = feed_all([b"data: 1234\n\n"], max_line_bytes=10)
    assert got == [msg("1234")]


def test_long_complete_line_in_one_chunk_raises() -> None:
    parser = SseParser(max_line_bytes=10)
    with pytest.raises(SseError):
        parser.feed(b"data: 12345\n\n")


def test_bound_counts_across_chunks() -> None:
    parser = SseParser(max_line_bytes=10)
    parser.feed(b"data:")
    parser.feed(b" 12")
    with pytest.raises(SseError):
        parser.feed(b"3456\n")


def test_events_before_a_long_line_are_returned_then_error_raised() -> None:
    parser = SseParser(max_line_bytes=10)
    assert parser.feed(b"data: a\n\ndata: 0123456789\n\ndata: b\n\n") == [msg("a")]
    assert parser.incomplete
    with pytest.raises(SseError):
        parser.feed(b"data: c\n\n")
    with pytest.raises(SseError):  # the parser stays failed
        parser.feed(b"data: c\n\n")
    parser.finish()  # already raised: finish is quiet


def test_deferred_error_is_raised_by_finish() -> None:
    parser = SseParser(max_line_bytes=10)
    assert parser.feed(b"data: a\n\ndata: 0123456789") == [msg("a")]
    with pytest.raises(SseError):
        parser.finish()
    parser.finish()
    assert parser.incomplete


def test_bound_must_hold_a_split_bom() -> None:
    with pytest.raises(ValueError):
        SseParser(max_line_bytes=1)


def test_bom_is_not_counted_against_the_bound() -> None:
    assert feed_all([BOM + b"data:\n\n"], max_line_bytes=5)[0] == [msg("")]


# --- linear time -------------------------------------------------------------------------


def test_long_line_in_small_chunks_is_linear() -> None:
    # Quadratic re-scanning or re-concatenation would take minutes here (deno PR #35881).
    size = 4 * 1024 * 1024
    body = b"data: " + b"x" * size + b"\n\n"
    parser = SseParser()
    out: list[SseEvent] = []
    start = time.perf_counter()
    for i in range(0, len(body), 1024):
        out.extend(parser.feed(body[i : i + 1024]))
    elapsed = time.perf_counter() - start
    assert [len(e.data) for e in out] == [size]
    assert elapsed < 5.0, f"{elapsed:.2f} s for a 4 MiB line in 1 KiB chunks"


def test_8_mib_line() -> None:
    data = "é" * (4 * 1024 * 1024)  # 8 MiB of UTF-8, two bytes per character
    body = b"data: " + data.encode() + b"\r\n\r\n"
    parser = SseParser()
    out: list[SseEvent] = []
    for i in range(0, len(body), 65537):  # odd chunk size: cuts characters in two
        out.extend(parser.feed(body[i : i + 65537]))
    assert out == [msg(data)]


# --- realistic streams -------------------------------------------------------------------


def test_openai_style_stream() -> None:
    chunks = [
        {"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {"content": "Hello\u2028wörld 😀"}}]},
        {"id": "chatcmpl-1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    stream = b"".join(b"data: " + json.dumps(c, ensure_ascii=False).encode() + b"\n\n" for c in chunks)
    stream += b"data: [DONE]\n\n"
    got = events(stream)
    assert [json.loads(e.data) for e in got[:-1]] == chunks
    assert got[-1] == msg("[DONE]")
    assert {e.event for e in got} == {"message"}


def test_anthropic_style_stream() -> None:
    blocks = [
        ("message_start", {"type": "message_start", "message": {"id": "msg_1", "content": []}}),
        ("content_block_start", {"type": "content_block_start", "index": 0}),
        ("ping", {"type": "ping"}),
        ("content_block_delta", {"type": "content_block_delta", "delta": {"text": "Hi"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    stream = b"".join(
        b"event: %s\r\ndata: %s\r\n\r\n" % (name.encode(), json.dumps(body).encode())
        for name, body in blocks
    )
    got = events(stream)
    assert [(e.event, json.loads(e.data)) for e in got] == blocks


# --- recorded provider streams -----------------------------------------------------------


def _streaming_fixtures() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    found = []
    for meta in sorted(FIXTURES.glob("*/*/response.meta.json")):
        body = meta.with_name("response.body")
        if json.loads(meta.read_text()).get("streaming") is True and body.is_file():
            found.append(body)
    return found


_FIXTURE_BODIES = _streaming_fixtures()


def test_recorded_streams_are_present() -> None:
    if not FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/real not present: recorded provider streams unavailable")
    assert _FIXTURE_BODIES, "no streaming fixture found"


_FIXTURE_PARAMS = [
    pytest.param(p, id=f"{p.parent.parent.name}/{p.parent.name}") for p in _FIXTURE_BODIES
] or [pytest.param(None, id="fixtures-missing", marks=pytest.mark.skip(
    reason="../shared/fixtures/real not present: recorded provider streams unavailable"))]


@pytest.mark.parametrize("body_path", _FIXTURE_PARAMS)
def test_recorded_stream_every_chunking(body_path: Path) -> None:
    body = body_path.read_bytes()
    whole, parser = feed_all([body])
    assert whole, "a recorded stream with no event"
    assert not parser.incomplete, "recorded stream ends mid-event"
    # An independent, literal reading of the spec agrees on everything observable.
    expected = reference_parse(body)
    assert tuple(whole) == expected.events
    assert (parser.last_event_id, parser.retry, parser.comment_count) == (
        expected.last_event_id,
        expected.retry,
        expected.comment_count,
    )
    if len(body) <= 4096:
        cuts = range(1, len(body))
    else:  # big bodies: a deterministic sample of split points, both ends included
        rng = random.Random(len(body))
        sample = rng.sample(range(1, len(body)), 200 if len(body) <= 65536 else 25)
        cuts = sorted({1, 2, 3, len(body) - 2, len(body) - 1, *sample})
    for cut in cuts:
        assert feed_all([body[:cut], body[cut:]])[0] == whole, f"split at {cut}"
    assert feed_all(body[i : i + 1] for i in range(len(body)))[0] == whole, "byte by byte"
