"""A streamed answer's text is held back where it may be the start of the key, so the key
meets the per-batch scrubber whole (durability/held_back.py)."""

from __future__ import annotations

from typing import Optional

from hypothesis import given
from hypothesis import strategies as st

from durability.held_back import HeldBackText
from normalizer import values as v
from providers.common.secrets import REDACTED, Scrubber
from providers.outbound import Outbound

KEY = "sk-test-Held8ack-0123456789abcdef"
FINISH = v.Finish(v.ResponseMetadata(finish_reason=v.FinishReason.STOP))


class Batches:
    """A source that hands out the given batches, one per call, then `[]`."""

    keep_after_end = False

    def __init__(self, *batches: Optional[list]) -> None:
        self._batches = list(batches)
        self.ended = False

    def next_batch(self, block: bool) -> Optional[list]:
        if not self._batches:
            self.ended = True
            return []
        return self._batches.pop(0)

    def close(self) -> None:
        pass


def text(piece: str) -> v.StreamDelta:
    return v.StreamDelta(content=(v.Text(piece),))


def read_all(source) -> list:
    """Every batch until the end, through the outbound step, as the guest hands them out."""
    outbound = Outbound(Scrubber(KEY))
    out = []
    for _ in range(1000):
        batch = source.next_batch(False)
        if batch == []:
            return out
        out.append(outbound.stream_events(batch))
    raise AssertionError("the source did not end")


def joined(batches: list) -> str:
    return "".join(part.text for batch in batches if batch for e in batch
                   if isinstance(e, v.StreamDelta) and e.content
                   for part in e.content if isinstance(part, v.Text))


def test_a_key_split_across_batches_is_redacted_whole():
    pieces = ["Your key is ", KEY[:5], KEY[5:17], KEY[17:], " and that is all."]
    batches = read_all(HeldBackText(Batches(*[[text(p)] for p in pieces], [FINISH]),
                                    Scrubber(KEY)))
    assert joined(batches) == f"Your key is {REDACTED} and that is all."
    assert isinstance(batches[-1][-1], v.Finish)


def test_without_it_the_pieces_get_through():
    """The control: the same batches scrubbed one at a time hand the key out in pieces."""
    pieces = ["Your key is ", KEY[:5], KEY[5:17], KEY[17:], " and that is all."]
    batches = read_all(Batches(*[[text(p)] for p in pieces], [FINISH]))
    assert KEY in joined(batches)


def test_only_text_that_ends_like_the_key_begins_is_held():
    source = HeldBackText(Batches([text("Hello")], [text(" wor")], [text("ld, this is s")],
                                  [text("ome text")], [FINISH]), Scrubber(KEY))
    assert source.next_batch(False) == [text("Hello")]
    assert source.next_batch(False) == [text(" wor")]
    assert source.next_batch(False) == [text("ld, this is ")]  # "s" may start the key
    assert source.next_batch(False) == [text("some text")]
    assert source.next_batch(False) == [FINISH]


def test_a_batch_held_whole_is_nothing_yet_not_the_end():
    source = HeldBackText(Batches([text("sk-")], [text("not the key")], [FINISH]),
                          Scrubber(KEY))
    assert source.next_batch(False) is None
    assert source.next_batch(False) == [text("sk-not the key")]


def test_a_blocking_read_waits_past_a_batch_held_whole():
    source = HeldBackText(Batches([text("sk-")], [text("not the key")], [FINISH]),
                          Scrubber(KEY))
    assert source.next_batch(True) == [text("sk-not the key")]


def test_held_text_goes_out_before_the_finish_or_the_error():
    error = v.LlmError(v.ErrorCode.INTERNAL_ERROR, "cut")
    for terminal in (FINISH, error):
        source = HeldBackText(Batches([text("ends with sk-t")], [terminal]), Scrubber(KEY))
        assert source.next_batch(False) == [text("ends with ")]
        assert source.next_batch(False) == [text("sk-t"), terminal]


def test_held_text_waits_through_batches_without_text():
    call = v.StreamDelta(tool_calls=(v.ToolCall("c1", "f", "{}"),))
    source = HeldBackText(Batches([text("sk-te")], [call], None, [text("st done")], [FINISH]),
                          Scrubber(KEY))
    assert source.next_batch(False) is None
    assert source.next_batch(False) == [call]
    assert source.next_batch(False) is None
    assert source.next_batch(False) == [text("sk-test done")]


def test_a_short_key_or_none_holds_nothing():
    for scrubber in (Scrubber(None), Scrubber("sk-1")):
        source = HeldBackText(Batches([text("ends with sk-")], [FINISH]), scrubber)
        assert source.next_batch(False) == [text("ends with sk-")]


@given(st.text(alphabet="sk-tabc ", max_size=30), st.text(alphabet="sk-tabc ", max_size=30),
       st.lists(st.integers(0, 200), max_size=12))
def test_any_split_of_any_text_gives_the_text_with_the_key_redacted(before, after, cuts):
    whole = before + KEY + after
    points = sorted({c % (len(whole) + 1) for c in cuts} | {0, len(whole)})
    pieces = [whole[a:b] for a, b in zip(points, points[1:])]
    batches = read_all(HeldBackText(Batches(*[[text(p)] for p in pieces], [FINISH]),
                                    Scrubber(KEY)))
    assert joined(batches) == Scrubber(KEY).content(whole)
    assert KEY not in joined(batches)
