"""Property tests of the value-and-type codec over every golem:llm type.

Round trips (decode(encode(x)) == x), every encoding passes the generic `check`, `render`
never fails and is strict JSON, and corrupted node lists fail only as CodecError, with
decode and check agreeing on what is valid.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from durability import llm_codec
from durability import llm_schema as s
from durability.codec import decode, value_and_type
from durability.codec_error import CodecError
from runtime.golem.wit_check import check, render
from fuzz import llm_values as lv
from normalizer import values as v

STRATEGIES = {
    "role": st.sampled_from(list(v.Role)),
    "error-code": st.sampled_from(list(v.ErrorCode)),
    "finish-reason": st.sampled_from(list(v.FinishReason)),
    "image-detail": st.sampled_from(list(v.ImageDetail)),
    "image-url": lv.image_refs.filter(lambda r: isinstance(r, v.ImageUrl)),
    "image-source": lv.image_refs.filter(lambda r: isinstance(r, v.ImageSource)),
    "image-reference": lv.image_refs,
    "content-part": lv.content_parts,
    "message": lv.messages,
    "tool-definition": lv.tools,
    "tool-call": lv.tool_calls,
    "tool-success": lv.tool_results.filter(lambda r: isinstance(r, v.ToolSuccess)),
    "tool-failure": lv.tool_results.filter(lambda r: isinstance(r, v.ToolFailure)),
    "tool-result": lv.tool_results,
    "kv": lv.kvs,
    "config": lv.configs,
    "usage": lv.usages,
    "response-metadata": lv.response_metadata,
    "complete-response": lv.complete_responses,
    "error": lv.llm_errors,
    "chat-event": lv.chat_events,
    "stream-delta": lv.stream_deltas,
    "stream-event": lv.stream_events,
}

any_typed_value = st.sampled_from(sorted(STRATEGIES)).flatmap(
    lambda name: st.tuples(st.just(name), STRATEGIES[name]))

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def test_every_golem_llm_type_has_a_strategy():
    assert set(STRATEGIES) == set(s.ALL_TYPES)


def _round_trip(value, t):
    vt = value_and_type(value, t)
    assert decode(vt, t) == value
    check(*vt)
    json.dumps(render(*vt), allow_nan=False)
    return vt


@FAST
@given(any_typed_value)
def test_every_type_round_trips(named):
    name, value = named
    _round_trip(value, s.ALL_TYPES[name])


@FAST
@given(st.lists(lv.messages, max_size=4), lv.configs)
def test_send_and_stream_requests_round_trip(messages, config):
    vt = llm_codec.send_request(messages, config)
    assert llm_codec.decode_send_request(vt) == (tuple(messages), config)
    check(*vt)
    json.dumps(render(*vt), allow_nan=False)


@FAST
@given(st.lists(lv.messages, max_size=3), lv.tool_pairs, lv.configs)
def test_continue_requests_round_trip(messages, pairs, config):
    vt = llm_codec.continue_request(messages, pairs, config)
    assert llm_codec.decode_continue_request(vt) == (tuple(messages), tuple(pairs), config)
    check(*vt)


@FAST
@given(lv.chat_events)
def test_chat_events_round_trip(event):
    vt = llm_codec.chat_event(event)
    assert llm_codec.decode_chat_event(vt) == event
    check(*vt)


@FAST
@given(lv.get_next_batches)
def test_get_next_batches_round_trip(batch):
    vt = llm_codec.get_next_response(batch)
    assert llm_codec.decode_get_next_response(vt) == batch
    check(*vt)
    json.dumps(render(*vt), allow_nan=False)


# ----------------------------------------------------------------------------- corruption


def _children(node):
    """(position-path, index) pairs of the node indices inside one value node."""
    case, payload = node
    if case in ("record-value", "list-value", "tuple-value"):
        return [((k,), i) for k, i in enumerate(payload)]
    if case in ("variant-value", "result-value") and payload[1] is not None:
        return [((1,), payload[1])]
    if case == "option-value" and payload is not None:
        return [((), payload)]
    return []


def _set_child(node, where, new):
    case, payload = node
    if where == ():
        return (case, new)
    if case in ("variant-value", "result-value"):
        return (case, (payload[0], new))
    items = list(payload)
    items[where[0]] = new
    return (case, tuple(items))


@st.composite
def corrupted(draw):
    """A valid golem:llm payload with one corruption applied."""
    name, value = draw(any_typed_value)
    t = s.ALL_TYPES[name]
    nodes, t_nodes = value_and_type(value, t)
    nodes = list(nodes)
    kind = draw(st.sampled_from(["index", "case", "swap", "drop", "dup", "payload"]))
    i = draw(st.integers(0, len(nodes) - 1))
    if kind == "index" and _children(nodes[i]):
        where, _ = draw(st.sampled_from(_children(nodes[i])))
        nodes[i] = _set_child(nodes[i], where, draw(st.integers(-2, len(nodes) + 2)))
    elif kind == "case":
        nodes[i] = (draw(st.sampled_from(["record-value", "list-value", "option-value",
                                          "enum-value", "variant-value", "prim-u8",
                                          "prim-string", "prim-u32"])), nodes[i][1])
    elif kind == "swap":
        j = draw(st.integers(0, len(nodes) - 1))
        nodes[i], nodes[j] = nodes[j], nodes[i]
    elif kind == "drop" and len(nodes) > 1:
        nodes.pop()
    elif kind == "dup":
        nodes[i] = nodes[draw(st.integers(0, len(nodes) - 1))]
    else:
        nodes[i] = (nodes[i][0], draw(st.none() | st.integers(-1, 2**33) | st.text(max_size=2)
                                      | st.tuples(st.integers(-1, 5), st.none() | st.integers(-1, 5))))
    return t, nodes, t_nodes


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(corrupted())
def test_corrupted_values_fail_only_as_codec_errors_and_decode_agrees_with_check(case):
    t, nodes, t_nodes = case
    try:
        decode((nodes, t_nodes), t)
        decoded = True
    except CodecError:
        decoded = False
    try:
        check(nodes, t_nodes)
        checked = True
    except CodecError:
        checked = False
    assert decoded == checked
    if checked:
        json.dumps(render(nodes, t_nodes), allow_nan=False)


@st.composite
def corrupted_types(draw):
    name, value = draw(any_typed_value)
    t = s.ALL_TYPES[name]
    nodes, t_nodes = value_and_type(value, t)
    t_nodes = list(t_nodes)
    i = draw(st.integers(0, len(t_nodes) - 1))
    case, payload = t_nodes[i]
    kind = draw(st.sampled_from(["index", "case", "names", "dup"]))
    if kind == "index" and case in ("list-type", "option-type"):
        t_nodes[i] = (case, draw(st.integers(-1, len(t_nodes) + 1)))
    elif kind == "index" and case in ("record-type", "variant-type") and payload:
        k = draw(st.integers(0, len(payload) - 1))
        items = list(payload)
        items[k] = (items[k][0], draw(st.none() | st.integers(-1, len(t_nodes) + 1)))
        t_nodes[i] = (case, tuple(items))
    elif kind == "case":
        t_nodes[i] = (draw(st.sampled_from(["record-type", "list-type", "option-type",
                                            "enum-type", "prim-u8-type", "tuple-type"])),
                      payload)
    elif kind == "names" and case in ("enum-type", "record-type", "variant-type") and payload:
        t_nodes[i] = (case, tuple(reversed(payload)))
    else:
        t_nodes[i] = t_nodes[draw(st.integers(0, len(t_nodes) - 1))]
    return t, nodes, t_nodes


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(corrupted_types())
def test_corrupted_types_fail_only_as_codec_errors(case):
    t, nodes, t_nodes = case
    for run in (lambda: decode((nodes, t_nodes), t), lambda: check(nodes, t_nodes),
                lambda: render(nodes, t_nodes)):
        try:
            run()
        except CodecError:
            pass
