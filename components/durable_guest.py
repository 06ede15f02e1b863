"""The durable flavour's guest: the shared guest with the Golem durability strategy.

Kept apart from `components/guest.py` so that only the durable component imports the Golem
bindings (`components/golem_host.py`); the portable entry module never reaches this file.
"""

from __future__ import annotations

from components.golem_host import GolemHost
from components.guest import LlmGuest
from components.transport import WasiClock
from durability.outbound_codec import OutboundCodec
from durability.strategy import Durability, Durable
from providers.outbound import Outbound


class DurableLlmGuest(LlmGuest):
    def durability(self, outbound: Outbound) -> Durability:
        # Built per call, never at import: module-level objects are frozen at build time.
        # What is persisted goes through the call's outbound step, as what is returned does.
        # The clock paces a stream's batch window (durability/batch_window.py); it is read
        # only in the live half of a get-next, inside its persist-nothing zone, and tells
        # the host of each of its pollables as `Durable.witness` does (http_witness.py).
        host = GolemHost()
        return Durable(host, OutboundCodec(outbound), WasiClock(host.observe_function_call))
