"""Every fault mode of the campaign, with the outcome each one implies, as data.

A `FaultCase` is one call (`send` or `stream`) answered by the emulator with a fault
(runtime/emulator/faults.py) and the `Expect` that fault implies.  `fault_cases(provider,
scale)` lists them: `scale="full"` gives every variant (every status with three bodies, cuts
spread over every region of the response, FIN and RST), `scale="once"` the first variant of
each mode, which is what the smoke test in `make test` runs.  Each mode lists its
representative variant first (the hardest ordinary one: a cut mid-answer, a 429, a key
echoed JSON-escaped, a lone high surrogate), so the smoke test sees what the mode is for.

The expected codes come from the documented mapping, never from the code under test:
README's "Behaviour worth knowing" (400/404/413 invalid-request, 401/403
authentication-failed, 408/409 internal-error (the server's trouble, retried), 429
rate-limit-exceeded, 5xx and Anthropic's 529 internal-error;
connection failures, timeouts and truncated streams are `error` events), each provider's
file for its own statuses (`providers/openrouter.py`, `providers/grok.py`), and golem-llm's
family rule for a status neither names (other 4xx invalid-request, reference/golem-llm-anchor.md
§1.3).  In-band stream errors are the server's failure mid-answer: internal-error.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Callable, Mapping, Optional

from fuzz.oracle import FINISH_REASONS, Expect, error, reference_stream
from normalizer.values import ErrorCode
from providers import PROVIDERS
from runtime.emulator.faults import KEY_MARKER, Fault
from runtime.emulator.scenario import Scenario, ScriptedToolCall

#: The campaign's API key: `/`, `+` and `=` change under percent-encoding, so an encoded
#: echo differs from the verbatim one.
KEY = "sk-fuzz/Campaign+Key=0123456789abcdef"

AUTH = ErrorCode.AUTHENTICATION_FAILED
INVALID = ErrorCode.INVALID_REQUEST
RATE = ErrorCode.RATE_LIMIT_EXCEEDED
INTERNAL = ErrorCode.INTERNAL_ERROR
UNSUPPORTED = ErrorCode.UNSUPPORTED

#: The statuses README names (the rest follow the family rule in `expected_status_code`).
STATUS_CODES: Mapping[int, ErrorCode] = {
    400: INVALID, 401: AUTH, 403: AUTH, 404: INVALID, 408: INTERNAL, 409: INTERNAL,
    413: INVALID, 429: RATE, 529: INTERNAL,
}
#: What a provider's own file says a status means for it.
PROVIDER_STATUS_CODES: Mapping[str, Mapping[int, ErrorCode]] = {
    "openrouter": {402: RATE, 408: INTERNAL, 502: INTERNAL, 503: INTERNAL},
    "grok": {410: UNSUPPORTED},
}
#: The JSON error bodies the emulator writes as a moderation refusal (OpenRouter's 403 with
#: `metadata.reasons`, runtime/emulator/openrouter.py), which its file maps to invalid-request.
MODERATION_JSON = frozenset({("openrouter", 403)})
#: Every registered 4xx and 5xx status, and the unregistered ones servers and proxies send
#: (nginx 499, Cloudflare 520-524, Anthropic 529, the top of the range).
STATUSES: tuple[int, ...] = tuple(sorted(
    {s.value for s in HTTPStatus if 400 <= s.value < 600} | {499, 520, 521, 522, 523, 524, 529, 599}))


def expected_status_code(provider: str, status: int) -> ErrorCode:
    """The golem:llm code an HTTP error status implies for `provider`."""
    own = PROVIDER_STATUS_CODES.get(provider, {})
    if status in own:
        return own[status]
    if status in STATUS_CODES:
        return STATUS_CODES[status]
    return INVALID if 400 <= status < 500 else INTERNAL


#: Invalid UTF-8 put into an answer's text, and what a decoder must make of it (WHATWG:
#: each maximal invalid subpart becomes one U+FFFD).
INVALID_UTF8: tuple[tuple[str, bytes], ...] = (
    ("lone continuation byte", b"\x80"),
    ("0xff", b"\xff"),
    ("2-byte sequence cut short", b"\xc3"),
    ("overlong slash", b"\xc0\xaf"),
    ("UTF-8-encoded surrogate", b"\xed\xa0\x80"),
    ("4-byte sequence cut short", b"\xf0\x9f\x98"),
    ("above U+10FFFF", b"\xf4\x90\x80\x80"),
)
#: JSON `\\u` escapes that decode to lone surrogates, which no WIT string can carry: each
#: must come out as U+FFFD; the escaped pair is the control (one emoji).
SURROGATE_ESCAPES: tuple[tuple[str, bytes], ...] = (
    ("lone high surrogate", b"\\ud800"),
    ("lone low surrogate", b"\\udfff"),
    ("pair in the wrong order", b"\\ude00\\ud83d"),
    ("high surrogate at the very end", b"\\udbff"),
    ("escaped pair (valid)", b"\\ud83d\\ude00"),
)
MARK = "@@FAULT@@"
LONG_LINE_BYTES = 10 * 1024 * 1024

_TEXT = "Fault-mode answer: Olá, 世界 — ünïcödé 🎉, streamed in pieces. " * 2
_CALL = ScriptedToolCall(id="call_fault0001", name="get_weather",
                         arguments_json='{"location": "Florence, Italy", "unit": "celsius"}')


@dataclass(frozen=True)
class FaultCase:
    """One call of the campaign's fault half.

    `expect` is called after the call with the bytes the emulator wrote (one entry per
    request answered), since where a cut falls decides what the client was given.
    `origin` "refused" points the component at a port where nothing listens.
    """

    mode: str
    variant: str
    op: str
    scenario: Optional[Scenario]
    expect: Callable[[list[bytes]], Expect]
    origin: str = "emulator"


def answer_of(scenario: Scenario, text: Optional[str] = None) -> Expect:
    """The whole scripted answer: its text (or `text`), tool calls and finish reason."""
    return Expect(
        "finish",
        text=scenario.text if text is None else text,
        calls=tuple((c.id, c.name, c.arguments_json) for c in scenario.tool_calls),
        finish=FINISH_REASONS.get(scenario.effective_finish),
    )


def fault_cases(provider: str, scale: str = "full", seed: int = 0) -> list[FaultCase]:
    """Every fault case for `provider` ("full"), or the first of each mode ("once")."""
    rng = random.Random(f"{provider}:{seed}")
    dialect = PROVIDERS[provider].dialect
    once = scale == "once"
    cases: list[FaultCase] = []
    for mode, builder in _MODES:
        built = builder(provider, dialect, rng, once)
        cases.extend(built[:1] if once else built)
    # The emulator sends exactly the scripted answer (no stop sequence or max-tokens cut).
    return [replace(c, scenario=c.scenario.with_(honor_limits=False)) if c.scenario else c
            for c in cases]


def modes() -> tuple[str, ...]:
    """The fault modes, in table order."""
    return tuple(name for name, _ in _MODES)


# -- the modes ---------------------------------------------------------------------------------


def _ops(i: int) -> str:
    return "stream" if i % 2 == 0 else "send"


def _cut(close: str) -> Callable[..., list[FaultCase]]:
    def build(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
        # The middle first (the smoke test's one case), the very start, around the end
        # marker and the terminating chunk (counted from the end), then spread over the
        # whole response: status line, headers, framing and events alike.
        spots: list[dict[str, float | int]] = [{"at_fraction": 0.5}, {"at_byte": 0},
                                               {"at_byte": 1}, {"at_fraction": 1.0}]
        spots += [{"at_byte": -k} for k in (1, 1, 5, 5, 7, 7, 8, 8, 9, 9, 20, 20)]
        spots += [{"at_fraction": (i + rng.random()) / 48} for i in range(48)]
        # Most cuts strike once (a network failure the retry or the resume gets past); every
        # fourth strikes every request, so the retries and the resume run out.
        cases = []
        for i, spot in enumerate(spots):
            with_call = i % 3 == 2
            strikes = None if i % 4 == 3 else 1
            scenario = Scenario(name=f"cut-{close}", text=_TEXT, text_chunk_chars=9,
                                tool_calls=(_CALL,) if with_call else (), resumes=True,
                                fault=Fault("cut", close=close, strikes=strikes,
                                            **spot))  # type: ignore[arg-type]
            where = (f"at {spot['at_fraction']:.3f} of the response" if "at_fraction" in spot
                     else f"at byte {spot['at_byte']}" if spot["at_byte"] >= 0
                     else f"{-spot['at_byte']} bytes before the end")
            where += (" (tool call)" if with_call else "") + (
                "" if strikes else ", every request")
            cases.append(FaultCase(f"cut-{close}", where, _ops(i), scenario,
                                   _cut_expect(scenario, dialect)))
        return cases
    return build


def _cut_expect(scenario: Scenario, dialect: str) -> Callable[[list[bytes]], Expect]:
    """A cut answer is retried before the caller has anything and resumed after (the
    emulator answers a continuation with the rest): when the last request's answer got
    through to its end marker, the caller has the whole answer exactly once; when every
    request was cut, an error after a start of the answer, none of it repeated."""
    whole = answer_of(scenario)

    def expect(sent: list[bytes]) -> Expect:
        if sent and reference_stream(sent[-1], dialect).end_marker:
            return whole
        return Expect("error", frozenset({INTERNAL}), text=scenario.text, calls=whole.calls)
    return expect


def _refused(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
    return [FaultCase("refused", "nothing listens on the port", op, None,
                      lambda sent: error(INTERNAL), origin="refused") for op in ("send", "stream")]


def _held(mode: str) -> Callable[..., list[FaultCase]]:
    def build(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
        return [FaultCase(mode, f"held open ({op})", op,
                          Scenario(name=mode, text=_TEXT, fault=Fault(mode)),  # type: ignore[arg-type]
                          lambda sent: error(INTERNAL)) for op in ("stream", "send")]
    return build


def _drip(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
    cases = []
    for i, calls in enumerate([(), (_CALL,)]):
        scenario = Scenario(name="drip", text="Drip, drip: ü 🎉.", tool_calls=calls,
                            fault=Fault("drip", interval_s=0.001))
        cases.append(FaultCase("drip", "one byte per ms" + (" (tool call)" if calls else ""),
                               _ops(i), scenario, lambda sent, s=scenario: answer_of(s)))
    return cases


def _marked(text_bytes: bytes, replacement: bytes) -> str:
    return text_bytes.replace(MARK.encode(), replacement).decode("utf-8", "replace")


def _invalid_utf8(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
    cases = []
    for i, (what, bad) in enumerate(INVALID_UTF8):
        text = f"before {MARK} after, {MARK}b — ü"
        scenario = Scenario(name="invalid-utf8", text=text, text_chunk_chars=len(text),
                            write_size=(None, 1, 3)[i % 3],
                            fault=Fault(rewrites=((MARK.encode(), bad),)))
        expected = _marked(text.encode(), bad)
        cases.append(FaultCase("invalid-utf8", what, _ops(i), scenario,
                               lambda sent, s=scenario, t=expected: answer_of(s, t)))
    return cases


def _unpaired(text: str) -> str:
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


def _surrogates(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
    cases = []
    for i, (what, escape) in enumerate(SURROGATE_ESCAPES):
        decoded = _unpaired(json.loads('"' + escape.decode() + '"'))
        text = f"before {MARK} after"
        scenario = Scenario(name="lone-surrogate", text=text, text_chunk_chars=len(text),
                            fault=Fault(rewrites=((MARK.encode(), escape),)))
        cases.append(FaultCase("lone-surrogate", f"{what} in the text", _ops(i), scenario,
                               lambda sent, s=scenario, t=text.replace(MARK, decoded): answer_of(s, t)))
    # In a tool call's arguments (at the outer JSON level, so the argument string holds it).
    args = '{"q": "' + MARK + '", "padding": "' + "x" * 48 + '"}'
    call = ScriptedToolCall(id="call_surrogate01", name="lookup", arguments_json=args)
    scenario = Scenario(name="lone-surrogate", tool_calls=(call,), args_chunk_chars=len(args),
                        fault=Fault(rewrites=((MARK.encode(), b"\\ud800"),)))
    fixed = ScriptedToolCall(call.id, call.name, args.replace(MARK, "\ufffd"))
    cases.append(FaultCase("lone-surrogate", "lone high surrogate in tool arguments", "stream",
                           scenario, lambda sent, s=scenario.with_(tool_calls=(fixed,)): answer_of(s)))
    # In an in-band error's message.
    scenario = Scenario(name="lone-surrogate", text=_TEXT, in_band_error=True,
                        error_message=f"upstream failed {MARK} here",
                        fault=Fault(rewrites=((MARK.encode(), b"\\ud800"),)))
    cases.append(FaultCase("lone-surrogate", "lone high surrogate in an in-band error", "stream",
                           scenario, _in_band_expect(dialect)))
    return cases


def _long_line(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
    text = ("ten megabytes on one line; " * (LONG_LINE_BYTES // 27 + 1))[:LONG_LINE_BYTES]
    scenario = Scenario(name="long-line", text=text, text_chunk_chars=len(text))
    either = answer_of(scenario).with_(outcome="either", codes=frozenset({INTERNAL}))
    return [FaultCase("long-line", f"{len(text)} bytes of text in one data line", op, scenario,
                      lambda sent: either) for op in ("stream", "send")]


def _statuses(kind: str) -> Callable[..., list[FaultCase]]:
    def build(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
        statuses = (429,) + tuple(s for s in STATUSES if s != 429)
        if kind == "empty":
            statuses += (200,)
        cases = []
        for i, status in enumerate(statuses):
            if kind == "json":
                scenario = Scenario(name="status-json", error_status=status,
                                    error_message=f"The emulator answers HTTP {status}.")
            elif kind == "html":
                scenario = Scenario(name="status-html", error_status=status, error_body=(
                    f"<html><head><title>{status}</title></head><body><h1>{status}</h1>"
                    f"<hr><center>nginx</center></body></html>\r\n"))
            else:
                scenario = Scenario(name="status-empty", error_status=status, error_body=b"",
                                    error_content_type="application/json")
            code = INTERNAL if status == 200 else expected_status_code(provider, status)
            if kind == "json" and (provider, status) in MODERATION_JSON:
                code = INVALID
            cases.append(FaultCase(f"status-{kind}", f"HTTP {status}", _ops(i), scenario,
                                   lambda sent, c=code: error(c)))
        return cases
    return build


def _plain_json(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
    cases = []
    for i, calls in enumerate([(), (_CALL,)]):
        scenario = Scenario(name="json-for-sse", text=_TEXT, tool_calls=calls,
                            fault=Fault(plain_json=True))
        cases.append(FaultCase("json-for-sse", "plain JSON answer" + (" (tool call)" if calls else ""),
                               _ops(i), scenario, lambda sent, s=scenario: answer_of(s)))
    return cases


def _key_echo(provider: str, dialect: str, rng: random.Random, once: bool) -> list[FaultCase]:
    cases = []
    for i, how in enumerate(("json-escaped", "percent-encoded", "verbatim")):
        scenario = Scenario(name="key-echo", error_status=401, error_message=(
            f"Incorrect API key provided: {KEY_MARKER}. See https://emulator.invalid/keys?key="
            f"{KEY_MARKER}"), fault=Fault(echo_key=how))  # type: ignore[arg-type]
        cases.append(FaultCase("key-echo", f"401 JSON, key {how}", _ops(i), scenario,
                               lambda sent: error(AUTH)))
    scenario = Scenario(name="key-echo", error_status=401, error_body=(
        f"<html><body><h1>401</h1><p>Bad key {KEY_MARKER}</p></body></html>"),
        fault=Fault(echo_key="verbatim"))
    cases.append(FaultCase("key-echo", "401 HTML, key verbatim", "send", scenario,
                           lambda sent: error(AUTH)))
    # The key in the answer's text, streamed a few characters per event and paced, so it
    # reaches the component in pieces over several batches: it must come out redacted whole.
    scenario = Scenario(name="key-echo", text=f"Your key is {KEY}, as asked.",
                        text_chunk_chars=4, chunk_delay_s=0.005)
    cases.append(FaultCase("key-echo", "streamed text, key in pieces", "stream", scenario,
                           lambda sent: Expect("finish",
                                               text="Your key is [redacted], as asked.")))
    for i, how in enumerate(("verbatim", "json-escaped")):
        scenario = Scenario(name="key-echo", text=_TEXT, in_band_error=True,
                            error_message=f"upstream rejected key {KEY_MARKER}",
                            fault=Fault(echo_key=how))  # type: ignore[arg-type]
        cases.append(FaultCase("key-echo", f"in-band error, key {how}", ("stream", "send")[i],
                               scenario, _in_band_expect(dialect)))
    return cases


def _in_band_expect(dialect: str) -> Callable[[list[bytes]], Expect]:
    """An in-band error: internal-error, after exactly the text the events before it held."""
    return lambda sent: error(INTERNAL, prefix=reference_stream(sent[-1] if sent else b"",
                                                                dialect).text)


_MODES: tuple[tuple[str, Callable[..., list[FaultCase]]], ...] = (
    ("cut-fin", _cut("fin")),
    ("cut-rst", _cut("rst")),
    ("refused", _refused),
    ("silent", _held("silent")),
    ("headers-then-silence", _held("headers-then-silence")),
    ("drip", _drip),
    ("endless-comments", _held("endless-comments")),
    ("invalid-utf8", _invalid_utf8),
    ("lone-surrogate", _surrogates),
    ("long-line", _long_line),
    ("status-json", _statuses("json")),
    ("status-html", _statuses("html")),
    ("status-empty", _statuses("empty")),
    ("json-for-sse", _plain_json),
    ("key-echo", _key_echo),
)
