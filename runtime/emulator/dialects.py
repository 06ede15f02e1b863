"""Every provider API the emulator speaks, one per registry entry (`providers/registry.py`),
each at the path its provider's file gives, so one server on one port stands in for all of
them (a component gets `Provider.emulator_env`, which points it there).

A provider is served by its flavour when it has habits of its own (a file named for it),
else by its wire dialect's renderer: adding a provider that speaks an existing dialect needs
no change here unless it brings a flavour.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping

from providers import PROVIDERS, Provider
from runtime.emulator.anthropic_messages import AnthropicMessagesDialect
from runtime.emulator.chat_completions import ChatCompletionsDialect
from runtime.emulator.dialect import Dialect
from runtime.emulator.grok import GrokDialect
from runtime.emulator.openrouter import OpenRouterDialect

#: The renderer of each wire dialect, given the provider it stands in for.
RENDERERS: Mapping[str, Callable[[str], Dialect]] = MappingProxyType({
    "chat_completions": ChatCompletionsDialect,
    "anthropic_messages": AnthropicMessagesDialect,
})

#: Providers whose server has habits of its own, by registry name.
FLAVOURS: Mapping[str, Callable[[], Dialect]] = MappingProxyType({
    "grok": GrokDialect,
    "openrouter": OpenRouterDialect,
})


def dialect_for(provider: Provider) -> Dialect:
    """The emulator's stand-in for `provider`'s API."""
    flavour = FLAVOURS.get(provider.name)
    return flavour() if flavour is not None else RENDERERS[provider.dialect](provider.name)


def all_dialects() -> tuple[Dialect, ...]:
    """One stand-in per provider, in the registry's order."""
    return tuple(dialect_for(provider) for provider in PROVIDERS.values())
