"""Llama 3.1 encode: byte-exact prompts for every turn type and a full tool round trip.

The expected prompts are written by hand from the examples in Meta's Llama 3.1 prompt format
(`<|begin_of_text|>`, a blank line after each header, `Environment: ipython` and the tool
definitions in a user turn when there are tools, `<|eom_id|>` after a tool call), not from
the encoder's output.
"""

from __future__ import annotations

import json

import pytest

from formats.errors import ErrorCode, FormatError
from formats.llama31 import encode
from formats.values import (AudioContent, Blob, BlobResourceContents, CallToolParams,
                            CallToolResult, EmbeddedResourceContent, Empty, ImageContent,
                            Message, ResourceLinkContent, Role, Text, TextContent,
                            TextResourceContents, Tool, Tools, ToolSchema)

BOS = "<|begin_of_text|>"


def head(role: str) -> str:
    return f"<|start_header_id|>{role}<|end_header_id|>\n\n"


def system(*parts) -> Message:
    return Message(Role.SYSTEM, tuple(Text(p) if isinstance(p, str) else p for p in parts))


def user(*parts) -> Message:
    return Message(Role.USER, tuple(Text(p) if isinstance(p, str) else p for p in parts))


def assistant(*parts) -> Message:
    return Message(Role.ASSISTANT, tuple(Text(p) if isinstance(p, str) else p for p in parts))


def tool(*parts) -> Message:
    return Message(Role.TOOL, tuple(parts))


def prompt(messages) -> str:
    return encode(messages).decode("utf-8")


TRENDING_SONGS = Tool(
    name="trending_songs",
    description="Returns the trending songs on a Music site",
    input_schema=ToolSchema("object", (
        ("n", '{"type": "integer", "description": "The number of songs to return"}'),
        ("genre", '{"type": "string", "description": "The genre of the songs to return"}'),
    ), ("n",)),
)

# Meta's JSON-based tool calling example, with `properties` as the JSON Schema object.
TRENDING_SONGS_DEFINITION = """\
{
    "type": "function",
    "function": {
        "name": "trending_songs",
        "description": "Returns the trending songs on a Music site",
        "parameters": {
            "type": "object",
            "properties": {
                "n": {
                    "type": "integer",
                    "description": "The number of songs to return"
                },
                "genre": {
                    "type": "string",
                    "description": "The genre of the songs to return"
                }
            },
            "required": ["n"]
        }
    }
}"""

TOOL_INSTRUCTIONS = (
    "Answer the user's question by making use of the following functions if needed.\n"
    "If none of the function can be used, please say so.\n"
    "Here is a list of functions in JSON format:\n"
    + TRENDING_SONGS_DEFINITION
    + "\n\nReturn function calls in JSON format."
)

META_SYSTEM_TEXT = ("Cutting Knowledge Date: December 2023\nToday Date: 21 September 2024\n\n"
                    "You are a helpful assistant.\n")


# --- each turn type ---------------------------------------------------------------------------

def test_system_and_user_turns_match_metas_conversation_example():
    messages = [system("You are a helpful assistant"),
                user("Answer who are you in the form of jeopardy?")]
    assert encode(messages) == (
        b"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
        b"You are a helpful assistant<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
        b"Answer who are you in the form of jeopardy?<|eot_id|>"
        b"<|start_header_id|>assistant<|end_header_id|>\n\n")


def test_past_assistant_answer_ends_with_eot_and_no_open_header():
    messages = [user("Answer who are you in the form of jeopardy?"),
                assistant("Here's my response\n\n\"What is a helpful assistant?\"")]
    assert prompt(messages) == (
        BOS + head("user") + "Answer who are you in the form of jeopardy?<|eot_id|>"
        + head("assistant") + "Here's my response\n\n\"What is a helpful assistant?\"<|eot_id|>")


def test_open_assistant_header_follows_any_other_last_turn():
    for last in (user("hi"), system("be brief"),
                 tool(CallToolResult((TextContent("42"),)))):
        assert prompt([last]).endswith("<|eot_id|>" + head("assistant"))


def test_empty_history_is_just_the_open_assistant_header():
    assert prompt([]) == BOS + head("assistant")


