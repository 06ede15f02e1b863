"""A local emulator of LLM provider HTTP APIs: OpenAI chat completions, Anthropic Messages,
xAI Grok and OpenRouter, each with its own wire format, behind one dialect protocol.

It is a real HTTP/1.1 server on loopback that answers with scripted `Scenario`s, so the
components' wasi:http clients, the native library and the CLI demo exercise real sockets,
chunked streams, slow and truncated bodies and provider error shapes.  Stdlib only; it runs
natively, never inside a component.
"""

from runtime.emulator.anthropic_dialect import AnthropicDialect
from runtime.emulator.dialect import Dialect
from runtime.emulator.dialects import all_dialects
from runtime.emulator.openai_dialect import OpenAIDialect
from runtime.emulator.openrouter_dialect import OpenRouterDialect
from runtime.emulator.xai_dialect import XAIDialect
from runtime.emulator.request_view import RequestView, ToolResult, ToolSpec
from runtime.emulator.response import RenderContext, Response
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.scenarios import BUILTIN_SCENARIOS, builtin
from runtime.emulator.server import EmulatorServer, RecordedRequest

__all__ = [
    "AnthropicDialect",
    "BUILTIN_SCENARIOS",
    "Dialect",
    "EmulatorServer",
    "OpenAIDialect",
    "OpenRouterDialect",
    "RecordedRequest",
    "RenderContext",
    "RequestView",
    "Response",
    "Scenario",
    "ScriptedToolCall",
    "ToolResult",
    "ToolSpec",
    "XAIDialect",
    "all_dialects",
    "builtin",
]
