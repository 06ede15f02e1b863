"""What an instance remembers so that `continue` can send a model's reasoning back.

With thinking on, Anthropic wants the assistant turn that `continue` echoes to start with
the signed `thinking` / `redacted_thinking` blocks that preceded its `tool_use` blocks, and
OpenRouter wants `reasoning_details` back on the assistant message for the same models;
without them the API answers 400.  golem:llm's `continue` receives only the tool calls, so
the instance that saw the answer remembers its reasoning, keyed by the ids of the tool
calls it made, and `continue` adds it as the documented `reasoning-blocks` option
(`providers.common.portable_options`) when the caller did not pass one.  A caller that
continues on another instance passes that option itself, with the list found under the
provider's `reasoning_echo_key` in the finish metadata.

The memory is instance state (the guest holds one, created at run time, never at import:
module-level objects are frozen into the component at build time).  It learns from the
values the caller receives, never from the live exchange alone, so the durable flavour's
replay, which returns the recorded values, rebuilds exactly the memory the live run had,
and a `continue` after a crash sends the same body.  It keeps the last `limit` answers.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Iterable, Optional, Sequence

from normalizer.values import (
    ChatEvent,
    CompleteResponse,
    Config,
    Finish,
    Kv,
    ResponseMetadata,
    StreamDelta,
    StreamEvent,
    ToolCall,
    ToolResult,
)
from providers.common.portable_options import REASONING_BLOCKS

#: How many answers with reasoning an instance remembers (an agent continues the latest).
LIMIT = 32


def blocks_in(metadata: Optional[ResponseMetadata], key: Optional[str]) -> list[Any]:
    """The reasoning to echo under `key` in the metadata's JSON ([] when there is none)."""
    if key is None or metadata is None or not metadata.provider_metadata_json:
        return []
    try:
        extra = json.loads(metadata.provider_metadata_json)
    except ValueError:
        return []
    blocks = extra.get(key) if isinstance(extra, dict) else None
    return [b for b in blocks if isinstance(b, dict)] if isinstance(blocks, list) else []


class ReasoningMemory:
    """Reasoning blocks by tool-call id, for one instance (see the module docstring)."""

    __slots__ = ("_key", "_limit", "_by_call")

    def __init__(self, key: Optional[str], limit: int = LIMIT) -> None:
        self._key = key
        self._limit = limit
        self._by_call: dict[str, tuple[int, str]] = {}  # call id -> (answer no., blocks JSON)

    def learn(self, tool_calls: Sequence[ToolCall], metadata: Optional[ResponseMetadata]) -> None:
        """Remember the reasoning of one answer for each of its tool calls."""
        blocks = blocks_in(metadata, self._key)
        if not blocks or not tool_calls:
            return
        answer = max((n for n, _ in self._by_call.values()), default=0) + 1
        text = json.dumps(blocks, ensure_ascii=False)
        for call in tool_calls:
            self._by_call.pop(call.id, None)
            self._by_call[call.id] = (answer, text)
        oldest = answer - self._limit
        for call_id in [c for c, (n, _) in self._by_call.items() if n <= oldest]:
            del self._by_call[call_id]

    def learn_event(self, event: ChatEvent) -> None:
        """Learn from a `send`/`continue` answer (a tool request carries no metadata)."""
        if isinstance(event, CompleteResponse):
            self.learn(event.tool_calls, event.metadata)

    def watcher(self) -> "StreamWatcher":
        """A learner for one stream's events, in the order the caller receives them."""
        return StreamWatcher(self)

    def recall(self, calls: Iterable[ToolCall]) -> list[Any]:
        """The reasoning of the answers that made `calls`, each answer's once, in order."""
        seen: set[int] = set()
        blocks: list[Any] = []
        for call in calls:
            entry = self._by_call.get(call.id)
            if entry is not None and entry[0] not in seen:
                seen.add(entry[0])
                blocks.extend(json.loads(entry[1]))
        return blocks

    def config_for_continue(self, config: Config,
                            tool_results: Sequence[tuple[ToolCall, ToolResult]]) -> Config:
        """`config` with the remembered reasoning as `reasoning-blocks`, unless the caller
        passed that option (theirs wins) or nothing is remembered for these calls."""
        if any(kv.key == REASONING_BLOCKS for kv in config.provider_options):
            return config
        blocks = self.recall(call for call, _ in tool_results)
        if not blocks:
            return config
        option = Kv(REASONING_BLOCKS, json.dumps(blocks, ensure_ascii=False))
        return replace(config, provider_options=(*config.provider_options, option))


class StreamWatcher:
    """Collects one stream's tool calls and learns at its finish."""

    __slots__ = ("_memory", "_calls")

    def __init__(self, memory: ReasoningMemory) -> None:
        self._memory = memory
        self._calls: list[ToolCall] = []

    def observe(self, events: Optional[Sequence[StreamEvent]]) -> None:
        for event in events or ():
            if isinstance(event, StreamDelta) and event.tool_calls:
                self._calls.extend(event.tool_calls)
            elif isinstance(event, Finish):
                self._memory.learn(self._calls, event.metadata)