def test_tool_result_is_an_ipython_turn():
    result = CallToolResult((TextContent('{"queryresult": {"success": true, "plaintext": "7"}}'),))
    messages = [user("What is the 100th decimal of pi?"), tool(result)]
    assert prompt(messages) == (
        BOS + head("user") + "What is the 100th decimal of pi?<|eot_id|>"
        + head("ipython") + '{"queryresult": {"success": true, "plaintext": "7"}}<|eot_id|>'
        + head("assistant"))


def test_past_tool_call_is_python_tag_json_and_eom():
    call = CallToolParams("trending_songs", (("n", "10"), ("genre", "all")))
    messages = [user("Use tools to get latest trending songs"), assistant(call)]
    assert prompt(messages) == (
        BOS + head("user") + "Use tools to get latest trending songs<|eot_id|>"
        + head("assistant")
        + '<|python_tag|>{"type": "function", "name": "trending_songs", '
          '"parameters": {"n": "10", "genre": "all"}}<|eom_id|>')


def test_text_before_a_call_comes_before_the_python_tag():
    call = CallToolParams("get_weather", (("city", "Paris"),))
    assert prompt([assistant("Let me check.", call)]) == (
        BOS + head("assistant") + 'Let me check.<|python_tag|>{"type": "function", '
        '"name": "get_weather", "parameters": {"city": "Paris"}}<|eom_id|>')


def test_several_calls_follow_one_python_tag():
    calls = (CallToolParams("a", ()), CallToolParams("b", (("x", "1"),)))
    assert prompt([assistant(*calls)]) == (
        BOS + head("assistant") + '<|python_tag|>{"type": "function", "name": "a", '
        '"parameters": {}}{"type": "function", "name": "b", "parameters": {"x": "1"}}'
        "<|eom_id|>")


# --- tools --------------------------------------------------------------------------------

def test_tools_follow_metas_json_based_tool_calling_example():
    messages = [system(META_SYSTEM_TEXT, Tools((TRENDING_SONGS,))),
                user("Use tools to get latest trending songs")]
    assert prompt(messages) == (
        BOS + head("system") + "Environment: ipython\n\n" + META_SYSTEM_TEXT + "<|eot_id|>"
        + head("user") + TOOL_INSTRUCTIONS + "<|eot_id|>"
        + head("user") + "Use tools to get latest trending songs<|eot_id|>"
        + head("assistant"))


def test_tools_without_a_system_message_get_one_for_the_environment():
    messages = [user("Use tools to get latest trending songs", Tools((TRENDING_SONGS,)))]
    assert prompt(messages) == (
        BOS + head("system") + "Environment: ipython<|eot_id|>"
        + head("user") + TOOL_INSTRUCTIONS + "<|eot_id|>"
        + head("user") + "Use tools to get latest trending songs<|eot_id|>"
        + head("assistant"))


def test_no_tools_no_environment_line():
    assert "Environment: ipython" not in prompt([system("Be brief."), user("hi")])
    assert "Environment: ipython" not in prompt([system("Be brief.", Tools(())), user("hi")])


def test_a_tool_repeated_in_the_history_is_defined_once():
    messages = [system("s", Tools((TRENDING_SONGS,))), user("q", Tools((TRENDING_SONGS,)))]
    assert prompt(messages).count('"name": "trending_songs"') == 1


def test_tool_definition_keeps_schema_types_and_non_json_schema_text():
    odd = Tool(name="odd", description="d", input_schema=ToolSchema("", (
        ("tags", '{"type": "array", "items": {"type": "string"}, "enum": ["a", "b"]}'),
        ("free", "any text"),
    ), ()))
    text = prompt([user("q", Tools((odd,)))])
    start = text.index("{\n")
    definition = json.loads(text[start:text.index("\n\nReturn function calls")])
    assert definition == {"type": "function", "function": {
        "name": "odd", "description": "d", "parameters": {
            "type": "object",
            "properties": {"tags": {"type": "array", "items": {"type": "string"},
                                    "enum": ["a", "b"]},
                           "free": "any text"},
            "required": []}}}
    assert '"enum": ["a", "b"]' in text


