"""The stream of one call, whatever carries its bytes: the one place a call's settings,
requests, retries, resumes and request log are put together.

The guest (`components/chat_stream.py`, over wasi:http) and the library (`golem_llm`, over
a native HTTP client) differ only in how one request is sent and read (`MakeAttempt`) and
in their clock; everything that decides what is sent, when it is tried again and what the
caller is told is here and below, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional, Sequence, Union

from durability.continuation import Partial, continuation_request
from durability.recovery import Attempt, Clock, RecoveringStream
from durability.source import FailedSource, Source
from normalizer.accumulator import Accumulator
from normalizer.values import (
    ChatEvent, Config, ErrorCode, Finish, LlmError, Message, ToolCall, ToolResult)
from providers.provider import HttpRequest, Provider
from providers.reasoning_memory import blocks_in
from providers.request_log import CallLog, Write
from providers.retry import RetryPolicy
from providers.settings import CallSettings, SettingError

#: Opens one attempt: the built request (or the error that stopped it being built), the
#: call's settings, and the call's log (None when logging is off).
MakeAttempt = Callable[[Union[HttpRequest, LlmError], CallSettings, Optional[CallLog]], Attempt]


def open_call(provider: Provider, messages: Sequence[Message], config: Config,
              env: Mapping[str, str], make_attempt: MakeAttempt, clock: Clock, *,
              partial: Partial = Partial(), deliver: bool = True,
              tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
              operation: str = "stream", write: Optional[Write] = None,
              ) -> Union[RecoveringStream, FailedSource]:
    """The request for `messages` (or, with a `partial` answer, its continuation), retried
    and resumed as the call's settings say; `deliver=False` (`send`/`continue`) holds every
    event until the answer is whole.  With `write`, the call is logged as `GOLEM_LLM_LOG`
    says (`providers/request_log.py`)."""
    try:
        settings, wire = CallSettings.of_call(env, config)
    except SettingError as exc:
        return FailedSource(LlmError(ErrorCode.INVALID_REQUEST, str(exc)))
    log = (CallLog.of(settings, write, clock.now_ns, provider.name, wire.model, operation)
           if write is not None else None)

    def open_attempt(answer_so_far: Partial) -> tuple[Attempt, bool]:
        if answer_so_far.empty:
            request: Union[HttpRequest, LlmError] = provider.chat_request(
                messages, wire, env, tool_results)
            trimmed = False
        else:
            request, trimmed = continuation_request(provider, messages, wire, env,
                                                    answer_so_far)
        if log is not None and isinstance(request, HttpRequest):
            log.sent(request.body, provider.scrubber(env).diagnostic)
        return make_attempt(request, settings, log), trimmed

    return RecoveringStream(open_attempt, RetryPolicy.read(settings), clock, partial=partial,
                            deliver=deliver, on_end=None if log is None else log.ended)


def drain(source: Source, echo_key: Optional[str] = None) -> ChatEvent:
    """`send`/`continue`: the stream, read to its end into the accumulator, then closed.

    A tool request whose finish carries reasoning the provider wants back under `echo_key`
    (providers/reasoning_memory.py) comes back as a whole message, tool calls and metadata,
    so that the caller, the oplog and so the replay keep what `continue` must send back."""
    accumulator = Accumulator()
    finish: Optional[Finish] = None
    try:
        while True:
            events = source.next_batch(block=True)
            if not events:
                break
            accumulator.add(events)
            finish = next((e for e in events if isinstance(e, Finish)), finish)
    finally:
        source.close()
    keep = finish is not None and bool(blocks_in(finish.metadata, echo_key))
    return accumulator.result(keep_metadata=keep)
