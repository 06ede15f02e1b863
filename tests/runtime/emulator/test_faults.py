"""The emulator's fault modes, seen from a raw socket: what reaches the client, and how the
connection ends (FIN: recv returns b""; RST: recv raises ConnectionResetError)."""

from __future__ import annotations

import json
import socket
import time

import pytest

from runtime.emulator.faults import KEY_MARKER, Fault, encode_key, refused_origin
from runtime.emulator.scenario import Scenario
from runtime.emulator.server import EmulatorServer

KEY = "sk-fault/Key+0123=4567"
STREAM = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}


@pytest.fixture
def emu():
    with EmulatorServer(api_key=KEY) as server:
        yield server


def exchange(server: EmulatorServer, body=STREAM, *, timeout: float = 3.0,
             stop_after: float | None = None) -> tuple[bytes, str]:
    """(bytes received, how the connection ended: "fin", "rst" or "timeout") for one
    request on a raw socket; `stop_after` closes it from our side after that many seconds."""
    data = json.dumps(body).encode()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: emu\r\nAuthorization: Bearer "
                 + KEY.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: %d"
                 b"\r\n\r\n%s" % (len(data), data))
    got, ended = b"", "timeout"
    until = None if stop_after is None else time.monotonic() + stop_after
    try:
        while until is None or time.monotonic() < until:
            chunk = sock.recv(65536)
            if not chunk:
                ended = "fin"
                break
            got += chunk
    except ConnectionResetError:
        ended = "rst"
    except socket.timeout:
        pass
    finally:
        sock.close()
    return got, ended


@pytest.mark.parametrize("close, ended", [("fin", "fin"), ("rst", "rst")])
@pytest.mark.parametrize("at", [{"at_byte": 0}, {"at_byte": 1}, {"at_byte": 10**9}, {"at_byte": -5},
                                {"at_fraction": 0.3}, {"at_fraction": 0.999},
                                {"at_fraction": 1.0}])
def test_a_cut_sends_exactly_the_first_bytes_then_closes_with_fin_or_rst(emu, close, ended, at):
    fault = Fault("cut", close=close, **at)
    emu.enqueue(Scenario(text="Hello, this answer is cut somewhere.", fault=fault))
    got, how = exchange(emu)
    assert how == ended
    assert got == fault.sent[0]
    assert got.startswith(b"HTTP/1.1 200 OK\r\n"[: len(got)])
    if at.get("at_fraction") == 1.0 or at.get("at_byte") == 10**9:
        assert got.endswith(b"data: [DONE]\n\n\r\n0\r\n\r\n")
    if at.get("at_byte") == -5:  # all but the terminating chunk
        assert got.endswith(b"data: [DONE]\n\n\r\n")


def test_silent_says_nothing_and_holds_the_connection(emu):
    emu.enqueue(Scenario(text="never sent", fault=Fault("silent", hold_s=30)))
    started = time.monotonic()
    got, how = exchange(emu, timeout=0.6)
    assert (got, how) == (b"", "timeout")
    assert time.monotonic() - started >= 0.5


def test_headers_then_silence_sends_a_200_stream_head_and_nothing_more(emu):
    emu.enqueue(Scenario(text="never sent", fault=Fault("headers-then-silence", hold_s=30)))
    got, how = exchange(emu, timeout=0.6)
    assert how == "timeout"
    assert got.startswith(b"HTTP/1.1 200 OK\r\n") and got.endswith(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in got.lower()


def test_endless_comments_never_send_an_event(emu):
    emu.enqueue(Scenario(text="never sent", fault=Fault("endless-comments", interval_s=0.01)))
    got, how = exchange(emu, timeout=2.0, stop_after=0.5)
    head, _, body = got.partition(b"\r\n\r\n")
    assert b"text/event-stream" in head
    assert body.count(b": keep-alive\n\n") >= 10
    assert b"data:" not in body


def test_drip_sends_the_whole_answer_one_byte_at_a_time(emu):
    fault = Fault("drip", interval_s=0.002)
    emu.enqueue(Scenario(text="Drip, drip.", text_chunk_chars=64, fault=fault))
    started = time.monotonic()
    got, how = exchange(emu)
    assert how == "fin"
    assert got == fault.sent[0]
    assert got.endswith(b"data: [DONE]\n\n\r\n0\r\n\r\n") and b"Drip, drip." in got
    assert time.monotonic() - started >= 0.002 * len(got) * 0.5


@pytest.mark.parametrize("how", ["verbatim", "json-escaped", "percent-encoded"])
def test_the_key_is_echoed_as_asked(emu, how):
    emu.enqueue(Scenario(error_status=401, error_message=f"Incorrect API key provided: {KEY_MARKER}",
                         fault=Fault(echo_key=how)))
    got, _ = exchange(emu, body={**STREAM, "stream": False}, stop_after=0.5)
    body = json.loads(got.partition(b"\r\n\r\n")[2])
    message = body["error"]["message"]
    assert encode_key(KEY, how).decode() in got.decode()
    if how == "percent-encoded":
        assert KEY not in message
    else:  # a JSON parser gives the key back
        assert message.endswith(KEY)


def test_rewrites_put_bytes_a_str_cannot_hold_into_the_body(emu):
    emu.enqueue(Scenario(text="a@@BAD@@b", text_chunk_chars=100,
                         fault=Fault(rewrites=((b"@@BAD@@", b"\xed\xa0\x80\xff"),))))
    got, _ = exchange(emu, stop_after=0.5)
    assert b'"content":"a\xed\xa0\x80\xffb"' in got


def test_plain_json_answers_a_streaming_request_without_sse(emu):
    emu.enqueue(Scenario(text="Plain.", fault=Fault(plain_json=True)))
    got, _ = exchange(emu, stop_after=0.5)
    head, _, body = got.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body)["choices"][0]["message"]["content"] == "Plain."


def test_a_refused_origin_refuses_connections():
    with refused_origin() as origin:
        port = int(origin.rsplit(":", 1)[1])
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1)


def test_the_server_survives_every_fault_and_stops_promptly(emu):
    for fault in (Fault("cut", at_fraction=0.5, close="rst"), Fault("silent"),
                  Fault("endless-comments")):
        emu.enqueue(Scenario(text="x", fault=fault))
        exchange(emu, timeout=0.3, stop_after=0.3)
    emu.enqueue(Scenario(text="still here", text_chunk_chars=64))
    got, _ = exchange(emu, stop_after=0.5)
    assert b"still here" in got
    started = time.monotonic()
    emu.stop()
    assert time.monotonic() - started < 3


def test_a_fault_that_strikes_once_answers_the_next_request_plainly(emu):
    fault = Fault("cut", at_fraction=0.5, close="rst", strikes=1)
    emu.fallback = Scenario(text="abcdefghij" * 4, fault=fault)
    first, how = exchange(emu)
    second, how_again = exchange(emu, stop_after=1.0)  # a plain answer keeps the connection
    assert how == "rst" and b"[DONE]" not in first
    assert how_again != "rst" and b"data: [DONE]" in second
    assert len(fault.sent) == 2 and fault.sent[1].endswith(b"0\r\n\r\n")
