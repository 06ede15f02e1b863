"""The value-and-type codec: explicit cases for every golem:llm type, exact node lists,
type mismatches and malformed node lists (which must fail as CodecError, with a path)."""

from __future__ import annotations

import json
import math

import pytest

from durability import llm_codec
from durability import llm_schema as s
from durability.codec import decode, decode_value, encode, value_and_type
from durability.codec_error import CodecError
from runtime.golem.wit_check import MAX_DEPTH, check, render
from durability.wit_schema import (
    BOOL,
    CHAR,
    F32,
    F64,
    S8,
    S64,
    STRING,
    U8,
    U16,
    U32,
    U64,
    Case,
    EnumT,
    FlagsT,
    ListT,
    OptionT,
    RecordT,
    ResultT,
    Some,
    TupleT,
    VariantT,
    record,
    type_nodes,
)
from normalizer import values as v

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
URL_IMAGE = v.ImageUrl("https://example.com/cat.png", v.ImageDetail.HIGH)
INLINE_IMAGE = v.ImageSource(PNG, "image/png", v.ImageDetail.AUTO)
CALL = v.ToolCall("call_1", "get_weather", '{"city": "Ljubljana"}')
SUCCESS = v.ToolSuccess("call_1", "get_weather", '{"t": 21}', 12)
FAILURE = v.ToolFailure("call_2", "get_time", "boom", "E42")
USAGE = v.Usage(10, 20, 30)
METADATA = v.ResponseMetadata(v.FinishReason.TOOL_CALLS, USAGE, "resp_1", "1700000000",
                              '{"fp": "x"}')
ERROR = v.LlmError(v.ErrorCode.RATE_LIMIT_EXCEEDED, "slow down", '{"error": {}}')
CONFIG = v.Config("gpt-4o", 0.25, 256, ("\n\n", "END"),
                  (v.ToolDefinition("get_weather", '{"type": "object"}', "weather"),),
                  "auto", (v.Kv("seed", "7"),))
MESSAGES = (
    v.Message(v.Role.SYSTEM, (v.Text("be brief"),)),
    v.Message(v.Role.USER, (v.Text("what is this?"), v.Image(INLINE_IMAGE),
                            v.Image(URL_IMAGE)), "ana"),
    v.Message(v.Role.ASSISTANT, ()),
)
RESPONSE = v.CompleteResponse("resp_1", (v.Text("It is a cat."),), (CALL,), METADATA)

SAMPLES = {
    "role": [v.Role.USER, v.Role.ASSISTANT, v.Role.SYSTEM, v.Role.TOOL],
    "error-code": list(v.ErrorCode),
    "finish-reason": list(v.FinishReason),
    "image-detail": list(v.ImageDetail),
    "image-url": [URL_IMAGE, v.ImageUrl("")],
    "image-source": [INLINE_IMAGE, v.ImageSource(b"", "")],
    "image-reference": [URL_IMAGE, INLINE_IMAGE],
    "content-part": [v.Text(""), v.Text("žabe 🐸"), v.Image(URL_IMAGE), v.Image(INLINE_IMAGE)],
    "message": list(MESSAGES),
    "tool-definition": [v.ToolDefinition("f", "{}"), v.ToolDefinition("g", "", "desc")],
    "tool-call": [CALL],
    "tool-success": [SUCCESS, v.ToolSuccess("a", "b", "null")],
    "tool-failure": [FAILURE, v.ToolFailure("a", "b", "")],
    "tool-result": [SUCCESS, FAILURE],
    "kv": [v.Kv("k", "v")],
    "config": [CONFIG, v.Config("m"), v.Config("m", stop_sequences=())],
    "usage": [USAGE, v.Usage(), v.Usage(0, 2**32 - 1)],
    "response-metadata": [METADATA, v.ResponseMetadata()],
    "complete-response": [RESPONSE, v.CompleteResponse("", (), (), v.ResponseMetadata())],
    "error": [ERROR, v.LlmError(v.ErrorCode.UNKNOWN, "")],
    "chat-event": [RESPONSE, v.ToolRequest((CALL, CALL)), v.ToolRequest(()), ERROR],
    "stream-delta": [v.StreamDelta(), v.StreamDelta((), ()), v.StreamDelta((v.Text("x"),)),
                     v.StreamDelta(None, (CALL,))],
    "stream-event": [v.StreamDelta((v.Text("Hel"),)), v.Finish(METADATA), v.Finish(), ERROR],
}


