"""The Anthropic Messages wire dialect (`POST /v1/messages`).

Anthropic states its facts in `providers/anthropic.py` as one `AnthropicMessagesProvider`
value; the mapping is written here, one job per module, so a reader finds each by name:

- `system`       system messages → the top-level `system` field
- `images`       golem:llm images → `image` blocks (`url` / `base64` sources)
- `messages`     golem:llm messages → alternating `user` / `assistant` turns
- `tool_results` the `continue` echo: an assistant turn of `tool_use` blocks, then a user
                 turn of `tool_result` blocks
- `tools`        tool definitions (`input_schema`) and `tool_choice`
- `options`      which `provider-options` are reserved
- `portable`     the documented options → body fields
- `structured_output` `json-schema` / `json-mode`: native `output_config`, or the forced
                 answer tool
- `request`      the body, URL and headers → `HttpRequest`
- `errors`       non-2xx responses → `LlmError`
- `provider`     `AnthropicMessagesProvider`, the provider's facts plus the mapping above

The stream and the non-streamed body are decoded by `normalizer.anthropic_messages`.
"""

from providers.anthropic_messages.provider import AnthropicMessagesProvider

__all__ = ["AnthropicMessagesProvider"]
