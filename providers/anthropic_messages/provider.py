"""`AnthropicMessagesProvider`: a provider that speaks the Anthropic Messages dialect.

Anthropic states its facts in `providers/anthropic.py` as one value of this class; the
mapping is this package's, one job per module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from normalizer.anthropic_messages.completion import events_from_body
from normalizer.anthropic_messages.stream import AnthropicMessagesNormalizer
from normalizer.errors import code_from_status
from normalizer.protocol import Normalizer
from normalizer.values import Config, ErrorCode, LlmError, Message, StreamEvent, ToolCall, ToolResult
from providers.anthropic_messages.errors import KEY_SHAPED, error_from_body
from providers.anthropic_messages.request import build_body, request_headers
from providers.anthropic_messages.structured_output import ANSWER_TOOL
from providers.common.json_body import JsonObject
from providers.provider import Provider


@dataclass(frozen=True, kw_only=True)
class AnthropicMessagesProvider(Provider):
    """A Messages provider: the shared facts (`Provider`) plus the two the API requires.

    api_version: the `anthropic-version` header, required by the API.
    default_max_tokens: `max_tokens` when golem:llm's optional `config.max-tokens` is not
        set, because the API requires it; when the `thinking` option gives a
        `budget_tokens`, the default becomes budget + this, because the API requires
        max_tokens > budget_tokens.
    native_json_schema_models: the models (by name prefix) that take structured output
        natively (`output_config.format`); `json-schema` on any other model is sent as a
        forced tool unless `json-schema-mode` says otherwise (`structured_output.py`).
    """

    dialect = "anthropic_messages"
    key_shaped = KEY_SHAPED

    api_version: str
    default_max_tokens: int
    native_json_schema_models: tuple[str, ...] = ()

    def request_body(self, messages: Sequence[Message], config: Config,
                     tool_results: Sequence[tuple[ToolCall, ToolResult]],
                     env: Mapping[str, str]) -> JsonObject:
        return build_body(messages, config, tool_results, api_key_env=self.api_key_env,
                          default_max_tokens=self.default_max_tokens, label=self.label,
                          native_json_schema_models=self.native_json_schema_models)

    def request_headers(self, key: str) -> tuple[tuple[str, str], ...]:
        return request_headers(key, self.api_version)

    def error_from_body(self, status: int, body: bytes) -> LlmError:
        return error_from_body(status, body, self.label)

    def code_for_status(self, status: int) -> ErrorCode:
        return code_from_status(status)

    def completion_events(self, body: bytes) -> list[StreamEvent]:
        return events_from_body(body, self.label, answer_tool=ANSWER_TOOL)

    def normalizer(self) -> Normalizer:
        return AnthropicMessagesNormalizer(self.label, answer_tool=ANSWER_TOOL)
