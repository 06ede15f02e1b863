"""Built-in scenarios, chosen by sending their name as the request's `model`.

They let a component test or the CLI demo pick a behaviour without access to the server
object (e.g. `model="tool-call"` or `model="error-429"`).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from runtime.emulator.scenario import Scenario, ScriptedToolCall

WEATHER_CALL = ScriptedToolCall(
    id="call_emuWeather0001", name="get_weather",
    arguments_json='{"location": "Florence, Italy", "unit": "celsius"}',
)
ADD_CALL = ScriptedToolCall(id="call_emuAdd00000001", name="add", arguments_json='{"a": 2, "b": 3}')
MULTIPLY_CALL = ScriptedToolCall(id="call_emuMultiply001", name="multiply", arguments_json='{"a": 2, "b": 3}')

TEXT = "Hello! This is the golem-llm emulator speaking. How can I help you today?"
LONG_TEXT = " ".join(
    f"Sentence {i} of a long answer, streamed in many small deltas so that clients see the "
    f"text arrive piece by piece." for i in range(1, 41)
)
UNICODE_TEXT = "Olá, 世界! Ünïcödé façade — naïve café 🎉🚀 ✓ ∑ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢; done."


def _builtins() -> dict[str, Scenario]:
    items = [
        Scenario("text", text=TEXT),
        Scenario("long-text", text=LONG_TEXT, text_chunk_chars=12),
        Scenario("unicode-text", text=UNICODE_TEXT, text_chunk_chars=3),
        Scenario("slow-text", text=TEXT, chunk_delay_s=0.05),
        Scenario("byte-by-byte", text=UNICODE_TEXT, write_size=1),
        Scenario("empty-text", text=""),
        Scenario("tool-call", tool_calls=(WEATHER_CALL,)),
        Scenario("tool-call-no-args", tool_calls=(
            ScriptedToolCall(id="call_emuNoArgs00001", name="get_time", arguments_json="{}"),)),
        Scenario("parallel-tool-calls", tool_calls=(ADD_CALL, MULTIPLY_CALL)),
        Scenario("text-and-tool-call", text="Let me look that up for you.", tool_calls=(WEATHER_CALL,)),
        Scenario("length", text="This answer stops in the middle of a", finish="length"),
        Scenario("content-filter", text="I was about to say", finish="content_filter"),
        Scenario("in-band-error", text=TEXT, in_band_error=True),
        Scenario("truncated", text=TEXT, truncate="clean"),
        Scenario("truncated-abort", text=TEXT, truncate="abort"),
        Scenario("truncated-tool-call", tool_calls=(WEATHER_CALL,), truncate="abort"),
        Scenario("error-400", error_status=400),
        Scenario("error-401", error_status=401),
        Scenario("error-403", error_status=403),
        Scenario("error-404", error_status=404),
        Scenario("error-429", error_status=429),
        Scenario("error-429-quota", error_status=429, error_type="insufficient_quota",
                 error_code="insufficient_quota",
                 error_message="You exceeded your current quota, please check your plan and billing details."),
        Scenario("error-500", error_status=500),
        Scenario("error-502-html", error_status=502, error_body=(
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
            "</body>\r\n</html>\r\n")),
        Scenario("error-503", error_status=503),
    ]
    return {s.name: s for s in items}


#: name -> scenario (read-only; pass your own mapping to EmulatorServer to add some).
BUILTIN_SCENARIOS: Mapping[str, Scenario] = MappingProxyType(_builtins())


def builtin(name: str) -> Scenario:
    """The built-in scenario called `name` (KeyError if there is none)."""
    return BUILTIN_SCENARIOS[name]