def test_full_tool_round_trip():
    call = CallToolParams("trending_songs", (("n", "10"), ("genre", "all")))
    result = CallToolResult((TextContent('["Song A", "Song B"]'),))
    messages = [
        system(META_SYSTEM_TEXT, Tools((TRENDING_SONGS,))),
        user("Use tools to get latest trending songs"),
        assistant(call),
        tool(result),
        assistant("The trending songs are Song A and Song B."),
        user("Thanks!"),
    ]
    assert prompt(messages) == (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
        "Environment: ipython\n\n"
        "Cutting Knowledge Date: December 2023\n"
        "Today Date: 21 September 2024\n\n"
        "You are a helpful assistant.\n"
        "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
        + TOOL_INSTRUCTIONS +
        "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
        "Use tools to get latest trending songs"
        "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
        '<|python_tag|>{"type": "function", "name": "trending_songs", '
        '"parameters": {"n": "10", "genre": "all"}}'
        "<|eom_id|><|start_header_id|>ipython<|end_header_id|>\n\n"
        '["Song A", "Song B"]'
        "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
        "The trending songs are Song A and Song B."
        "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
        "Thanks!"
        "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")


# --- content ------------------------------------------------------------------------------

def test_text_parts_are_concatenated_and_utf8_blobs_are_text():
    messages = [user("Hello, ", Blob("wörld".encode()), Empty(), "!")]
    assert encode(messages) == (BOS + head("user") + "Hello, wörld!<|eot_id|>"
                                + head("assistant")).encode()


def test_argument_values_that_are_json_objects_go_back_as_json():
    call = CallToolParams("f", (("place", '{"city":"Paris","zip":[75001]}'), ("n", "10"),
                                ("loose", '{"a": 1}'), ("s", "[not json")))
    text = prompt([assistant(call)])
    body = text[text.index("<|python_tag|>") + len("<|python_tag|>"):text.index("<|eom_id|>")]
    assert json.loads(body)["parameters"] == {
        "place": {"city": "Paris", "zip": [75001]},  # canonical JSON text: a JSON value
        "n": "10",
        "loose": '{"a": 1}',  # not the compact form decode writes: kept a string
        "s": "[not json"}


def test_tool_output_content_that_is_not_text_becomes_a_placeholder():
    result = CallToolResult((
        TextContent("first"),
        ImageContent(b"\x89PNG....", "image/png"),
        AudioContent(b"RIFF", "audio/wav"),
        ResourceLinkContent("file:///a.txt", name="a.txt"),
        EmbeddedResourceContent(TextResourceContents("file:///b.txt", "inline text")),
        EmbeddedResourceContent(BlobResourceContents("file:///c.bin", b"\x00\x01", mime_type="application/octet-stream")),
        EmbeddedResourceContent(Empty()),
        Empty(),
    ))
    assert prompt([tool(result)]) == (
        BOS + head("ipython") + "first\n[image: image/png, 8 bytes]\n[audio: audio/wav, 4 bytes]\n"
        "[resource link: file:///a.txt]\ninline text\n"
        "[resource: file:///c.bin, application/octet-stream, 2 bytes]<|eot_id|>"
        + head("assistant"))


def test_structured_content_is_used_when_there_is_no_other_content():
    result = CallToolResult((), (("temp", "21.5"), ("sky", "clear")), False, ())
    assert prompt([tool(result)]) == (
        BOS + head("ipython") + '{"temp": 21.5, "sky": "clear"}<|eot_id|>' + head("assistant"))


def test_several_results_in_one_tool_message_are_one_per_line():
    results = (CallToolResult((TextContent("a"),)), Text("note"), CallToolResult((TextContent("b"),)))
    assert prompt([tool(*results)]) == (BOS + head("ipython") + "a\nnote\nb<|eot_id|>"
                                        + head("assistant"))


# --- errors -------------------------------------------------------------------------------

@pytest.mark.parametrize("messages, says", [
    ([Message(Role.UNKNOWN, (Text("?"),))], "role 'unknown'"),
    ([user(CallToolParams("f", ()))], "only assistant messages"),
    ([assistant(CallToolResult(()))], "only tool messages"),
    ([user(Blob(b"\xff\xfe"))], "not UTF-8"),
])
def test_what_cannot_be_encoded_is_a_context_encode_error(messages, says):
    with pytest.raises(FormatError) as caught:
        encode(messages)
    assert caught.value.code is ErrorCode.CONTEXT_ENCODE
    assert says in caught.value.message
