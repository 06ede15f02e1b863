"""What the emulator answers, independent of any provider's wire format.

A `Scenario` says *what* the model "says" (text, tool calls, finish reason, usage) and *how*
the bytes travel (errors, truncation, pacing, write sizes).  Each provider's dialect
(chat_completions.py, anthropic_messages.py, and the flavours grok.py and openrouter.py)
renders it into that provider's HTTP answer, so one scripted scenario exercises every
provider's client the same way.

Finish reasons use the normalized names (`stop`, `length`, `tool_calls`, `content_filter`);
each dialect maps them to its own (Anthropic: `end_turn`, `max_tokens`, `tool_use`,
`refusal`).  A name outside that set is passed through verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Mapping

Truncation = Literal["none", "clean", "abort"]

#: The finish reasons every dialect knows how to map.
NORMALIZED_FINISHES = ("stop", "length", "tool_calls", "content_filter")


@dataclass(frozen=True)
class ScriptedToolCall:
    """One tool call the model makes.  `arguments_json` is sent verbatim (it may be invalid
    JSON on purpose); an empty `id` is replaced by a generated `call_...` id."""

    id: str
    name: str
    arguments_json: str = "{}"


@dataclass(frozen=True)
class Scenario:
    """A scripted answer.

    Content:
      text             assistant text, streamed in `text_chunk_chars`-character deltas
      reasoning        reasoning/thinking text for dialects that stream it (OpenAI ignores it)
      tool_calls       tool calls, after the text; arguments stream in `args_chunk_chars` pieces
      finish           normalized finish reason; None = "tool_calls" if there are tool calls,
                       else "stop"
      usage            (input_tokens, output_tokens); None = estimated from the request and
                       the answer (output = words of text + ~4 chars per argument token)
      response_model   model name echoed in the answer; None = the request's model
      resumes          a request that continues this answer (its last assistant message
                       holds a start of `text`, or names some of `tool_calls`: the
                       component's resume after a dropped connection) is answered with
                       the rest of it, as the model would go on (runtime/emulator/resume.py)

    Errors:
      error_status     answer with this HTTP status and the dialect's error body
      error_message / error_type / error_code
                       override the dialect's default message, type and code for the error
                       (HTTP or in-band)
      error_body       raw body (str/bytes, or a dict rendered as JSON) replacing the
                       dialect's error body entirely, e.g. an HTML page from a proxy
      error_content_type  content type for `error_body` (default: JSON for dicts, else
                       text/html if it starts with "<", else text/plain)
      retry_after      seconds, sent as `retry-after` (dialects may add their own variants)
      in_band_error    stream part of the text, then an error event inside the 200 stream

    Transport:
      truncate         "none"; "clean" = the body ends properly (terminating chunk) but
                       without finish event or end marker; "abort" = the connection is
                       closed mid-body (half an SSE event, no terminating chunk)
      truncate_after_events  how many complete SSE events precede the cut; None = the
                       first half of the answer's events (role chunk included)
      chunk_delay_s    the pace of the SSE events: the i-th is written this long × i after the
                       first (a late write does not push the later ones back)
      write_size       split the body into pieces of N bytes (for a chunked stream: one
                       HTTP chunk per piece), e.g. 1 to exercise incremental parsers
      stall_with_comments_s  for a stream: after its events (cut with `truncate="clean"`
                       and `truncate_after_events`), do not end the body but send an SSE
                       comment (`: keep-alive`) every this many seconds, never an event,
                       until the client goes away (at most `STALL_LIMIT_S`), as OpenRouter
                       does while its upstream is slow
      text_chunk_chars characters per text delta
      args_chunk_chars characters per tool-argument fragment
      honor_limits     apply the request's stop sequences and max tokens to `text`
      headers          extra response headers
      extra            dialect-specific knobs (documented by each dialect)

    Faults:
      fault            a `runtime.emulator.faults.Fault`: what happens to the rendered answer
                       in the bytes (invalid UTF-8, lone surrogates, the key echoed, plain
                       JSON for a stream) and on the socket (cut at any byte with FIN or
                       RST, silence, headers then silence, drip, endless comments)
    """

    name: str = "custom"
    text: str = ""
    reasoning: str = ""
    tool_calls: tuple[ScriptedToolCall, ...] = ()
    finish: str | None = None
    usage: tuple[int, int] | None = None
    response_model: str | None = None
    resumes: bool = False

    error_status: int | None = None
    error_message: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    error_body: str | bytes | Mapping[str, Any] | None = field(default=None, hash=False)
    error_content_type: str | None = None
    retry_after: float | None = None
    in_band_error: bool = False

    truncate: Truncation = "none"
    truncate_after_events: int | None = None
    chunk_delay_s: float = 0.0
    write_size: int | None = None
    stall_with_comments_s: float | None = None
    text_chunk_chars: int = 8
    args_chunk_chars: int = 6
    honor_limits: bool = True
    headers: tuple[tuple[str, str], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    #: A `runtime.emulator.faults.Fault` (typed `Any`: faults.py builds on this module).
    fault: Any = field(default=None, hash=False)

    def __post_init__(self) -> None:
        if self.truncate not in ("none", "clean", "abort"):
            raise ValueError(f"truncate must be none, clean or abort, not {self.truncate!r}")
        if self.text_chunk_chars < 1 or self.args_chunk_chars < 1:
            raise ValueError("text_chunk_chars and args_chunk_chars must be >= 1")
        if self.write_size is not None and self.write_size < 1:
            raise ValueError("write_size must be >= 1 or None")
        if self.chunk_delay_s < 0:
            raise ValueError("chunk_delay_s must be >= 0")
        if self.stall_with_comments_s is not None and self.stall_with_comments_s <= 0:
            raise ValueError("stall_with_comments_s must be > 0 or None")

    @property
    def effective_finish(self) -> str:
        """The finish reason to send: the explicit one, else derived from the content."""
        if self.finish is not None:
            return self.finish
        return "tool_calls" if self.tool_calls else "stop"

    def with_(self, **changes: Any) -> "Scenario":
        """A copy with some fields changed (`dataclasses.replace`)."""
        return replace(self, **changes)
