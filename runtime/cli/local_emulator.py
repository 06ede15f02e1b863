"""The local provider emulator, as the CLI's `--emulator` and the demo start it."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

EMULATOR_KEY = "sk-emulator-demo-key"


def start_emulator(stack: ExitStack, **options: Any) -> Any:
    """An `EmulatorServer` (all four APIs) accepting `EMULATOR_KEY`, stopped by `stack`."""
    from runtime.emulator.server import EmulatorServer

    server = EmulatorServer(api_key=EMULATOR_KEY, **options)
    stack.enter_context(server)
    return server
