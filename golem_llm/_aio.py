"""`astream`, `asend`, `acontinue`: the same calls for asyncio code.

Not a second implementation.  The stream is the one `stream` builds (the same
`RecoveringStream` over the same `HttpAttempt`s), read without blocking: the event loop
asks it for the events that are ready (`next_batch(block=False)`, which never waits), and
when there are none it awaits a wake-up that each request's reader thread gives as soon
as it has received something.  So the loop never blocks on the network, the deadlines, the
retries and the resume behave exactly as in the sync calls and in the component, and
cancelling the awaiting task (or `aclose`) closes the stream and its connection.  The wait
is also bounded by `TICK_S`, which is how a deadline or a retry's pause, kept by the
stream's own clock, is noticed while nothing arrives.

A native asyncio client (httpx2's `AsyncClient`) would have meant a second transport with
its own copy of the deadline and retry logic to keep in step; one reader thread per
request is the price of having one.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Mapping, Optional, Sequence

import httpx2

from durability.source import Source
from golem_llm._calls import ProviderLike, _open
from normalizer.accumulator import Accumulator
from normalizer.values import ChatEvent, Config, Message, StreamEvent, ToolCall, ToolResult
from providers.outbound import Outbound

#: The longest the loop waits without looking at the stream's clock (seconds).
TICK_S = 0.05


class _Wakeup:
    """An `asyncio.Event` that a reader thread can set."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    def notify(self) -> None:  # from a reader thread
        try:
            self.loop.call_soon_threadsafe(self.event.set)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass

    async def next_batch(self, source: Source) -> Optional[list[StreamEvent]]:
        """The next non-empty batch, or None at the end."""
        while True:
            self.event.clear()
            batch = source.next_batch(block=False)
            if batch is not None:
                return batch or None
            try:
                await asyncio.wait_for(self.event.wait(), TICK_S)
            except asyncio.TimeoutError:
                pass


class AsyncStream:
    """`Stream` for asyncio: `async for event in stream`; `aclose()` or `async with` to let
    go of the connection before the end."""

    def __init__(self, source: Source, outbound: Outbound, own: Optional[httpx2.Client],
                 wakeup: _Wakeup) -> None:
        self._source = source
        self._outbound = outbound
        self._own = own
        self._wakeup = wakeup

    async def batches(self) -> AsyncIterator[list[StreamEvent]]:
        try:
            while True:
                batch = await self._wakeup.next_batch(self._source)
                if batch is None:
                    return
                yield self._outbound.stream_events(batch) or []
        finally:
            await self.aclose()

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        async for batch in self.batches():
            for event in batch:
                yield event

    async def aclose(self) -> None:
        self._source.close()
        own, self._own = self._own, None
        if own is not None:
            own.close()

    async def __aenter__(self) -> "AsyncStream":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def astream(provider: ProviderLike, messages: Sequence[Message], config: Config, *,
                  env: Optional[Mapping[str, str]] = None,
                  http: Optional[httpx2.Client] = None) -> AsyncStream:
    """`stream`, for asyncio (see the module docstring)."""
    wakeup = _Wakeup()
    source, outbound, own = _open(provider, messages, config, env, http, deliver=True,
                                  operation="stream", notify=wakeup.notify)
    return AsyncStream(source, outbound, own, wakeup)


async def asend(provider: ProviderLike, messages: Sequence[Message], config: Config, *,
                env: Optional[Mapping[str, str]] = None,
                http: Optional[httpx2.Client] = None) -> ChatEvent:
    """`send`, for asyncio."""
    return await _adrained(provider, messages, config, env, http, (), "send")


async def acontinue(provider: ProviderLike, messages: Sequence[Message],
                    tool_results: Sequence[tuple[ToolCall, ToolResult]], config: Config, *,
                    env: Optional[Mapping[str, str]] = None,
                    http: Optional[httpx2.Client] = None) -> ChatEvent:
    """`continue_`, for asyncio."""
    return await _adrained(provider, messages, config, env, http, tuple(tool_results),
                           "continue")


async def _adrained(provider: ProviderLike, messages: Sequence[Message], config: Config,
                    env: Optional[Mapping[str, str]], http: Optional[httpx2.Client],
                    tool_results: Sequence[tuple[ToolCall, ToolResult]], operation: str
                    ) -> ChatEvent:
    wakeup = _Wakeup()
    source, outbound, own = _open(provider, messages, config, env, http, deliver=False,
                                  tool_results=tool_results, operation=operation,
                                  notify=wakeup.notify)
    accumulator = Accumulator()
    try:
        while (batch := await wakeup.next_batch(source)) is not None:
            accumulator.add(batch)
    finally:
        source.close()
        if own is not None:
            own.close()
    return outbound.chat_event(accumulator.result())
