"""The project's own recordings of a real OpenAI-compatible server, replayed.

tests/fixtures/llama_cpp/ holds llama-cpp-python's server (SmolLM2-135M) answering the
OpenAI component's own requests, recorded by `make e2e` (tests/e2e/record.py), so a fresh
clone tests real responses without ../shared.  Each case runs twice:

- natively, through the same checks as the shared recordings
  (tests/providers/test_chat_completions_recorded.py:
  `ResponseDecoder` fed uneven pieces, compared with a naive reading of the raw JSON: text,
  one finish with the recorded reason, each tool call once, usage, errors);
- through the built portable component, which fetches the recorded bytes over HTTP from the
  emulator (`runtime.emulator.recorded`) and must give what the native path gives.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normalizer import values as v
from normalizer.accumulator import Accumulator
from providers.openai import PROVIDER as OPENAI
from runtime.emulator.recorded import RecordedDialect, recorded_response
from runtime.emulator.server import EmulatorServer
from runtime.host import ComponentHost
from tests.components.test_openai import drain
from tests.helpers import EMULATOR_KEY, ROOT, built, calls_of, text_of
from tests.providers.test_chat_completions_recorded import _decode, check_recording

FIXTURES = ROOT / "tests" / "fixtures" / "llama_cpp"
CASES = sorted(d.name for d in FIXTURES.iterdir() if (d / "response.body").is_file())

#: Recordings the engine does not read right yet, each with why.
KNOWN_DEFECTS: dict[str, str] = {}


def _params() -> list:
    return [pytest.param(case, id=case, marks=pytest.mark.xfail(
                strict=True, reason=KNOWN_DEFECTS[case])) if case in KNOWN_DEFECTS
            else pytest.param(case, id=case) for case in CASES]


def test_every_recorder_case_is_committed() -> None:
    """A case added to the recorder and never recorded (or a folder left from a removed
    case) would silently test nothing."""
    from tests.e2e.record import CASES as RECORDER_CASES

    assert CASES == sorted(case.name for case in RECORDER_CASES)
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", _params())
def test_recording_natively(case: str) -> None:
    check_recording("openai", FIXTURES / case)


# ---- through the component ----------------------------------------------------------------

@pytest.fixture(scope="module")
def replay():
    dialect = RecordedDialect()
    with EmulatorServer(api_key=EMULATOR_KEY, dialects=(dialect,)) as server:
        yield server, dialect


@pytest.fixture(scope="module")
def portable() -> ComponentHost:
    return ComponentHost(built("openai", "portable"))


@pytest.mark.component
@pytest.mark.parametrize("case", _params())
def test_recording_through_the_component(case: str, portable, replay) -> None:
    server, dialect = replay
    native = _decode(OPENAI, *_recorded(case))
    check_recording("openai", FIXTURES / case)  # the native reading is the right one
    dialect.enqueue(recorded_response(FIXTURES / case), recorded_response(FIXTURES / case))
    # One exchange per call, as recorded: no retry of a recorded failure, no resume.
    llm = portable.instantiate({"OPENAI_API_KEY": EMULATOR_KEY,
                                "OPENAI_BASE_URL": server.base_url,
                                "GOLEM_LLM_MAX_RETRIES": "0", "GOLEM_LLM_MAX_RESUMES": "0"})
    question = [v.Message(v.Role.USER, (v.Text("replayed"),))]
    with llm.stream(question, v.Config(model="replayed")) as stream:
        events, _, _ = drain(stream)

    assert text_of(events) == text_of(native)
    assert calls_of(events) == calls_of(native)
    assert _ends(events) == _ends(native)
    expected = Accumulator()
    expected.add(native)
    assert llm.send(question, v.Config(model="replayed")) == expected.result()


def _recorded(case: str) -> tuple[int, str, bytes, dict]:
    folder = FIXTURES / case
    meta = json.loads((folder / "response.meta.json").read_text())
    return (meta["status"], meta["headers"].get("content-type", ""),
            (folder / "response.body").read_bytes(), meta["headers"])


def _ends(events: list) -> list:
    return [e for e in events if isinstance(e, (v.Finish, v.LlmError))]
