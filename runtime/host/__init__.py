"""The wasmtime host: built components in wasmtime-py, through its public API only.

Public API: `ComponentHost(wasm).instantiate(env)` → `LlmInstance` (`send`, `continue_`,
`stream` → `HostChatStream`) for golem:llm components (llm_host.py); and the parts any host
of a component builds on: `CompiledComponent` (compile once, cached on disk), `wasi_linker` /
`wasi_store` (WASI 0.2 and wasi:http), `Exports` (an exported interface called with model
values), `ValueModel` (the value conversion) and `CallClock` (guest time apart from
conversion).
"""

from runtime.host.call_clock import CallClock
from runtime.host.compiled_component import CompiledComponent
from runtime.host.exports import Exports, Signature
from runtime.host.llm_host import LLM_FUNCTIONS, LLM_INTERFACE, ComponentHost, HostChatStream, LlmInstance
from runtime.host.value_model import Case, Err, Ok, ValueModel
from runtime.host.wasi import wasi_linker, wasi_store

__all__ = [
    "LLM_FUNCTIONS", "LLM_INTERFACE", "CallClock", "Case", "CompiledComponent", "ComponentHost",
    "Err", "Exports", "HostChatStream", "LlmInstance", "Ok", "Signature", "ValueModel",
    "wasi_linker", "wasi_store",
]
