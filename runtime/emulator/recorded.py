"""Answer with recorded responses, byte for byte, instead of rendering scenarios.

`RecordedDialect` parses and authorises requests as the Chat Completions dialect does
(`RecordedMessagesDialect` as the Anthropic Messages one), then answers each with the next
queued `Response`; `recorded_response(folder)` reads one from a
recording in the fixtures layout (`request.json`, `response.meta.json`, `response.body`).
An event stream is sent one SSE event per chunk, as the recorded server flushed it, so a
component reads a real server's bytes over real HTTP.
"""

from __future__ import annotations

import collections
import json
import re
import threading
from pathlib import Path
from typing import Any, Mapping

from runtime.emulator.anthropic_messages import AnthropicMessagesDialect
from runtime.emulator.chat_completions import ChatCompletionsDialect
from runtime.emulator.response import RenderContext, Response
from runtime.emulator.scenario import Scenario

#: One SSE event with the blank line that ends it (any of the three line ends), or a tail.
_EVENT = re.compile(rb".*?(?:\r\n\r\n|\n\n|\r\r)|.+\Z", re.S)


def recorded_response(folder: Path) -> Response:
    """The recorded answer in `folder`, ready to send again."""
    meta = json.loads((folder / "response.meta.json").read_text())
    body = (folder / "response.body").read_bytes()
    headers = tuple((name, value) for name, value in meta["headers"].items())
    if meta.get("streaming"):
        return Response(meta["status"], headers, tuple(_EVENT.findall(body)), streaming=True)
    return Response(meta["status"], headers, (body,))


class _RecordedAnswers:
    """Answers from a queue of recorded responses (and with an HTTP 500 that says so when
    the queue is empty), mixed into a dialect that parses and authorises the requests."""

    def __init__(self, provider: str, path: str | None = None) -> None:
        super().__init__(provider, path)  # type: ignore[call-arg]
        self._answers: collections.deque[Response] = collections.deque()
        self._lock = threading.Lock()

    def enqueue(self, *responses: Response) -> None:
        with self._lock:
            self._answers.extend(responses)

    def render(self, scenario: Scenario, request: Mapping[str, Any],
               ctx: RenderContext | None = None) -> Response:
        with self._lock:
            if self._answers:
                return self._answers.popleft()
        return self.error(500, "no recorded answer is queued")  # type: ignore[attr-defined]


class RecordedDialect(_RecordedAnswers, ChatCompletionsDialect):
    """A Chat Completions endpoint answering from recordings."""

    def __init__(self, provider: str = "openai", path: str | None = None) -> None:
        super().__init__(provider, path)


class RecordedMessagesDialect(_RecordedAnswers, AnthropicMessagesDialect):
    """An Anthropic Messages endpoint answering from recordings."""

    def __init__(self, provider: str = "anthropic", path: str | None = None) -> None:
        super().__init__(provider, path)
