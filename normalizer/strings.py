"""Every string of a golem:llm value, rewritten by one function, and the rewrite that makes a
string valid Unicode.

A component model `string` is Unicode scalar values only, so a Python string holding a lone
surrogate cannot leave the component: lowering it traps the instance (and in the durable
flavour the oplog entry is never written).  JSON makes such strings easily: `"\\ud800"` is
valid JSON and decodes to one.  `well_formed` replaces each lone surrogate with U+FFFD, the
replacement character, as a UTF-8 decoder does with bytes it cannot read; a high and a low
surrogate side by side (the halves of one character, escaped separately and joined later,
as tool-call argument fragments are) become that character.

The walkers rebuild a value with `rewrite` applied to each of its strings and return the
value itself when nothing changed, so the common case allocates nothing.  Outputs take two
rewrites: `content` for what the model said and the metadata, `diagnostic` for an error's
message and `provider-error-json` (text a server wrote about a failure, scrubbed harder:
`providers/outbound.py`).
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any, Callable, Optional, Sequence

from normalizer.values import (
    ChatEvent,
    CompleteResponse,
    Finish,
    LlmError,
    ResponseMetadata,
    StreamDelta,
    StreamEvent,
    Text,
    ToolCall,
    ToolRequest,
)

Rewrite = Callable[[str], str]

# A high surrogate and the low one after it (one character's halves), or any other
# surrogate, which is alone.
_SURROGATES = re.compile("([\ud800-\udbff][\udc00-\udfff])|[\ud800-\udfff]")


def _replace(match: re.Match[str]) -> str:
    pair = match.group(1)
    if pair is None:
        return "\ufffd"
    return chr(0x10000 + ((ord(pair[0]) - 0xD800) << 10) + (ord(pair[1]) - 0xDC00))


def well_formed(text: str) -> str:
    """`text` with each surrogate pair joined and each lone surrogate replaced by U+FFFD
    (`text` itself when it has none, which an ASCII string is known not to at no cost)."""
    if text.isascii():
        return text
    return _SURROGATES.sub(_replace, text)


def strings_of(value: Any, rewrite: Rewrite) -> Any:
    """Any value made of the frozen dataclasses of `normalizer.values`, tuples, lists and
    scalars, with `rewrite` applied to each string; `value` itself when none changed."""
    if type(value) is str:
        return rewrite(value)
    if isinstance(value, (tuple, list)):
        items = [strings_of(item, rewrite) for item in value]
        if all(new is old for new, old in zip(items, value)):
            return value
        return type(value)(items)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in fields(value):
            old = getattr(value, field.name)
            new = strings_of(old, rewrite)
            if new is not old:
                changes[field.name] = new
        return replace(value, **changes) if changes else value
    return value


def _text(part: Any, content: Rewrite) -> Any:
    if type(part) is Text:
        text = content(part.text)
        return part if text is part.text else Text(text)
    return strings_of(part, content)  # an image: its URL or mime type


def _call(call: ToolCall, content: Rewrite) -> ToolCall:
    call_id, name, arguments = content(call.id), content(call.name), content(call.arguments_json)
    if call_id is call.id and name is call.name and arguments is call.arguments_json:
        return call
    return ToolCall(call_id, name, arguments)


def _tuple(items: Optional[tuple], rewrite: Callable[[Any], Any]) -> Optional[tuple]:
    if not items:
        return items
    new = tuple(rewrite(item) for item in items)
    return items if all(a is b for a, b in zip(new, items)) else new


def _metadata(meta: ResponseMetadata, content: Rewrite) -> ResponseMetadata:
    return strings_of(meta, content)


def _error(error: LlmError, diagnostic: Rewrite) -> LlmError:
    message = diagnostic(error.message)
    body = error.provider_error_json
    new_body = None if body is None else diagnostic(body)
    if message is error.message and new_body is body:
        return error
    return LlmError(error.code, message, new_body)


def stream_event_strings(event: StreamEvent, content: Rewrite,
                         diagnostic: Rewrite) -> StreamEvent:
    """`event` with `content` applied to its text, tool calls and metadata, and `diagnostic`
    to an error's message and JSON."""
    if type(event) is StreamDelta:
        parts = _tuple(event.content, lambda part: _text(part, content))
        calls = _tuple(event.tool_calls, lambda call: _call(call, content))
        if parts is event.content and calls is event.tool_calls:
            return event
        return StreamDelta(parts, calls)
    if type(event) is Finish:
        meta = _metadata(event.metadata, content)
        return event if meta is event.metadata else Finish(meta)
    if type(event) is LlmError:
        return _error(event, diagnostic)
    return strings_of(event, content)


def stream_events_strings(events: Optional[Sequence[StreamEvent]], content: Rewrite,
                          diagnostic: Rewrite) -> Optional[list[StreamEvent]]:
    """`stream_event_strings` of each event of a batch (`None`, nothing ready, stays so)."""
    if events is None:
        return None
    return [stream_event_strings(event, content, diagnostic) for event in events]


def chat_event_strings(event: ChatEvent, content: Rewrite, diagnostic: Rewrite) -> ChatEvent:
    """`event` (a `send`/`continue` answer) rewritten as `stream_event_strings` says."""
    if type(event) is LlmError:
        return _error(event, diagnostic)
    if type(event) is ToolRequest:
        calls = _tuple(event.tool_calls, lambda call: _call(call, content))
        return event if calls is event.tool_calls else ToolRequest(calls)
    if type(event) is CompleteResponse:
        response_id = content(event.id)
        parts = _tuple(event.content, lambda part: _text(part, content))
        calls = _tuple(event.tool_calls, lambda call: _call(call, content))
        meta = _metadata(event.metadata, content)
        if (response_id is event.id and parts is event.content and calls is event.tool_calls
                and meta is event.metadata):
            return event
        return CompleteResponse(response_id, parts, calls, meta)
    return strings_of(event, content)