def test_samples_cover_every_golem_llm_type():
    assert set(SAMPLES) == set(s.ALL_TYPES)


@pytest.mark.parametrize("name,value",
                         [(n, x) for n, xs in SAMPLES.items() for x in xs],
                         ids=lambda x: x if isinstance(x, str) else "")
def test_every_type_round_trips_and_checks(name, value):
    t = s.ALL_TYPES[name]
    value_nodes, t_nodes = value_and_type(value, t)
    assert decode((value_nodes, t_nodes), t) == value
    check(value_nodes, t_nodes)
    json.dumps(render(value_nodes, t_nodes), allow_nan=False)
    # The root is node 0 in both lists, and is the case the type calls for.
    assert value_nodes[0][0] == {"record-type": "record-value", "variant-type": "variant-value",
                                 "enum-type": "enum-value"}[t_nodes[0][0]]


def test_exact_nodes_of_a_small_message():
    message = v.Message(v.Role.USER, (v.Text("hi"),))
    assert encode(message, s.MESSAGE) == (
        ("record-value", (1, 2, 3)),
        ("enum-value", 0),
        ("option-value", None),
        ("list-value", (4,)),
        ("variant-value", (0, 5)),
        ("prim-string", "hi"),
    )
    assert type_nodes(s.MESSAGE) == (
        ("record-type", (("role", 1), ("name", 2), ("content", 4))),
        ("enum-type", ("user", "assistant", "system", "tool")),
        ("option-type", 3),
        ("prim-string-type", None),
        ("list-type", 5),
        ("variant-type", (("text", 6), ("image", 7))),
        ("prim-string-type", None),
        ("variant-type", (("url", 8), ("inline", 12))),
        ("record-type", (("url", 9), ("detail", 10))),
        ("prim-string-type", None),
        ("option-type", 11),
        ("enum-type", ("low", "high", "auto")),
        ("record-type", (("data", 13), ("mime-type", 15), ("detail", 16))),
        ("list-type", 14),
        ("prim-u8-type", None),
        ("prim-string-type", None),
        ("option-type", 17),
        ("enum-type", ("low", "high", "auto")),
    )


def test_exact_nodes_of_the_empty_record_and_of_ok_of_it():
    assert llm_codec.get_next_request() == ((("record-value", ()),), (("record-type", ()),))
    assert value_and_type((), RecordT(())) == llm_codec.get_next_request()
    assert decode(llm_codec.get_next_request(), s.EMPTY) == ()
    assert llm_codec.stream_response() == (
        (("result-value", ("ok", 1)), ("record-value", ())),
        (("result-type", (1, 2)), ("record-type", ()), ("record-type", ())))
    assert value_and_type(("ok", ()), ResultT(RecordT(()), RecordT(()))) == \
        llm_codec.stream_response()
    llm_codec.decode_get_next_request(llm_codec.get_next_request())
    llm_codec.decode_stream_response(llm_codec.stream_response())


def test_inline_image_bytes_are_one_prim_u8_node_each():
    nodes = encode(v.ImageSource(b"\x00\xff", "x"), s.IMAGE_SOURCE)
    assert nodes[:4] == (("record-value", (1, 4, 5)), ("list-value", (2, 3)),
                         ("prim-u8", 0), ("prim-u8", 255))


