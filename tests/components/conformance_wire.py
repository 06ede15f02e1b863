"""Read what a provider request says, whatever its wire dialect, for the conformance suite.

The suite asserts the same facts of every provider's request (the system prompt arrived,
the stop sequences, the tool choice, the images, the tool results...).  Each dialect puts
them in different places; this module is the one place that knows where, written from the
providers' documented request formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

ANTHROPIC = "anthropic"


def dialect_of(provider: str) -> str:
    return ANTHROPIC if provider == "anthropic" else "chat"


@dataclass(frozen=True)
class ToolResultSeen:
    call_id: str
    content: str
    is_error: bool


@dataclass(frozen=True)
class Wire:
    provider: str
    body: dict

    @property
    def anthropic(self) -> bool:
        return dialect_of(self.provider) == ANTHROPIC

    def _messages(self) -> list[dict]:
        return list(self.body.get("messages") or [])

    @property
    def system_text(self) -> str:
        if self.anthropic:
            system = self.body.get("system") or ""
            return system if isinstance(system, str) else "\n\n".join(
                b.get("text", "") for b in system)
        return "\n\n".join(_text(m.get("content")) for m in self._messages()
                           if m.get("role") in ("system", "developer"))

    @property
    def roles(self) -> list[str]:
        return [m["role"] for m in self._messages() if m.get("role") not in ("system", "developer")]

    def texts(self) -> list[str]:
        return [_text(m.get("content")) for m in self._messages()
                if m.get("role") not in ("system", "developer")]

    @property
    def temperature(self) -> Optional[float]:
        return self.body.get("temperature")

    @property
    def stop(self) -> list[str]:
        value = self.body.get("stop_sequences" if self.anthropic else "stop") or []
        return [value] if isinstance(value, str) else list(value)

    @property
    def max_tokens(self) -> Optional[int]:
        if self.anthropic:
            return self.body.get("max_tokens")
        return self.body.get("max_completion_tokens", self.body.get("max_tokens"))

    @property
    def tool_names(self) -> list[str]:
        tools = self.body.get("tools") or []
        if self.anthropic:
            return [t["name"] for t in tools]
        return [t["function"]["name"] for t in tools]

    @property
    def tool_choice(self) -> Optional[str]:
        """"auto", "none", "required" or "tool:<name>" (None when not sent)."""
        choice = self.body.get("tool_choice")
        if choice is None:
            return None
        if self.anthropic:
            kind = choice.get("type")
            return {"any": "required", "tool": f"tool:{choice.get('name')}"}.get(kind, kind)
        if isinstance(choice, str):
            return choice
        return f"tool:{choice['function']['name']}"

    def image_kinds(self) -> list[str]:
        """"url" or "inline" for every image in the conversation, in order."""
        kinds = []
        for message in self._messages():
            content = message.get("content")
            for part in content if isinstance(content, list) else []:
                if part.get("type") == "image_url":
                    url = part["image_url"]["url"]
                    kinds.append("inline" if url.startswith("data:") else "url")
                elif part.get("type") == "image":
                    kinds.append("inline" if part["source"]["type"] == "base64" else "url")
        return kinds

    def echoed_tool_calls(self) -> list[tuple[str, str]]:
        """(id, name) of the assistant tool calls echoed back by `continue`."""
        calls = []
        for message in self._messages():
            if message.get("role") != "assistant":
                continue
            if self.anthropic:
                content = message.get("content")
                calls += [(b["id"], b["name"]) for b in content if isinstance(content, list)
                          and b.get("type") == "tool_use"]
            else:
                calls += [(c["id"], c["function"]["name"]) for c in message.get("tool_calls") or []]
        return calls

    def tool_results(self) -> list[ToolResultSeen]:
        results = []
        for message in self._messages():
            if self.anthropic:
                content = message.get("content")
                for block in content if isinstance(content, list) else []:
                    if block.get("type") == "tool_result":
                        results.append(ToolResultSeen(block["tool_use_id"], _text(block.get("content")),
                                                      bool(block.get("is_error"))))
            elif message.get("role") == "tool":
                text = _text(message.get("content"))
                results.append(ToolResultSeen(message["tool_call_id"], text, "error" in text.lower()))
        return results


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, dict))
