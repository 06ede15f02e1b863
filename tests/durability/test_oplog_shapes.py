"""The oplog payload shapes: what is written is golem-llm v0.2.x's, and replay reads
golem-llm v0.2.x's, v0.1.x's and our first release's bare shape (durability/llm_codec.py).

The expected spellings are golem-llm's, read at its tags: v0.2.1 `llm/src/durability.rs`
(golem-rust 1.6 derives: `Durability::<ChatEvent, UnusedError>`, `<NoOutput, UnusedError>`,
`<Option<Vec<StreamEvent>>, UnusedError>`, unit structs `NoInput`/`NoOutput`/`UnusedError`)
and v0.1.2 (hand-written: `variant().unit_case("no-input")`, `"no-output"`,
`"unused-error"`, `content-part` = `text(string) | image(image-url)`)."""

from __future__ import annotations

import pytest

from durability import legacy_schema as old
from durability import llm_codec
from durability import llm_schema as s
from durability.codec import encode
from durability.codec_error import CodecError
from durability.wit_schema import describe, type_nodes
from normalizer import values as v

DELTA = v.StreamDelta((v.Text("hi"), v.Image(v.ImageUrl("https://x/cat.png",
                                                        v.ImageDetail.LOW))))
BATCH = [DELTA, v.Finish(v.ResponseMetadata(v.FinishReason.STOP, v.Usage(1, 2, 3)))]
ANSWER = v.CompleteResponse("id-1", (v.Text("hello"),), (), v.ResponseMetadata())
TOOLS = v.ToolRequest((v.ToolCall("c1", "f", "{}"),))


def test_what_is_written_is_spelled_as_golem_llm_v0_2_writes_it():
    def top(vt):  # the stored root type, in WIT spelling
        nodes = vt[1]
        assert nodes == type_nodes(_type_of(nodes))
        return describe(_type_of(nodes))

    assert top(llm_codec.chat_event(ANSWER)) == \
        "result<variant { message, tool-request, error }, record {}>"
    assert top(llm_codec.stream_response()) == "result<record {}, record {}>"
    assert top(llm_codec.get_next_response(None)) == \
        "result<option<list<variant { delta, finish, error }>>, record {}>"
    assert top(llm_codec.get_next_request()) == "record {}"
    assert top(llm_codec.send_request((), v.Config("m"))) == "record { messages, config }"
    assert top(llm_codec.continue_request((), (), v.Config("m"))) == \
        "record { messages, tool-results, config }"


def _type_of(nodes):
    for t in (s.SEND_RESPONSE, s.STREAM_RESPONSE, s.GET_NEXT_RESPONSE, s.EMPTY,
              s.SEND_REQUEST, s.CONTINUE_REQUEST):
        if type_nodes(t) == nodes:
            return t
    raise AssertionError(f"an unknown payload type: {nodes[:2]}")


def test_golem_llm_v0_1_unit_markers_and_content_part():
    assert type_nodes(old.NO_INPUT_V01) == (("variant-type", (("no-input", None),)),)
    assert type_nodes(old.NO_OUTPUT_V01) == (("variant-type", (("no-output", None),)),)
    assert type_nodes(old.UNUSED_ERROR_V01) == (("variant-type", (("unused-error", None),)),)
    assert type_nodes(old.CONTENT_PART_V01)[:3] == (
        ("variant-type", (("text", 1), ("image", 2))),
        ("prim-string-type", None),
        ("record-type", (("url", 3), ("detail", 4))))


@pytest.mark.parametrize("shape", ["v0.2", "v0.1", "bare"])
def test_every_shape_of_every_response_replays_to_the_same_value(shape):
    chat_t, stream_t, get_next_t, ok = {
        "v0.2": (s.SEND_RESPONSE, s.STREAM_RESPONSE, s.GET_NEXT_RESPONSE, True),
        "v0.1": (old.SEND_RESPONSE_V01, old.STREAM_RESPONSE_V01, old.GET_NEXT_RESPONSE_V01, True),
        "bare": (old.SEND_RESPONSE_BARE, old.STREAM_RESPONSE_BARE, old.GET_NEXT_RESPONSE_BARE,
                 False),
    }[shape]

    def stored(value, t):
        return encode(("ok", value) if ok else value, t), type_nodes(t)

    for event in (ANSWER, TOOLS, v.LlmError(v.ErrorCode.UNKNOWN, "x")):
        assert llm_codec.decode_chat_event(stored(event, chat_t)) == event
    nothing = ("no-output", None) if shape == "v0.1" else ()
    assert llm_codec.decode_stream_response(stored(nothing, stream_t)) is None
    for batch in (None, [], BATCH):
        assert llm_codec.decode_get_next_response(stored(batch, get_next_t)) == batch


def test_a_v0_1_image_is_an_image_url_reference():
    vt = encode(("ok", [DELTA]), old.GET_NEXT_RESPONSE_V01), type_nodes(old.GET_NEXT_RESPONSE_V01)
    assert vt[1] != llm_codec.get_next_response([DELTA])[1]  # a different stored type
    assert llm_codec.decode_get_next_response(vt) == [DELTA]


def test_a_shape_is_recognised_however_the_host_numbers_its_nodes():
    # The same type with the ok and err subtrees stored in the other order.
    value, nodes = llm_codec.stream_response()
    moved = (("result-type", (2, 1)), ("record-type", ()), ("record-type", ()))
    assert llm_codec.shape_of((value, moved), llm_codec.STREAM_RESPONSE_SHAPES).name == \
        "golem-llm v0.2"


def test_an_err_result_and_an_unknown_type_do_not_replay():
    err = (("result-value", ("err", 1)), ("record-value", ()))
    with pytest.raises(CodecError, match="err"):
        llm_codec.decode_get_next_response((err, s.GET_NEXT_RESPONSE_NODES))
    with pytest.raises(CodecError, match="none of the known shapes"):
        llm_codec.decode_get_next_response(llm_codec.chat_event(ANSWER))
