"""Which providers get rows: OpenAI always; Anthropic, Grok and OpenRouter once they exist.

A provider has native rows when `providers/<name>.py` exports `PROVIDER`, and component rows
when `components/build.py` knows it and `dist/llm-<name>-portable.wasm` builds.  Whatever is
missing becomes an "n/a" row saying why, never an exception.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from bench.streams import CHAT, MESSAGES, USER_PROMPT, family_of
from normalizer import values as v

ROOT = Path(__file__).resolve().parents[1]
KNOWN = ("openai", "anthropic", "grok", "openrouter")
#: The SDK whose stream iterator each wire family is compared with.
PEER_OF_FAMILY = {CHAT: "openai-sdk", MESSAGES: "anthropic-sdk"}
BENCH_KEY = "sk-bench-0123456789"
MESSAGES_IN = (v.Message(v.Role.USER, (v.Text(USER_PROMPT),)),)


@dataclass(frozen=True)
class Target:
    name: str

    @property
    def family(self) -> str:
        return family_of(self.name)

    @property
    def peer(self) -> str:
        return PEER_OF_FAMILY[self.family]

    def provider(self) -> Union[Any, str]:
        """The engine's `PROVIDER`, or why there is none."""
        if not (ROOT / "providers" / f"{self.name}.py").exists():
            return f"n/a: providers/{self.name}.py not written yet"
        try:
            module = importlib.import_module(f"providers.{self.name}")
        except Exception as exc:
            return f"n/a: providers.{self.name} does not import ({type(exc).__name__}: {exc})"
        provider = getattr(module, "PROVIDER", None)
        return provider if provider is not None else f"n/a: providers.{self.name} has no PROVIDER"

    def component(self, build: bool = True, flavour: str = "portable") -> Union[Path, str]:
        """The component's path (built first when `build`), or why there is none: the
        portable flavour, or with `flavour="durable"` the one that runs as a Golem worker."""
        provider = self.provider()
        if isinstance(provider, str):
            return provider
        try:
            from tools import build as builder
        except Exception as exc:
            return f"n/a: tools.build does not import ({exc})"
        if self.name not in builder.PROVIDERS:
            return f"n/a: tools/build.py does not build {self.name} yet"
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
        from runtime.providers_env import PROVIDERS

        names = PROVIDERS.get(self.name)
        if names is None:
            raise LookupError(f"runtime/providers_env.py has no entry for {self.name}")
        return {names.api_key: api_key, names.base_url: base_url}

    def prefix(self) -> str:
        """The base URL path the emulator serves this provider under."""
        from runtime.providers_env import PROVIDERS

        names = PROVIDERS.get(self.name)
        return getattr(names, "emulator_prefix", "/v1") if names is not None else "/v1"

    def request(self, provider: Any, origin: str, model: str) -> Any:
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
