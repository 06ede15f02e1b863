"""The `golem-llm` command (`main`) and `make demo` (`demo.run_demo`).

Files: command.py (the argument parser), chat.py, oplog.py and demo.py (one command each), and
what the commands share: components.py (the built components and their hosts),
local_emulator.py (the provider emulator), printing.py (events as text or JSON).
"""

from runtime.cli.command import main

__all__ = ["main"]