def test_payload_helpers_round_trip():
    vt = llm_codec.send_request(list(MESSAGES), CONFIG)
    assert vt[1] is s.SEND_REQUEST_NODES
    assert llm_codec.decode_send_request(vt) == (MESSAGES, CONFIG)
    assert llm_codec.decode_stream_request(llm_codec.stream_request(MESSAGES, CONFIG)) == (
        MESSAGES, CONFIG)
    pairs = ((CALL, SUCCESS), (CALL, FAILURE))
    vt = llm_codec.continue_request(MESSAGES, list(pairs), CONFIG)
    assert llm_codec.decode_continue_request(vt) == (MESSAGES, pairs, CONFIG)
    for event in SAMPLES["chat-event"]:
        assert llm_codec.decode_chat_event(llm_codec.chat_event(event)) == event
    for batch in (None, [], [v.StreamDelta((v.Text("a"),)), v.Finish(METADATA)], [ERROR]):
        decoded = llm_codec.decode_get_next_response(llm_codec.get_next_response(batch))
        assert decoded == batch
        assert decoded is None or isinstance(decoded, list)
    for vt in (llm_codec.send_request(MESSAGES, CONFIG), llm_codec.chat_event(RESPONSE),
               llm_codec.get_next_response([v.Finish()]), llm_codec.get_next_response(None)):
        check(*vt)


def test_get_next_none_and_empty_differ():
    none, empty = llm_codec.get_next_response(None), llm_codec.get_next_response([])
    assert none[0] == (("result-value", ("ok", 1)), ("option-value", None))
    assert empty[0] == (("result-value", ("ok", 1)), ("option-value", 2), ("list-value", ()))


def test_generic_descriptors_round_trip():
    t = record(
        ("u8", U8), ("u16", U16), ("u64", U64), ("s8", S8), ("s64", S64), ("f64", F64),
        ("f32", F32), ("c", CHAR), ("b", BOOL),
        ("tup", TupleT((STRING, U32))),
        ("res", ListT(ResultT(U32, STRING))), ("unit-res", ListT(ResultT())),
        ("var", ListT(VariantT((Case("a", U32), Case("b"))))),
        ("en", EnumT(("x", "y"))), ("fl", FlagsT(("r", "w", "x"))),
        ("nested", ListT(OptionT(OptionT(U32)))),
    )
    value = (255, 65535, 2**64 - 1, -128, -(2**63), 1e300, 0.5, "ž", True,
             ("s", 7), (("ok", 1), ("err", "no")), (("ok", None), ("err", None)),
             (("a", 3), ("b", None)), "y", frozenset({"r", "x"}),
             (None, Some(None), Some(5)))
    vt = value_and_type(value, t)
    assert decode(vt, t) == value
    check(*vt)
    shown = render(*vt)
    assert shown["nested"] == [None, {"some": None}, {"some": 5}]
    assert shown["res"] == [{"ok": 1}, {"err": "no"}]
    assert shown["unit-res"] == [{"ok": None}, {"err": None}]
    assert shown["var"] == [{"a": 3}, "b"]
    assert shown["fl"] == ["r", "x"]
    assert shown["en"] == "y"
    assert shown["tup"] == ["s", 7]


def test_float_ints_are_accepted_and_non_finite_floats_render_as_strings():
    vt = value_and_type(v.Config("m", temperature=1), s.CONFIG)
    assert llm_codec.decode_send_request(
        llm_codec.send_request((), v.Config("m", temperature=1)))[1].temperature == 1.0
    nan = value_and_type(v.Config("m", temperature=math.nan), s.CONFIG)
    assert render(*nan)["temperature"] == "nan"
    assert render(*vt)["temperature"] == 1.0


# ----------------------------------------------------------------------------- render


