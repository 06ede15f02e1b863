"""Llama 3.1 decode: text, every tool-call form, argument conversion, truncated and broken
output.  Model outputs are Meta's documented response examples where there is one."""

from __future__ import annotations

import pytest

from formats.errors import ErrorCode, FormatError
from formats.llama31 import decode
from formats.values import CallToolParams, Message, Role, Text


def call(name: str, **arguments: str) -> CallToolParams:
    return CallToolParams(name, tuple(arguments.items()))


def answer(*content, final: bool = False, role: Role = Role.ASSISTANT) -> Message:
    return Message(role, tuple(content), final)


def failure(raw: bytes) -> FormatError:
    with pytest.raises(FormatError) as caught:
        decode(raw)
    return caught.value


# --- text ---------------------------------------------------------------------------------

def test_text_ending_the_turn_is_final():
    assert decode(b'Here\'s my response\n\n"What is a helpful assistant?"<|eot_id|>') == \
        answer(Text('Here\'s my response\n\n"What is a helpful assistant?"'), final=True)


def test_text_without_an_end_token_is_returned_but_not_final():
    assert decode(b"Hello, world!") == answer(Text("Hello, world!"))
    assert decode(b"42") == answer(Text("42"))  # no sentence heuristics: short text is text


def test_text_is_trimmed_and_what_follows_the_end_token_is_ignored():
    raw = b"  The 100th decimal of pi is 7.\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nmore"
    assert decode(raw) == answer(Text("The 100th decimal of pi is 7."), final=True)


def test_end_of_text_ends_the_turn_and_eom_does_not():
    assert decode(b"Done.<|end_of_text|>").final is True
    assert decode(b"Checking.<|eom_id|>") == answer(Text("Checking."))


def test_leading_begin_of_text_and_header_are_skipped():
    raw = b"<|begin_of_text|><|start_header_id|>assistant<|end_header_id|>\n\nHi there!<|eot_id|>"
    assert decode(raw) == answer(Text("Hi there!"), final=True)


def test_a_header_gives_the_role():
    raw = b"<|start_header_id|>ipython<|end_header_id|>\n\n{\"ok\": true}<|eot_id|>"
    assert decode(raw) == answer(Text('{"ok": true}'), final=True, role=Role.TOOL)


def test_json_that_is_not_a_call_is_text():
    assert decode(b'{"name": "Bob", "age": 3}<|eot_id|>') == \
        answer(Text('{"name": "Bob", "age": 3}'), final=True)
    assert decode(b"{ is a brace<|eot_id|>") == answer(Text("{ is a brace"), final=True)


def test_end_token_alone_is_an_empty_answer():
    assert decode(b"<|eot_id|>") == answer(Text(""), final=True)


# --- JSON calls ---------------------------------------------------------------------------

def test_metas_json_tool_call_response():
    raw = (b'<|python_tag|>{\n    "type": "function",\n    "name": "trending_songs",\n'
           b'    "parameters": {\n        "n": "10",\n        "genre": "all"\n    }\n}<|eom_id|>')
    assert decode(raw) == answer(call("trending_songs", n="10", genre="all"))


@pytest.mark.parametrize("raw", [
    b'<|python_tag|>{"type": "function", "name": "get_weather", "parameters": {"city": "Paris"}}<|eom_id|>',
    b'<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}<|eom_id|>',
    b'{"type": "function", "name": "get_weather", "parameters": {"city": "Paris"}}<|eom_id|>',
    b'{"name": "get_weather", "parameters": {"city": "Paris"}}',
    b'{"name": "get_weather", "arguments": {"city": "Paris"}}<|eot_id|>',
    b'<|python_tag|>{"name": "get_weather", "parameters": "{\\"city\\": \\"Paris\\"}"}<|eom_id|>',
    b'<|python_tag|>[{"name": "get_weather", "parameters": {"city": "Paris"}}]<|eom_id|>',
    b'<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}',
])
def test_json_calls_with_or_without_type_tag_and_end_token(raw):
    assert decode(raw).content == (call("get_weather", city="Paris"),)


def test_a_call_is_never_final():
    assert decode(b'{"name": "f", "parameters": {}}<|eot_id|>') == answer(call("f"))


def test_several_json_calls():
    raw = b'<|python_tag|>{"name": "a", "parameters": {}}; {"name": "b", "parameters": {"x": 1}}<|eom_id|>'
    assert decode(raw).content == (call("a"), call("b", x="1"))


def test_text_before_the_python_tag_is_kept():
    raw = b'Let me look.<|python_tag|>{"name": "f", "parameters": {}}<|eom_id|>'
    assert decode(raw).content == (Text("Let me look."), call("f"))


