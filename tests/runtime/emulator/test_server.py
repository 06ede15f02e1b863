"""The provider emulator, over real loopback sockets with http.client (and a raw socket where
the framing itself is what is checked)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from typing import Any

import pytest

from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.scenarios import BUILTIN_SCENARIOS
from runtime.emulator.server import EmulatorServer

KEY = "sk-emulator-test-key-0123456789abcdef"
PATH = "/v1/chat/completions"


@pytest.fixture
def emu():
    with EmulatorServer(api_key=KEY) as server:
        yield server


def post(server: EmulatorServer, body: Any, *, key: str | None = KEY, path: str = PATH,
         method: str = "POST", extra_headers: dict[str, str] | None = None):
    """(status, lowercased headers, body bytes) of one request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    headers.update(extra_headers or {})
    data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else None
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def chat(model: str = "gpt-4o", text: str = "Hello there", *, stream: bool = False,
         usage: bool = False, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": text}], **fields}
    if stream:
        body["stream"] = True
        if usage:
            body["stream_options"] = {"include_usage": True}
    return body


def sse_data(body: bytes) -> list[str]:
    """The data values of an SSE body (OpenAI sends single-line `data:` events only)."""
    assert b"\r" not in body
    out = []
    for block in body.decode("utf-8").split("\n\n"):
        if block.strip():
            lines = block.split("\n")
            assert all(line.startswith("data: ") for line in lines), block
            out.append("\n".join(line[6:] for line in lines))
    return out


def chunks(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(d) for d in sse_data(body) if d != "[DONE]"]


def content_of(objs: list[dict[str, Any]]) -> str:
    return "".join(
        c["delta"].get("content") or "" for o in objs for c in o.get("choices", []))


def finishes(objs: list[dict[str, Any]]) -> list[str]:
    return [c["finish_reason"] for o in objs for c in o.get("choices", []) if c.get("finish_reason")]


def tool_fragments(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [tc for o in objs for c in o.get("choices", []) for tc in c["delta"].get("tool_calls") or []]


# -- streaming ----------------------------------------------------------------------------


def test_stream_text_deltas_concatenate_to_scenario_text_and_end_with_done(emu):
    text = "The quick brown fox jumps over the lazy dog, twice over."
    emu.enqueue(Scenario(text=text, text_chunk_chars=5))
    status, headers, body = post(emu, chat(stream=True))
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["transfer-encoding"] == "chunked"
    data = sse_data(body)
    assert data[-1] == "[DONE]"
    objs = chunks(body)
    assert content_of(objs) == text
    assert len([o for o in objs if o["choices"] and "content" in o["choices"][0]["delta"]]) > 5
    first = objs[0]
    assert first["object"] == "chat.completion.chunk"
    assert first["choices"][0]["delta"]["role"] == "assistant"
    assert {o["id"] for o in objs} == {first["id"]} and first["id"].startswith("chatcmpl-")
    for o in objs:
        assert {"id", "object", "created", "model", "system_fingerprint", "choices"} <= o.keys()
        assert o["model"] == "gpt-4o"
        assert o["choices"][0]["logprobs"] is None
    assert objs[-1]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}
    assert finishes(objs) == ["stop"]
    # no include_usage: no usage chunk and no usage key at all
    assert all(o["choices"] for o in objs) and all("usage" not in o for o in objs)


def test_stream_usage_chunk_only_with_include_usage(emu):
    emu.enqueue(Scenario(text="one two three", usage=(11, 3)))
    objs = chunks(post(emu, chat(stream=True, usage=True))[2])
    usage_chunks = [o for o in objs if not o["choices"]]
    assert len(usage_chunks) == 1 and usage_chunks[0] is objs[-1]
    assert usage_chunks[0]["usage"]["prompt_tokens"] == 11
    assert usage_chunks[0]["usage"]["completion_tokens"] == 3
    assert usage_chunks[0]["usage"]["total_tokens"] == 14
    assert all(o["usage"] is None for o in objs[:-1])


def test_stream_tool_call_fragments_reassemble_with_id_and_name_only_first(emu):
    args = '{"location": "Florence, Italy", "unit": "celsius"}'
    emu.enqueue(Scenario(tool_calls=(ScriptedToolCall("call_abc", "get_weather", args),), args_chunk_chars=7))
    objs = chunks(post(emu, chat(stream=True))[2])
    frags = tool_fragments(objs)
    assert len(frags) > 3
    assert frags[0]["id"] == "call_abc" and frags[0]["type"] == "function"
    assert frags[0]["function"]["name"] == "get_weather"
    for frag in frags[1:]:
        assert set(frag) == {"index", "function"} and set(frag["function"]) == {"arguments"}
    assert all(f["index"] == 0 for f in frags)
    assert "".join(f["function"]["arguments"] for f in frags) == args
    assert finishes(objs) == ["tool_calls"]
    assert sse_data(post(emu, chat("tool-call", stream=True))[2])[-1] == "[DONE]"


def test_stream_parallel_tool_calls_use_two_indexes(emu):
    status, _, body = post(emu, chat("parallel-tool-calls", stream=True))
    assert status == 200
    frags = tool_fragments(chunks(body))
    calls: dict[int, dict[str, str]] = {}
    for frag in frags:
        slot = calls.setdefault(frag["index"], {"id": "", "name": "", "args": ""})
        if "id" in frag:
            assert slot["id"] == ""  # id only once per index
            slot["id"], slot["name"] = frag["id"], frag["function"]["name"]
        slot["args"] += frag["function"].get("arguments", "")
    assert sorted(calls) == [0, 1]
    assert [calls[i]["name"] for i in (0, 1)] == ["add", "multiply"]
    assert calls[0]["id"] != calls[1]["id"]
    assert all(json.loads(c["args"]) == {"a": 2, "b": 3} for c in calls.values())


def test_stream_arrives_incrementally_with_chunk_delay(emu):
    emu.enqueue(Scenario(text="abcdefghij", text_chunk_chars=2, chunk_delay_s=0.04))
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    conn.request("POST", PATH, json.dumps(chat(stream=True)), {"authorization": f"Bearer {KEY}"})
    start = time.monotonic()
    resp = conn.getresponse()
    first_line = resp.readline()
    t_first = time.monotonic() - start
    rest = resp.read()
    total = time.monotonic() - start
    conn.close()
    assert first_line.startswith(b"data: ")
    assert content_of(chunks(first_line + rest)) == "abcdefghij"
    assert total >= 0.04 * 6  # 8 events, 7 pauses
    assert t_first < total / 2


# -- plain answers and errors ----------------------------------------------------------


def test_non_streaming_json_answer(emu):
    emu.enqueue(Scenario(text="Oi!", usage=(20, 2)))
    status, headers, body = post(emu, chat())
    assert status == 200 and headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    obj = json.loads(body)
    assert obj["object"] == "chat.completion" and obj["model"] == "gpt-4o"
    choice = obj["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": "Oi!", "refusal": None, "annotations": []}
    assert choice["finish_reason"] == "stop" and choice["logprobs"] is None
    assert obj["usage"]["total_tokens"] == 22

    status, _, body = post(emu, chat("tool-call"))
    message = json.loads(body)["choices"][0]["message"]
    assert message["content"] is None
    call = message["tool_calls"][0]
    assert call["type"] == "function" and call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"])["location"] == "Florence, Italy"
    assert json.loads(body)["choices"][0]["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503])
@pytest.mark.parametrize("stream", [False, True])
def test_error_scenarios_answer_openai_error_json(emu, status, stream):
    got, headers, body = post(emu, chat(f"error-{status}", stream=stream))
    assert got == status
    assert headers["content-type"] == "application/json"
    err = json.loads(body)["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["type"], str)
    if status >= 500:
        assert err["type"] == "server_error"
    if status == 429:
        assert err["code"] == "rate_limit_exceeded"


def test_error_overrides_and_retry_after(emu):
    emu.enqueue(Scenario(error_status=429, error_type="insufficient_quota", error_code="insufficient_quota",
                         error_message="You exceeded your current quota.", retry_after=2))
    status, headers, body = post(emu, chat())
    assert status == 429 and headers["retry-after"] == "2"
    assert json.loads(body)["error"] == {"message": "You exceeded your current quota.",
                                         "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}
    status, headers, body = post(emu, chat("error-502-html"))
    assert status == 502 and headers["content-type"].startswith("text/html") and body.startswith(b"<html>")


def test_in_band_error_chunk_after_some_text(emu):
    emu.enqueue(Scenario(text="Hello world, this is a partial answer.", in_band_error=True, text_chunk_chars=4))
    status, _, body = post(emu, chat(stream=True))
    assert status == 200
    data = sse_data(body)
    assert "[DONE]" not in data
    objs = [json.loads(d) for d in data]
    assert set(objs[-1]) == {"error"} and objs[-1]["error"]["type"] == "server_error"
    assert objs[-1]["error"]["message"]
    assert content_of(objs[:-1]) and finishes(objs) == []


def test_clean_truncation_has_no_finish_and_no_done(emu):
    text = "This answer is going to be cut off before its natural end."
    emu.enqueue(Scenario(text=text, truncate="clean"))
    status, _, body = post(emu, chat(stream=True, usage=True))  # read() completes normally
    assert status == 200
    data = sse_data(body)
    assert data and "[DONE]" not in data
    objs = chunks(body)
    assert finishes(objs) == [] and all(o["choices"] for o in objs)
    assert 0 < len(content_of(objs)) < len(text) and text.startswith(content_of(objs))


def test_a_stream_stalled_with_comments_sends_its_events_then_only_comments(emu):
    emu.enqueue(Scenario(text="abcdef", text_chunk_chars=3, truncate="clean",
                         truncate_after_events=2, stall_with_comments_s=0.02))
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    conn.request("POST", PATH, json.dumps(chat(stream=True)), {"authorization": f"Bearer {KEY}"})
    resp = conn.getresponse()
    assert resp.status == 200
    seen = b""
    while seen.count(b": keep-alive") < 3:  # the body never ends: read what came so far
        seen += resp.read1(4096)
    conn.close()
    events = [block for block in seen.split(b"\n\n") if block.startswith(b"data: ")]
    assert len(events) == 2 and content_of(chunks(b"\n\n".join(events) + b"\n\n")) == "abc"
    assert post(emu, chat("text"))[0] == 200  # the server survives the client leaving


def test_abort_truncation_raises_incomplete_read(emu):
    emu.enqueue(Scenario(text="This stream dies mid-body, without its terminating chunk.", truncate="abort"))
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    conn.request("POST", PATH, json.dumps(chat(stream=True)), {"authorization": f"Bearer {KEY}"})
    resp = conn.getresponse()
    assert resp.status == 200
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        resp.read()
    conn.close()
    # the server survives it
    assert post(emu, chat("text"))[0] == 200


def test_abort_truncation_of_plain_answer_announces_more_than_it_sends(emu):
    emu.enqueue(Scenario(text="cut", truncate="abort"))
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    conn.request("POST", PATH, json.dumps(chat()), {"authorization": f"Bearer {KEY}"})
    with pytest.raises(http.client.IncompleteRead):
        conn.getresponse().read()
    conn.close()


def _raw_request(port: int, body: bytes, extra: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     b"Authorization: Bearer " + KEY.encode() + b"\r\n" + extra +
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        data = b""
        while block := sock.recv(65536):
            data += block
    return data


def _dechunk(raw: bytes) -> tuple[list[int], bytes]:
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head.lower()
    sizes, body = [], b""
    while True:
        line, _, rest = rest.partition(b"\r\n")
        size = int(line, 16)
        if size == 0:
            return sizes, body
        sizes.append(size)
        body += rest[:size]
        assert rest[size:size + 2] == b"\r\n"
        rest = rest[size + 2:]


def test_write_size_one_still_delivers_a_correct_body(emu):
    text = "Olá, 世界 🎉 byte by byte"
    emu.enqueue(Scenario(text=text, write_size=1))
    sizes, body = _dechunk(_raw_request(emu.port, json.dumps(chat(stream=True)).encode()))
    assert set(sizes) == {1} and len(sizes) == len(body)
    assert content_of(chunks(body)) == text and sse_data(body)[-1] == "[DONE]"
    emu.enqueue(Scenario(text=text, write_size=1))
    status, _, body = post(emu, chat(stream=True))
    assert status == 200 and content_of(chunks(body)) == text


# -- the auto scenario ------------------------------------------------------------------

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer"},
        "detailed": {"type": "boolean"},
        "optional_note": {"type": "string"}},
        "required": ["location", "unit", "days", "detailed"]}}}
CLOCK_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}


