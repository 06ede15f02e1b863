"""Which providers get rows: every provider in the registry (`providers/registry.py`).

A provider has native rows through its `Provider` object, and component rows once
`dist/llm-<name>-portable.wasm` builds.  A component that cannot be built becomes an "n/a"
row saying why, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Union

from bench.streams import CHAT, MESSAGES, USER_PROMPT
from normalizer import values as v
from providers import PROVIDERS, HttpRequest, Provider

ROOT = Path(__file__).resolve().parents[1]
KNOWN = tuple(PROVIDERS)
#: The SDK whose stream iterator each wire family is compared with.
PEER_OF_FAMILY = {CHAT: "openai-sdk", MESSAGES: "anthropic-sdk"}
BENCH_KEY = "sk-bench-0123456789"
MESSAGES_IN = (v.Message(v.Role.USER, (v.Text(USER_PROMPT),)),)


@dataclass(frozen=True)
class Target:
    name: str

    @property
    def family(self) -> str:
        """The provider's wire dialect."""
        return self.provider().dialect

    @property
    def peer(self) -> str:
        return PEER_OF_FAMILY[self.family]

    def provider(self) -> Provider:
        """The engine's provider object."""
        return PROVIDERS[self.name]

    def component(self, build: bool = True, flavour: str = "portable") -> Union[Path, str]:
        """The component's path (built first when `build`), or why there is none: the
        portable flavour, or with `flavour="durable"` the one that runs as a Golem worker."""
        try:
            from tools import build as builder
        except Exception as exc:
            return f"n/a: tools.build does not import ({exc})"
        target = builder.Target(self.name, flavour)
        if build:
            try:
                builder.build(target)
            except Exception as exc:
                return f"n/a: building {target.output.name} failed ({type(exc).__name__}: {exc})"
        if not target.output.exists():
            return f"n/a: {target.output.name} not built"
        return target.output

    def env(self, base_url: str, api_key: str = BENCH_KEY) -> dict[str, str]:
        """The environment that points this provider at `base_url` (origin + prefix)."""
        provider = self.provider()
        return {provider.api_key_env: api_key, provider.base_url_env: base_url}

    def prefix(self) -> str:
        """The base URL path the emulator serves this provider under."""
        return self.provider().emulator_prefix

    def request(self, provider: Provider, origin: str, model: str) -> HttpRequest:
        """The native `HttpRequest` the engine builds for a benchmark call to `origin`."""
        request = provider.chat_request(MESSAGES_IN, config(model),
                                        self.env(origin + self.prefix()))
        if isinstance(request, v.LlmError):
            raise RuntimeError(f"{self.name} refused the benchmark request: {request.message}")
        return request


def config(model: str) -> v.Config:
    return v.Config(model=model)


def targets(only: Optional[Mapping[str, bool]] = None) -> list[Target]:
    return [Target(name) for name in KNOWN if only is None or only.get(name, False)]
