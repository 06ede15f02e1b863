"""Hypothesis strategies for one random call of the campaign: which export, the golem:llm
inputs (half from `fuzz.llm_values`, hostile; half plausible, so that they reach the
server), and what the emulated model answers (a `Scenario` with
random text, tool calls, finish reason, reasoning and pacing of the bytes).

The answer is scripted, so the campaign knows exactly what the server sent and can check
that the component hands all of it back, once.  Text and tool-call fields exclude lone
surrogates (the emulator writes UTF-8, which cannot hold them; the fault modes send them on
purpose); tool arguments are JSON objects, since Anthropic's server re-encodes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from fuzz import llm_values as fv
from normalizer import values as v
from runtime.emulator.scenario import Scenario, ScriptedToolCall

#: How the calls are shared between the exports: mostly `send`, as callers do.
OPS = ("send",) * 7 + ("stream",) * 2 + ("continue",)

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)
_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,20}", fullmatch=True)
_ID = st.from_regex(r"call_[A-Za-z0-9]{1,24}", fullmatch=True)
_JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                          st.text(st.characters(blacklist_categories=("Cs",)), max_size=20))
_ARGS = st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
                        _JSON_SCALARS, max_size=4).map(lambda d: json.dumps(d, ensure_ascii=False))


@st.composite
def answers(draw: Any) -> Scenario:
    """What the model says, and how the bytes travel (never an error: those are faults)."""
    calls = draw(st.lists(st.builds(ScriptedToolCall, id=_ID, name=_NAME, arguments_json=_ARGS),
                          max_size=2, unique_by=lambda c: c.id))
    finish = None if calls else draw(st.sampled_from([None, None, None, "length", "content_filter"]))
    return Scenario(
        name="fuzz",
        text=draw(_TEXT),
        reasoning=draw(st.sampled_from(["", "", "", "Let me think about that."])),
        tool_calls=tuple(calls),
        finish=finish,
        text_chunk_chars=draw(st.integers(1, 16)),
        args_chunk_chars=draw(st.integers(1, 8)),
        write_size=draw(st.sampled_from([None] * 6 + [1, 3, 64])),
        honor_limits=False,
        # Not `resumes`: a hostile conversation may end in an assistant turn that starts
        # like the answer, which the emulator would take for a prefill to continue, while
        # the oracle expects the whole answer.  The cut fault modes test the resume.
    )


@dataclass(frozen=True)
class Call:
    """One random call: `op` is "send", "stream" or "continue"; `poll` reads a stream with
    non-blocking `get-next` instead of `blocking-get-next`."""

    op: str
    messages: tuple[v.Message, ...]
    config: v.Config
    tool_pairs: tuple[tuple[v.ToolCall, v.ToolResult], ...]
    answer: Scenario
    poll: bool = False


# -- plausible inputs: what a working agent sends, so that half the calls reach the server ----

_SCHEMAS = st.sampled_from([
    '{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}',
    '{"type": "object", "properties": {}}',
    '{"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}',
])
_USER_PARTS = st.one_of(
    st.builds(v.Text, fv.TEXT),
    st.builds(v.Image, st.builds(v.ImageUrl, url=st.just("https://example.com/cat.png"),
                                 detail=st.none() | st.sampled_from(list(v.ImageDetail)))),
)


@st.composite
def plausible_messages(draw: Any) -> tuple[v.Message, ...]:
    history = draw(st.lists(st.builds(
        v.Message, role=st.sampled_from([v.Role.SYSTEM, v.Role.USER, v.Role.ASSISTANT]),
        content=st.lists(st.builds(v.Text, fv.TEXT), min_size=1, max_size=2).map(tuple),
        name=st.none() | st.sampled_from(["alice", "bob"])), max_size=3))
    last = v.Message(v.Role.USER, tuple(draw(st.lists(_USER_PARTS, min_size=1, max_size=2))))
    return (*history, last)


@st.composite
def plausible_configs(draw: Any) -> v.Config:
    tools = draw(st.lists(st.builds(v.ToolDefinition, name=_NAME, parameters_schema=_SCHEMAS,
                                    description=st.none() | fv.TEXT),
                          max_size=2, unique_by=lambda t: t.name))
    choices = [None, "auto", "none"] + (["required", tools[0].name] if tools else [])
    return v.Config(
        model=draw(st.sampled_from(["gpt-4o-mini", "claude-sonnet-4-5", "grok-3",
                                    "openai/gpt-4o-mini", "emulated-model"])),
        temperature=draw(st.none() | st.floats(0, 2, width=32)),
        max_tokens=draw(st.none() | st.integers(1, 4096)),
        stop_sequences=draw(st.none() | st.lists(st.text(min_size=1, max_size=5), max_size=2).map(tuple)),
        tools=tuple(tools),
        tool_choice=draw(st.sampled_from(choices)),
        provider_options=draw(st.sampled_from([(), (v.Kv("seed", "7"),), (v.Kv("top_p", "0.5"),)])),
    )


hostile_calls = st.builds(
    Call,
    op=st.sampled_from(OPS),
    messages=st.lists(fv.messages, max_size=3).map(tuple),
    config=fv.configs,
    tool_pairs=fv.tool_pairs.map(tuple),
    answer=answers(),
    poll=st.booleans(),
)
plausible_calls = st.builds(
    Call,
    op=st.sampled_from(OPS),
    messages=plausible_messages(),
    config=plausible_configs(),
    tool_pairs=fv.tool_pairs.map(tuple),
    answer=answers(),
    poll=st.booleans(),
)
#: Half hostile (anything the WIT types allow), half what a working agent would send.
calls = st.one_of(hostile_calls, plausible_calls)