def test_auto_echoes_the_last_user_text(emu):
    objs = chunks(post(emu, chat(text="What is a monad?", stream=True))[2])
    text = content_of(objs)
    assert text.startswith('You said: "What is a monad?".') and "golem-llm emulator" in text
    assert len([o for o in objs if o["choices"] and o["choices"][0]["delta"].get("content")]) >= 3
    assert finishes(objs) == ["stop"]


def test_auto_calls_the_first_tool_with_arguments_from_its_schema(emu):
    body = chat(text="What's the weather in Florence, Italy?", stream=True, tools=[WEATHER_TOOL, CLOCK_TOOL])
    objs = chunks(post(emu, body)[2])
    frags = tool_fragments(objs)
    assert frags[0]["function"]["name"] == "get_weather" and frags[0]["id"].startswith("call_")
    args = json.loads("".join(f["function"]["arguments"] for f in frags))
    assert args == {"location": "Florence", "unit": "celsius", "days": 42, "detailed": True}
    assert finishes(objs) == ["tool_calls"]
    # a named tool_choice picks that tool; "none" answers with text
    named = chat(text="time?", tools=[WEATHER_TOOL, CLOCK_TOOL],
                 tool_choice={"type": "function", "function": {"name": "get_time"}})
    call = json.loads(post(emu, named)[2])["choices"][0]["message"]["tool_calls"][0]
    assert call["function"] == {"name": "get_time", "arguments": "{}"}
    none = json.loads(post(emu, chat(text="hi", tools=[WEATHER_TOOL], tool_choice="none"))[2])
    assert none["choices"][0]["message"]["content"].startswith("You said:")


