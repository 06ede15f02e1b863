"""Where an emulated worker's Golem host functions spend their time.

A durable `get-next` costs several times a portable one.  What of that is durability itself
(the executor checking, encoding and committing the oplog entry) and what is this emulator's
binding (converting each host call's values in Python, which Golem's Rust host does
natively)?  The worker's host functions (linking.py) and its end-of-invocation commit
(worker.py) add their time here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class HostCallClock:
    """Cumulative seconds (`time.perf_counter`).

    `conversion_s`: converting host-call values between wasmtime-py's and the executor's
    (wasmtime_values.py).  wasmtime-py's own conversion between the C API's values and its
    Python ones happens around our function, out of its sight: it counts as guest time
    (runtime/host/call_clock.py).
    `executor_s`: the executor's work in host calls and in the commit that ends each
    invocation."""

    conversion_s: float = 0.0
    executor_s: float = 0.0
