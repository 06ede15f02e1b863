"""The example agent's two tools, natively: results for good arguments, a failure message
(never an exception) for bad ones, so a model's mistake is its to fix in the next round."""

from __future__ import annotations

import json

import pytest

from examples.agent.guest.agent_tools import TOOL_SPECS, run_tool


def test_add_and_word_count_answer_json():
    assert run_tool("add", '{"a": 2, "b": 3}') == (True, '{"sum": 5}')
    assert run_tool("add", '{"a": 0.5, "b": 0.25}') == (True, '{"sum": 0.75}')
    assert run_tool("word_count", '{"text": "one two  three"}') == (True, '{"words": 3}')


@pytest.mark.parametrize("name, arguments, why", [
    ("add", '{"a": 2}', "'b'"),
    ("add", '{"a": true, "b": 1}', "'a'"),
    ("add", "not json", "Expecting value"),
    ("add", "[1, 2]", "JSON object"),
    ("word_count", '{"text": 7}', "'text'"),
    ("shell", "{}", "unknown tool 'shell'"),
])
def test_bad_calls_are_failures_with_a_reason(name, arguments, why):
    ok, message = run_tool(name, arguments)
    assert not ok and why in message


def test_every_tool_spec_has_a_json_object_schema_and_runs():
    for name, description, schema in TOOL_SPECS:
        assert json.loads(schema)["type"] == "object" and description
        assert run_tool(name, "{}")[0] is False  # required arguments are checked
