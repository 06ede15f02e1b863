"""A call's life through the built components in wasmtime, against the emulator: deadlines
counted in events, retries before the first event, resume after a dropped connection, the
end-of-stream rule, and the cap on open streams.  The durable flavour runs as an emulated
Golem worker: retries and resumes leave one oplog entry per call and replay sends nothing.

Deadlines and pauses are short (a few hundred ms), so the whole module costs seconds."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from normalizer import values as v
from providers import PROVIDERS
from runtime.emulator.faults import Fault
from runtime.emulator.scenario import Scenario, ScriptedToolCall
from runtime.emulator.server import EmulatorServer
from runtime.golem import GolemHost, open_oplog
from runtime.golem.oplog_entry import IMPORTED_FUNCTION_INVOKED
from runtime.host import ComponentHost
from tests.helpers import EMULATOR_KEY, FAST_RETRIES, built, only_error, only_finish, text_of

pytestmark = pytest.mark.component

USER = (v.Message(v.Role.USER, (v.Text("Tell me about durable workers"),)),)
ANSWER = ("Durable workers keep an oplog of every side effect, so after a crash they replay "
          "it and carry on where they stopped.")
CONTINUATION = "CONTINUED: and nothing is lost."
CONFIG = v.Config(model="m")

_HOSTS: dict[tuple[str, str], object] = {}


def host_for(provider: str, flavour: str):
    """One compiled host per component for the whole module."""
    key = (provider, flavour)
    if key not in _HOSTS:
        wasm = built(provider, flavour)
        _HOSTS[key] = GolemHost(wasm) if flavour == "durable" else ComponentHost(wasm)
    return _HOSTS[key]


def env_for(provider: str, emulator, **settings: str) -> dict[str, str]:
    return {**PROVIDERS[provider].emulator_env(emulator.origin, EMULATOR_KEY), **FAST_RETRIES,
            **settings}


def instance(provider: str, flavour: str, emulator, **settings: str):
    return host_for(provider, flavour).instantiate(env_for(provider, emulator, **settings))


def drain(stream, block: bool = True, limit_s: float = 15.0) -> list:
    events = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        batch = stream.blocking_get_next() if block else stream.get_next()
        if batch is None:
            time.sleep(0.002)
            continue
        if not batch:
            stream.drop()
            return events
        events += batch
    raise AssertionError("the stream did not end")


def lifecycle(event) -> dict:
    """The attempts and resumes a finish (or a complete response) reports."""
    raw = event.metadata.provider_metadata_json
    extra = json.loads(raw) if raw else {}
    return {k: extra[k] for k in ("attempts", "resumes") if k in extra}


def paced(**changes) -> Scenario:
    """The answer in small deltas, each its own batch (so events reach the caller before a
    failure), unless `changes` say otherwise."""
    base = dict(text=ANSWER, text_chunk_chars=16, chunk_delay_s=0.05, usage=(12, 20))
    return Scenario(**{**base, **changes})


FLAVOURS = ["portable", "durable"]


# ---- 3: deadlines that count events, not bytes --------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_polling_a_body_written_a_byte_per_chunk_gets_an_event_per_get_next(
        flavour, fresh_emulator):
    """wasmtime hands the body to the guest a frame at a time.  An OpenRouter answer (its
    chunks are verbose: 24 KB here) written one byte per HTTP chunk used to give most
    non-blocking `get-next`s a few bytes and no event (609 calls, 589 of them `None`, 10 s
    for one durable stream); the read now follows the frames in flight."""
    fresh_emulator.enqueue(Scenario(
        text="Frames, one byte each.", reasoning="Let me think about that.", write_size=1,
        text_chunk_chars=1, tool_calls=(ScriptedToolCall("call_1", "f", '{"k": 1}'),)))
    llm = instance("openrouter", flavour, fresh_emulator, GOLEM_LLM_MAX_RESUMES="0",
                   GOLEM_LLM_BETWEEN_EVENTS_TIMEOUT_MS="3000",
                   GOLEM_LLM_STREAM_BATCH_WINDOW_MS="0")
    stream = llm.stream(USER, CONFIG)
    events, calls = [], 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch = stream.get_next()
        calls += 1
        if batch is None:
            time.sleep(0.0005)
            continue
        if not batch:
            break
        events += batch
    stream.drop()
    assert text_of(events) == "Frames, one byte each." and isinstance(events[-1], v.Finish), \
        events[-1]
    assert calls <= 8 * len(events), f"{calls} get-nexts for {len(events)} events"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_comments_forever_end_in_the_between_events_deadline_not_a_hang(flavour, fresh_emulator):
    fresh_emulator.enqueue(paced(truncate="clean", truncate_after_events=3,
                                 stall_with_comments_s=0.02))
    llm = instance("openrouter", flavour, fresh_emulator,
                   GOLEM_LLM_BETWEEN_EVENTS_TIMEOUT_MS="300", GOLEM_LLM_MAX_RESUMES="0")
    started = time.monotonic()
    events = drain(llm.stream(USER, CONFIG), block=flavour == "portable")
    assert time.monotonic() - started < 3.0, "the comments were waited out"
    error = only_error(events)
    assert "no event for 300 ms" in error.message
    assert text_of(events) and ANSWER.startswith(text_of(events))
    assert fresh_emulator.request_count == 1


def test_send_to_a_server_that_sends_only_comments_misses_the_first_event_deadline(fresh_emulator):
    fresh_emulator.enqueue(paced(truncate="clean", truncate_after_events=0,
                                 stall_with_comments_s=0.02))
    llm = instance("openai", "portable", fresh_emulator,
                   GOLEM_LLM_FIRST_EVENT_TIMEOUT_MS="300", GOLEM_LLM_MAX_RETRIES="0")
    started = time.monotonic()
    answer = llm.send(USER, CONFIG)
    assert time.monotonic() - started < 3.0
    assert isinstance(answer, v.LlmError) and "no event within 300 ms" in answer.message


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_stream_that_stalls_after_delivering_events_resumes_once(flavour, fresh_emulator):
    fresh_emulator.enqueue(paced(truncate="clean", truncate_after_events=4,
                                 stall_with_comments_s=0.02), Scenario(text=CONTINUATION))
    llm = instance("openai", flavour, fresh_emulator, GOLEM_LLM_BETWEEN_EVENTS_TIMEOUT_MS="300")
    events = drain(llm.stream(USER, CONFIG))
    finish = only_finish(events)
    prefix = text_of(events)[: -len(CONTINUATION)]
    assert text_of(events).endswith(CONTINUATION) and prefix and ANSWER.startswith(prefix)
    assert lifecycle(finish) == {"attempts": 2, "resumes": 1}
    assert fresh_emulator.request_count == 2


# ---- 5: retries before the first event ----------------------------------------------------

@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_503_then_an_answer_is_one_answer_after_two_requests(flavour, fresh_emulator):
    llm = instance("openai", flavour, fresh_emulator)
    fresh_emulator.enqueue(Scenario(error_status=503), Scenario(text="fine"))
    answer = llm.send(USER, CONFIG)
    assert isinstance(answer, v.CompleteResponse) and answer.content == (v.Text("fine"),)
    assert lifecycle(answer) == {"attempts": 2, "resumes": 0}
    fresh_emulator.enqueue(Scenario(error_status=503), Scenario(text="fine"))
    events = drain(llm.stream(USER, CONFIG), block=False)
    assert text_of(events) == "fine" and lifecycle(only_finish(events)) == {
        "attempts": 2, "resumes": 0}
    assert fresh_emulator.request_count == 4


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_connection_reset_before_the_status_line_is_retried(flavour, fresh_emulator):
    reset = Fault("cut", at_byte=0, close="rst", strikes=1)
    fresh_emulator.enqueue(Scenario(text="fine", fault=reset), Scenario(text="fine"))
    answer = instance("openai", flavour, fresh_emulator).send(USER, CONFIG)
    assert isinstance(answer, v.CompleteResponse) and answer.content == (v.Text("fine"),)
    assert lifecycle(answer) == {"attempts": 2, "resumes": 0}
    assert len(reset.sent) == 1 and fresh_emulator.request_count == 2


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_retry_after_is_honoured(provider, fresh_emulator):
    llm = instance(provider, "portable", fresh_emulator)
    fresh_emulator.enqueue(Scenario(error_status=429, retry_after=0.4), Scenario(text="fine"))
    started = time.monotonic()
    answer = llm.send(USER, CONFIG)
    assert isinstance(answer, v.CompleteResponse), answer
    assert time.monotonic() - started >= 0.4  # the server's pause, not the 1 ms backoff
    assert fresh_emulator.request_count == 2


def test_x_should_retry_false_and_a_pause_over_the_cap_are_not_retried(fresh_emulator):
    llm = instance("openai", "portable", fresh_emulator)
    fresh_emulator.enqueue(Scenario(error_status=503, headers=(("x-should-retry", "false"),)))
    assert isinstance(llm.send(USER, CONFIG), v.LlmError)
    fresh_emulator.enqueue(Scenario(error_status=429, retry_after=120))
    started = time.monotonic()
    answer = llm.send(USER, CONFIG)
    assert isinstance(answer, v.LlmError) and answer.code is v.ErrorCode.RATE_LIMIT_EXCEEDED
    assert time.monotonic() - started < 2.0
    assert fresh_emulator.request_count == 2


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_anthropic_overloaded_in_band_before_any_content_is_retried(flavour, fresh_emulator):
    fresh_emulator.enqueue(Scenario(text="", in_band_error=True), Scenario(text="fine"))
    events = drain(instance("anthropic", flavour, fresh_emulator).stream(USER, CONFIG))
    assert text_of(events) == "fine" and lifecycle(only_finish(events))["attempts"] == 2
    assert fresh_emulator.request_count == 2


def test_a_refused_connection_is_retried_until_the_server_is_up():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = EmulatorServer(port=port, api_key=EMULATOR_KEY)
    starter = threading.Timer(0.1, server.start)
    llm = host_for("openai", "portable").instantiate({
        "OPENAI_API_KEY": EMULATOR_KEY, "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1",
        "GOLEM_LLM_RETRY_DELAY_MS": "400"})
    starter.start()
    try:
        answer = llm.send(USER, v.Config(model="text"))
    finally:
        starter.join()
        server.stop()
    assert isinstance(answer, v.CompleteResponse), answer
    assert lifecycle(answer)["attempts"] >= 2 and server.request_count == 1


def test_the_per_call_option_sets_the_retries_and_is_never_sent(fresh_emulator):
    llm = instance("openai", "portable", fresh_emulator)
    fresh_emulator.enqueue(Scenario(error_status=503), Scenario(text="fine"))
    once = v.Config(model="m", provider_options=(v.Kv("golem_llm_max_retries", "0"),
                                                 v.Kv("seed", "7")))
    assert isinstance(llm.send(USER, once), v.LlmError)
    body = fresh_emulator.requests[0].json
    assert body["seed"] == 7 and not any(key.startswith("golem_llm") for key in body)
    typo = v.Config(model="m", provider_options=(v.Kv("golem_llm_max_retrys", "0"),))
    refused = llm.send(USER, typo)
    assert isinstance(refused, v.LlmError) and refused.code is v.ErrorCode.INVALID_REQUEST
    assert "golem_llm_max_retrys" in refused.message and fresh_emulator.request_count == 1


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_retries_leave_one_oplog_entry_per_call_and_replay_sends_nothing(
        provider, fresh_emulator, tmp_path):
    host, oplog = host_for(provider, "durable"), tmp_path / "retried.oplog"

    def script(worker):
        sent = worker.send(USER, CONFIG)
        return sent, drain(worker.stream(USER, CONFIG))

    fresh_emulator.enqueue(Scenario(error_status=503), Scenario(text="fine"),
                           Scenario(error_status=529), Scenario(text="streamed"))
    with host.worker(oplog, env_for(provider, fresh_emulator)) as live:
        recorded = script(live)
    assert fresh_emulator.request_count == 4
    assert recorded[0].content == (v.Text("fine"),) and text_of(recorded[1]) == "streamed"
    names = [e.function_name for e in open_oplog(oplog).entries()  # not the WASI entries
             if e.kind == IMPORTED_FUNCTION_INVOKED and e.function_name.startswith("golem_llm::")]
    assert names[:2] == ["golem_llm::send", "golem_llm::stream"]
    assert set(names[2:]) == {"golem_llm::get_next"}
    fresh_emulator.clear()
    with host.worker(oplog, env_for(provider, fresh_emulator)) as replay:
        assert script(replay) == recorded
    assert fresh_emulator.request_count == 0


# ---- 6: resume after a dropped connection -------------------------------------------------

@pytest.mark.parametrize("provider", list(PROVIDERS))
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_connection_dropped_mid_answer_resumes_with_one_continuation(
        provider, flavour, fresh_emulator, tmp_path):
    fresh_emulator.enqueue(paced(truncate="abort", truncate_after_events=5),
                           Scenario(text=CONTINUATION, usage=(30, 8)))
    env = env_for(provider, fresh_emulator)
    if flavour == "durable":
        oplog = tmp_path / "dropped.oplog"
        with host_for(provider, flavour).worker(oplog, env) as worker:
            events = drain(worker.stream(USER, CONFIG))
    else:
        events = drain(host_for(provider, flavour).instantiate(env).stream(USER, CONFIG))
    finish = only_finish(events)
    text = text_of(events)
    prefix = text[: -len(CONTINUATION)]
    assert text.endswith(CONTINUATION) and prefix.strip() and ANSWER.startswith(prefix)
    assert lifecycle(finish) == {"attempts": 2, "resumes": 1}
    assert fresh_emulator.request_count == 2
    continued = fresh_emulator.requests[1].json
    assert json.dumps(prefix.rstrip())[1:-1] in json.dumps(continued)
    # Anthropic continues the partial text as a trailing assistant message (prefill); the
    # others get it in a continuation prompt that ends with an instruction.
    last = continued["messages"][-1]
    assert last["role"] == ("assistant" if provider == "anthropic" else "user")
    if flavour == "durable":
        fresh_emulator.clear()
        with host_for(provider, flavour).worker(oplog, env) as replay:
            assert drain(replay.stream(USER, CONFIG)) == events
        assert fresh_emulator.request_count == 0


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_without_resume_a_dropped_connection_ends_in_an_error_as_before(flavour, fresh_emulator):
    fresh_emulator.enqueue(paced(truncate="abort", truncate_after_events=5))
    llm = instance("openai", flavour, fresh_emulator, GOLEM_LLM_MAX_RESUMES="0")
    events = drain(llm.stream(USER, CONFIG))
    assert only_error(events).code is v.ErrorCode.INTERNAL_ERROR
    assert text_of(events) and fresh_emulator.request_count == 1


# ---- 7: the end of the stream -------------------------------------------------------------

# The Chat Completions stream of "abcdefgh" in 4-character deltas: the role chunk, two
# deltas, the finish_reason chunk, the usage chunk, [DONE].  Cut after the finish_reason.
AFTER_FINISH = dict(text="abcdefgh", text_chunk_chars=4, chunk_delay_s=0.05, usage=(3, 2),
                    truncate="clean", truncate_after_events=4)


def test_a_stream_that_ends_after_its_finish_reason_but_before_done_is_resumed(fresh_emulator):
    fresh_emulator.enqueue(Scenario(**AFTER_FINISH), Scenario(text="", usage=(9, 1)))
    llm = instance("openai", "portable", fresh_emulator, GOLEM_LLM_END_MARKER="required")
    events = drain(llm.stream(USER, CONFIG))
    finish = only_finish(events)
    assert text_of(events) == "abcdefgh" and finish.metadata.usage.input_tokens == 9
    assert lifecycle(finish)["resumes"] == 1 and fresh_emulator.request_count == 2


def test_from_a_base_url_not_the_providers_own_the_end_of_the_body_is_accepted(fresh_emulator):
    fresh_emulator.enqueue(Scenario(**AFTER_FINISH))
    events = drain(instance("openai", "portable", fresh_emulator).stream(USER, CONFIG))
    finish = only_finish(events)
    assert text_of(events) == "abcdefgh" and finish.metadata.usage is None  # it never came
    assert fresh_emulator.request_count == 1


# ---- 9: open streams per instance ---------------------------------------------------------

def test_past_the_cap_the_stream_read_least_recently_is_closed(fresh_emulator):
    llm = instance("openai", "portable", fresh_emulator, GOLEM_LLM_MAX_OPEN_STREAMS="2")
    for _ in range(3):
        fresh_emulator.enqueue(paced())
    first = llm.stream(USER, CONFIG)
    second = llm.stream(USER, CONFIG)
    first.get_next()  # the first was read more recently than the second
    third = llm.stream(USER, CONFIG)
    closed = only_error(drain(second))
    assert "GOLEM_LLM_MAX_OPEN_STREAMS" in closed.message and "least recently" in closed.message
    assert text_of(drain(first)) == ANSWER and text_of(drain(third)) == ANSWER
