"""Which environment variables each provider's component reads.

The host passes a component only these (never the whole environment), so a key for one
provider is never visible to another provider's component.  The runtime keeps this small
table instead of importing `providers/`, which belongs to the guest side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


# Read by every component's transport (components/transport.py `Timeouts`).
TRANSPORT_ENV = ("GOLEM_LLM_CONNECT_TIMEOUT_MS", "GOLEM_LLM_FIRST_BYTE_TIMEOUT_MS",
                 "GOLEM_LLM_BETWEEN_BYTES_TIMEOUT_MS")


@dataclass(frozen=True)
class ProviderEnv:
    name: str
    api_key: str
    base_url: str
    extra: tuple[str, ...] = ()
    default_model: str = ""
    #: Where the local emulator serves this provider's API: the base URL to give the
    #: component is the emulator's origin plus this prefix.
    emulator_prefix: str = ""

    def emulator_env(self, origin: str, api_key: str) -> dict[str, str]:
        """The environment that points this provider's component at the emulator."""
        return {self.api_key: api_key, self.base_url: origin + self.emulator_prefix}

    def select(self, environ: Mapping[str, str]) -> dict[str, str]:
        names = (self.api_key, self.base_url) + self.extra + TRANSPORT_ENV
        return {k: environ[k] for k in names if environ.get(k)}


PROVIDERS: dict[str, ProviderEnv] = {
    "openai": ProviderEnv("openai", "OPENAI_API_KEY", "OPENAI_BASE_URL",
                          default_model="gpt-4o-mini", emulator_prefix="/v1"),
    "anthropic": ProviderEnv("anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
                             default_model="claude-sonnet-4-5", emulator_prefix=""),
    "grok": ProviderEnv("grok", "XAI_API_KEY", "XAI_BASE_URL",
                        default_model="grok-4-fast", emulator_prefix="/xai/v1"),
    "openrouter": ProviderEnv("openrouter", "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL",
                              extra=("OPENROUTER_HTTP_REFERER", "OPENROUTER_X_TITLE"),
                              default_model="openai/gpt-4o-mini",
                              emulator_prefix="/openrouter/api/v1"),
}