def test_auto_answers_a_tool_result_by_quoting_it(emu):
    body = {"model": "gpt-4o", "tools": [WEATHER_TOOL], "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"location\":\"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 24 degrees"}]}
    message = json.loads(post(emu, body)[2])["choices"][0]
    assert message["finish_reason"] == "stop"
    assert message["message"]["content"].startswith("The tool returned: Sunny, 24 degrees")


def test_auto_stop_sequence_cuts_text_with_finish_stop(emu):
    objs = chunks(post(emu, chat(text="alpha beta gamma", stream=True, stop=["gamma"]))[2])
    assert content_of(objs) == 'You said: "alpha beta '
    assert finishes(objs) == ["stop"]


def test_auto_max_tokens_cuts_words_with_finish_length(emu):
    objs = chunks(post(emu, chat(text="one two three four", stream=True, usage=True,
                                 max_completion_tokens=4))[2])
    assert content_of(objs) == 'You said: "one two'
    assert finishes(objs) == ["length"]
    assert objs[-1]["usage"]["completion_tokens"] == 4
    obj = json.loads(post(emu, chat(text="one two three", max_tokens=2))[2])
    assert obj["choices"][0]["message"]["content"] == "You said:"
    assert obj["choices"][0]["finish_reason"] == "length"


# -- auth, recording, selection, routing -----------------------------------------------


