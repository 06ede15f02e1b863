"""The Anthropic Messages API (`POST /v1/messages`) as a golem:llm provider.

One job per module, so a reader finds each mapping by name:

- `settings`     endpoint, environment variables, API version, default max_tokens
- `system`       system messages → the top-level `system` field
- `images`       golem:llm images → `image` blocks (`url` / `base64` sources)
- `messages`     golem:llm messages → alternating `user` / `assistant` turns
- `tool_results` the `continue` echo: an assistant turn of `tool_use` blocks, then a user
                 turn of `tool_result` blocks
- `tools`        tool definitions (`input_schema`) and `tool_choice`
- `options`      `provider-options` → typed JSON body fields
- `request`      the body, URL and headers → `HttpRequest`
- `errors`       non-2xx responses → `LlmError`, with the API key scrubbed
- `provider`     `AnthropicProvider`, the `Provider` object

The stream itself is decoded by `normalizer.anthropic_stream`.
"""

from providers.anthropic_messages.provider import AnthropicProvider

__all__ = ["AnthropicProvider"]
