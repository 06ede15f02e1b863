"""The guest's witness of each wasi:http resource it lets go of: what the host cannot see.

Why.  In Golem 1.2 the end of an HTTP request is an oplog entry: when the guest drops the
request's `future-incoming-response`, `incoming-response`, `incoming-body` (or calls
`incoming-body.finish`) or the body's `input-stream`, whichever of them owns the request's
end by then, the executor writes `end-remote-write` (and `finish-span`) at the current
persistence level (worker-executor `durable_host/http/types.rs`, `io/streams.rs`,
`http/mod.rs::end_http_request`).  Inside a persist-nothing zone replay skips it; anywhere
else replay has to read it back, and a guest that dropped the resource on its live path
only (the garbage collector running componentize-py's finalizer, say: golem-ai#5) fails the
worker.  The emulated host runs wasi:http inside wasmtime-py, where a drop is invisible.

So the guest says it.  Just before releasing a wasi:http resource (or a pollable or I/O
error that came from one), the transport calls its `Witness` with the component-model name
of the call it is about to make, e.g. `("wasi:http/types",
"[resource-drop]incoming-body")`.  The durable flavour's witness is `golem:durability`
`observe-function-call`, which Golem 1.2 only counts as a metric (`durability.rs`
`observe_function_call` -> `metrics::record_host_function_call`), so it costs nothing in a
real worker and writes nothing to its oplog; the emulated executor counts each witness
per persistence level and, for a release that can end a request outside persist-nothing,
writes and replays `end-remote-write` as Golem does (`runtime/golem/executor.py`).  The
portable flavour has no Golem imports; its witness is `no_witness`.

This module is the one home of the names: the transport witnesses with them, the executor
recognises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

#: Told `(interface, function)` just before the guest releases a wasi:http resource.
Witness = Callable[[str, str], None]


def no_witness(interface: str, function: str) -> None:
    """The portable flavour's witness: nobody to tell."""


@dataclass(frozen=True)
class Release:
    """One way the guest lets go of a resource: the component-model import it calls
    (`[resource-drop]<resource>` or a consuming `[static]<resource>.finish`) and whether
    Golem 1.2 may end an HTTP request there (write `end-remote-write`)."""

    interface: str
    function: str
    ends_request: bool = False


HTTP_TYPES = "wasi:http/types"

FUTURE_INCOMING_RESPONSE = Release(HTTP_TYPES, "[resource-drop]future-incoming-response",
                                   ends_request=True)
INCOMING_RESPONSE = Release(HTTP_TYPES, "[resource-drop]incoming-response", ends_request=True)
INCOMING_BODY = Release(HTTP_TYPES, "[resource-drop]incoming-body", ends_request=True)
INCOMING_BODY_FINISH = Release(HTTP_TYPES, "[static]incoming-body.finish", ends_request=True)
INPUT_STREAM = Release("wasi:io/streams", "[resource-drop]input-stream", ends_request=True)
FUTURE_TRAILERS = Release(HTTP_TYPES, "[resource-drop]future-trailers")
FIELDS = Release(HTTP_TYPES, "[resource-drop]fields")
OUTGOING_REQUEST = Release(HTTP_TYPES, "[resource-drop]outgoing-request")
OUTGOING_BODY = Release(HTTP_TYPES, "[resource-drop]outgoing-body")
OUTGOING_BODY_FINISH = Release(HTTP_TYPES, "[static]outgoing-body.finish")
OUTPUT_STREAM = Release("wasi:io/streams", "[resource-drop]output-stream")
POLLABLE = Release("wasi:io/poll", "[resource-drop]pollable")
IO_ERROR = Release("wasi:io/error", "[resource-drop]error")

RELEASES: Mapping[tuple[str, str], Release] = MappingProxyType({
    (r.interface, r.function): r for r in (
        FUTURE_INCOMING_RESPONSE, INCOMING_RESPONSE, INCOMING_BODY, INCOMING_BODY_FINISH,
        INPUT_STREAM, FUTURE_TRAILERS, FIELDS, OUTGOING_REQUEST, OUTGOING_BODY,
        OUTGOING_BODY_FINISH, OUTPUT_STREAM, POLLABLE, IO_ERROR)})
"""Every release the guest witnesses, by `(interface, function)`."""
