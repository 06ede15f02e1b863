"""Shared fixtures: the provider emulator.  Plain helpers and paths are in `tests/helpers.py`."""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from tests.helpers import EMULATOR_KEY

# tests/e2e/ needs a real model server (`make e2e` installs and starts it): it is collected
# only when `make e2e` says so, never by `make test`.
collect_ignore = [] if os.environ.get("GOLEM_LLM_E2E") == "1" else ["e2e"]


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
