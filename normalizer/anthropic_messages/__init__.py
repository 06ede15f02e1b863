"""The Anthropic Messages stream dialect, one job per file:

- `stream`         `AnthropicMessagesNormalizer`: SSE events → golem:llm stream events
- `completion`     a non-streamed `message` body → the same events
- `finish_reason`  `stop_reason` → golem:llm `finish-reason`
- `usage`          `usage` → golem:llm `usage`
- `metadata`       the `Finish` metadata
- `errors`         `event: error` inside a stream → golem:llm `error`
"""

from normalizer.anthropic_messages.completion import events_from_body, events_from_message
from normalizer.anthropic_messages.stream import AnthropicMessagesNormalizer

__all__ = ["AnthropicMessagesNormalizer", "events_from_body", "events_from_message"]
