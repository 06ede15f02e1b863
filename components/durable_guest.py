"""The durable flavour's guest: the shared guest with the Golem durability strategy.

Kept apart from `components/guest.py` so that only the durable component imports the Golem
bindings (`components/golem_host.py`); the portable entry module never reaches this file.
"""

from __future__ import annotations

from components.golem_host import GolemHost
from components.guest import LlmGuest
from durability import llm_codec
from durability.strategy import Durability, Durable


class DurableLlmGuest(LlmGuest):
    def durability(self) -> Durability:
        # Built per call, never at import: module-level objects are frozen at build time.
        return Durable(GolemHost(), llm_codec)