def test_render_is_readable():
    vt = llm_codec.send_request(MESSAGES[1:2], CONFIG)
    shown = render(*vt)
    assert shown["messages"][0] == {
        "role": "user",
        "name": "ana",
        "content": [
            {"text": "what is this?"},
            {"image": {"inline": {"data": {"bytes": len(PNG), "base64": shown["messages"][0]
                                           ["content"][1]["image"]["inline"]["data"]["base64"]},
                                  "mime-type": "image/png", "detail": "auto"}}},
            {"image": {"url": {"url": "https://example.com/cat.png", "detail": "high"}}},
        ],
    }
    assert shown["messages"][0]["content"][1]["image"]["inline"]["data"]["base64"].endswith("…")
    assert shown["config"]["provider-options"] == [{"key": "seed", "value": "7"}]
    assert render(*llm_codec.get_next_response(None)) == {"ok": None}
    assert render(*llm_codec.get_next_response([v.Finish()])) == {"ok": [{"finish": {
        "finish-reason": None, "usage": None, "provider-id": None, "timestamp": None,
        "provider-metadata-json": None}}]}
    small = render(*value_and_type(v.ImageSource(b"abc", "t"), s.IMAGE_SOURCE))
    assert small["data"] == {"bytes": 3, "base64": "YWJj"}


# ----------------------------------------------------------------------------- encode errors


@pytest.mark.parametrize("value,t,path", [
    (v.Message(v.Role.USER, (v.Text(None),)), s.MESSAGE, "content[0].text"),
    (v.Message("user", ()), s.MESSAGE, "role"),
    (v.ToolSuccess("a", "b", "c", -1), s.TOOL_SUCCESS, "execution-time-ms"),
    (v.ToolSuccess("a", "b", "c", 2**32), s.TOOL_SUCCESS, "execution-time-ms"),
    (v.Text("\ud800"), s.CONTENT_PART, "text"),
    (v.ImageSource("not bytes", "x"), s.IMAGE_SOURCE, "data"),
    (CALL, s.CHAT_EVENT, ""),
    ((1, 2), s.SEND_REQUEST, "messages"),
])
def test_encode_rejects_values_that_do_not_fit(value, t, path):
    with pytest.raises(CodecError) as caught:
        encode(value, t)
    assert caught.value.path == path


def test_encode_error_path_is_deep():
    bad = MESSAGES[:2] + (v.Message(v.Role.USER, (v.Text("ok"), v.Image(v.ImageSource(
        b"", 7)))),)
    with pytest.raises(CodecError) as caught:
        llm_codec.send_request(bad, CONFIG)
    assert caught.value.path == "messages[2].content[1].image.inline.mime-type"
    assert str(caught.value).startswith("messages[2].content[1].image.inline.mime-type: ")


def test_nested_option_needs_some():
    with pytest.raises(CodecError):
        encode(5, OptionT(OptionT(U32)))


# ----------------------------------------------------------------------------- type mismatch


def test_decode_refuses_another_payload_type():
    with pytest.raises(CodecError, match="none of the known shapes"):
        llm_codec.decode_chat_event(llm_codec.get_next_response(None))
    with pytest.raises(CodecError, match="stored type does not match"):
        llm_codec.decode_send_request(llm_codec.continue_request((), (), CONFIG))


def _replace(nodes, index, node):
    return nodes[:index] + (node,) + nodes[index + 1:]


def test_decode_reports_where_the_stored_type_differs():
    value_nodes, t_nodes = llm_codec.send_request(MESSAGES, CONFIG)
    # The `role` enum loses a case.
    role = next(i for i, n in enumerate(t_nodes) if n[0] == "enum-type" and "tool" in n[1])
    broken = _replace(t_nodes, role, ("enum-type", ("user", "assistant", "system")))
    with pytest.raises(CodecError) as caught:
        decode((value_nodes, broken), s.SEND_REQUEST)
    assert caught.value.path == "messages[].role"
    # A field is renamed.
    config = t_nodes[0][1][1][1]
    fields = list(t_nodes[config][1])
    fields[2] = ("max_tokens", fields[2][1])
    broken = _replace(t_nodes, config, ("record-type", tuple(fields)))
    with pytest.raises(CodecError, match="max_tokens") as caught:
        decode((value_nodes, broken), s.SEND_REQUEST)
    assert caught.value.path == "config"
    # A primitive changes width.
    u32 = next(i for i, n in enumerate(t_nodes) if n[0] == "prim-u32-type")
    broken = _replace(t_nodes, u32, ("prim-u64-type", None))
    with pytest.raises(CodecError, match="prim-u64-type"):
        decode((value_nodes, broken), s.SEND_REQUEST)


