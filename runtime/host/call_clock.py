"""Where an instance's export calls spend their time, split the way a Rust host would differ.

wasmtime-py is a Python host: every value that crosses into or out of a component is
converted in Python, twice (our model values ↔ wasmtime-py's `Record` / `Variant` values,
runtime/host/value_model.py; then wasmtime-py's values ↔ the C API's).  A Rust host such as
Golem's does neither in Python.  So the host times its own calls at the boundary it owns
(runtime/host/exports.py), and the benchmarks report the guest's share as the component's
figure and the conversion beside it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CallClock:
    """Cumulative seconds (`time.perf_counter`) of one instance's export calls.

    `guest_s`: inside `Func.__call__`, `Func.post_return` and resource drops: the guest's
    code, the host functions it calls (WASI, wasi:http, an emulated Golem's), and
    wasmtime-py's own conversion of the call's arguments and results between its Python
    values and the C API's, which its public API does not let a caller time apart.
    `conversion_s`: converting between the engine's values and wasmtime-py's (ours)."""

    guest_s: float = 0.0
    conversion_s: float = 0.0
