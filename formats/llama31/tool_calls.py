"""Tool calls in the model's output, in every form Llama 3.1 writes them, and in a past
assistant turn.

Forms read (Meta's prompt format and reference decoder):
- JSON: `{"type": "function", "name": …, "parameters": {…}}`, `type` optional, after
  `<|python_tag|>` or bare; several objects in a row, or an array of them, are several calls;
  `arguments` is accepted for `parameters`;
- function tags: `<function=NAME>{json}</function>`;
- built-in tools: `brave_search.call(query="…")`;
- anything else after `<|python_tag|>`: code for the built-in code interpreter.

Past calls are written in the JSON form, the one the tool definitions ask for.

Streaming: every reader reports unfinished input (`partial-decode`) separately from broken
input (`context-decode`), and a call is only unfinished while the turn is: once an end token
has been seen, a call that stops early is broken.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from formats.errors import FormatError, decode_error, partial
from formats.llama31.arguments import json_from_pairs, pairs_from_json
from formats.llama31.json_scan import TooDeep, loads, value_end
from formats.values import CallToolParams

FUNCTION_OPEN = "<function="
FUNCTION_CLOSE = "</function>"
CODE_INTERPRETER = "code_interpreter"

_BUILTIN = re.compile(r"([A-Za-z_]\w*)\.call\((.*)\)\Z", re.DOTALL)
_KEYWORD = re.compile(r"""([A-Za-z_]\w*)\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""",
                      re.DOTALL)
_BETWEEN_CALLS = " \t\r\n;,"


def render_call(call: CallToolParams) -> str:
    """A past call as the model writes it (Meta's `ToolUtils.encode_tool_call` layout)."""
    return json.dumps({"type": "function", "name": call.name,
                       "parameters": json_from_pairs(call.arguments)}, ensure_ascii=False)


def unfinished(ended: bool, what: str) -> FormatError:
    if ended:
        return decode_error(f"{what} is cut off: the turn ended before it was complete")
    return partial(f"output stops inside {what}")


def load_json(span: str, what: str) -> Any:
    try:
        return loads(span)
    except (ValueError, RecursionError) as exc:
        raise decode_error(f"{what} is not valid JSON ({exc}): {span[:80]!r}") from None


def call_from_json(value: Any) -> Optional[CallToolParams]:
    """The call a decoded JSON value describes, or None if it does not look like one."""
    if not isinstance(value, dict):
        return None
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    if "type" in value and value["type"] != "function":
        return None
    if "parameters" in value:
        parameters = value["parameters"]
    elif "arguments" in value:
        parameters = value["arguments"]
    elif value.get("type") == "function":
        parameters = None
    else:
        return None
    return CallToolParams(name, pairs_from_json(parameters))


def read_json_calls(text: str, pos: int, ended: bool,
                    strict: bool) -> Optional[tuple[list[CallToolParams], int]]:
    """JSON calls from `text[pos]` on, and where they stop.  Not `strict` (no python tag
    announced a call): JSON that is not a call, or braces that never balance in a finished
    turn, are the model's text, and the answer is None."""
    calls: list[CallToolParams] = []
    while True:
        while pos < len(text) and text[pos] in _BETWEEN_CALLS:
            pos += 1
        if pos >= len(text) or text[pos] not in ("{[" if strict else "{"):
            return calls, pos
        end = _value_end(text, pos)
        if end is None:
            if not strict and ended and not calls:
                return None
            raise unfinished(ended, "a JSON tool call")
        try:
            value = load_json(text[pos:end], "a JSON tool call")
        except FormatError:
            if not strict and not calls:
                return None
            raise
        items = value if isinstance(value, list) else [value]
        found = [call_from_json(item) for item in items]
        if not found or any(call is None for call in found):
            if not strict and not calls:
                return None
            raise decode_error('JSON after <|python_tag|> is not a function call (it needs '
                               f'"name" and "parameters"): {text[pos:end][:80]!r}')
        calls.extend(call for call in found if call is not None)
        pos = end


def read_function_calls(text: str, pos: int, ended: bool) -> tuple[list[CallToolParams], int]:
    """`<function=NAME>{json}</function>` calls from `text[pos]` on, and where they stop.
    A missing `</function>` is accepted once the turn has ended, as Meta's decoder does."""
    calls: list[CallToolParams] = []
    while True:
        while pos < len(text) and text[pos] in _BETWEEN_CALLS:
            pos += 1
        if not text.startswith(FUNCTION_OPEN, pos):
            return calls, pos
        name_start = pos + len(FUNCTION_OPEN)
        name_end = text.find(">", name_start)
        if name_end < 0:
            raise unfinished(ended, "a <function=…> call")
        name = text[name_start:name_end].strip()
        if not name:
            raise decode_error("a <function=…> call has no function name")
        pos = _skip_space(text, name_end + 1)
        arguments: tuple[tuple[str, str], ...] = ()
        has_arguments = pos < len(text) and text[pos] == "{"
        if has_arguments:
            end = _value_end(text, pos)
            if end is None:
                raise unfinished(ended, f"the arguments of <function={name}>")
            what = f"the arguments of <function={name}>"
            arguments = pairs_from_json(load_json(text[pos:end], what))
            pos = _skip_space(text, end)
        rest = text[pos:]
        if rest.startswith(FUNCTION_CLOSE):
            pos += len(FUNCTION_CLOSE)
        elif not ended and FUNCTION_CLOSE.startswith(rest):
            raise partial(f"output stops inside <function={name}>")
        elif not (has_arguments or rest.startswith(FUNCTION_OPEN) or not rest.strip()):
            raise decode_error(f"<function={name}> must hold a JSON object and end with "
                               f"{FUNCTION_CLOSE}, found {rest[:40]!r}")
        calls.append(CallToolParams(name, arguments))


def read_builtin_call(text: str) -> Optional[CallToolParams]:
    """`tool.call(key="value", …)`, the form of Llama 3.1's built-in tools (Meta documents
    `brave_search.call(query="…")` and `wolfram_alpha.call(query="…")`), or None.  Only
    string keyword arguments, read with a regular expression: parsing the text as Python
    would let hostile output nest deep enough to overflow the component's stack."""
    match = _BUILTIN.match(text)
    if match is None:
        return None
    arguments = []
    rest = match.group(2).strip()
    while rest:
        keyword = _KEYWORD.match(rest)
        if keyword is None:
            return None
        quoted = keyword.group(2)
        arguments.append((keyword.group(1), _unquote(quoted)))
        rest = rest[keyword.end():].lstrip()
        if rest.startswith(","):
            rest = rest[1:].lstrip()
        elif rest:
            return None
    return CallToolParams(match.group(1), tuple(arguments))


def _unquote(quoted: str) -> str:
    """A Python string literal's value, for the escapes JSON shares (else the raw text)."""
    body = quoted[1:-1]
    if quoted[0] == "'":
        body = body.replace("\\'", "'").replace('"', '\\"')
    try:
        return json.loads(f'"{body}"')
    except ValueError:
        return body


def code_call(code: str) -> CallToolParams:
    """Code after `<|python_tag|>`: Meta's decoder makes it a code-interpreter call."""
    return CallToolParams(CODE_INTERPRETER, (("code", code),))


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _value_end(text: str, pos: int) -> Optional[int]:
    try:
        return value_end(text, pos)
    except TooDeep as exc:
        raise decode_error(f"tool call refused: {exc}") from None