def _renumber(nodes, order, kind):
    """The same node list with node `old` moved to `order.index(old)` (root stays 0)."""
    new = {old: i for i, old in enumerate(order)}

    def idx(i):
        return None if i is None else new[i]

    out = [None] * len(nodes)
    for old, (case, payload) in enumerate(nodes):
        if kind == "type":
            if case in ("record-type", "variant-type"):
                payload = tuple((name, idx(i)) for name, i in payload)
            elif case in ("list-type", "option-type"):
                payload = new[payload]
            elif case == "tuple-type":
                payload = tuple(new[i] for i in payload)
            elif case == "result-type":
                payload = (idx(payload[0]), idx(payload[1]))
        else:
            if case in ("record-value", "list-value", "tuple-value"):
                payload = [new[i] for i in payload]  # lists, as a binding might hand them
            elif case == "variant-value":
                payload = (payload[0], idx(payload[1]))
            elif case == "option-value":
                payload = idx(payload)
            elif case == "result-value":
                payload = (payload[0], idx(payload[1]))
        out[new[old]] = [case, payload]
    return out


def test_decode_accepts_another_node_numbering():
    """Golem re-encodes stored payloads with its own builder: only the structure counts."""
    value_nodes, t_nodes = llm_codec.send_request(MESSAGES, CONFIG)
    t_order = [0] + list(range(len(t_nodes) - 1, 0, -1))
    v_order = [0] + list(range(len(value_nodes) - 1, 0, -1))
    vt = (_renumber(value_nodes, v_order, "value"), _renumber(t_nodes, t_order, "type"))
    assert llm_codec.decode_send_request(vt) == (MESSAGES, CONFIG)
    check(*vt)
    assert render(*vt) == render(value_nodes, t_nodes)


def test_decode_accepts_shared_type_nodes():
    """A host that shares identical type subtrees (a DAG) describes the same type."""
    t_nodes = list(type_nodes(s.TOOL_RESULT))
    # Point tool-failure's `id` at tool-success's `id` string node.
    success_id = t_nodes[t_nodes[0][1][0][1]][1][0][1]
    failure = t_nodes[0][1][1][1]
    fields = list(t_nodes[failure][1])
    fields[0] = ("id", success_id)
    t_nodes[failure] = ("record-type", tuple(fields))
    value_nodes = encode(FAILURE, s.TOOL_RESULT)
    assert decode((value_nodes, t_nodes), s.TOOL_RESULT) == FAILURE


# ----------------------------------------------------------------------------- malformed values


def _message_vt():
    return value_and_type(v.Message(v.Role.USER, (v.Text("hi"),)), s.MESSAGE)


@pytest.mark.parametrize("index,node,expect", [
    (0, ("record-value", (1, 2, 9)), "out of range"),          # bad index
    (0, ("record-value", (1, 2, -1)), "out of range"),
    (0, ("record-value", (1, 2)), "fields"),                   # arity
    (3, ("list-value", (0,)), "referenced twice"),             # cycle back to the root
    (3, ("list-value", (4, 4)), "referenced twice"),           # shared node
    (3, ("list-value", ()), "not reachable"),                  # orphans 4 and 5
    (1, ("enum-value", 4), "out of range"),
    (1, ("enum-value", -1), "out of range"),
    (1, ("prim-u32", 0), "its type needs enum-value"),               # wrong case
    (4, ("variant-value", (2, 5)), "out of range"),
    (4, ("variant-value", (0, None)), "presence"),
    (4, ("variant-value", (0,)), r"not \(case, child\)"),
    (5, ("prim-string", b"hi"), "str"),
    (5, ("prim-string", "\udc00"), "surrogate"),
    (5, "prim-string", r"not a \(case, payload\) pair"),
    (2, ("option-value", "1"), "out of range"),
    (2, ("option-value", True), "out of range"),
])
def test_decode_rejects_malformed_value_nodes(index, node, expect):
    value_nodes, t_nodes = _message_vt()
    broken = _replace(value_nodes, index, node)
    with pytest.raises(CodecError, match=expect):
        decode((broken, t_nodes), s.MESSAGE)
    with pytest.raises(CodecError):
        check(broken, t_nodes)