def test_argument_values_become_strings_without_losing_nested_json():
    raw = (b'<|python_tag|>{"name": "f", "parameters": {"s": "x", "n": 10, "pi": 3.5, '
           b'"yes": true, "nothing": null, "place": {"city": "Paris", "zip": [75001]}, '
           b'"list": ["a", {"b": 1}], "text": "{\\"kept\\": \\"as is\\"}", "u": "\xc3\xa9t\xc3\xa9"}}<|eom_id|>')
    assert decode(raw).content == (CallToolParams("f", (
        ("s", "x"), ("n", "10"), ("pi", "3.5"), ("yes", "true"), ("nothing", "null"),
        ("place", '{"city":"Paris","zip":[75001]}'), ("list", '["a",{"b":1}]'),
        ("text", '{"kept": "as is"}'), ("u", "été"))),)


# --- <function=…> calls -------------------------------------------------------------------

def test_metas_function_tag_response():
    raw = b'<function=trending_songs>{"n": 10}</function><|eot_id|>'
    assert decode(raw) == answer(call("trending_songs", n="10"))


def test_hayrides_own_decode_cases():
    assert decode(b"Hello, world!") == answer(Text("Hello, world!"))
    raw = b'<function=example_function_name>{"example_name": "example_value"}</function>'
    assert decode(raw) == answer(call("example_function_name", example_name="example_value"))


@pytest.mark.parametrize("raw, expected", [
    (b'<function=f>{"a": "1"}</function><function=g>{}</function>', (call("f", a="1"), call("g"))),
    (b'I will check. <function=f>{"a": "1"}</function>', (Text("I will check."), call("f", a="1"))),
    (b'<function=f></function>', (call("f"),)),
    (b'<function=f>{"a": "1"}<|eot_id|>', (call("f", a="1"),)),  # close tag missing, turn ended
    (b'<|python_tag|><function=f>{"a": "1"}</function><|eom_id|>', (call("f", a="1"),)),
])
def test_function_tag_variants(raw, expected):
    assert decode(raw).content == expected


# --- built-in tool forms --------------------------------------------------------------------

def test_builtin_tool_call():
    raw = b'<|python_tag|>brave_search.call(query="latest price of 1oz gold")<|eom_id|>'
    assert decode(raw) == answer(call("brave_search", query="latest price of 1oz gold"))


def test_code_after_the_python_tag_is_a_code_interpreter_call():
    code = "def is_prime(n):\n    return n > 1\n\nprint(is_prime(7))"
    raw = b"<|python_tag|>" + code.encode() + b"<|eom_id|>"
    assert decode(raw) == answer(call("code_interpreter", code=code))


# --- unfinished output: partial-decode ----------------------------------------------------

@pytest.mark.parametrize("raw", [
    b"",
    b"   \n",
    b"<|python_tag|>",
    b'<|python_tag|>{"type": "function", "name": "trending_songs", "parameters": {"n": "1',
    b'{"name": "f", "parameters": {"a": "b',
    b"<function=trending",
    b'<function=trending_songs>{"n": ',
    b'<function=trending_songs>{"n": 10}',
    b'<function=trending_songs>{"n": 10}</func',
    b'Let me check <function=f>{"a": "1"}</function><func',
    b"Let me check <fu",
    b"<|python_tag|>brave_search.call(query=\"gold",
    b"<|python_tag|>print(1)",
    b"The answer is 7.<|eo",
    b"<|start_header_id|>assistant<|end_he",
    "caf\u00e9".encode()[:-1],
])
def test_output_that_stops_inside_something_is_partial(raw):
    assert failure(raw).code is ErrorCode.PARTIAL_DECODE


# --- broken output: context-decode --------------------------------------------------------

@pytest.mark.parametrize("raw, says", [
    (b'<|python_tag|>{"name": "f", "parameters": {"a": 1}<|eom_id|>', "cut off"),
    (b'<function=f>{"a": <|eot_id|>', "cut off"),
    (b'<|python_tag|>{"name": "f", "parameters": {"a": }}<|eom_id|>', "not valid JSON"),
    (b'<|python_tag|>{"answer": 42}<|eom_id|>', "not a function call"),
    (b'<|python_tag|><|eom_id|>', "not followed by a tool call"),
    (b'<|python_tag|>{"name": "f", "parameters": [1, 2]}<|eom_id|>', "must be a JSON object"),
    (b"<function=f>not json</function><|eot_id|>", "must hold a JSON object"),
    (b"<function=>{}</function>", "no function name"),
    (b"<|start_header_id|>robot<|end_header_id|>\n\nhi", "unknown role"),
    (b"ok\xff\xfe then", "not UTF-8"),
    (b'{"name": "f", "parameters": {"a": ' + b"[" * 200 + b"]" * 200 + b"}}", "nested deeper"),
])
def test_broken_output_is_a_context_decode_error(raw, says):
    error = failure(raw)
    assert error.code is ErrorCode.CONTEXT_DECODE
    assert says in error.message
