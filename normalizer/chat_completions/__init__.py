"""The Chat Completions stream dialect (OpenAI, xAI Grok, OpenRouter), one job per file:

- `stream`         `ChatCompletionsNormalizer`: SSE events → golem:llm stream events
- `completion`     a non-streamed `chat.completion` body → the same events
- `finish_reason`  `finish_reason` → golem:llm `finish-reason`
- `usage`          `usage` → golem:llm `usage`
- `metadata`       the `Finish` metadata
- `content`        a message's or delta's text and finished tool calls
- `errors`         error objects inside a stream → golem:llm `error`
- `quirks`         `ChatQuirks` and `StatusRule`: the types of a provider's differences
"""

from normalizer.chat_completions.completion import events_from_body, events_from_completion
from normalizer.chat_completions.quirks import ChatQuirks, StatusRule
from normalizer.chat_completions.stream import ChatCompletionsNormalizer

__all__ = ["ChatCompletionsNormalizer", "ChatQuirks", "StatusRule", "events_from_body",
           "events_from_completion"]