def test_decode_error_carries_the_path():
    value_nodes, t_nodes = llm_codec.send_request(MESSAGES, CONFIG)
    # Corrupt the mime-type string of messages[1].content[1] (the inline image).
    target = next(i for i, n in enumerate(value_nodes) if n == ("prim-string", "image/png"))
    broken = _replace(value_nodes, target, ("prim-u32", 3))
    for run in (lambda: llm_codec.decode_send_request((broken, t_nodes)),
                lambda: check(broken, t_nodes)):
        with pytest.raises(CodecError) as caught:
            run()
        assert caught.value.path == "messages[1].content[1].image.inline.mime-type"


@pytest.mark.parametrize("vt", [
    None, 7, (), ((), s.MESSAGE), ("abc", type_nodes(s.MESSAGE)), ([], type_nodes(s.MESSAGE)),
    (((),), type_nodes(s.MESSAGE)), ([None], type_nodes(s.MESSAGE)),
    (_message_vt()[0], None), (_message_vt()[0], ()), (_message_vt()[0], [("list-type", 0)]),
    (_message_vt()[0], [("record-type", (("role", 99),))]),
    (_message_vt()[0], [("record-type", "xyz")]),
])
def test_decode_rejects_garbage(vt):
    with pytest.raises(CodecError):
        decode(vt, s.MESSAGE)


def test_decode_rejects_bad_bytes():
    value_nodes, t_nodes = value_and_type(v.ImageSource(b"ab", "x"), s.IMAGE_SOURCE)
    for bad in (("prim-u8", 256), ("prim-u8", True), ("prim-u16", 1)):
        broken = _replace(value_nodes, 3, bad)
        with pytest.raises(CodecError) as caught:
            decode((broken, t_nodes), s.IMAGE_SOURCE)
        assert caught.value.path == "data[1]"
        with pytest.raises(CodecError) as caught:
            check(broken, t_nodes)
        assert caught.value.path == "data[1]"
    # Non-contiguous but valid byte nodes still decode (slow path).
    nodes = [("record-value", (1, 4, 5)), ("list-value", (3, 2)), ("prim-u8", 98),
             ("prim-u8", 97), ("prim-string", "x"), ("option-value", None)]
    assert decode((nodes, t_nodes), s.IMAGE_SOURCE) == v.ImageSource(b"ab", "x")
    check(nodes, t_nodes)


# ----------------------------------------------------------------------------- check


def test_check_rejects_broken_type_nodes():
    value_nodes, t_nodes = _message_vt()
    cases = [
        (_replace(t_nodes, 2, ("option-type", 0)), "cycle"),
        (_replace(t_nodes, 2, ("option-type", 2)), "cycle"),
        (_replace(t_nodes, 2, ("option-type", 99)), "out of range"),
        (_replace(t_nodes, 1, ("enum-type", ())), "at least one"),
        (_replace(t_nodes, 1, ("enum-type", ("a", "a"))), "distinct"),
        (_replace(t_nodes, 1, ("bogus-type", None)), "unknown case"),
        (_replace(t_nodes, 0, ("record-type", (("role", 1), ("role", 2), ("content", 4)))),
         "duplicate"),
        (t_nodes + (("prim-u8-type", None),), "not reachable"),
        ((), "non-empty"),
        (None, "non-empty"),
    ]
    for broken, expect in cases:
        with pytest.raises(CodecError, match=expect):
            check(value_nodes, broken)


