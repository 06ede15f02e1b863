"""The durable component lets go of every wasi:http resource inside a persist-nothing zone,
and by hand, never through the garbage collector.

wasmtime-py cannot show the emulated Golem a wasi:http drop, so the guest witnesses each
release (`durability/http_witness.py`) and the executor counts them per persistence level
(`Counters.releases`).  For each way a call can go (send, a stream drained, a stream
abandoned mid-answer and the instance used again, an error response, a retry, a dropped
connection resumed, a resume after a crash) every witnessed release is at persist-nothing,
no `end-remote-write` reaches the oplog, and each per-exchange resource was released once
per request the emulator received (its request side) and once per response (its response
side): one left to the collector would be missing from the count.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

import pytest

from durability import http_witness as hw
from normalizer import values as v
from providers import PROVIDERS
from runtime.emulator.scenario import Scenario
from runtime.golem import CrashPlan, GolemHost, InjectedCrash
from runtime.golem.oplog_entry import END_REMOTE_WRITE, PERSIST_NOTHING
from tests.helpers import EMULATOR_KEY, FAST_RETRIES, built, only_error, only_finish, text_of

pytestmark = pytest.mark.component

PROVIDER = "openai"  # the transport and the durable wrapper are the same for every provider
USER = (v.Message(v.Role.USER, (v.Text("Tell me about durable workers"),)),)
CONFIG = v.Config(model="m")
ANSWER = "Durable workers replay their oplog after a crash and carry on where they stopped."

#: Released once per request sent, and once per response received.
REQUEST_SIDE = (hw.OUTPUT_STREAM, hw.OUTGOING_BODY_FINISH, hw.FUTURE_INCOMING_RESPONSE)
RESPONSE_SIDE = (hw.FIELDS, hw.INPUT_STREAM, hw.INCOMING_BODY_FINISH, hw.FUTURE_TRAILERS,
                 hw.INCOMING_RESPONSE)


@pytest.fixture(scope="module")
def host():
    return GolemHost(built(PROVIDER, "durable"))


def env_for(emulator, **extra: str) -> dict[str, str]:
    return {**PROVIDERS[PROVIDER].emulator_env(emulator.origin, EMULATOR_KEY), **extra}


def paced(**kw) -> Scenario:
    return Scenario(text=ANSWER, text_chunk_chars=12, chunk_delay_s=0.02, **kw)


def answer_text(event) -> str:
    assert isinstance(event, v.CompleteResponse), event
    return "".join(p.text for p in event.content if isinstance(p, v.Text))


def drain(stream) -> list:
    events = []
    while batch := stream.blocking_get_next():
        events += batch
    return events


def assert_released_in_zones(worker, requests: int, responses: int) -> None:
    releases = worker.counters.releases
    outside = {key: n for key, n in releases.items() if key[1] != PERSIST_NOTHING}
    assert not outside, f"released outside persist-nothing: {outside}"
    assert END_REMOTE_WRITE not in [e.kind for e in worker.entries()]
    released = Counter()
    for (function, _), n in releases.items():
        released[function] += n
    expected = {**{r.function: requests for r in REQUEST_SIDE},
                **{r.function: responses for r in RESPONSE_SIDE}}
    assert {f: released[f] for f in expected} == expected
    assert set(released) <= {r.function for r in hw.RELEASES.values()}


# ---- each way a call goes -------------------------------------------------------------------

def send(worker, emulator) -> int:
    emulator.enqueue(Scenario(text=ANSWER))
    assert answer_text(worker.send(USER, CONFIG)) == ANSWER
    return 1


def stream_drained(worker, emulator) -> int:
    emulator.enqueue(paced())
    with worker.stream(USER, CONFIG) as stream:
        events = drain(stream)
    only_finish(events)
    assert text_of(events) == ANSWER
    return 1


def abandoned_then_used_again(worker, emulator) -> int:
    """The caller drops a stream mid-answer (componentize-py runs no destructor for it);
    the instance's next call closes its exchange to make room (one stream open at most
    here), inside that call's zone."""
    emulator.enqueue(paced(), Scenario(text="again"))
    with worker.stream(USER, CONFIG) as stream:
        assert stream.blocking_get_next()
    assert answer_text(worker.send(USER, CONFIG)) == "again"
    return 2


def error_response(worker, emulator) -> int:
    emulator.enqueue(Scenario(error_status=400, error_message="bad input"))
    with worker.stream(USER, CONFIG) as stream:
        assert "bad input" in only_error(drain(stream)).message
    return 1


def retried(worker, emulator) -> int:
    emulator.enqueue(Scenario(error_status=503), Scenario(text=ANSWER))
    assert answer_text(worker.send(USER, CONFIG)) == ANSWER
    return 2


def resumed_after_a_dropped_connection(worker, emulator) -> int:
    emulator.enqueue(paced(truncate="abort", resumes=True))
    with worker.stream(USER, CONFIG) as stream:
        events = drain(stream)
    only_finish(events)
    return 2


CASES: dict[str, Callable] = {f.__name__: f for f in (
    send, stream_drained, abandoned_then_used_again, error_response, retried,
    resumed_after_a_dropped_connection)}


@pytest.mark.parametrize("case", CASES)
def test_every_resource_is_released_by_hand_inside_a_zone(host, fresh_emulator, case):
    env = env_for(fresh_emulator, GOLEM_LLM_MAX_OPEN_STREAMS="1", **FAST_RETRIES)
    with host.worker(None, env) as worker:
        requests = CASES[case](worker, fresh_emulator)
        assert fresh_emulator.request_count == requests
        assert_released_in_zones(worker, requests, requests)


def test_a_stream_resumed_after_a_crash_releases_only_its_continuation_in_a_zone(
        host, fresh_emulator, tmp_path):
    """The replayed half has no wasi:http resources; the continuation's are released in
    the zone of the get-next that opened or read them."""
    oplog = tmp_path / "w.oplog"
    env = env_for(fresh_emulator, GOLEM_LLM_STREAM_BATCH_WINDOW_MS="0")
    fresh_emulator.enqueue(paced())
    with pytest.raises(InjectedCrash):
        with host.worker(oplog, env, crash=CrashPlan.at_persist(3, "golem_llm::get_next")) as w:
            with w.stream(USER, CONFIG) as stream:
                drain(stream)
    assert not {k for k in w.counters.releases if k[1] != PERSIST_NOTHING}

    fresh_emulator.clear()
    fresh_emulator.clear_queue()
    fresh_emulator.enqueue(Scenario(text=" And nothing is lost."))
    with host.worker(oplog, env) as again:
        with again.stream(USER, CONFIG) as stream:
            events = drain(stream)
        only_finish(events)
        assert fresh_emulator.request_count == 1
        assert_released_in_zones(again, 1, 1)
