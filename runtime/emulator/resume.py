"""A resumable scenario asked to continue its own answer answers the rest of it.

A component that lost its connection mid-answer sends one continuation request
(durability/continuation.py): the original messages plus what the caller already has,
either as a trailing assistant message the model goes on from (a prefill, its trailing
whitespace dropped) or as an assistant turn followed by a request to continue.  A real
model writes the rest of its answer; this does the same for a scripted one, so a fault
that cuts an answer can be checked end to end: the caller must see the scripted answer
exactly once, in one stream, with one finish.

A request is a continuation only in one of those two forms: it ends with an assistant
message that is a start of the scripted text, or its last user message is the component's
continuation instruction.  (An ordinary conversation whose earlier assistant turn happens
to begin like the answer is not one.)  In the second form, the assistant turn before the
instruction is read as the caller's part: the longest start of the scripted text it begins
with, and the tool calls whose ids it names.  The rest keeps the
scripted finish reason (a continuation that only finishes a tool-call answer still
finishes with `tool_calls`) and its fault, which decides itself whether it strikes the
continuation too (`Fault.strikes`).
"""

from __future__ import annotations

import os

from durability.continuation import INSTRUCTION
from runtime.emulator.request_view import RequestView
from runtime.emulator.scenario import Scenario


def rest_of(scenario: Scenario, view: RequestView) -> Scenario:
    """`scenario`, or the rest of its answer when `view` continues it (see the module)."""
    had = view.last_assistant_text
    if not scenario.resumes or not had:
        return scenario
    text = scenario.text
    if view.ends_with_assistant:  # a prefill: the model goes on from its end
        if not text.startswith(had):
            return scenario
        kept, delivered = len(had), set()
    elif view.last_user_text == INSTRUCTION:  # the partial answer, then "continue"
        kept = len(os.path.commonprefix([had, text]))
        delivered = {c.id for c in scenario.tool_calls if c.id in had}
    else:
        return scenario
    return scenario.with_(
        text=text[kept:],
        tool_calls=tuple(c for c in scenario.tool_calls if c.id not in delivered),
        finish=scenario.effective_finish,
        resumes=False,
    )