def test_check_survives_deep_and_cyclic_input():
    deep_types = [("option-type", i + 1) for i in range(5000)] + [("prim-bool-type", None)]
    deep_values = [("option-value", i + 1) for i in range(5000)] + [("prim-bool", True)]
    with pytest.raises(CodecError, match="deeper"):
        check(deep_values, deep_types)
    ok_types = [("option-type", i + 1) for i in range(MAX_DEPTH - 1)] + [("prim-bool-type", None)]
    ok_values = [("option-value", i + 1) for i in range(MAX_DEPTH - 1)] + [("prim-bool", True)]
    check(ok_values, ok_types)
    # A value that loops through a list of lists.
    types = [("list-type", 1), ("list-type", 2), ("prim-u8-type", None)]
    with pytest.raises(CodecError, match="twice"):
        check([("list-value", (1,)), ("list-value", (0,))], types)


@pytest.mark.parametrize("t_node,good,bad", [
    (("prim-u8-type", None), ("prim-u8", 255), ("prim-u8", 256)),
    (("prim-u16-type", None), ("prim-u16", 0), ("prim-u16", -1)),
    (("prim-u32-type", None), ("prim-u32", 2**32 - 1), ("prim-u32", 2**32)),
    (("prim-u64-type", None), ("prim-u64", 2**64 - 1), ("prim-u64", 2**64)),
    (("prim-s8-type", None), ("prim-s8", -128), ("prim-s8", 128)),
    (("prim-s16-type", None), ("prim-s16", -(2**15)), ("prim-s16", 2**15)),
    (("prim-s32-type", None), ("prim-s32", 2**31 - 1), ("prim-s32", -(2**31) - 1)),
    (("prim-s64-type", None), ("prim-s64", -(2**63)), ("prim-s64", 2**63)),
    (("prim-f32-type", None), ("prim-float32", 1.5), ("prim-float32", "1.5")),
    (("prim-f64-type", None), ("prim-float64", math.inf), ("prim-float64", 1)),
    (("prim-char-type", None), ("prim-char", "🐸"), ("prim-char", "\ud800")),
    (("prim-char-type", None), ("prim-char", "a"), ("prim-char", "ab")),
    (("prim-bool-type", None), ("prim-bool", False), ("prim-bool", 0)),
    (("prim-string-type", None), ("prim-string", ""), ("prim-string", "a\udfffb")),
    (("prim-string-type", None), ("prim-string", "x"), ("prim-s32", 1)),
    (("handle-type", (3, "owned")), ("handle", ("urn:x", 7)), ("handle", ("urn:x", -7))),
    (("flags-type", ("a", "b")), ("flags-value", (True, False)), ("flags-value", (True,))),
    (("tuple-type", ()), ("tuple-value", ()), ("tuple-value", (0,))),
])
def test_check_primitive_ranges(t_node, good, bad):
    check([good], [t_node])
    with pytest.raises(CodecError):
        check([bad], [t_node])


def test_check_results_and_variants_without_payloads():
    types = [("result-type", (None, 1)), ("prim-string-type", None)]
    check([("result-value", ("ok", None))], types)
    check([("result-value", ("err", 1)), ("prim-string", "e")], types)
    with pytest.raises(CodecError, match="presence"):
        check([("result-value", ("ok", 1)), ("prim-string", "e")], types)
    with pytest.raises(CodecError):
        check([("result-value", ("maybe", None))], types)
    variant = [("variant-type", (("a", None), ("b", 1))), ("prim-bool-type", None)]
    check([("variant-value", (0, None))], variant)
    with pytest.raises(CodecError, match="out of range"):
        check([("variant-value", (2, None))], variant)
    assert render([("handle", ("urn:w", 1))], [("handle-type", (1, "borrowed"))]) == {
        "handle": "urn:w", "resource-id": 1}


def test_decode_value_reads_nodes_without_a_stored_type():
    assert decode_value(encode(CALL, s.TOOL_CALL), s.TOOL_CALL) == CALL
    with pytest.raises(CodecError, match="empty"):
        decode_value((), s.TOOL_CALL)
