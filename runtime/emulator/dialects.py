"""Every provider API the emulator speaks, each at its own path, so one server on one port
stands in for all four providers (each component gets its base URL from providers_env)."""

from __future__ import annotations

from runtime.emulator.anthropic_dialect import AnthropicDialect
from runtime.emulator.dialect import Dialect
from runtime.emulator.openai_dialect import OpenAIDialect
from runtime.emulator.openrouter_dialect import OpenRouterDialect
from runtime.emulator.xai_dialect import XAIDialect


def all_dialects() -> tuple[Dialect, ...]:
    """OpenAI at /v1/chat/completions, Anthropic at /v1/messages, xAI at
    /xai/v1/chat/completions, OpenRouter at /openrouter/api/v1/chat/completions."""
    return (OpenAIDialect(), AnthropicDialect(), XAIDialect(), OpenRouterDialect())
