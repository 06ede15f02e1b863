"""The benchmark inputs: identical SSE byte streams per wire family, rendered once per run.

Every subject of a comparison (our engine, an SDK's iterator, the component) reads the very
same bytes.  They are rendered by the provider emulator's stand-in for each provider's API
(`runtime/emulator/dialects.py`), so the bytes are what the emulator, and through it the real
APIs, send: OpenAI's `obfuscation` padding, Anthropic's `event:` lines and `ping`, xAI's and
OpenRouter's habits.

Three answers, each a `Scenario`:
  long-text   a long text answer in ~4-character deltas (one token each, as real models send)
  tool-calls  a short text, then many tool calls whose arguments stream in 6-character pieces
  short-text  the long text's shape, shorter: the 1-byte-chunk case (a parser's worst case)
  first-text  a few deltas: the time-to-first-event answer
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

from runtime.emulator.response import RenderContext
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from sse.parser import SseParser

CHAT = "chat_completions"  # the Chat Completions wire dialect (OpenAI, xAI Grok, OpenRouter)
MESSAGES = "anthropic_messages"  # the Anthropic Messages wire dialect

CREATED = 1_700_000_000  # fixed, so every run renders the same bytes
TEXT_CHARS = 4  # characters per text delta: about one token
ARGS_CHARS = 6  # characters per tool-argument fragment
FIRST_EVENTS = 16  # the time-to-first-event answer: short, so a paced run stays short
USER_PROMPT = "Benchmark: answer at length."

# Mixed ASCII and multi-byte UTF-8 (accents, a dash, an emoji), so a character is sometimes
# cut across chunks, as it is on the wire.
_SENTENCE = ("Streaming benchmark sentence number {n}: the café's naïve façade — quiet, "
             "well-lit and warm 🎉 — stands at the corner of Fifth and Main. ")


@dataclass(frozen=True)
class BenchStream:
    """One answer's bytes, as the server flushes them: `pieces` holds one SSE event each."""

    name: str
    family: str
    pieces: tuple[bytes, ...] = field(repr=False)
    text: str = field(repr=False)
    tool_calls: int
    source: str  # which renderer made the bytes

    @cached_property
    def body(self) -> bytes:
        return b"".join(self.pieces)

    @cached_property
    def sse_events(self) -> int:
        """SSE events in the body (the events/s unit: the same count for every subject)."""
        parser = SseParser()
        count = len(parser.feed(self.body))
        parser.finish()
        return count

    def chunks(self, size: Optional[int]) -> list[bytes]:
        """The body cut as delivered: `None` = one chunk per SSE event (how servers flush),
        else fixed `size`-byte chunks (1 = the worst case, 65536 = a big network read)."""
        if size is None:
            return list(self.pieces)
        body = self.body
        return [body[i:i + size] for i in range(0, len(body), size)]


# ---- scenarios ----------------------------------------------------------------------------

def long_text(events: int) -> str:
    """Text that streams as about `events` deltas of `TEXT_CHARS` characters."""
    want = max(1, events) * TEXT_CHARS
    parts: list[str] = []
    size = n = 0
    while size < want:
        n += 1
        sentence = _SENTENCE.format(n=n)
        parts.append(sentence)
        size += len(sentence)
    return "".join(parts)[:want]


def text_scenario(events: int) -> Scenario:
    return Scenario(name="bench-text", text=long_text(events), text_chunk_chars=TEXT_CHARS,
                    honor_limits=False)


def tool_scenario(events: int) -> Scenario:
    """About `events` events, nearly all tool-argument fragments: `events // 100` calls (at
    least 2) of ~100 fragments each, after one sentence of text."""
    calls = max(2, events // 100)
    per_call = max(2, (events - 10) // calls)
    scripted = tuple(
        ScriptedToolCall(id=f"call_bench{i:06d}", name=f"lookup_{i % 7}",
                         arguments_json=_arguments(i, per_call * ARGS_CHARS))
        for i in range(calls))
    return Scenario(name="bench-tools", text="Let me look those up.", tool_calls=scripted,
                    text_chunk_chars=TEXT_CHARS, args_chunk_chars=ARGS_CHARS,
                    honor_limits=False)


def _arguments(i: int, size: int) -> str:
    """A JSON object of about `size` characters (always valid JSON)."""
    words = long_text(size // TEXT_CHARS + 8)
    value = {"query": f"item {i}", "filters": {"city": "Florence", "limit": 10 + i},
             "notes": ""}
    base = len(json.dumps(value, ensure_ascii=False))
    value["notes"] = words[:max(0, size - base)]
    return json.dumps(value, ensure_ascii=False)


# ---- rendering ----------------------------------------------------------------------------

def family_of(provider: str) -> str:
    """The wire dialect of the registry's provider `provider`."""
    from providers import PROVIDERS

    return PROVIDERS[provider].dialect


def _request(family: str) -> dict[str, Any]:
    user = [{"role": "user", "content": USER_PROMPT}]
    if family == MESSAGES:
        return {"model": "claude-bench", "max_tokens": 1_000_000, "messages": user,
                "stream": True}
    return {"model": "gpt-bench", "messages": user, "stream": True,
            "stream_options": {"include_usage": True}}


def render(provider: str, name: str, scenario: Scenario) -> BenchStream:
    """`scenario` as `provider`'s server streams it (the emulator's stand-in for its API)."""
    from providers import PROVIDERS
    from runtime.emulator.dialects import dialect_for

    family = family_of(provider)
    dialect = dialect_for(PROVIDERS[provider])
    response = dialect.render(scenario, _request(family),
                              RenderContext(request_number=1, created=CREATED))
    if response.status != 200 or not response.streaming:
        raise RuntimeError(f"the emulator's {dialect.name} dialect did not stream {name}")
    return BenchStream(name=name, family=family, pieces=tuple(response.body),
                       text=scenario.text, tool_calls=len(scenario.tool_calls),
                       source=f"emulator:{dialect.name}")


def streams_for(provider: str, long_events: int, tool_events: int,
                short_events: int) -> dict[str, BenchStream]:
    return {
        "long-text": render(provider, "long-text", text_scenario(long_events)),
        "tool-calls": render(provider, "tool-calls", tool_scenario(tool_events)),
        "short-text": render(provider, "short-text", text_scenario(short_events)),
        "first-text": render(provider, "first-text", text_scenario(FIRST_EVENTS)),
    }