def test_missing_authorization_is_401(emu):
    status, _, body = post(emu, chat(), key=None)
    assert status == 401
    err = json.loads(body)["error"]
    assert "didn't provide an API key" in err["message"] and err["type"] == "invalid_request_error"
    assert post(emu, chat(), extra_headers={"authorization": "Bearer "}, key=None)[0] == 401


def test_wrong_key_is_401_with_masked_key(emu):
    wrong = "sk-wrong-key-abcdefghijklmnopqrstuvwxyz-0987"
    status, _, body = post(emu, chat(), key=wrong)
    assert status == 401
    err = json.loads(body)["error"]
    assert err["code"] == "invalid_api_key" and err["message"].startswith("Incorrect API key provided: sk-")
    assert wrong not in err["message"] and "*" in err["message"] and "0987" in err["message"]
    assert post(emu, chat(), key=KEY)[0] == 200
    emu.enqueue(Scenario(text="never used"))
    post(emu, chat(), key=wrong)
    assert emu.pending == 1  # a refused request does not consume a queued scenario


def test_any_key_is_accepted_without_expected_key():
    with EmulatorServer() as server:
        assert post(server, chat(), key="anything")[0] == 200
        assert post(server, chat(), key=None)[0] == 401


def test_requests_are_recorded_with_parsed_json(emu):
    body = chat(text="record me", temperature=0.5)
    post(emu, body, extra_headers={"X-Custom": "Yes"})
    post(emu, b"{not json")
    assert emu.request_count == 2
    first, second = emu.requests
    assert first.method == "POST" and first.path == PATH
    assert first.json == body and json.loads(first.body) == body
    assert first.headers["authorization"] == f"Bearer {KEY}" and first.headers["x-custom"] == "Yes"
    assert second.json is None and second.body == b"{not json"
    emu.clear()
    assert emu.request_count == 0 and emu.requests == ()


