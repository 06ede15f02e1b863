"""What one Chat Completions provider does differently from the others.

OpenAI, xAI Grok and OpenRouter share one request and stream shape, so each provider module
is just a `ChatCompletionsFlavor` value handed to `ChatCompletionsProvider`.  Keeping the
differences in one small table (rather than subclasses) means a reader can compare the three
providers side by side, and a new OpenAI-compatible endpoint costs one value, not a module.
"""

from __future__ import annotations

from dataclasses import dataclass

from normalizer.chat_quirks import ChatQuirks
from providers.chat_completions.refusals import ParameterRule


@dataclass(frozen=True)
class ChatCompletionsFlavor:
    """The per-provider differences of the Chat Completions dialect.

    label: how the provider is named in error messages ("OpenAI").
    name: the provider id used by `Provider.name` and the component names ("openai").
    api_key_env: the environment variable holding the API key, read at call time only
        (module-level code runs at build time in the component).
    base_url_env: the environment variable that overrides `default_base_url` (proxies,
        gateways, the local provider emulator).
    default_base_url: the API root without the endpoint path, e.g. "https://api.openai.com/v1".
    quirks: stream/response quirks the normalizer needs (`normalizer.chat_quirks.ChatQuirks`).
    path: the endpoint path appended to the base URL.
    max_tokens_field: where `config.max-tokens` goes: OpenAI deprecated `max_tokens` (o-series
        reject it) in favour of `max_completion_tokens`, which xAI also accepts, while
        OpenRouter documents only `max_tokens`.
    extra_headers_from_env: (header, environment variable) pairs sent when the variable is set
        and non-empty, e.g. OpenRouter's optional `HTTP-Referer` and `X-Title`.
    parameter_rules: body fields the provider rejects for some models (xAI reasoning
        models and `stop`), refused before sending (`refusals.ParameterRule`).
    inline_image_types: the mime types accepted for inline images; empty = any (left to
        the API).  xAI takes JPEG and PNG only.
    typed_options: (provider option, JSON kind) pairs: the option's value must parse as that
        kind ("object", "array", "string", "number", "boolean"), because the API expects it
        and a bare word would be sent as a string, e.g. OpenRouter's `provider` object.
        `stream_options` must be an object for every flavour.
    prefill_model_prefixes: models (by name prefix) that continue a trailing assistant
        message instead of answering it, which is how a durable stream resumes an
        interrupted answer without repeating it (durability/continuation.py).  OpenRouter
        passes Anthropic models' prefill through; OpenAI and xAI models do not continue.
    """

    label: str
    name: str
    api_key_env: str
    base_url_env: str
    default_base_url: str
    quirks: ChatQuirks
    path: str = "/chat/completions"
    max_tokens_field: str = "max_completion_tokens"
    extra_headers_from_env: tuple[tuple[str, str], ...] = ()
    parameter_rules: tuple[ParameterRule, ...] = ()
    inline_image_types: tuple[str, ...] = ()
    typed_options: tuple[tuple[str, str], ...] = ()
    prefill_model_prefixes: tuple[str, ...] = ()
