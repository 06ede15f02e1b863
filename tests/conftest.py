"""Shared fixtures: built components (built at most once per run), hosts, the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tools.build import Target, build

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures" / "real"
EMULATOR_KEY = "sk-test-emulator-key-0123456789"


def built(provider: str, flavour: str) -> Path:
    """The component's path, building it first if its sources changed (`make test` has
    normally built it already, so this is a hash check)."""
    target = Target(provider, flavour)
    build(target)
    return target.output


@pytest.fixture(scope="session")
def emulator() -> Iterator["EmulatorServer"]:
    from runtime.emulator.server import EmulatorServer

    with EmulatorServer(api_key=EMULATOR_KEY) as server:
        yield server


@pytest.fixture
def fresh_emulator(emulator):
    """The session's emulator with its request log and scenario queue cleared."""
    emulator.clear()
    emulator.clear_queue()
    yield emulator
    emulator.clear()
    emulator.clear_queue()
