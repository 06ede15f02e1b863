"""`golem-llm chat` with no prompt: an interactive session with one component instance.

Each line typed is a user turn; the conversation is kept (every earlier turn and answer is
sent again, as golem:llm is stateless) and the answer is streamed as it arrives.  When the
model calls one of the `--tool`s, the session shows the call and asks the person for its
result: nothing is executed.  A typed line is the result (sent as JSON when it is JSON,
else as a JSON string); a line starting with `!` is a failure with that message.  The
results go back with `continue`, whose answer may call tools again.

golem:llm messages have no tool-call part, so a finished tool round is kept in the
conversation as the assistant's text: the calls and results, written out, then the answer.

`/quit` (or end of input) ends the session; `/reset` forgets the conversation.
"""

from __future__ import annotations

import json
from typing import Callable, Optional, TextIO

from normalizer import values as v
from runtime.cli.printing import print_chat_event, print_event
from runtime.host import LlmInstance

Ask = Callable[[str], Optional[str]]  # shows a prompt, returns the line (None at the end)

HELP = ("interactive session: type a message and press Enter; /reset forgets the "
        "conversation, /quit (or Ctrl-D) ends it")


def ask_stdin(prompt: str) -> Optional[str]:
    """`input`, which gives line editing on a terminal and works on a pipe too."""
    try:
        return input(prompt)
    except EOFError:
        return None


def tool_result(call: v.ToolCall, line: str) -> v.ToolResult:
    """What the person typed for `call`."""
    if line.startswith("!"):
        return v.ToolFailure(call.id, call.name, line[1:].strip())
    try:
        json.loads(line)
        result = line
    except ValueError:
        result = json.dumps(line)
    return v.ToolSuccess(call.id, call.name, result)


def _render_round(pairs: list[tuple[v.ToolCall, v.ToolResult]], answer: str) -> str:
    lines = []
    for call, result in pairs:
        outcome = (result.result_json if isinstance(result, v.ToolSuccess)
                   else f"failed: {result.error_message}")
        lines.append(f"[called {call.name}({call.arguments_json}) -> {outcome}]")
    return "\n".join(lines + [answer])


class Session:
    """One conversation with one instance."""

    def __init__(self, instance: LlmInstance, config: v.Config,
                 system: Optional[str], out: TextIO, ask: Ask = ask_stdin,
                 as_json: bool = False) -> None:
        self._instance = instance
        self._config = config
        self._system = system
        self._out = out
        self._ask = ask
        self._json = as_json
        self.messages: list[v.Message] = self._start()

    def _start(self) -> list[v.Message]:
        return [v.Message(v.Role.SYSTEM, (v.Text(self._system),))] if self._system else []

    def run(self) -> int:
        """Turns until `/quit` or the end of input; 1 if the last answer was an error."""
        self._out.write(HELP + "\n")
        failed = False
        while True:
            line = self._ask("you> ")
            if line is None or line.strip() in ("/quit", "/exit"):
                self._out.write("\n")
                return 1 if failed else 0
            if not line.strip():
                continue
            if line.strip() == "/reset":
                self.messages = self._start()
                self._out.write("(conversation forgotten)\n")
                continue
            failed = not self.turn(line)

    def turn(self, line: str) -> bool:
        """One user turn, streamed, then any tool rounds; False if it ended in an error."""
        asked = self.messages + [v.Message(v.Role.USER, (v.Text(line),))]
        text: list[str] = []
        calls: list[v.ToolCall] = []
        self._out.write("model> ")
        self._out.flush()
        with self._instance.stream(asked, self._config) as stream:
            while batch := stream.blocking_get_next():
                for event in batch:
                    print_event(event, self._out, self._json)
                    if isinstance(event, v.LlmError):
                        return False
                    if isinstance(event, v.StreamDelta):
                        text += [p.text for p in event.content or () if isinstance(p, v.Text)]
                        calls += list(event.tool_calls or ())
        answer = "".join(text)
        pairs: list[tuple[v.ToolCall, v.ToolResult]] = []
        while calls:
            for call in calls:
                typed = self._ask(f"result of {call.name} (JSON or text, !message for a "
                                  f"failure)> ")
                if typed is None:
                    return False
                pairs.append((call, tool_result(call, typed)))
            reply = self._instance.continue_(asked, pairs, self._config)
            self._out.write("model> ")
            print_chat_event(reply, self._out, self._json)
            if isinstance(reply, v.LlmError):
                return False
            calls = list(reply.tool_calls)  # more calls: another round
            if isinstance(reply, v.CompleteResponse):
                answer = "".join(p.text for p in reply.content if isinstance(p, v.Text))
        kept = _render_round(pairs, answer) if pairs else answer
        self.messages = asked + [v.Message(v.Role.ASSISTANT, (v.Text(kept),))]
        return True
