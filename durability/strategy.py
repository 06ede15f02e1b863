"""How the exported operations run: straight through (portable) or durably (Golem).

The guest (`components/guest.py`) is written once against `Durability`.  The portable
flavour gets `PassThrough`, which runs every operation as is and imports nothing from
Golem; the durable flavour gets `Durable(host)`, which wraps each operation as design.md's
durability table says.  A new provider gets durability for free: it only supplies requests
and a normalizer.  Each strategy also gives the call its `witness`
(`durability/http_witness.py`), which the transport tells of every wasi:http resource it
releases: nobody in the portable flavour, the Golem host in the durable one.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol, Sequence

from durability.batch_window import BatchWindow, Sleeper
from durability.call import CONTINUE, SEND, STREAM, durable_call
from durability.continuation import Partial
from durability.host_api import DurableHost
from durability.http_witness import no_witness
from durability.source import FailedSource, Source
from durability.stream import RecordedStream
from normalizer.values import ChatEvent, Config, LlmError, Message, ToolCall, ToolResult

# The live half of `stream`: open the provider stream.  The resume half: open the
# continuation for a partial answer (it drops the whitespace a prefill makes the model
# repeat itself: durability/recovery.py).
OpenLive = Callable[[], Source]
OpenResume = Callable[[Partial], Source]


class Durability(Protocol):
    def witness(self, interface: str, function: str) -> None:
        """Tell the host that the guest is about to release a wasi:http resource
        (`durability/http_witness.py`)."""
        ...

    def send(self, messages: Sequence[Message], config: Config,
             run: Callable[[], ChatEvent]) -> ChatEvent: ...

    def continue_(self, messages: Sequence[Message],
                  tool_results: Sequence[tuple[ToolCall, ToolResult]], config: Config,
                  run: Callable[[], ChatEvent]) -> ChatEvent: ...

    def stream(self, messages: Sequence[Message], config: Config, open_live: OpenLive,
               open_resume: OpenResume, batch_window_ms: int = 0) -> Source:
        """`batch_window_ms`: how long a blocking read of the durable stream waits after
        its first events for more (`durability/batch_window.py`); the portable flavour,
        which records nothing, ignores it."""
        ...


class PassThrough:
    """No durability: the portable flavour."""

    witness = staticmethod(no_witness)

    def send(self, messages, config, run):
        return run()

    def continue_(self, messages, tool_results, config, run):
        return run()

    def stream(self, messages, config, open_live, open_resume, batch_window_ms=0):
        return open_live()


class Durable:
    """One oplog entry per send/continue, one for opening a stream and one per get-next.
    With a `clock`, a stream's blocking reads wait their batch window (none without)."""

    def __init__(self, host: DurableHost, codec: Any, clock: Optional[Sleeper] = None) -> None:
        self._host = host
        self._codec = codec
        self._clock = clock

    def witness(self, interface: str, function: str) -> None:
        """`observe-function-call`: metrics only in Golem 1.2, the emulated host checks
        each release's persistence level (`durability/http_witness.py`)."""
        self._host.observe_function_call(interface, function)

    def send(self, messages, config, run):
        return durable_call(
            self._host, SEND,
            request=lambda: self._codec.send_request(messages, config),
            live=run, on_error=_as_chat_event,
            encode=self._codec.chat_event, decode=self._codec.decode_chat_event,
        ).value

    def continue_(self, messages, tool_results, config, run):
        return durable_call(
            self._host, CONTINUE,
            request=lambda: self._codec.continue_request(messages, tool_results, config),
            live=run, on_error=_as_chat_event,
            encode=self._codec.chat_event, decode=self._codec.decode_chat_event,
        ).value

    def stream(self, messages, config, open_live, open_resume, batch_window_ms=0):
        opened: list[Source] = []
        clock = self._clock if batch_window_ms > 0 else None

        def windowed(source: Source, started: bool) -> Source:
            if clock is None:
                return source
            return BatchWindow(source, clock, batch_window_ms, started=started)

        def live() -> None:
            opened.append(windowed(open_live(), started=False))

        def resume(partial: Partial) -> Source:
            return windowed(open_resume(partial), started=not partial.empty)

        durable_call(
            self._host, STREAM,
            request=lambda: self._codec.stream_request(messages, config),
            live=live,
            on_error=lambda error: opened.append(FailedSource(error)),
            encode=lambda _: self._codec.stream_response(),
            decode=self._codec.decode_stream_response,
        )
        return RecordedStream(self._host, self._codec, opened[0] if opened else None, resume)


def _as_chat_event(error: LlmError) -> ChatEvent:
    """A failed `send`/`continue` answers with its error value, recorded like any answer."""
    return error
