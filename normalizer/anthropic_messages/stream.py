"""The Anthropic Messages stream dialect: SSE events in, golem:llm stream events out.

The wire format is in reference/providers.md §2.5 (and the traps in §7.2, §8.5, §8.7, §8.9).
Every event is `event: <type>` plus JSON `data` whose `type` repeats it: `message_start`,
then per content block `content_block_start` / `content_block_delta`... /
`content_block_stop`, then `message_delta` (stop reason, cumulative usage) and
`message_stop`.  `ping` can come anywhere and unknown event types must be tolerated.
The rules this normalizer follows, and why:

- **Text** (`text_delta`) is passed on at once, one `StreamDelta` per delta.
- **Tool calls** are assembled per block `index` from `input_json_delta` fragments (the first
  is usually `""`) and emitted whole, as one `StreamDelta`, at the block's
  `content_block_stop`: callers never see half an argument string.  No fragments at all (a
  no-argument tool) gives the block's own `input` (`{}`).  A block whose concatenated input
  does not parse as JSON is never emitted: when the answer was cut by `max_tokens` it is
  listed as `incomplete_tool_use` in the finish's `provider_metadata_json` (the finish says
  LENGTH), otherwise the stream ends in an error.  Input nested deeper than the JSON depth
  bound (`normalizer/json_depth.py`) ends the stream in an error at once.
- **The answer tool**: structured output on models without the native form is asked for
  as one forced tool (`providers/anthropic_messages/structured_output.py`), whose input is
  the answer.  A `tool_use` block of that name (`answer_tool`, given by the provider; the
  name is reserved, so no caller tool has it) is not a tool call: its `input_json_delta`s
  are passed on as text at once, as a native answer's `text_delta`s are, and the finish
  reason is `stop` where the API says `tool_use` (the raw value stays in the metadata).
- **Thinking** (`thinking` / `signature_delta`, `redacted_thinking`) never becomes answer
  text: golem:llm has no reasoning part.  The blocks are kept, exactly as the Messages API
  wants them echoed (`{"type": "thinking", "thinking", "signature"}` /
  `{"type": "redacted_thinking", "data"}`), under `thinking` in the finish's
  `provider_metadata_json` (their text also as `reasoning`, the key every provider
  uses), so a caller that needs them (to show reasoning, or to echo them) has them, and
  one that does not is not disturbed.
- **Server tools** (`server_tool_use`, `web_search_tool_result`, code execution, ...) ran on
  Anthropic's side: they are not client tool calls and are ignored, as is every unknown
  block or delta type (`citations_delta` included).  Their effect is visible in the text,
  and their usage counts (`usage.server_tool_use`) in the metadata.
- **Usage**: `message_start` gives the input tokens, `message_delta` the *cumulative* output
  (and, in newer API versions, the input again): later non-null values overwrite earlier
  ones, never add (`usage.py` converts the result; the details and the raw object are kept
  in `provider_metadata_json`'s `usage`).
- **End**: `message_stop` gives exactly one `Finish` (finish reason, usage, `provider_id` =
  the message id; Anthropic sends no timestamp, so there is none, which also keeps the
  normalizer deterministic for replay).  `event: error` (e.g. `overloaded_error`) gives one
  `LlmError`.  A stream that ends without `message_stop` is truncated and ends in an
  error, so a tool is never run with cut-off arguments.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from normalizer.anthropic_messages.errors import error_from_event
from normalizer.anthropic_messages.metadata import response_metadata
from normalizer.json_depth import UNCHECKED_LENGTH, JsonTooDeep, check_depth, loads
from normalizer.json_fields import str_or_none
from normalizer.values import (
    ErrorCode,
    Finish,
    FinishReason,
    LlmError,
    StreamDelta,
    StreamEvent,
    Text,
    ToolCall,
)
from sse.events import SseEvent

_DECODER = json.JSONDecoder()  # stateless; shared like json.loads' own default decoder

#: Event names whose data must be readable: losing one would lose part of the answer.
_SIGNIFICANT = frozenset(
    {
        "message",  # an unnamed event: its data `type` decides
        "message_start",
        "message_delta",
        "message_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "error",
    }
)

#: Finish reasons under which a tool call may legitimately be cut off (max_tokens).
_CUT_OFF = (FinishReason.LENGTH,)


def tool_arguments(fragments: str, initial_input: Any) -> str:
    """The arguments JSON of a finished `tool_use` block: the concatenated fragments, or,
    when they are empty or blank (a no-argument tool), the block's own `input`, else `{}`."""
    if fragments and not fragments.isspace():
        return fragments
    if isinstance(initial_input, dict) and initial_input:
        return json.dumps(initial_input, ensure_ascii=False)
    return "{}"


def arguments_problem(text: str) -> Optional[ValueError]:
    """Why `text` is not usable as tool arguments (not JSON, or nested deeper than the
    bound), or None when it is."""
    try:
        loads(text)
    except ValueError as exc:
        return exc
    return None


