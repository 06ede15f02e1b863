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

    def select(self, environ: Mapping[str, str]) -> dict[str, str]:
        names = (self.api_key, self.base_url) + self.extra + TRANSPORT_ENV
        return {k: environ[k] for k in names if environ.get(k)}


PROVIDERS: dict[str, ProviderEnv] = {
    "openai": ProviderEnv("openai", "OPENAI_API_KEY", "OPENAI_BASE_URL",
                          default_model="gpt-4o-mini"),
}
