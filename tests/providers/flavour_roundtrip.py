"""Real HTTP round trips for the Chat Completions flavours (not a test module itself).

A provider builds its request; http.client sends it over loopback to the emulator; the bytes
come back in whatever pieces the socket gives and go through `ResponseDecoder` (the one path
from bytes to events that the component uses too); the `Accumulator` gives the chat-event.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from normalizer.accumulator import Accumulator
from normalizer.values import (
    ChatEvent,
    Config,
    Finish,
    LlmError,
    Message,
    Role,
    StreamEvent,
    Text,
    ToolCall,
    ToolResult,
    is_terminal,
)
from providers.provider import HttpRequest, Provider
from providers.response_decoder import ResponseDecoder

HI = (Message(Role.USER, (Text("Hello there"),)),)


@dataclass(frozen=True)
class Exchange:
    request: HttpRequest
    status: int
    events: tuple[StreamEvent, ...]
    #: The response's headers, names in lower case.
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def result(self) -> ChatEvent:
        accumulator = Accumulator()
        accumulator.add(self.events)
        return accumulator.result()

    @property
    def text(self) -> str:
        accumulator = Accumulator()
        accumulator.add(self.events)
        return accumulator.text

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        accumulator = Accumulator()
        accumulator.add(self.events)
        return accumulator.tool_calls

    @property
    def terminal(self) -> Finish | LlmError:
        """The one terminal event, checked to be the last and the only one."""
        terminals = [e for e in self.events if is_terminal(e)]
        assert len(terminals) == 1, self.events
        assert self.events[-1] is terminals[0]
        return terminals[0]  # type: ignore[return-value]


def exchange(provider: Provider, env: Mapping[str, str], config: Config,
             messages: Sequence[Message] = HI,
             tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
             read_size: int = 1024) -> Exchange:
    """Send the provider's request to the URL it names and decode the answer."""
    request = provider.chat_request(messages, config, env, tool_results)
    assert isinstance(request, HttpRequest), request
    url = urlsplit(request.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    events: list[StreamEvent] = []
    try:
        conn.request(request.method, url.path, body=request.body, headers=dict(request.headers))
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        decoder = ResponseDecoder(provider, response.status,
                                  response.getheader("content-type", ""), env, headers=headers)
        try:
            while True:
                piece = response.read1(read_size)
                if not piece:
                    break
                events += decoder.feed(piece)
            events += decoder.end()
        except (http.client.HTTPException, OSError) as exc:
            events += decoder.fail(f"{type(exc).__name__}: {exc}")
        return Exchange(request, response.status, tuple(events), headers)
    finally:
        conn.close()
