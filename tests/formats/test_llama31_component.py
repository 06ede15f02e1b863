"""The built `dist/model-llama31.wasm` in wasmtime: it exports `hayride:ai/model@0.0.65`, and
its `format` resource encodes, decodes and reports errors through the WIT `error` resource
without trapping, as Hayride's runner would call it."""

from __future__ import annotations

from pathlib import Path

import pytest

from formats.build import FORMATS, build
from formats.errors import ErrorCode, FormatError
from formats.llama31 import decode as native_decode
from formats.llama31 import encode as native_encode
from formats.values import (CallToolParams, CallToolResult, EmbeddedResourceContent, Empty,
                            ImageContent, Message, Role, Text, TextContent,
                            TextResourceContents, Tool, ToolAnnotations, Tools, ToolSchema)
from formats.host import MODEL_INTERFACE, FormatHost

pytestmark = pytest.mark.component


def built_llama31() -> Path:
    """The component's path, building it first if its sources changed (normally a hash
    check: `make build` has built it)."""
    target = FORMATS["llama31"]
    build(target)
    return target.output


@pytest.fixture(scope="module")
def host() -> FormatHost:
    return FormatHost(built_llama31())


@pytest.fixture
def fmt(host):
    with host.instantiate() as instance:
        yield instance


WEATHER = Tool(name="get_weather", title="Weather", description="Current weather for a city",
               input_schema=ToolSchema("object", (("city", '{"type": "string"}'),), ("city",)),
               annotations=ToolAnnotations(read_only_hint=True))


def test_exports_exactly_the_hayride_model_interface(host):
    exports = host.component.type.exports(host.engine)
    assert MODEL_INTERFACE in exports
    assert not any(name.startswith("hayride:ai/model@") and name != MODEL_INTERFACE
                   for name in exports)


def test_encode_matches_the_native_format(fmt):
    history = [
        Message(Role.SYSTEM, (Text("You are a helpful assistant."), Tools((WEATHER,)))),
        Message(Role.USER, (Text("Weather in Paris?"),)),
        Message(Role.ASSISTANT, (CallToolParams("get_weather", (("city", "Paris"),)),)),
        Message(Role.TOOL, (CallToolResult(
            (TextContent("Sunny, 21°C"), ImageContent(b"\x89PNG", "image/png"),
             EmbeddedResourceContent(TextResourceContents("file:///w.txt", "details")),
             Empty()),
            (("temp", "21"),), False, (("source", "test"),)),)),
    ]
    prompt = fmt.encode(history)
    assert prompt == native_encode(history)
    assert prompt.startswith(b"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                             b"Environment: ipython\n\nYou are a helpful assistant.<|eot_id|>")
    assert prompt.endswith(b"<|start_header_id|>ipython<|end_header_id|>\n\n"
                           b"Sunny, 21\xc2\xb0C\n[image: image/png, 4 bytes]\ndetails<|eot_id|>"
                           b"<|start_header_id|>assistant<|end_header_id|>\n\n")


@pytest.mark.parametrize("raw", [
    b"The weather in Paris is sunny.<|eot_id|>",
    b'<|python_tag|>{"type": "function", "name": "get_weather", "parameters": '
    b'{"city": "Paris", "when": {"day": 1}}}<|eom_id|>',
    b'Checking. <function=get_weather>{"city": "Paris"}</function>',
])
def test_decode_matches_the_native_format(fmt, raw):
    assert fmt.decode(raw) == native_decode(raw)


def test_decode_returns_a_tool_input_message(fmt):
    message = fmt.decode(b'<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}<|eom_id|>')
    assert message == Message(Role.ASSISTANT, (CallToolParams("get_weather", (("city", "Paris"),)),), False)


def test_errors_come_back_as_the_error_resource_and_the_instance_lives_on(fmt):
    with pytest.raises(FormatError) as caught:
        fmt.encode([Message(Role.UNKNOWN, (Text("?"),))])
    assert caught.value.code is ErrorCode.CONTEXT_ENCODE
    assert "role 'unknown'" in caught.value.message

    with pytest.raises(FormatError) as caught:
        fmt.decode(b'<|python_tag|>{"name": "get_weather", "parameters": {"ci')
    assert caught.value.code is ErrorCode.PARTIAL_DECODE

    with pytest.raises(FormatError) as caught:
        fmt.decode(b"\xff\xfe<|eot_id|>")
    assert caught.value.code is ErrorCode.CONTEXT_DECODE

    # No trap: the same instance keeps working.
    assert fmt.decode(b"Still here.<|eot_id|>").content == (Text("Still here."),)


def test_hostile_nesting_is_refused_not_a_trap(fmt):
    """CPython's parsers recurse on the C stack: thousands of nested brackets would overflow
    the component's stack and trap the instance.  The format refuses them first."""
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(FormatError) as caught:
        fmt.decode(b'<|python_tag|>{"name": "f", "parameters": {"a": ' + deep + b"}}<|eom_id|>")
    assert caught.value.code is ErrorCode.CONTEXT_DECODE
    assert "nested deeper" in caught.value.message
    message = fmt.decode(b"<|python_tag|>f.call(q=" + deep + b")<|eom_id|>")
    assert message.content[0].name == "code_interpreter"
    prompt = fmt.encode([Message(Role.ASSISTANT, (CallToolParams("f", (("a", deep.decode()),)),))])
    assert deep in prompt  # too deep to be JSON here: passed back as a string
    assert fmt.decode(b"Still here.").content == (Text("Still here."),)
