"""`prompt-cache` on Chat Completions: `cache_control` breakpoints inside message content.

Only some servers take them, and only for some models: OpenRouter passes a content part's
`cache_control: {"type": "ephemeral"}` on to the upstreams whose caching is explicit
(Anthropic, Gemini), while OpenAI, xAI and most others cache a prompt's prefix by themselves.
The provider names the models that take breakpoints
(`ChatCompletionsProvider.cache_breakpoint_model_prefixes`); for every other model the
option is refused with the provider's reason (`portable_unsupported`).

Where the breakpoints go, as the Messages provider places them
(`providers/anthropic_messages/portable.py`), but on the only places the Chat Completions
shape has for them, text parts:

- `system`: the last non-blank text part of the last system message.  Both upstreams read
  every system message into one system prompt, so its end is where the stable prefix ends.
- `messages`: the last non-blank text part of the conversation, whichever message holds it
  (a tool result of `continue`, an assistant prefill, a user turn).  Images after it stay
  outside the cached prefix; a breakpoint on an image part is not documented by OpenRouter.
- `tools`: Chat Completions has no documented breakpoint on a tool definition, but the
  definitions come before the system prompt and the conversation in both upstreams' prefix,
  so the other two breakpoints cache them.  Named alone, it is refused: no breakpoint here
  would cache the tools without caching more.

A part is marked by giving its message's content as a list of text parts when it was a
plain string.  Blank text is skipped because Anthropic rejects `cache_control` on an empty
text block.  At most two breakpoints are written, within Anthropic's limit of four.
"""

from __future__ import annotations

from typing import Optional

from normalizer.values import ErrorCode
from providers.common.json_body import JsonObject
from providers.common.refusal import Refusal

EPHEMERAL = {"type": "ephemeral"}


def takes_breakpoints(model: str, prefixes: tuple[str, ...]) -> bool:
    """Whether `model` is one of the models (by id prefix) that take `cache_control`."""
    return bool(prefixes) and model.startswith(prefixes)


def apply_breakpoints(messages: list[JsonObject], targets: tuple[str, ...], label: str) -> None:
    """Marks, in place, the text parts that end the `targets` ("system", "messages") that
    exist; "tools" rides on them (see the module doc) and is refused alone."""
    if targets == ("tools",):
        raise Refusal(f"provider option 'prompt-cache' = [\"tools\"] is not supported by "
                      f"{label}: it takes cache breakpoints in message content only; the "
                      "tools are cached with the system prompt or the conversation (add "
                      "\"system\" or \"messages\")", ErrorCode.UNSUPPORTED)
    if "system" in targets:
        _mark(messages, _last_text(messages, roles=("system",)))
    if "messages" in targets:
        _mark(messages, _last_text(messages, roles=None))


def _last_text(messages: list[JsonObject],
               roles: Optional[tuple[str, ...]]) -> Optional[tuple[int, int]]:
    """(message index, part index) of the last non-blank text part among messages of
    `roles` (None: any); part index -1 is a plain-string content."""
    for m in range(len(messages) - 1, -1, -1):
        message = messages[m]
        if roles is not None and message.get("role") not in roles:
            continue
        content = message.get("content")
        if isinstance(content, str):
            if content.strip():
                return m, -1
            continue
        for p in range(len(content or ()) - 1, -1, -1):
            part = content[p]
            if part.get("type") == "text" and part.get("text", "").strip():
                return m, p
    return None


def _mark(messages: list[JsonObject], where: Optional[tuple[int, int]]) -> None:
    if where is None:
        return
    m, p = where
    message = messages[m]
    if p == -1:
        parts = [{"type": "text", "text": message["content"]}]
        p = 0
    else:
        parts = list(message["content"])
    parts[p] = {**parts[p], "cache_control": dict(EPHEMERAL)}
    messages[m] = {**message, "content": parts}