def test_malformed_json_is_400(emu):
    status, _, body = post(emu, b"{not json")
    assert status == 400 and json.loads(body)["error"]["type"] == "invalid_request_error"
    status, _, body = post(emu, {"model": "gpt-4o", "messages": []})
    assert status == 400 and json.loads(body)["error"]["code"] == "empty_array"


def test_enqueue_is_fifo_and_wins_over_model_name(emu):
    emu.enqueue(Scenario(text="first"), Scenario(text="second"))
    emu.enqueue("error-429")
    assert json.loads(post(emu, chat("tool-call"))[2])["choices"][0]["message"]["content"] == "first"
    assert json.loads(post(emu, chat())[2])["choices"][0]["message"]["content"] == "second"
    assert post(emu, chat())[0] == 429
    assert emu.pending == 0
    # then the model name selects a built-in again
    assert json.loads(post(emu, chat("text"))[2])["choices"][0]["message"]["content"] == BUILTIN_SCENARIOS["text"].text


def test_unknown_path_is_404_and_other_methods_405(emu):
    status, _, body = post(emu, chat(), path="/v1/nope")
    assert status == 404 and "Invalid URL (POST /v1/nope)" in json.loads(body)["error"]["message"]
    status, headers, _ = post(emu, None, method="GET")
    assert status == 405 and headers["allow"] == "POST"


def test_chunked_request_body_and_keep_alive(emu):
    payload = json.dumps(chat(text="chunked body")).encode()
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    for _ in range(2):  # the second request reuses the connection
        pieces = iter([payload[i:i + 10] for i in range(0, len(payload), 10)])
        conn.request("POST", PATH, body=pieces, encode_chunked=True,
                     headers={"authorization": f"Bearer {KEY}", "transfer-encoding": "chunked"})
        resp = conn.getresponse()
        assert resp.status == 200 and b"chunked body" in resp.read()
    conn.close()
    assert [r.json for r in emu.requests] == [chat(text="chunked body")] * 2
    assert all("content-length" not in r.headers for r in emu.requests)


def test_client_disconnect_mid_stream_does_not_hurt_the_server(emu):
    emu.enqueue(Scenario(text="x" * 200, text_chunk_chars=1, chunk_delay_s=0.005))
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    conn.request("POST", PATH, json.dumps(chat(stream=True)), {"authorization": f"Bearer {KEY}"})
    resp = conn.getresponse()
    resp.readline()
    conn.sock.shutdown(socket.SHUT_RDWR)
    conn.close()
    time.sleep(0.05)
    status, _, body = post(emu, chat("text", stream=True))
    assert status == 200 and sse_data(body)[-1] == "[DONE]"


def test_stop_is_prompt_with_a_paused_stream_and_idle_connection():
    server = EmulatorServer().start()
    port = server.port
    server.enqueue(Scenario(text="slow " * 50, text_chunk_chars=5, chunk_delay_s=1.0))
    got: dict[str, Any] = {}

    def reader() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", PATH, json.dumps(chat(stream=True)), {"authorization": "Bearer k"})
        resp = conn.getresponse()
        try:
            got["body"] = resp.read()
        except Exception as exc:  # noqa: BLE001 - the cut is the point
            got["error"] = exc

    idle = socket.create_connection(("127.0.0.1", port), timeout=5)
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    assert server.wait_for_requests(1, timeout=2)
    time.sleep(0.05)
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 0.5
    thread.join(timeout=2)
    assert not thread.is_alive() and "error" in got
    idle.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    server.stop()  # idempotent


def test_base_url_and_builtin_names():
    with EmulatorServer() as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
    for name in ["text", "long-text", "tool-call", "parallel-tool-calls", "length", "content-filter",
                 "in-band-error", "truncated", "truncated-abort", "error-400", "error-401", "error-403",
                 "error-404", "error-429", "error-500", "error-503", "slow-text"]:
        assert name in BUILTIN_SCENARIOS and BUILTIN_SCENARIOS[name].name == name


@pytest.mark.parametrize("name", sorted(BUILTIN_SCENARIOS))
def test_every_builtin_renders_in_both_modes(emu, name):
    for stream in (False, True):
        try:
            status, _, body = post(emu, chat(name, stream=stream))
        except (http.client.IncompleteRead, ConnectionError):
            assert BUILTIN_SCENARIOS[name].truncate == "abort"
            continue
        scenario = BUILTIN_SCENARIOS[name]
        plain_in_band = scenario.in_band_error and not stream  # a plain answer fails with a 500
        assert status == (scenario.error_status or (500 if plain_in_band else 200))
