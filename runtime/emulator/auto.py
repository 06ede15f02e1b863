"""The `auto` scenario: a plausible answer built from the request, so a demo feels real.

- tools offered, no tool result in the conversation yet, tool_choice not "none":
  call the named tool_choice function (or the first tool) with arguments built from its
  JSON Schema;
- the conversation ends with tool results: quote them ("The tool returned: ...");
- otherwise: echo the last user text in a sentence long enough to stream in several deltas.
"""

from __future__ import annotations

import hashlib
import json

from runtime.emulator.request_view import RequestView, ToolSpec
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.schema_example import example_arguments

SIGNATURE = "This answer was streamed by the golem-llm emulator."


def auto_scenario(view: RequestView, seed: int = 0) -> Scenario:
    """The answer for `view`; `seed` (e.g. the request number) makes tool-call ids unique
    across turns while staying deterministic."""
    tool = _tool_to_call(view)
    if tool is not None:
        args = json.dumps(example_arguments(tool.parameters, view.last_user_text))
        digest = hashlib.sha256(f"{seed}:{tool.name}:{args}".encode()).hexdigest()[:24]
        return Scenario(
            name="auto",
            tool_calls=(ScriptedToolCall(id=f"call_{digest}", name=tool.name, arguments_json=args),),
        )
    if view.trailing_tool_results:
        return Scenario(name="auto", text=_tool_result_text(view))
    return Scenario(name="auto", text=echo_text(view.last_user_text, view.last_user_images))


def echo_text(user_text: str, images: int = 0) -> str:
    said = " ".join(user_text.split())
    parts = [f'You said: "{said}".' if said else "Hello!"]
    if images:
        parts.append(f"I received {images} image{'s' if images != 1 else ''}.")
    parts.append(SIGNATURE)
    return " ".join(parts)


def _tool_result_text(view: RequestView) -> str:
    results = view.trailing_tool_results
    if len(results) == 1:
        body = f"The tool returned: {results[0].content}"
    else:
        body = "The tools returned: " + "; ".join(
            f"{r.name or r.call_id} → {r.content}" for r in results
        )
    body = body.rstrip()
    return f"{body} {SIGNATURE}" if body.endswith(".") else f"{body}. {SIGNATURE}"


def _tool_to_call(view: RequestView) -> ToolSpec | None:
    if not view.tools or view.has_tool_results or view.tool_choice == "none":
        return None
    if view.tool_choice == "function" and view.tool_choice_name:
        for tool in view.tools:
            if tool.name == view.tool_choice_name:
                return tool
        return ToolSpec(name=view.tool_choice_name)
    return view.tools[0]
