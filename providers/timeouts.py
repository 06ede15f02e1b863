"""How long the transport may wait for a provider, so a silent server ends in an error.

The exchange itself is the transport's (`components/transport.py`, wasi:http); the limits
are part of what a request is sent with, read from the same environment as the API key,
which is why they live beside `HttpRequest`.  `TIMEOUT_ENV` names the variables, so the
host passes them to every provider's component (`Provider.select`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

CONNECT_ENV = "GOLEM_LLM_CONNECT_TIMEOUT_MS"
FIRST_BYTE_ENV = "GOLEM_LLM_FIRST_BYTE_TIMEOUT_MS"
BETWEEN_BYTES_ENV = "GOLEM_LLM_BETWEEN_BYTES_TIMEOUT_MS"

#: The variables every component reads, whatever its provider.
TIMEOUT_ENV = (CONNECT_ENV, FIRST_BYTE_ENV, BETWEEN_BYTES_ENV)


@dataclass(frozen=True)
class Timeouts:
    """How long the host may wait, in milliseconds; 0 means the host's own default.

    Generous defaults: reasoning models can think for minutes before the first byte.  Each
    can be set through the environment (`TIMEOUT_ENV`).
    """

    connect_ms: int = 30_000
    first_byte_ms: int = 600_000
    between_bytes_ms: int = 300_000

    @staticmethod
    def from_env(env: Mapping[str, str]) -> "Timeouts":
        """The limits `env` sets; a variable that is unset or not a number keeps its default."""
        def read(name: str, default: int) -> int:
            raw = env.get(name, "").strip()
            return int(raw) if raw.isdigit() else default

        base = Timeouts()
        return Timeouts(read(CONNECT_ENV, base.connect_ms),
                        read(FIRST_BYTE_ENV, base.first_byte_ms),
                        read(BETWEEN_BYTES_ENV, base.between_bytes_ms))
