"""golem:llm messages → Messages API turns (`{"role": "user"|"assistant", "content": [...]}`).

Decisions, each because of how the wire format or golem:llm works:

- System messages are not turns: `system.py` lifts them into the top-level `system` field.
- Content is always a list of blocks (`text`, `image`), the one form that holds every mix
  of parts.  Text that is empty or only whitespace is left out, because the API rejects
  such text blocks; a message left with no content at all is dropped (it says nothing).
- `name` has no field in the Messages API.  To keep who said what (several people in one
  conversation), a named user or assistant message has its text prefixed with
  `[name]: `; the model reads it as a speaker label.  Unnamed messages are sent unchanged.
- A `tool` role message has no wire form that could work here: a `tool_result` block needs
  the assistant's `tool_use` block right before it, which a golem:llm message cannot carry
  (tool results of the current turn go through `continue`, see `tool_results.py`).  So it is
  sent as user text labelled `[tool result <name>]: ` (golem:llm's tool messages carry the
  call id or tool name in `name`), which the model can read and which the API accepts.
- Images are accepted in user (and tool) messages only; the API rejects them in assistant
  turns, so that is refused here with a clear message.
- Turns must alternate: consecutive turns of the same role are merged into one, their
  blocks kept in order (`merge_turns`).
- A conversation that ends with an assistant turn asks the model to continue it (prefill).
  The API refuses a final assistant turn that ends in whitespace, so that trailing
  whitespace is trimmed (`trim_prefill`).
"""

from __future__ import annotations

from typing import Optional, Sequence

from normalizer.values import Image, Message, Role, Text
from providers.anthropic_messages.images import image_block
from providers.common.refusal import Refusal
from providers.common.json_body import JsonObject


def convert_messages(messages: Sequence[Message]) -> list[JsonObject]:
    """The non-system messages as turns, in order (not yet merged); the first message the
    API could not accept is refused."""
    turns: list[JsonObject] = []
    for index, message in enumerate(messages):
        if message.role is Role.SYSTEM:
            continue
        turn = convert_message(message, index)
        if turn is not None:
            turns.append(turn)
    return turns


def wire_role(role: Role) -> str:
    """The turn's role; spelled out so a new golem:llm role cannot reach the wire unnoticed."""
    match role:
        case Role.USER | Role.TOOL:
            return "user"
        case Role.ASSISTANT:
            return "assistant"
    raise ValueError(f"role {role!r} is not a turn")


def convert_message(message: Message, index: int) -> Optional[JsonObject]:
    """One turn, None for a message with nothing to say; `index` only locates refusals."""
    role = wire_role(message.role)
    where = f"message {index} ({message.role.value})"
    blocks: list[JsonObject] = []
    for part in message.content:
        if isinstance(part, Text):
            if part.text.strip():
                blocks.append({"type": "text", "text": part.text})
        elif isinstance(part, Image):
            if role != "user":
                raise Refusal(f"{where}: the Anthropic API accepts images only in user messages")
            blocks.append(image_block(part.reference, where))
        else:
            raise TypeError(f"{where}: not a content part: {part!r}")
    if not blocks:
        return None
    label = speaker_label(message)
    if label is not None:
        _prefix(blocks, label)
    return {"role": role, "content": blocks}


def speaker_label(message: Message) -> Optional[str]:
    """`[name]` for a named user/assistant message, `[tool result <name>]` for a tool
    message, None otherwise (an empty name counts as none)."""
    if message.role is Role.TOOL:
        return f"[tool result {message.name}]" if message.name else "[tool result]"
    if message.name:
        return f"[{message.name}]"
    return None


def _prefix(blocks: list[JsonObject], label: str) -> None:
    first = blocks[0]
    if first.get("type") == "text":
        blocks[0] = {"type": "text", "text": f"{label}: {first['text']}"}
    else:  # the message starts with an image: the label goes before it
        blocks.insert(0, {"type": "text", "text": f"{label}:"})


def merge_turns(turns: Sequence[JsonObject]) -> list[JsonObject]:
    """Consecutive same-role turns as one turn (the API wants alternation), blocks in order.
    The input is not modified."""
    merged: list[JsonObject] = []
    for turn in turns:
        if merged and merged[-1]["role"] == turn["role"]:
            merged[-1] = {"role": turn["role"],
                          "content": [*merged[-1]["content"], *turn["content"]]}
        else:
            merged.append({"role": turn["role"], "content": list(turn["content"])})
    return merged


def trim_prefill(turns: list[JsonObject]) -> list[JsonObject]:
    """Trailing whitespace trimmed from a final assistant turn (see the module docstring);
    a block (or turn) left empty by it is dropped."""
    if not turns or turns[-1]["role"] != "assistant":
        return turns
    content = list(turns[-1]["content"])
    while content and content[-1].get("type") == "text":
        text = content[-1]["text"].rstrip()
        if text:
            content[-1] = {"type": "text", "text": text}
            break
        content.pop()
    if not content:
        return turns[:-1]
    return [*turns[:-1], {"role": "assistant", "content": content}]
