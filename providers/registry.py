"""Every provider the project ships, by name: the one list everything else reads.

The build makes two components per entry, the host passes each component only its
provider's variables, the emulator serves each API where the entry says, and the bench, the
CLI and the tests iterate over it; none keeps a copy.  Adding a provider that speaks an
existing dialect is its file in `providers/` plus its line here (and its emulator flavour).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from providers.anthropic import PROVIDER as ANTHROPIC
from providers.grok import PROVIDER as GROK
from providers.openai import PROVIDER as OPENAI
from providers.openrouter import PROVIDER as OPENROUTER
from providers.provider import Provider

PROVIDERS: Mapping[str, Provider] = MappingProxyType(
    {provider.name: provider for provider in (OPENAI, ANTHROPIC, GROK, OPENROUTER)})
