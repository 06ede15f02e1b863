"""Fuzz the component boundary: any golem:llm input, however odd, comes back from the
built component as a value.  The exports' catch-all (which would report "internal error in
send") must never be what answers: every bad input has a specific error, and the instance
keeps working afterwards."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz import llm_values as fv
from normalizer import values as v
from runtime.host import ComponentHost
from tests.helpers import EMULATOR_KEY, built

pytestmark = pytest.mark.component

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def llm(emulator):
    host = ComponentHost(built("openai", "portable"))
    return host.instantiate({"OPENAI_API_KEY": EMULATOR_KEY,
                             "OPENAI_BASE_URL": emulator.base_url})


def assert_specific(event) -> None:
    assert isinstance(event, (v.CompleteResponse, v.ToolRequest, v.LlmError))
    if isinstance(event, v.LlmError):
        assert not event.message.startswith("internal error in"), event.message
        assert event.message.strip()


@FUZZ
@given(messages=st.lists(fv.messages, max_size=3), config=fv.configs)
def test_send_answers_any_input_with_a_value(llm, messages, config):
    assert_specific(llm.send(messages, config))


@FUZZ
@given(messages=st.lists(fv.messages, max_size=2), pairs=fv.tool_pairs, config=fv.configs)
def test_continue_answers_any_input_with_a_value(llm, messages, pairs, config):
    assert_specific(llm.continue_(messages, pairs, config))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=st.lists(fv.messages, max_size=2), config=fv.configs)
def test_stream_answers_any_input_and_ends_with_one_terminal_event(llm, messages, config):
    with llm.stream(messages, config) as stream:
        events = []
        while batch := stream.blocking_get_next():
            events += batch
    terminals = [e for e in events if v.is_terminal(e)]
    assert len(terminals) == 1 and events[-1] is terminals[0]
    if isinstance(events[-1], v.LlmError):
        assert_specific(events[-1])
