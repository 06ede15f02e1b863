"""Structured output on the Messages API: the native form, or a forced tool.

The API has two ways to make the answer JSON that follows a schema:

- **native** (`output_config.format = {"type": "json_schema", "schema": ...}`): the answer's
  text is the JSON, produced under constrained decoding, so it always follows the schema.
  Only some models accept it (the provider's `native_json_schema_models`); older ones
  answer 400.
- **tool**: the schema is the `input_schema` of one tool, `ANSWER_TOOL`, and
  `tool_choice = {"type": "tool", "name": ANSWER_TOOL}` makes the model call it; the call's
  input is the answer.  Every model with tool use accepts it.  The normalizer, told the
  tool's name (`AnthropicMessagesProvider.normalizer`), turns that call's input back into
  the answer's text, with finish reason `stop`, so a caller sees the same answer in both
  forms.  The schema guides the model but is not enforced by constrained decoding, so
  `json-schema-strict: true` given explicitly is refused here (the native form has it).

`json-schema-mode` (`native` | `tool`) chooses; without it the model decides: native where
the model is listed, the tool elsewhere (it works on every model, listed or not, so a model
newer than the list still gets a correct answer).  `json-mode` has no schema to send
natively, so it is always the tool form, with the schema `{"type": "object"}`.

What the tool form cannot combine with, refused before sending rather than answered wrong:

- the caller's own tools (`config.tools`): the forced choice would never let the model call
  them, so the answer would silently differ from what tools were offered for;
- extended thinking (`thinking-budget`, or a `thinking` option that enables it): the API
  refuses a forced `tool_choice` while thinking is on;
- a schema that does not describe an object: a tool's input is always an object.

Neither form continues a trailing assistant message (a prefill, which is also how a durable
stream resumes an interrupted answer, `durability/continuation.py`): both forms constrain
the answer from its start (the native grammar begins at the schema's root, the forced tool
begins a new input), so a resumed answer would be the partial JSON followed by a whole new
one.  Such a request
is refused, and an interrupted structured answer ends in that error rather than in text
that is not the JSON asked for.

`ANSWER_TOOL` is reserved: a caller's tool of that name is refused in every form, so a
`tool_use` block of that name can only be this answer, which is what lets the normalizer
recognise it without further word from the request.
"""

from __future__ import annotations

import json
from typing import Optional

from normalizer.values import ErrorCode, ToolDefinition
from providers.common.json_body import JsonObject
from providers.common.portable_options import PortableOptions
from providers.common.refusal import Refusal

#: The tool whose input is the answer in the tool form (README, "Documented provider options").
ANSWER_TOOL = "json_answer"
NATIVE = "native"
TOOL = "tool"
_DESCRIPTION = ("Give your whole answer by calling this tool once; its input is the answer, "
                "as JSON that follows this schema.")
_OBJECT = {"type": "object"}
_THINKING_ON = ("enabled", "adaptive")


def answer_form(options: PortableOptions, model: str,
                native_models: tuple[str, ...]) -> Optional[str]:
    """`NATIVE`, `TOOL`, or None when no structured output was asked for (see the module
    docstring for the default)."""
    if options.json_schema is None and not options.json_mode:
        return None
    if options.json_mode:
        if options.json_schema_mode == NATIVE:
            raise Refusal("provider option 'json-mode' has no native form on the Anthropic API "
                          "(its native structured output needs a schema): pass json-schema, "
                          "or leave json-schema-mode unset", ErrorCode.UNSUPPORTED)
        return TOOL
    if options.json_schema_mode is not None:
        return options.json_schema_mode
    return NATIVE if bool(native_models) and model.startswith(native_models) else TOOL


def refuse_reserved_name(tools: tuple[ToolDefinition, ...]) -> None:
    """A caller's tool named `ANSWER_TOOL` is refused (see the module docstring)."""
    if any(tool.name == ANSWER_TOOL for tool in tools):
        raise Refusal(f"tool name {ANSWER_TOOL!r} is reserved on the Anthropic API: it "
                      "carries the answer of json-schema / json-mode; rename the tool")


def refuse_prefill(form: Optional[str], turns: list[JsonObject],
                   options: PortableOptions) -> None:
    """Structured output with a trailing assistant turn is refused (module docstring)."""
    if form is None or not turns or turns[-1].get("role") != "assistant":
        return
    key = "json-mode" if options.json_mode else "json-schema"
    raise Refusal(f"provider option {key!r} cannot continue a trailing assistant message "
                  "(a prefill, which is also how an interrupted stream resumes): the "
                  "Anthropic API's structured output would start the JSON over")


def apply_answer_form(body: JsonObject, options: PortableOptions, form: Optional[str], label: str,
          set_by: dict[str, str]) -> None:
    """The fields of `form` (after the config's `tools` and `tool_choice`); `set_by`
    records them for the conflict message of a native option that sets them again."""
    if form is None:
        return
    key = "json-mode" if options.json_mode else "json-schema"
    if form == NATIVE:
        if not options.json_schema_strict:
            raise Refusal(f"provider option 'json-schema-strict' = false is not supported by "
                          f"{label} in the native form: its structured output always follows "
                          "the schema (json-schema-mode tool does not enforce it)",
                          ErrorCode.UNSUPPORTED)
        body["output_config"] = {"format": {"type": "json_schema",
                                            "schema": options.json_schema}}
        set_by["output_config"] = f"provider option {key!r}"
        return
    if "json-schema-strict" in options.given and options.json_schema_strict:
        raise Refusal(f"provider option 'json-schema-strict' = true is not supported by "
                      f"{label} in the tool form (the schema guides the tool call but is "
                      "not enforced); use json-schema-mode native on a model that has it",
                      ErrorCode.UNSUPPORTED)
    if body.get("tools"):
        raise Refusal(f"provider option {key!r} is sent to this model as a forced tool "
                      f"({ANSWER_TOOL!r}), which leaves the model no way to call "
                      "config.tools; pass no tools with it, or use json-schema-mode native "
                      "on a model that has native structured output")
    body["tools"] = [{"name": ANSWER_TOOL, "description": _DESCRIPTION,
                      "input_schema": _object_schema(options.json_schema)}]
    body["tool_choice"] = {"type": "tool", "name": ANSWER_TOOL}
    set_by["tool_choice"] = f"provider option {key!r}"


def refuse_thinking(body: JsonObject, form: Optional[str], options: PortableOptions,
                    set_by: dict[str, str]) -> None:
    """The tool form with thinking on is refused naming both options (the API refuses a
    forced tool_choice while thinking; checked once every option is in the body)."""
    if form != TOOL:
        return
    thinking = body.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") not in _THINKING_ON:
        return
    key = "json-mode" if options.json_mode else "json-schema"
    other = set_by.get("thinking", "provider option 'thinking'")
    raise Refusal(f"provider option {key!r} (sent to this model as a forced tool) and "
                  f"{other} exclude each other: the Anthropic API refuses a forced tool "
                  "choice while extended thinking is on; turn thinking off, or use "
                  "json-schema-mode native on a model that has native structured output")


def _object_schema(schema: Optional[dict]) -> JsonObject:
    """The tool's `input_schema`: the schema (an object's; one without `type` is taken as
    one), or any object for `json-mode`."""
    if schema is None:
        return dict(_OBJECT)
    if "type" not in schema:
        return {"type": "object", **schema}
    if schema["type"] != "object":
        raise Refusal(f"provider option 'json-schema' must describe an object "
                      f"(\"type\": \"object\") in the tool form, got \"type\": "
                      f"{json.dumps(schema['type'])}; use json-schema-mode native on a model "
                      "that has native structured output")
    return schema
