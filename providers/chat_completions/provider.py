"""`ChatCompletionsProvider`: a provider that speaks the Chat Completions dialect.

OpenAI, xAI Grok and OpenRouter accept the same request and stream shape with a handful of
differences; each states them as the fields of one `ChatCompletionsProvider` value in its own
file (`providers/openai.py`, `grok.py`, `openrouter.py`), so a reader can compare them side
by side and a new OpenAI-compatible endpoint costs one file, not a fork.  The mapping
itself is this package's, one job per module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence
from urllib.parse import urlsplit

from normalizer.chat_completions.completion import events_from_body
from normalizer.chat_completions.quirks import ChatQuirks
from normalizer.chat_completions.stream import ChatCompletionsNormalizer
from normalizer.protocol import Normalizer
from normalizer.values import Config, ErrorCode, LlmError, Message, StreamEvent, ToolCall, ToolResult
from providers.chat_completions.errors import KEY_SHAPED, error_from_body
from providers.chat_completions.portable import EFFORT_FIELD
from providers.chat_completions.refusals import ParameterRule
from providers.chat_completions.request import build_body, request_headers
from providers.common.json_body import JsonObject
from providers.provider import Provider


@dataclass(frozen=True, kw_only=True)
class ChatCompletionsProvider(Provider):
    """A Chat Completions provider: the shared facts (`Provider`) plus how it differs.

    quirks: how its stream and errors differ from OpenAI's (`ChatQuirks`: usage arithmetic,
        status rules, authentication phrases, metadata kept).
    max_tokens_field: where `config.max-tokens` goes: OpenAI deprecated `max_tokens` (o-series
        reject it) in favour of `max_completion_tokens`, which xAI also accepts, while
        OpenRouter documents only `max_tokens`.
    compatible_max_tokens_field: where it goes instead when `base_url_env` points at another
        host than `default_base_url`'s, i.e. at an OpenAI-compatible server rather than the
        provider (None: `max_tokens_field` wherever the request goes).  Such servers
        (llama.cpp, and others built to the older API) read only `max_tokens` and silently
        ignore `max_completion_tokens`.  A caller who knows better leaves `config.max-tokens`
        unset and passes the field it wants as a provider option.
    parameter_rules: body fields it rejects for some models, refused before sending
        (`refusals.ParameterRule`).
    inline_image_types: the mime types it accepts for inline images; empty = any (left to
        the API).
    typed_options: (provider option, JSON kind) pairs: the option's value must parse as that
        kind ("object", "array", "string", "number", "boolean"), because the API expects it
        and a bare word would be sent as a string, e.g. OpenRouter's `provider` object.
    portable_unsupported: (documented option, why) pairs it cannot honour, refused as
        `unsupported` (`providers.common.portable_options`).
    cache_breakpoint_model_prefixes: the models (by id prefix) for which it takes
        `prompt-cache` as `cache_control` breakpoints in message content (`cache.py`);
        for them a `prompt-cache` entry of `portable_unsupported` does not apply.
    reasoning_style: where `reasoning-effort` goes: `reasoning_effort` (OpenAI's field) or
        `reasoning` (OpenRouter's object, which also takes `thinking-budget`).
    """

    dialect = "chat_completions"
    key_shaped = KEY_SHAPED

    quirks: ChatQuirks = ChatQuirks()
    max_tokens_field: str = "max_completion_tokens"
    compatible_max_tokens_field: Optional[str] = None
    parameter_rules: tuple[ParameterRule, ...] = ()
    inline_image_types: tuple[str, ...] = ()
    typed_options: tuple[tuple[str, str], ...] = ()
    portable_unsupported: tuple[tuple[str, str], ...] = ()
    cache_breakpoint_model_prefixes: tuple[str, ...] = ()
    reasoning_style: str = EFFORT_FIELD

    def request_body(self, messages: Sequence[Message], config: Config,
                     tool_results: Sequence[tuple[ToolCall, ToolResult]],
                     env: Mapping[str, str]) -> JsonObject:
        return build_body(self, messages, config, tool_results,
                          max_tokens_field=self.max_tokens_field_for(env))

    def max_tokens_field_for(self, env: Mapping[str, str]) -> str:
        """`max_tokens_field` for the provider's own host, `compatible_max_tokens_field`
        (when set) for any other host the base URL names."""
        if self.compatible_max_tokens_field is None:
            return self.max_tokens_field
        own_host = urlsplit(self.default_base_url).hostname
        if urlsplit(self.url(env)).hostname == own_host:
            return self.max_tokens_field
        return self.compatible_max_tokens_field

    def request_headers(self, key: str) -> tuple[tuple[str, str], ...]:
        return request_headers(key)

    def error_from_body(self, status: int, body: bytes) -> LlmError:
        return error_from_body(status, body, self.label, self.quirks)

    def code_for_status(self, status: int) -> ErrorCode:
        return self.quirks.code_for_status(status)

    def completion_events(self, body: bytes) -> list[StreamEvent]:
        return events_from_body(body, self.label, self.quirks)

    def normalizer(self) -> Normalizer:
        return ChatCompletionsNormalizer(self.label, self.quirks)
