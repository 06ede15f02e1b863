"""Messages → the Llama 3.1 prompt, following Meta's documented chat format.

    <|begin_of_text|>
    [system]     [Environment: ipython\\n\\n]system text          <|eot_id|>
    [user]       tool definitions (only when there are tools)  <|eot_id|>
    [user]       text                                          <|eot_id|>
    [assistant]  [text]<|python_tag|>{call}                    <|eom_id|>
    [ipython]    tool output                                   <|eot_id|>
    [assistant]  text                                          <|eot_id|>
    [assistant]  (left open: the model writes next)

where [role] is the header `<|start_header_id|>role<|end_header_id|>` and the blank line
("\\n\\n") Meta's ChatFormat writes after it.

Tools from every message's `tools` content are defined once, in the user turn that follows
the system turn, as Meta's JSON-based tool calling does; `Environment: ipython` opens the
system turn whenever there are tools (a system turn is added if the history has none at its
start).  An assistant turn that calls tools ends with `<|eom_id|>`, because with
`Environment: ipython` that is how the model itself ends a call; every other turn ends with
`<|eot_id|>`.  The prompt ends with an open assistant header unless the last message is the
assistant's.
"""

from __future__ import annotations

from typing import Sequence

from formats.errors import encode_error
from formats.llama31.tokens import (BEGIN_OF_TEXT, ENVIRONMENT, EOM, EOT, PYTHON_TAG,
                                    ROLE_NAMES, header)
from formats.llama31.tool_calls import render_call
from formats.llama31.tool_output import render_result
from formats.llama31.tool_prompt import tool_instructions, unique_tools
from formats.values import (Blob, CallToolParams, CallToolResult, Empty, Message, Role, Text,
                            Tools)


def encode(messages: Sequence[Message]) -> bytes:
    return render_prompt(messages).encode("utf-8")


def render_prompt(messages: Sequence[Message]) -> str:
    for index, message in enumerate(messages):
        if message.role not in ROLE_NAMES:
            raise encode_error(f"message {index} has role {message.role.value!r}; Llama 3.1 "
                               "has only system, user, assistant and tool (ipython) turns")
    tools = unique_tools(part.tools for message in messages for part in message.content
                         if isinstance(part, Tools))
    turns = [BEGIN_OF_TEXT]
    start = 0
    if tools:
        system_text = ""
        if messages and messages[0].role is Role.SYSTEM:
            system_text = _plain_text(messages[0], 0)
            start = 1
        turns.append(_turn(Role.SYSTEM, "\n\n".join(filter(None, (ENVIRONMENT, system_text)))))
        turns.append(_turn(Role.USER, tool_instructions(tools)))
    for index in range(start, len(messages)):
        turns.append(_message(messages[index], index))
    if not messages or messages[-1].role is not Role.ASSISTANT:
        turns.append(header(Role.ASSISTANT))
    return "".join(turns)


def _message(message: Message, index: int) -> str:
    if message.role is Role.ASSISTANT:
        return _assistant(message, index)
    if message.role is Role.TOOL:
        return _turn(Role.TOOL, _tool_output(message, index))
    return _turn(message.role, _plain_text(message, index))


def _turn(role: Role, body: str, end: str = EOT) -> str:
    return header(role) + body + end


def _plain_text(message: Message, index: int) -> str:
    """A system or user turn: its text parts, concatenated as Meta's ChatFormat does."""
    pieces = []
    for part in message.content:
        if isinstance(part, (Tools, Empty)):
            continue
        text = _text_of(part)
        if text is None:
            raise _misplaced(part, message, index)
        pieces.append(text)
    return "".join(pieces)


def _assistant(message: Message, index: int) -> str:
    pieces: list[str] = []
    calls: list[CallToolParams] = []
    for part in message.content:
        if isinstance(part, CallToolParams):
            calls.append(part)
        elif isinstance(part, (Tools, Empty)):
            continue
        else:
            text = _text_of(part)
            if text is None:
                raise _misplaced(part, message, index)
            pieces.append(text)
    body = "".join(pieces)
    if not calls:
        return _turn(Role.ASSISTANT, body)
    return _turn(Role.ASSISTANT, body + PYTHON_TAG + "".join(map(render_call, calls)), EOM)


def _tool_output(message: Message, index: int) -> str:
    """An ipython turn: each result (or text part) on its own line."""
    pieces = []
    for part in message.content:
        if isinstance(part, CallToolResult):
            pieces.append(render_result(part))
        elif isinstance(part, (Tools, Empty)):
            continue
        else:
            text = _text_of(part)
            if text is None:
                raise _misplaced(part, message, index)
            pieces.append(text)
    return "\n".join(pieces)


def _text_of(part: object) -> str | None:
    if isinstance(part, Text):
        return part.text
    if isinstance(part, Blob):
        try:
            return part.data.decode("utf-8")
        except UnicodeDecodeError:
            raise encode_error("a blob in the history is not UTF-8 text; a Llama 3.1 "
                               "prompt can only carry text") from None
    return None


def _misplaced(part: object, message: Message, index: int) -> Exception:
    kind = {CallToolParams: "a tool call (tool-input)",
            CallToolResult: "a tool result (tool-output)"}.get(type(part), type(part).__name__)
    where = {CallToolParams: "assistant", CallToolResult: "tool"}.get(type(part), "no")
    return encode_error(f"message {index} ({message.role.value}) carries {kind}; only "
                        f"{where} messages can")
