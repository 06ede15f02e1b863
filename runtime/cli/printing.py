"""How the CLI and the demo print golem:llm events: as text for a person, or one JSON object
per event (`--json`)."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from enum import Enum
from typing import Any, TextIO

from normalizer import values as v


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return {"bytes": len(value)}
    if is_dataclass(value):
        return {"type": type(value).__name__,
                **{k: to_jsonable(getattr(value, k)) for k in asdict(value)}}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(x) for x in value]
    return value


def describe_finish(meta: v.ResponseMetadata) -> str:
    bits = [f"finish: {meta.finish_reason.value if meta.finish_reason else 'unknown'}"]
    if meta.usage:
        u = meta.usage
        bits.append(f"tokens in {u.input_tokens} / out {u.output_tokens} / total {u.total_tokens}")
    if meta.provider_id:
        bits.append(f"id {meta.provider_id}")
    return "[" + " · ".join(bits) + "]"


def print_event(event: v.StreamEvent, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(to_jsonable(event)) + "\n")
    elif isinstance(event, v.StreamDelta):
        for part in event.content or ():
            out.write(part.text if isinstance(part, v.Text) else "[image]")
        for call in event.tool_calls or ():
            out.write(f"\n[tool call] {call.name}({call.arguments_json})  id={call.id}\n")
    elif isinstance(event, v.Finish):
        out.write("\n" + describe_finish(event.metadata) + "\n")
    else:
        out.write(f"\n[error: {event.code.value}] {event.message}\n")
    out.flush()


def print_chat_event(event: v.ChatEvent, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(to_jsonable(event)) + "\n")
    elif isinstance(event, v.CompleteResponse):
        out.write("".join(p.text for p in event.content if isinstance(p, v.Text)) + "\n")
        for call in event.tool_calls:
            out.write(f"[tool call] {call.name}({call.arguments_json})  id={call.id}\n")
        out.write(describe_finish(event.metadata) + "\n")
    elif isinstance(event, v.ToolRequest):
        for call in event.tool_calls:
            out.write(f"[tool call] {call.name}({call.arguments_json})  id={call.id}\n")
    else:
        out.write(f"[error: {event.code.value}] {event.message}\n")
    out.flush()
