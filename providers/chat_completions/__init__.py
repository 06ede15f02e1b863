"""The OpenAI Chat Completions wire dialect, shared by every provider that speaks it.

OpenAI, xAI Grok and OpenRouter accept the same request shape with a handful of differences
(endpoint, key variable, the max-tokens field name, extra headers, stream quirks).  Those
differences live in one `ChatCompletionsFlavor` value; everything else is written once here:

- `messages`     golem:llm messages → chat `messages`
- `tool_results` the `continue` echo: assistant `tool_calls` + one `tool` message per result
- `tools`        tool definitions and `tool_choice`
- `options`      `provider-options` → typed JSON body fields
- `request`      the body, URL and headers → `HttpRequest`
- `errors`       non-2xx responses → `LlmError`, with the API key scrubbed
- `provider`     `ChatCompletionsProvider`, the `Provider` built from a flavor
"""

from providers.chat_completions.flavor import ChatCompletionsFlavor
from providers.chat_completions.provider import ChatCompletionsProvider

__all__ = ["ChatCompletionsFlavor", "ChatCompletionsProvider"]
