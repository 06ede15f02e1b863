"""golem:llm messages → Chat Completions `messages` (OpenAI's `ChatCompletionRequest*Message`).

Decisions, each because of how the wire format or golem:llm works:

- Roles map one to one (system, user, assistant, tool).  `system` is kept rather than
  rewritten to `developer`: OpenAI maps it for the o-series itself, and xAI and OpenRouter
  know only `system`.
- `name` is passed through on system, user and assistant messages.  A `tool` message has no
  `name` on the wire but needs `tool_call_id`, and golem:llm's message has no field for it, so
  a tool-role message carries the call id in `name`; without it the request is rejected here
  with a clear error (OpenAI would answer 400, and inventing an id would pair the result
  with no call).
- A message made of exactly one text part is sent as a plain string, the form every
  OpenAI-compatible server accepts.  Several parts, or any image, become a list of parts;
  several text parts are never joined, because no separator is right for every split ("" glues
  words, "\\n" adds a line the caller never wrote).  No parts at all is sent as "".
- Images go only in user messages (the API rejects them elsewhere), as `image_url` parts: a
  URL as given, inline bytes as a `data:<mime>;base64,...` URL.  `detail` is sent only when set.
"""

from __future__ import annotations

import base64
from typing import Sequence, Union

from normalizer.values import Image, ImageReference, ImageSource, ImageUrl, Message, Role, Text
from providers.common.refusal import Refusal
from providers.common.json_body import JsonObject


def convert_messages(messages: Sequence[Message]) -> list[JsonObject]:
    """All messages in order; the first one the API could not accept is refused."""
    return [convert_message(message, index) for index, message in enumerate(messages)]


def convert_message(message: Message, index: int) -> JsonObject:
    """One chat message; `index` only makes a refusal point at the culprit."""
    role = chat_role(message.role)
    where = f"message {index} ({role})"
    content = convert_content(message.content, role, where)
    if message.role is Role.TOOL:
        if not message.name:
            raise Refusal(
                f"{where}: a tool message needs the id of the tool call it answers; "
                "put it in the message's name (or use continue with tool results)"
            )
        return {"role": role, "tool_call_id": message.name, "content": content}
    chat: JsonObject = {"role": role, "content": content}
    if message.name:  # an empty name is treated as no name
        chat["name"] = message.name
    return chat


def chat_role(role: Role) -> str:
    """The wire role; spelled out rather than `role.value` so a new golem:llm role cannot
    reach the wire unnoticed."""
    match role:
        case Role.SYSTEM:
            return "system"
        case Role.USER:
            return "user"
        case Role.ASSISTANT:
            return "assistant"
        case Role.TOOL:
            return "tool"
    raise ValueError(f"unknown role {role!r}")


def convert_content(
    parts: Sequence[Union[Text, Image]], role: str, where: str
) -> Union[str, list[JsonObject]]:
    """A string for zero or one text part, otherwise a list of typed parts (see module doc)."""
    has_image = any(isinstance(part, Image) for part in parts)
    if has_image and role != "user":
        raise Refusal(
            f"{where}: images are accepted only in user messages by the Chat Completions API"
        )
    if not parts:
        return ""
    if len(parts) == 1 and isinstance(parts[0], Text):
        return parts[0].text
    return [
        {"type": "text", "text": part.text} if isinstance(part, Text)
        else image_part(part.reference, where)
        for part in parts
    ]


def image_part(reference: ImageReference, where: str) -> JsonObject:
    """An `image_url` content part for a URL or for inline bytes."""
    if isinstance(reference, ImageUrl):
        url = reference.url
    else:
        url = inline_image_url(reference, where)
    image: JsonObject = {"url": url}
    if reference.detail is not None:
        image["detail"] = reference.detail.value
    return {"type": "image_url", "image_url": image}


def inline_image_url(source: ImageSource, where: str) -> str:
    """`data:<mime>;base64,<data>`: the only way the Chat Completions API takes image bytes.

    The mime type is checked for shape only (a `type/subtype` with no URL syntax in it): which
    formats a model accepts differs by provider and model, so that is left to the API.
    """
    mime = source.mime_type.strip()
    type_, slash, subtype = mime.partition("/")
    if not (type_ and slash and subtype) or any(c in mime for c in ",; \t\r\n"):
        raise Refusal(
            f"{where}: inline image mime-type {source.mime_type!r} is not a type/subtype")
    encoded = base64.b64encode(source.data).decode("ascii")
    return f"data:{mime};base64,{encoded}"
