"""Llama 3.1 format properties (hypothesis):

- a tool call survives the trip through the model's raw output: decode(what the model writes
  for a call, in each form it writes it) gives back the same name and arguments;
- output cut off anywhere on the way to a call is `partial-decode`, never an error;
- encode never fails on well-formed messages, and decode never raises anything but a
  FormatError, whatever bytes it is given.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats.errors import ErrorCode, FormatError
from formats.llama31 import decode, encode
from formats.llama31.arguments import json_text
from formats.values import (Blob, CallToolParams, CallToolResult, Empty, ImageContent, Message,
                            ResourceLinkContent, Role, Text, TextContent, Tool, Tools,
                            ToolSchema)

ASSISTANT_HEADER = "<|start_header_id|>assistant<|end_header_id|>\n\n"

# Text that can reach the model as text: no lone surrogates (WIT strings are Unicode scalar
# values) and no special-token syntax, which the model's tokenizer would read as tokens.
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30).filter(
    lambda s: "<|" not in s)
identifier = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,20}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8)
# Argument values: any string, plus the JSON text that decode writes for nested values.
argument_value = text | json_values.map(json_text)


@st.composite
def tool_calls(draw, names=text.filter(lambda s: s.strip() != "")):
    keys = draw(st.lists(text, unique=True, max_size=5))
    return CallToolParams(draw(names), tuple((key, draw(argument_value)) for key in keys))


def model_output(call: CallToolParams) -> str:
    """What the model writes for a past call: the assistant turn encode renders for it."""
    prompt = encode([Message(Role.USER, (Text("go"),)),
                     Message(Role.ASSISTANT, (call,))]).decode()
    return prompt[prompt.rindex(ASSISTANT_HEADER) + len(ASSISTANT_HEADER):]


@given(tool_calls())
def test_a_call_survives_the_models_json_output(call):
    raw = model_output(call)
    assert raw.startswith("<|python_tag|>") and raw.endswith("<|eom_id|>")
    assert decode(raw.encode()).content == (call,)


@given(tool_calls())
def test_a_call_survives_without_python_tag_or_end_token(call):
    raw = model_output(call).removeprefix("<|python_tag|>").removesuffix("<|eom_id|>")
    assert decode(raw.encode()).content == (call,)


@given(tool_calls(names=identifier))
def test_a_call_survives_the_function_tag_form(call):
    arguments = json.loads(model_output(call)[len("<|python_tag|>"):-len("<|eom_id|>")])["parameters"]
    raw = f"<function={call.name}>{json.dumps(arguments, ensure_ascii=False)}</function><|eot_id|>"
    assert decode(raw.encode()).content == (call,)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(tool_calls(), st.booleans())
def test_output_cut_short_on_the_way_to_a_call_is_partial(call, function_tag):
    if function_tag:
        arguments = json.loads(model_output(call)[len("<|python_tag|>"):-len("<|eom_id|>")])
        name = "".join(c for c in call.name if c.isalnum()) or "f"
        raw = f"<function={name}>{json.dumps(arguments['parameters'])}</function><|eot_id|>".encode()
    else:
        raw = model_output(call).encode()
    for end in range(len(raw)):
        try:
            message = decode(raw[:end])
        except FormatError as error:
            assert error.code is ErrorCode.PARTIAL_DECODE, (raw[:end], error)
        else:
            # A prefix that decodes is plain text or a call already complete.
            assert all(isinstance(part, (Text, CallToolParams)) for part in message.content)


tools = st.builds(Tool, name=identifier, description=text, input_schema=st.builds(
    ToolSchema, properties=st.lists(st.tuples(identifier, json_values.map(json.dumps) | text),
                                    max_size=3).map(tuple),
    required=st.lists(identifier, max_size=2).map(tuple)))
tool_results = st.builds(CallToolResult, content=st.lists(
    st.builds(TextContent, text) | st.builds(ImageContent, st.binary(max_size=8), text)
    | st.builds(ResourceLinkContent, text) | st.just(Empty()), max_size=3).map(tuple),
    structured_content=st.lists(st.tuples(text, argument_value), max_size=2).map(tuple))
common_parts = (text.map(Text) | text.map(lambda s: Blob(s.encode())) | st.just(Empty())
                | st.lists(tools, max_size=2).map(lambda ts: Tools(tuple(ts))))
parts_by_role = {
    Role.SYSTEM: common_parts,
    Role.USER: common_parts,
    Role.ASSISTANT: common_parts | tool_calls(),
    Role.TOOL: common_parts | tool_results,
}


@st.composite
def messages(draw):
    role = draw(st.sampled_from(sorted(parts_by_role, key=lambda r: r.value)))
    return Message(role, tuple(draw(st.lists(parts_by_role[role], max_size=4))),
                   draw(st.booleans()))


@given(st.lists(messages(), max_size=6))
def test_encode_never_fails_on_well_formed_messages(history):
    prompt = encode(history).decode("utf-8")
    assert prompt.startswith("<|begin_of_text|>")
    if not history or history[-1].role is not Role.ASSISTANT:
        assert prompt.endswith(ASSISTANT_HEADER)


fragments = st.sampled_from([
    "<|python_tag|>", "<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "<|start_header_id|>",
    "assistant", "ipython", "<|end_header_id|>", "<function=", "f>", "</function>", "{", "}",
    "[", "]", '"name": "f"', '"parameters": ', ", ", ":", '"', "\\", ".call(", ")", "\n",
    "x", "é", "{\"a\": [1, {\"b\": null}]}"])


@settings(max_examples=300)
@given(st.lists(fragments, max_size=12).map("".join).map(str.encode) | st.binary(max_size=64))
def test_decode_answers_or_fails_cleanly_on_any_bytes(raw):
    try:
        message = decode(raw)
    except FormatError as error:
        assert error.code in (ErrorCode.PARTIAL_DECODE, ErrorCode.CONTEXT_DECODE)
        assert error.message
    else:
        assert message.content
