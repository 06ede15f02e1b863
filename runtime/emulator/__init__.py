"""A local emulator of LLM provider HTTP APIs: every provider in the registry, each with its
own wire format (a renderer per wire dialect, a flavour per provider with habits of its
own), behind one dialect protocol.

It is a real HTTP/1.1 server on loopback that answers with scripted `Scenario`s, so the
components' wasi:http clients, the native library and the CLI demo exercise real sockets,
chunked streams, slow and truncated bodies and provider error shapes; a `Fault` on a
scenario breaks the rules on purpose, in the bytes or on the socket (faults.py).  Stdlib only; it runs
natively, never inside a component.
"""

from runtime.emulator.anthropic_messages import AnthropicMessagesDialect
from runtime.emulator.chat_completions import ChatCompletionsDialect
from runtime.emulator.dialect import Dialect
from runtime.emulator.dialects import all_dialects, dialect_for
from runtime.emulator.faults import Fault, refused_origin
from runtime.emulator.grok import GrokDialect
from runtime.emulator.openrouter import OpenRouterDialect
from runtime.emulator.request_view import RequestView, ToolResult, ToolSpec
from runtime.emulator.response import RenderContext, Response
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.scenarios import BUILTIN_SCENARIOS, builtin
from runtime.emulator.server import EmulatorServer, RecordedRequest

__all__ = [
    "AnthropicMessagesDialect",
    "BUILTIN_SCENARIOS",
    "ChatCompletionsDialect",
    "Dialect",
    "EmulatorServer",
    "Fault",
    "GrokDialect",
    "OpenRouterDialect",
    "RecordedRequest",
    "RenderContext",
    "RequestView",
    "Response",
    "Scenario",
    "ScriptedToolCall",
    "ToolResult",
    "ToolSpec",
    "all_dialects",
    "dialect_for",
    "builtin",
    "refused_origin",
]
