"""The agent component's exports (world `example:agent/agent-with-llm`, wit/agent.wit).

It only talks to golem:llm/llm@1.0.0 through its import; which provider answers, and
whether the calls are durable, is decided by the component it is composed with.  Every
export turns any failure into its `err` string (an uncaught exception would trap the
instance for good); a trap raised by the host (a Golem crash) is not an exception here and
passes through, as it must.
"""

from __future__ import annotations

from componentize_py_types import Err

from wit_world import exports
from wit_world.exports.agent import Answer, Streamed
from wit_world.imports import llm

from agent_tools import TOOL_SPECS, run_tool

MAX_ROUNDS = 8
"""The most model calls one `ask` makes, whatever the caller asks for: a loop that a
model keeps feeding with tool calls must end."""


def _config(model: str, with_tools: bool) -> llm.Config:
    tools = [llm.ToolDefinition(name, description, schema)
             for name, description, schema in TOOL_SPECS] if with_tools else []
    return llm.Config(model=model, temperature=None, max_tokens=None, stop_sequences=None,
                      tools=tools, tool_choice=None, provider_options=[])


def _user(prompt: str) -> list[llm.Message]:
    return [llm.Message(role=llm.Role.USER, name=None, content=[llm.ContentPart_Text(prompt)])]


def _text(parts: list | None) -> str:
    return "".join(p.value for p in parts or () if isinstance(p, llm.ContentPart_Text))


def _failure(error: llm.Error) -> Err:
    return Err(f"{error.code.name.lower().replace('_', '-')}: {error.message}")


def _run(call: llm.ToolCall) -> llm.ToolResult:
    ok, text = run_tool(call.name, call.arguments_json)
    if ok:
        return llm.ToolResult_Success(llm.ToolSuccess(call.id, call.name, text, None))
    return llm.ToolResult_Error(llm.ToolFailure(call.id, call.name, text, None))


def _describe(call: llm.ToolCall, result: llm.ToolResult) -> str:
    outcome = (result.value.result_json if isinstance(result, llm.ToolResult_Success)
               else f"error: {result.value.error_message}")
    return f"{call.name}({call.arguments_json}) = {outcome}"


def _calls(event: llm.ChatEvent) -> list[llm.ToolCall]:
    if isinstance(event, llm.ChatEvent_ToolRequest):
        return list(event.value)
    if isinstance(event, llm.ChatEvent_Message):
        return list(event.value.tool_calls)
    return []


def ask(model: str, prompt: str, max_rounds: int) -> Answer:
    """The tool loop: send, then run the tools the model asks for and continue with every
    call and result so far, until it answers without tools or the rounds run out."""
    rounds_allowed = min(max_rounds, MAX_ROUNDS)
    if rounds_allowed < 1:
        raise Err("max-rounds must be at least 1")
    messages, config = _user(prompt), _config(model, with_tools=True)
    pairs: list[tuple[llm.ToolCall, llm.ToolResult]] = []
    event = llm.send(messages, config)
    rounds = 1
    while True:
        if isinstance(event, llm.ChatEvent_Error):
            raise _failure(event.value)
        calls = _calls(event)
        if not calls:
            return Answer(text=_text(event.value.content), rounds=rounds,
                          tool_calls=[_describe(c, r) for c, r in pairs])
        if rounds >= rounds_allowed:
            raise Err(f"the model still wanted tools after {rounds} rounds")
        pairs += [(call, _run(call)) for call in calls]
        event = llm.continue_(messages, pairs, config)
        rounds += 1


def stream_answer(model: str, prompt: str) -> Streamed:
    """Read the stream to its end with `blocking-get-next`: the end is the `finish` or
    `error` event (an empty batch also ends it, as every call after the end returns one)."""
    text, batches, finish = [], 0, "other"
    with llm.stream(_user(prompt), _config(model, with_tools=False)) as stream:
        while True:
            batch = stream.blocking_get_next()
            if not batch:
                break
            batches += 1
            for event in batch:
                if isinstance(event, llm.StreamEvent_Delta):
                    text.append(_text(event.value.content))
                elif isinstance(event, llm.StreamEvent_Error):
                    raise _failure(event.value)
                elif isinstance(event, llm.StreamEvent_Finish):
                    reason = event.value.finish_reason
                    finish = reason.name.lower().replace("_", "-") if reason else "other"
            if any(isinstance(e, (llm.StreamEvent_Finish, llm.StreamEvent_Error))
                   for e in batch):
                break
    return Streamed(text="".join(text), batches=batches, finish=finish)


def _guarded(export, *args):
    try:
        return export(*args)
    except Err:
        raise
    except Exception as exc:  # never trap: the caller gets the failure as its `err`
        raise Err(f"agent failed: {type(exc).__name__}: {exc}") from None


class Agent(exports.Agent):
    def ask(self, model: str, prompt: str, max_rounds: int) -> Answer:
        return _guarded(ask, model, prompt, max_rounds)

    def stream_answer(self, model: str, prompt: str) -> Streamed:
        return _guarded(stream_answer, model, prompt)
