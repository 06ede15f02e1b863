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
from typing import Any, Sequence, Union

from normalizer.values import (
    Image,
    ImageReference,
    ImageSource,
    ImageUrl,
    LlmError,
    Message,
    Role,
    Text,
)
from providers.common.request_parts import invalid_request

JsonObject = dict[str, Any]


def convert_messages(messages: Sequence[Message]) -> Union[list[JsonObject], LlmError]:
    """All messages in order, or the error for the first one the API could not accept."""
    converted: list[JsonObject] = []
    for index, message in enumerate(messages):
        result = convert_message(message, index)
        if isinstance(result, LlmError):
            return result
        converted.append(result)
    return converted


def convert_message(message: Message, index: int) -> Union[JsonObject, LlmError]:
    """One chat message; `index` only makes error messages point at the culprit."""
    role = chat_role(message.role)
    where = f"message {index} ({role})"
    content = convert_content(message.content, role, where)
    if isinstance(content, LlmError):
        return content
    if message.role is Role.TOOL:
        if not message.name:
            return invalid_request(
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
) -> Union[str, list[JsonObject], LlmError]:
    """A string for zero or one text part, otherwise a list of typed parts (see module doc)."""
    has_image = any(isinstance(part, Image) for part in parts)
    if has_image and role != "user":
        return invalid_request(
            f"{where}: images are accepted only in user messages by the Chat Completions API"
        )
    if not parts:
        return ""
    if len(parts) == 1 and isinstance(parts[0], Text):
        return parts[0].text
    converted: list[JsonObject] = []
    for part in parts:
        if isinstance(part, Text):
            converted.append({"type": "text", "text": part.text})
            continue
        image = image_part(part.reference, where)
        if isinstance(image, LlmError):
            return image
        converted.append(image)
    return converted


def image_part(reference: ImageReference, where: str) -> Union[JsonObject, LlmError]:
    """An `image_url` content part for a URL or for inline bytes."""
    if isinstance(reference, ImageUrl):
        url = reference.url
        detail = reference.detail
    else:
        data_url = inline_image_url(reference, where)
        if isinstance(data_url, LlmError):
            return data_url
        url = data_url
        detail = reference.detail
    image: JsonObject = {"url": url}
    if detail is not None:
        image["detail"] = detail.value
    return {"type": "image_url", "image_url": image}


def inline_image_url(source: ImageSource, where: str) -> Union[str, LlmError]:
    """`data:<mime>;base64,<data>`: the only way the Chat Completions API takes image bytes.

    The mime type is checked for shape only (a `type/subtype` with no URL syntax in it): which
    formats a model accepts differs by provider and model, so that is left to the API.
    """
    mime = source.mime_type.strip()
    type_, slash, subtype = mime.partition("/")
    if not (type_ and slash and subtype) or any(c in mime for c in ",; \t\r\n"):
        return invalid_request(
            f"{where}: inline image mime-type {source.mime_type!r} is not a type/subtype")
    encoded = base64.b64encode(source.data).decode("ascii")
    return f"data:{mime};base64,{encoded}"