class _Block:
    """One content block being streamed."""

    __slots__ = ("kind", "id", "name", "parts", "initial_input", "signature", "data")

    def __init__(self, kind: str, start: dict) -> None:
        self.kind = kind
        self.id = str(start.get("id") or "")
        self.name = str(start.get("name") or "")
        self.parts: list[str] = []
        self.initial_input = start.get("input")
        self.signature = str_or_none(start.get("signature")) or ""
        self.data = start.get("data")


class AnthropicMessagesNormalizer:
    """Sans-IO state machine for one streamed Messages response (Normalizer protocol);
    `label` names the provider in error messages."""

    __slots__ = (
        "_label",
        "_terminal",
        "_seen",
        "_message_id",
        "_model",
        "_usage",
        "_stop_reason",
        "_stop_sequence",
        "_stop_details",
        "_blocks",
        "_thinking",
        "_incomplete",
        "_decode",
        "_answer_tool",
        "_answered",
        "_called",
    )

    def __init__(self, label: str, answer_tool: Optional[str] = None) -> None:
        self._label = label
        self._answer_tool = answer_tool  # the tool whose input is the answer's text
        self._answered = False  # the answer tool's block was seen
        self._called = False  # a client tool call was emitted
        self._terminal = False
        self._seen = False  # any answer event arrived
        self._message_id: Optional[str] = None
        self._model: Optional[str] = None
        self._usage: dict[str, Any] = {}
        self._stop_reason: Optional[str] = None
        self._stop_sequence: Optional[str] = None
        self._stop_details: Any = None
        self._blocks: dict[Any, _Block] = {}  # open blocks by index
        self._thinking: list[dict] = []  # finished thinking blocks, in order
        self._incomplete: list[dict] = []  # tool_use blocks whose input did not parse
        self._decode = _DECODER.raw_decode

    # -- protocol -----------------------------------------------------------------------

    def feed(self, event: SseEvent) -> list[StreamEvent]:
        if self._terminal:
            return []
        name = event.event
        data = event.data
        if not data or data[0] != "{":
            data = data.strip()
            if not data:
                return []  # an event without data (keep-alive)
        # `raw_decode` is `json.loads` minus its wrapper; Anthropic pads its JSON with
        # spaces, so trailing whitespace is accepted, and nothing else.
        try:
            if len(data) > UNCHECKED_LENGTH:  # a deep event would exhaust the stack
                check_depth(data)
            obj, stop = self._decode(data)
            if stop != len(data) and not data[stop:].isspace():
                raise ValueError("extra data after the JSON value")
        except ValueError as exc:
            if name in _SIGNIFICANT:
                return self._fail(f"malformed stream event {name!r} ({exc}): {data[:200]!r}")
            return []  # a ping or an unknown event: nothing of the answer is lost
        if type(obj) is not dict:
            if name in _SIGNIFICANT:
                return self._fail(f"malformed stream event {name!r} (not a JSON object): "
                                  f"{data[:200]!r}")
            return []
        kind = obj.get("type")
        if not isinstance(kind, str) or not kind:
            kind = name  # the SDK injects the event name when the data lacks `type`
        if name == "error" or kind == "error":
            self._terminal = True
            return [error_from_event(obj, self._label)]
        try:
            return self._on_event(kind, obj)
        except (AttributeError, TypeError, KeyError, ValueError) as exc:  # e.g. a non-object delta
            return self._fail(f"malformed stream event {kind!r} ({exc}): {data[:200]!r}")

    def end(self) -> list[StreamEvent]:
        if self._terminal:
            return []
        if any(block.kind == "tool_use" for block in self._blocks.values()):
            why = "while a tool call was being streamed"
        elif not self._seen:
            why = "before any data"
        else:
            why = "before message_stop"
        return self._fail(f"response truncated: the stream ended {why}")

    # -- events -------------------------------------------------------------------------

    def _on_event(self, kind: str, obj: dict) -> list[StreamEvent]:
        if kind == "content_block_delta":
            return self._on_delta(obj)
        if kind == "content_block_start":
            return self._on_block_start(obj)
        if kind == "content_block_stop":
            return self._on_block_stop(obj)
        if kind == "message_start":
            self._on_message_start(obj)
            return []
        if kind == "message_delta":
            self._on_message_delta(obj)
            return []
        if kind == "message_stop":
            return self._complete()
        return []  # ping, and event types added after this was written

    def _on_message_start(self, obj: dict) -> None:
        self._seen = True
        message = obj.get("message")
        if not isinstance(message, dict):
            return
        if self._message_id is None:
            message_id = message.get("id")
            self._message_id = str(message_id) if message_id else None
            model = message.get("model")
            self._model = str(model) if model else None
        self._merge_usage(message.get("usage"))
        self._note_stop(message)

    def _on_message_delta(self, obj: dict) -> None:
        self._seen = True
        delta = obj.get("delta")
        if isinstance(delta, dict):
            self._note_stop(delta)
        self._merge_usage(obj.get("usage"))

    def _note_stop(self, holder: dict) -> None:
        stop_reason = holder.get("stop_reason")
        if stop_reason:
            self._stop_reason = str(stop_reason)
            stop_sequence = holder.get("stop_sequence")
            self._stop_sequence = stop_sequence if isinstance(stop_sequence, str) else None
            self._stop_details = holder.get("stop_details")

    def _merge_usage(self, usage: Any) -> None:
        """Cumulative: a later non-null value replaces the earlier one."""
        if isinstance(usage, dict):
            for key, value in usage.items():
                if value is not None:
                    self._usage[key] = value

    def _on_block_start(self, obj: dict) -> list[StreamEvent]:
        self._seen = True
        start = obj.get("content_block")
        if not isinstance(start, dict):
            return []
        kind = start.get("type")
        if kind == "tool_use" and self._answer_tool and start.get("name") == self._answer_tool:
            kind = "answer"
            self._answered = True
        block = _Block(kind if kind in ("text", "tool_use", "answer", "thinking",
                                        "redacted_thinking")
                       else "ignored", start)
        self._blocks[obj.get("index")] = block
        if block.kind == "text":
            text = start.get("text")
            if text and isinstance(text, str):
                return [StreamDelta(content=(Text(text),))]
        elif block.kind == "thinking":
            thinking = start.get("thinking")
            if thinking and isinstance(thinking, str):
                block.parts.append(thinking)
        return []

    def _on_delta(self, obj: dict) -> list[StreamEvent]:
        self._seen = True
        delta = obj.get("delta")
        if not isinstance(delta, dict):
            raise TypeError(f"delta is {type(delta).__name__}, not an object")
        kind = delta.get("type")
        block = self._blocks.get(obj.get("index"))
        if kind == "text_delta":
            text = delta.get("text")
            # An unknown index is tolerated (text is never dropped); another block's is not.
            if text and isinstance(text, str) and (block is None or block.kind == "text"):
                return [StreamDelta(content=(Text(text),))]
        elif kind == "input_json_delta":
            fragment = delta.get("partial_json")
            if block is not None and block.kind in ("tool_use", "answer") and fragment:
                fragment = fragment if isinstance(fragment, str) else json.dumps(fragment)
                block.parts.append(fragment)
                if block.kind == "answer":
                    return [StreamDelta(content=(Text(fragment),))]
        elif kind == "thinking_delta":
            thinking = delta.get("thinking")
            if (block is not None and block.kind == "thinking" and thinking
                    and isinstance(thinking, str)):
                block.parts.append(thinking)
        elif kind == "signature_delta":
            signature = delta.get("signature")
            if block is not None and block.kind == "thinking" and isinstance(signature, str):
                block.signature += signature
        return []

    def _on_block_stop(self, obj: dict) -> list[StreamEvent]:
        block = self._blocks.pop(obj.get("index"), None)
        if block is None:
            return []
        if block.kind == "thinking":
            self._thinking.append({"type": "thinking", "thinking": "".join(block.parts),
                                   "signature": block.signature})
        elif block.kind == "redacted_thinking":
            self._thinking.append({"type": "redacted_thinking", "data": block.data})
        elif block.kind == "answer":
            if not "".join(block.parts).strip():  # no input streamed: the block's own
                return [StreamDelta(content=(Text(tool_arguments("", block.initial_input)),))]
        elif block.kind == "tool_use":
            arguments = tool_arguments("".join(block.parts), block.initial_input)
            problem = arguments_problem(arguments)
            if isinstance(problem, JsonTooDeep):  # not a cut-off answer: a broken one
                return self._fail(f"tool call {block.name!r} has arguments with {problem}")
            if problem is not None:
                self._incomplete.append({"id": block.id, "name": block.name, "input": arguments})
                return []
            self._called = True
            return [StreamDelta(tool_calls=(ToolCall(block.id, block.name, arguments),))]
        return []

    # -- ending -------------------------------------------------------------------------

    def _complete(self) -> list[StreamEvent]:
        open_calls = [b for b in self._blocks.values() if b.kind == "tool_use"]
        if open_calls:
            names = ", ".join(repr(b.name) for b in open_calls)
            return self._fail(f"message_stop arrived while tool call {names} was still open")
        metadata = response_metadata(
            message_id=self._message_id,
            model=self._model,
            stop_reason=self._stop_reason,
            stop_sequence=self._stop_sequence,
            usage=self._usage,
            thinking=self._thinking,
            incomplete=self._incomplete,
            stop_details=self._stop_details,
            answered_by_tool=self._answered and not self._called and not self._incomplete,
        )
        if self._incomplete and metadata.finish_reason not in _CUT_OFF:
            names = ", ".join(repr(c["name"]) for c in self._incomplete)
            return self._fail(f"tool call {names} has arguments that are not valid JSON "
                              f"(stop_reason {self._stop_reason!r})")
        self._terminal = True
        return [Finish(metadata)]

    def _fail(self, message: str) -> list[StreamEvent]:
        self._terminal = True
        return [LlmError(ErrorCode.INTERNAL_ERROR, f"{self._label}: {message}")]
