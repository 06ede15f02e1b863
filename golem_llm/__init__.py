"""golem-llm's engine as a Python library: the golem:llm calls, natively, over HTTP.

    import golem_llm as llm

    config = llm.Config(model="gpt-4o-mini")
    with llm.stream("openai", [llm.user("Say hello")], config) as answer:
        for event in answer:
            print(llm.text(event), end="", flush=True)

    reply = llm.send("anthropic", [llm.user("Say hello")],
                     llm.Config(model="claude-sonnet-4-5", max_tokens=200))

The same engine as the components (`sse`, `normalizer`, `providers`, `durability`): the
same requests, the same events and errors, the same event deadlines, retries before the
first event and resume after (`GOLEM_LLM_*`, README "Settings"), the same `GOLEM_LLM_LOG`
line.  The key and base URL come from the environment (`OPENAI_API_KEY`, ...), read at
each call, or from `env=`.  A provider's failure is a value (`LlmError`), never an
exception; only a programming error (an unknown provider name) raises.

The public API is `__all__`; every other module is internal.

- calls: `stream`, `send`, `continue_` (sync, over an httpx2 client; pass `http=` to reuse
  one) and `astream`, `asend`, `acontinue` (asyncio: the same stream, read without blocking
  the loop; `golem_llm/_aio.py` says why it is not a second implementation)
- results: `Stream` / `AsyncStream` (iterate for `StreamDelta`s, then one `Finish` or
  `LlmError`), `ChatEvent` = `CompleteResponse | ToolRequest | LlmError`
- the golem:llm values, as frozen dataclasses (`normalizer/values.py`), and the helpers
  `user`, `system`, `assistant` (a text message) and `text` (the text of an event)
- the providers: `PROVIDERS` (by name) and `Provider`
"""

from __future__ import annotations

from typing import Union

from golem_llm._aio import AsyncStream, acontinue, asend, astream
from golem_llm._calls import Stream, continue_, send, stream
from normalizer.values import (
    ChatEvent,
    CompleteResponse,
    Config,
    ContentPart,
    ErrorCode,
    Finish,
    FinishReason,
    Image,
    ImageDetail,
    ImageReference,
    ImageSource,
    ImageUrl,
    Kv,
    LlmError,
    Message,
    ResponseMetadata,
    Role,
    StreamDelta,
    StreamEvent,
    Text,
    ToolCall,
    ToolDefinition,
    ToolFailure,
    ToolRequest,
    ToolResult,
    ToolSuccess,
    Usage,
)
from providers.provider import Provider
from providers.registry import PROVIDERS

__all__ = [
    # calls
    "stream", "send", "continue_", "astream", "asend", "acontinue", "Stream", "AsyncStream",
    # helpers
    "user", "system", "assistant", "text",
    # providers
    "PROVIDERS", "Provider",
    # values
    "ChatEvent", "CompleteResponse", "Config", "ContentPart", "ErrorCode", "Finish",
    "FinishReason", "Image", "ImageDetail", "ImageReference", "ImageSource", "ImageUrl",
    "Kv", "LlmError", "Message", "ResponseMetadata", "Role", "StreamDelta", "StreamEvent",
    "Text", "ToolCall", "ToolDefinition", "ToolFailure", "ToolRequest", "ToolResult",
    "ToolSuccess", "Usage",
]


def user(text: str) -> Message:
    """A user message holding `text`."""
    return Message(Role.USER, (Text(text),))


def system(text: str) -> Message:
    """A system message holding `text`."""
    return Message(Role.SYSTEM, (Text(text),))


def assistant(text: str) -> Message:
    """An assistant message holding `text` (an earlier answer, in a conversation)."""
    return Message(Role.ASSISTANT, (Text(text),))


def text(event: Union[StreamEvent, ChatEvent]) -> str:
    """The text an event carries: a delta's or a complete answer's text parts, joined
    ("" for anything else)."""
    if isinstance(event, StreamDelta):
        parts = event.content or ()
    elif isinstance(event, CompleteResponse):
        parts = event.content
    else:
        return ""
    return "".join(part.text for part in parts if isinstance(part, Text))
