"""The WASI calls Golem 1.2 makes durable, recorded and replayed by the emulated worker.

Golem's executor wraps these WASI host functions (worker-executor `durable_host/clocks`,
`random`, `cli`) so that each call is an `imported-function-invoked` entry (read-local),
written at every persistence level and replayed strictly in order: a replayed guest gets the
recorded answer, and a guest that makes such a call on one path only (live but not in
replay, or the reverse) meets another entry than it expects, a divergence.

The emulated worker does the same for the functions below, by shadowing them in its
wasmtime-py linker (`shadow_wasi`): each interface is redefined whole under the exact name
the component imports (`...@0.2.0`), which wasmtime looks up before the semver match that
serves the rest of WASI, and every function answers through `DurableExecutor.wasi_call`.

Modelled: `wasi:clocks/wall-clock` (`now`, `resolution`), `wasi:random/random`,
`wasi:random/insecure`, `wasi:random/insecure-seed`, `wasi:cli/environment`
(`get-environment`, `get-arguments`, `initial-cwd`), under Golem's oplog names.

One departure: Golem stores the environment's values in the oplog, API keys included; the
emulation stores a SHA-256 digest of each value instead (so no key reaches the oplog file)
and, in replay, returns the worker's environment after checking it against the digests.

Not modelled, because an interface can only be shadowed whole and wasmtime-py cannot make
the host's resources from Python: `wasi:clocks/monotonic-clock` (its `subscribe-*` return
`pollable`s), `wasi:io/poll`, and every wasi:http step (Golem writes `begin-remote-write` at
`handle`, an entry per body read, and `end-remote-write` when the response, body, stream or
future is dropped).  The guest makes all of those inside persist-nothing zones only, which
replay never runs.  What the host can check of it, it checks through the guest: the
transport witnesses each wasi:http release with `observe-function-call`
(durability/http_witness.py), which the executor counts per level and, outside
persist-nothing, records as Golem records the end of a request (executor.py).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from wasmtime import component as wc

from durability import codec
from durability.wit_nodes import ValueAndType
from durability.wit_schema import ListT, OptionT, PrimT, TupleT, WitT
from runtime.golem.errors import Divergence
from runtime.golem.executor import DurableExecutor
from runtime.golem.wasmtime_values import record as wasmtime_record

U32, U64, STRING = PrimT("u32"), PrimT("u64"), PrimT("string")
BYTES = ListT(PrimT("u8"))


@dataclass(frozen=True)
class WasiFunction:
    """One durable WASI function: its WIT name, Golem's oplog name, the type of its
    recorded answer, how to answer live (from the worker's environment and its arguments),
    and how the answer crosses into wasmtime-py."""

    wit_name: str
    oplog_name: str
    result: WitT
    live: Callable[..., Any]
    out: Callable[[Any], Any] = lambda value: value
    recorded: Callable[[Any], Any] = lambda value: value
    replayed: Callable[[Mapping[str, str], Any], Any] = lambda env, stored: stored


def _datetime(ns: int) -> tuple[int, int]:
    return divmod(ns, 1_000_000_000)


def _datetime_out(value: Any) -> Any:
    seconds, nanoseconds = value
    return wasmtime_record(seconds=seconds, nanoseconds=nanoseconds)


def _digest(pairs: Any) -> list[tuple[str, str]]:
    return [(k, "sha256:" + hashlib.sha256(v.encode("utf-8")).hexdigest()) for k, v in pairs]


def _replayed_environment(env: Mapping[str, str], stored: Any) -> list[tuple[str, str]]:
    """The worker's environment, if it is the recorded one (compared by digest)."""
    current = list(env.items())
    if _digest(current) != [tuple(pair) for pair in stored]:
        raise Divergence("unexpected oplog entry: golem_environment::get_environment "
                         "recorded another environment than this worker has")
    return current


def _u64() -> int:
    return int.from_bytes(os.urandom(8), "little")


INTERFACES: Mapping[str, tuple[WasiFunction, ...]] = {
    "wasi:clocks/wall-clock@0.2.0": (
        WasiFunction("now", "wall_clock::now", TupleT((U64, U32)),
                     lambda env: _datetime(time.time_ns()), _datetime_out),
        WasiFunction("resolution", "wall_clock::resolution", TupleT((U64, U32)),
                     lambda env: (0, 1), _datetime_out),
    ),
    "wasi:random/random@0.2.0": (
        WasiFunction("get-random-bytes", "golem random::get_random_bytes", BYTES,
                     lambda env, n: os.urandom(n)),
        WasiFunction("get-random-u64", "golem random::get_random_u64", U64,
                     lambda env: _u64()),
    ),
    "wasi:random/insecure@0.2.0": (
        WasiFunction("get-insecure-random-bytes",
                     "golem random::insecure::get_insecure_random_bytes", BYTES,
                     lambda env, n: os.urandom(n)),
        WasiFunction("get-insecure-random-u64",
                     "golem random::insecure::get_insecure_random_u64", U64,
                     lambda env: _u64()),
    ),
    "wasi:random/insecure-seed@0.2.0": (
        WasiFunction("insecure-seed", "golem random::insecure_seed::insecure_seed",
                     TupleT((U64, U64)), lambda env: (_u64(), _u64()), tuple),
    ),
    "wasi:cli/environment@0.2.0": (
        WasiFunction("get-environment", "golem_environment::get_environment",
                     ListT(TupleT((STRING, STRING))),
                     lambda env: [(k, v) for k, v in env.items()],
                     lambda value: [tuple(pair) for pair in value],
                     _digest, _replayed_environment),
        WasiFunction("get-arguments", "golem_environment::get_arguments", ListT(STRING),
                     lambda env: [], list),
        WasiFunction("initial-cwd", "golem_environment::initial_cwd", OptionT(STRING),
                     lambda env: None),
    ),
}


def _bind(function: WasiFunction, executor: DurableExecutor,
          env: Mapping[str, str]) -> Callable[..., Any]:
    result = function.result

    def encode(value: Any) -> ValueAndType:
        return codec.value_and_type(function.recorded(value), result)

    def decode(vat: ValueAndType) -> Any:
        return function.replayed(env, codec.decode(vat, result))

    def host_function(_store: Any, *args: Any) -> Any:
        value = executor.wasi_call(function.oplog_name, lambda: function.live(env, *args),
                                   encode, decode)
        return function.out(value)
    return host_function


def shadow_wasi(linker: wc.Linker, executor: DurableExecutor,
                env: Optional[Mapping[str, str]]) -> None:
    """Redefine the durable WASI interfaces in `linker` (which already has WASI) so that
    each call is recorded and replayed by `executor`; `env` is what the store's WASI
    environment holds."""
    env = dict(env or {})
    linker.allow_shadowing = True
    with linker.root() as root:
        for interface, functions in INTERFACES.items():
            with root.add_instance(interface) as instance:
                for function in functions:
                    instance.add_func(function.wit_name, _bind(function, executor, env))
    linker.allow_shadowing = False


def oplog_names() -> frozenset[str]:
    """Every oplog function name this module records."""
    return frozenset(f.oplog_name for fs in INTERFACES.values() for f in fs)
