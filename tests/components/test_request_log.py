"""`GOLEM_LLM_LOG`: the built components write one line per call to their stderr (which the
host inherits, and Golem keeps per worker), and never the key, nor the prompt below
`trace`.  The line is read from the process's file descriptor 2 (`capfd`), where
wasmtime's WASI stderr writes."""

from __future__ import annotations

import re

import pytest

from normalizer import values as v
from providers import PROVIDERS
from runtime.emulator.scenario import Scenario
from runtime.golem import GolemHost
from runtime.host import ComponentHost
from tests.helpers import EMULATOR_KEY, FAST_RETRIES, built, only_finish

pytestmark = pytest.mark.component

PROMPT = "Tell me the secret plan for Tuesday"
USER = (v.Message(v.Role.USER, (v.Text(PROMPT),)),)
CONFIG = v.Config(model="log-model")
LINE = re.compile(
    r"^golem-llm: (?P<op>\w+) provider=(?P<provider>\S+) model=(?P<model>\S+) "
    r"request_bytes=(?P<request>\d+) status=(?P<status>\S+) headers_ms=(?P<headers>\d+) "
    r"first_event_ms=(?P<first>\d+|-) total_ms=(?P<total>\d+) response_bytes=(?P<response>\d+) "
    r"attempts=(?P<attempts>\d+) retries=(?P<retries>\d+) resumes=(?P<resumes>\d+) "
    r"outcome=(?P<outcome>\S+)$", re.M)

_HOSTS: dict[str, object] = {}


def host(flavour: str):
    if flavour not in _HOSTS:
        wasm = built("openai", flavour)
        _HOSTS[flavour] = GolemHost(wasm) if flavour == "durable" else ComponentHost(wasm)
    return _HOSTS[flavour]


def instance(flavour: str, emulator, **settings: str):
    env = {**PROVIDERS["openai"].emulator_env(emulator.origin, EMULATOR_KEY), **FAST_RETRIES,
           **settings}
    return host(flavour).instantiate(env)


def drain(stream) -> list:
    events = []
    with stream:
        while batch := stream.blocking_get_next():
            events += batch
    return events


@pytest.mark.parametrize("flavour", ["portable", "durable"])
def test_info_writes_one_line_per_call_without_the_key_or_the_prompt(flavour, fresh_emulator,
                                                                     capfd):
    llm = instance(flavour, fresh_emulator, GOLEM_LLM_LOG="info")
    capfd.readouterr()
    only_finish(drain(llm.stream(USER, CONFIG)))
    err = capfd.readouterr().err
    lines = LINE.findall(err)
    assert len(lines) == 1, err
    line = LINE.search(err)
    assert line["op"] == "stream" and line["provider"] == "openai"
    assert line["model"] == "log-model" and line["status"] == "200"
    assert int(line["request"]) == len(fresh_emulator.last_request.body)
    assert int(line["response"]) > 0
    assert int(line["headers"]) <= int(line["first"]) <= int(line["total"])
    assert (line["attempts"], line["retries"], line["resumes"]) == ("1", "0", "0")
    assert line["outcome"] == "stop"
    assert EMULATOR_KEY not in err and PROMPT not in err


def test_debug_adds_a_line_per_request_and_counts_the_retry(fresh_emulator, capfd):
    llm = instance("portable", fresh_emulator, GOLEM_LLM_LOG="debug")
    fresh_emulator.enqueue(Scenario(error_status=503), Scenario(text="fine"))
    capfd.readouterr()
    answer = llm.send(USER, CONFIG)
    assert isinstance(answer, v.CompleteResponse)
    err = capfd.readouterr().err
    requests = [line for line in err.splitlines() if line.startswith("golem-llm debug:")]
    assert len(requests) == 2 and "status=503" in requests[0] and "status=200" in requests[1]
    line = LINE.search(err)
    assert line["op"] == "send"
    assert (line["attempts"], line["retries"], line["status"]) == ("2", "1", "200")
    assert EMULATOR_KEY not in err and PROMPT not in err


def test_trace_shows_the_prompt_but_never_the_key(fresh_emulator, capfd):
    llm = instance("portable", fresh_emulator, GOLEM_LLM_LOG="trace")
    capfd.readouterr()
    assert isinstance(llm.send(USER, CONFIG), v.CompleteResponse)
    err = capfd.readouterr().err
    assert PROMPT in err and LINE.search(err)
    assert EMULATOR_KEY not in err


def test_an_error_is_logged_with_its_status_and_code(fresh_emulator, capfd):
    llm = instance("portable", fresh_emulator, GOLEM_LLM_LOG="info")
    capfd.readouterr()
    answer = llm.send(USER, v.Config(model="error-401"))
    assert isinstance(answer, v.LlmError)
    line = LINE.search(capfd.readouterr().err)
    assert line["status"] == "401" and line["outcome"] == "error:authentication-failed"
    assert line["first"] == "-"  # an error body is not an event


def test_off_by_default(fresh_emulator, capfd):
    llm = instance("portable", fresh_emulator)
    capfd.readouterr()
    only_finish(drain(llm.stream(USER, CONFIG)))
    assert "golem-llm" not in capfd.readouterr().err
