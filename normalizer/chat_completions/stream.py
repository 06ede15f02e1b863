"""The Chat Completions stream dialect: SSE events in, golem:llm stream events out.

Used for OpenAI, xAI Grok and OpenRouter; their differences are data (`ChatQuirks`, the
values in each provider's file).  The
wire format and its traps are in reference/providers.md §3.4, §4, §5.2, §8 and §9; the
rules that follow from them:

- The end of the answer is a chunk with a non-null `finish_reason`; the stream is complete
  at `data: [DONE]` (matched as the whole data value, never as a substring, so an answer that
  *says* "[DONE]" cannot end it) or, since Azure and vLLM omit `[DONE]`, at the end of the
  bytes.  `Finish` waits for that point because usage arrives in a later chunk
  (`choices: []` with `include_usage`; OpenRouter repeats the finish_reason next to it), and
  it is emitted exactly once however many finish_reasons arrive.
- Tool calls are assembled by `index` and emitted once, complete, when the finish_reason
  arrives: callers see them before the usage chunk, and never see half an argument string.
- The legacy `delta.function_call` is read as a tool call only from a stream that never
  carries `tool_calls`: a server that speaks both (llama-cpp-python sends every fragment in
  both spellings) means one call, not two.
- A stream that stops without a finish_reason is truncated and ends in an error, so a tool
  is never run with cut-off arguments.
- An error object inside the stream (OpenAI, OpenRouter, vLLM shapes) ends it with an
  `LlmError`.

Speed: per SSE event one `json.loads` (its nesting bounded first, `normalizer/json_depth.py`:
a `len` for most events, two `str.count` calls for long ones) and a few dict lookups; no
regexes, no per-chunk allocation beyond the events returned.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from normalizer.chat_completions.content import finish_tool_call, text_of_content
from normalizer.chat_completions.errors import error_from_chunk
from normalizer.chat_completions.metadata import response_metadata
from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.chat_completions.reasoning_details import ReasoningDetails
from normalizer.json_depth import UNCHECKED_LENGTH, check_depth
from normalizer.values import (
    ErrorCode,
    Finish,
    LlmError,
    StreamDelta,
    StreamEvent,
    Text,
)
from sse.events import SseEvent

_DONE = "[DONE]"
_DECODER = json.JSONDecoder()  # stateless; shared like json.loads' own default decoder


class _PendingCall:
    """A tool call being assembled from fragments."""

    __slots__ = ("id", "name", "parts")

    def __init__(self, call_id: str) -> None:
        self.id = call_id
        self.name = ""
        self.parts: list[str] = []


class ChatCompletionsNormalizer:
    """Sans-IO state machine for one streamed chat-completions response (Normalizer protocol).

    `label` names the provider in error messages; `quirks` are its differences from OpenAI.
    Only choice index 0 is read: golem:llm has one answer per request.
    """

    __slots__ = (
        "_label",
        "_quirks",
        "_terminal",
        "_head",
        "_raw_finish",
        "_native_finish",
        "_usage",
        "_calls",
        "_by_index",
        "_tool_calls_seen",
        "_emitted",
        "_reasoning",
        "_details",
        "_decode",
    )

    def __init__(self, label: str, quirks: ChatQuirks = ChatQuirks()) -> None:
        self._label = label
        self._quirks = quirks
        self._terminal = False
        self._head: Optional[dict] = None  # first chunk: id, created, model, fingerprint
        self._raw_finish: Optional[str] = None  # first finish_reason seen; later ones ignored
        self._native_finish: Optional[str] = None
        self._usage: Optional[dict] = None  # last non-null usage
        self._calls: list[_PendingCall] = []
        self._by_index: dict[Any, _PendingCall] = {}
        self._tool_calls_seen = False  # then delta.function_call is their legacy mirror
        self._emitted = 0  # how many of _calls were already given out
        self._reasoning: Optional[list[str]] = [] if quirks.reasoning_in_metadata else None
        self._details: Optional[ReasoningDetails] = (
            ReasoningDetails() if quirks.reasoning_details_in_metadata else None)
        self._decode = _DECODER.raw_decode

    # -- protocol -----------------------------------------------------------------------

    def feed(self, event: SseEvent) -> list[StreamEvent]:
        if self._terminal:
            return []
        data = event.data
        if not data or data[0] != "{":
            stripped = data.strip()
            if not stripped:
                return []  # keep-alive / empty event
            if stripped == _DONE:
                return self._complete(at_done=True)
            data = stripped
        # `raw_decode` is what `json.loads` runs, minus its wrapper and whitespace regex;
        # trailing whitespace (some servers pad) is allowed, anything else is not.  The
        # nesting is bounded first, since a deep chunk would exhaust the component's stack.
        try:
            if len(data) > UNCHECKED_LENGTH:
                check_depth(data)
            chunk, stop = self._decode(data)
        except ValueError as exc:
            return self._fail(f"malformed stream chunk ({exc}): {data[:200]!r}")
        if stop != len(data) and not data[stop:].isspace():
            if "\n" in data[stop:]:
                return self._feed_lines(data, event.event)
            return self._fail(f"malformed stream chunk (extra data after the JSON value): "
                              f"{data[:200]!r}")
        if type(chunk) is not dict:
            return self._fail(f"malformed stream chunk (not a JSON object): {data[:200]!r}")
        if chunk.get("error") or event.event == "error":
            return self._error(chunk)
        try:
            return self._on_chunk(chunk)
        except (AttributeError, TypeError) as exc:  # e.g. a choice or delta that is no object
            return self._fail(f"malformed stream chunk ({exc}): {data[:200]!r}")

    def _feed_lines(self, data: str, event_type: str) -> list[StreamEvent]:
        """Several JSON chunks in one event: some servers (GLM, Kimi) send consecutive
        `data:` lines without the blank line between events, which SSE joins with LF
        (reference §7.4, eventsource-parser PR #31).  Each line is then its own chunk."""
        out: list[StreamEvent] = []
        for line in data.split("\n"):
            out.extend(self.feed(SseEvent(line, event_type)))
            if self._terminal:
                break
        return out

    def end(self) -> list[StreamEvent]:
        if self._terminal:
            return []
        if self._raw_finish is not None:
            return self._complete(at_done=False)
        if self._calls:
            why = "while a tool call was being streamed"
        elif self._head is None:
            why = "before any data"
        else:
            why = "before a finish_reason"
        return self._fail(f"response truncated: the stream ended {why}")

    # -- chunk handling -----------------------------------------------------------------

    def _on_chunk(self, chunk: dict) -> list[StreamEvent]:
        if self._head is None:
            self._head = chunk
        usage = chunk.get("usage")
        if usage:
            self._usage = usage
        choices = chunk.get("choices")
        if not choices:
            if chunk.get("object") == "error":  # vLLM's error object has no choices
                return self._error(chunk)
            return []
        out: list[StreamEvent] = []
        for choice in choices:
            if choice.get("index"):  # another of n choices; 0 or absent is ours
                continue
            delta = choice.get("delta")
            if delta:
                content = delta.get("content")
                if content:
                    text = content if type(content) is str else text_of_content(content)
                    if text:
                        out.append(StreamDelta(content=(Text(text),)))
                # The common chunk is `{"content": "..."}` alone: skip the other lookups.
                if not content or len(delta) > 1:
                    self._other_delta_fields(delta, out)
            raw_finish = choice.get("finish_reason")
            if raw_finish and self._raw_finish is None:
                self._raw_finish = str(raw_finish)
                native = choice.get("native_finish_reason")
                if native is not None:
                    self._native_finish = str(native)
                if self._raw_finish == "error" and self._quirks.error_finish_is_error:
                    self._terminal = True
                    out.append(
                        LlmError(
                            ErrorCode.INTERNAL_ERROR,
                            f"{self._label} ended the stream with finish_reason "
                            '"error" (the answer is incomplete)',
                            json.dumps({"finish_reason": "error", "native_finish_reason": native}),
                        )
                    )
                    return out
                pending = self._pending_tool_calls()
                if pending is not None:
                    out.append(pending)
        return out

    def _other_delta_fields(self, delta: dict, out: list[StreamEvent]) -> None:
        """Everything in a delta besides `content`: tool calls, refusal, legacy
        function_call, and reasoning when the quirks collect it."""
        tool_calls = delta.get("tool_calls")
        if tool_calls:
            self._tool_calls_seen = True
            self._add_fragments(tool_calls)
        refusal = delta.get("refusal")
        if refusal and isinstance(refusal, str):
            out.append(StreamDelta(content=(Text(refusal),)))
        function_call = delta.get("function_call")
        if function_call and not self._tool_calls_seen:
            self._add_legacy_fragment(function_call)
        if self._reasoning is not None:
            self._add_reasoning(delta)
        if self._details is not None and delta.get("reasoning_details"):
            self._details.add(delta["reasoning_details"])

    def _add_fragments(self, fragments: list) -> None:
        """Route each tool-call fragment to its call (reference §8.1–§8.4).

        Key by `index`; a different non-empty `id` at an index in use starts a new call
        (servers that send every call at index 0); no index → the last call, unless the
        fragment brings an id that call does not have.  Create and append are one step, so
        a call that arrives whole in one fragment is not doubled.
        """
        calls = self._calls
        by_index = self._by_index
        for fragment in fragments:
            if not isinstance(fragment, dict):
                continue
            call_id = fragment.get("id") or ""
            if type(call_id) is not str:
                call_id = str(call_id)
            index = fragment.get("index")
            if index is not None and not isinstance(index, (int, str)):
                index = None
            if index is not None:
                call = by_index.get(index)
                if call is None or (call_id and call.id and call_id != call.id):
                    call = _PendingCall(call_id)
                    calls.append(call)
                    by_index[index] = call
            else:
                call = calls[-1] if calls else None
                if call is None or (call_id and call.id != call_id):
                    call = _PendingCall(call_id)
                    calls.append(call)
            if call_id and not call.id:
                call.id = call_id
            function = fragment.get("function")
            if function:
                name = function.get("name")
                if name and not call.name:
                    call.name = name if type(name) is str else str(name)
                arguments = function.get("arguments")
                if arguments:
                    if not isinstance(arguments, str):  # a server that sends an object
                        arguments = json.dumps(arguments)
                    call.parts.append(arguments)

    def _add_legacy_fragment(self, function_call: dict) -> None:
        """The deprecated `delta.function_call` ({name, arguments} fragments, no id, one
        call per response) is assembled as one more tool call, keyed apart from indexes.
        Only called while no `tool_calls` has been seen (then it is their mirror)."""
        if not isinstance(function_call, dict):
            return
        call = self._by_index.get("function_call")
        if call is None:
            call = _PendingCall("")
            self._calls.append(call)
            self._by_index["function_call"] = call
        name = function_call.get("name")
        if name and not call.name:
            call.name = str(name)
        arguments = function_call.get("arguments")
        if arguments and isinstance(arguments, str):
            call.parts.append(arguments)

    def _add_reasoning(self, delta: dict) -> None:
        for key in self._quirks.reasoning_fields:
            value = delta.get(key)
            if value and isinstance(value, str):
                self._reasoning.append(value)  # type: ignore[union-attr]
                return

    # -- ending -------------------------------------------------------------------------

    def _pending_tool_calls(self) -> Optional[StreamDelta]:
        """The calls not given out yet, as one delta; None when there are none."""
        calls = self._calls
        start = self._emitted
        if start >= len(calls):
            return None
        self._emitted = len(calls)
        return StreamDelta(
            tool_calls=tuple(
                finish_tool_call(i, c.id, c.name, "".join(c.parts))
                for i, c in enumerate(calls[start:], start)
            )
        )

    def _complete(self, at_done: bool) -> list[StreamEvent]:
        if self._raw_finish is None:
            # `[DONE]` with no finish_reason: the server closed the answer without saying
            # how it ended; a proxy that swallowed an upstream failure looks exactly like
            # this, so it is reported rather than passed off as a complete answer.
            where = "[DONE] arrived" if at_done else "the stream ended"
            return self._fail(f"response truncated: {where} before any finish_reason")
        self._terminal = True
        out: list[StreamEvent] = []
        pending = self._pending_tool_calls()
        if pending is not None:
            out.append(pending)
        reasoning = "".join(self._reasoning) if self._reasoning else None
        out.append(Finish(response_metadata(
            self._head or {},
            raw_finish=self._raw_finish,
            usage=self._usage,
            quirks=self._quirks,
            native_finish=self._native_finish,
            reasoning=reasoning,
            reasoning_details=self._details.details() if self._details is not None else (),
        )))
        return out

    def _error(self, chunk: dict) -> list[StreamEvent]:
        self._terminal = True
        return [error_from_chunk(chunk, self._label, self._quirks)]

    def _fail(self, message: str) -> list[StreamEvent]:
        self._terminal = True
        return [LlmError(ErrorCode.INTERNAL_ERROR, message)]
