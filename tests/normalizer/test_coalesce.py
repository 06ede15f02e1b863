"""Text deltas of one batch merge into one; everything else keeps its order."""

from hypothesis import given, strategies as st

from normalizer import values as v
from normalizer.coalesce import coalesce


def d(text):
    return v.StreamDelta((v.Text(text),))


CALL = v.StreamDelta(None, (v.ToolCall("c", "f", "{}"),))
IMAGE = v.StreamDelta((v.Image(v.ImageUrl("https://x/y.png")),))
FINISH = v.Finish(v.ResponseMetadata(v.FinishReason.STOP))


def test_adjacent_text_deltas_become_one():
    assert coalesce([d("Hel"), d("lo"), d(" there")]) == [d("Hello there")]


def test_tool_calls_images_and_terminals_keep_their_place():
    events = [d("a"), d("b"), CALL, d("c"), IMAGE, d("d"), d("e"), FINISH]
    assert coalesce(events) == [d("ab"), CALL, d("c"), IMAGE, d("de"), FINISH]


def test_a_delta_with_text_and_calls_is_not_merged():
    mixed = v.StreamDelta((v.Text("x"),), (v.ToolCall("c", "f", "{}"),))
    assert coalesce([d("a"), mixed, d("b")]) == [d("a"), mixed, d("b")]


def test_empty_and_single():
    assert coalesce([]) == [] and coalesce([FINISH]) == [FINISH] and coalesce([d("x")]) == [d("x")]


events = st.lists(st.one_of(st.builds(d, st.text(max_size=5)), st.just(CALL), st.just(IMAGE),
                            st.just(FINISH)), max_size=30)


def _text(evs):
    return "".join(p.text for e in evs if isinstance(e, v.StreamDelta) and not e.tool_calls
                   for p in e.content or () if isinstance(p, v.Text))


@given(events)
def test_text_and_the_order_of_everything_else_are_unchanged(evs):
    out = coalesce(evs)
    assert _text(out) == _text(evs)
    others = lambda xs: [e for e in xs if not (isinstance(e, v.StreamDelta) and e.content
                                               and all(isinstance(p, v.Text) for p in e.content)
                                               and not e.tool_calls)]
    assert others(out) == others(evs)
    assert len(out) <= len(evs)
