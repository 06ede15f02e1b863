"""What the example tests share: the compositions (built if their inputs changed, as
`make examples` does), skipping with the fix named when the pinned CLI tools are absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.agent.build import Composition, build_agent, compose
from examples.cli_tools import WASM_TOOLS, WASMTIME
from providers import PROVIDERS


def needs_tools(*paths: Path) -> None:
    """Skip, saying why, when `make examples` has not installed the pinned CLI tools."""
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: run `make examples` "
                    f"(requirements-examples.txt)")


def composed(provider: str, flavour: str) -> Path:
    """The agent composed with `provider`'s `flavour` component (a hash check when
    `make examples` has built it already)."""
    needs_tools(WASM_TOOLS)
    composition = Composition(provider, flavour)
    build_agent()
    compose(composition)
    return composition.output


def emulator_env(provider: str, emulator, key: str) -> dict[str, str]:
    """The environment that points `provider`'s component at the emulator."""
    return PROVIDERS[provider].emulator_env(emulator.origin, key)
