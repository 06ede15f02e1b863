"""README's "Run it in the emulated Golem" command (`python -m examples.agent.run_in_golem`):
the worker dies mid-stream, the second worker on the same oplog gives the whole answer once,
with one request before the crash and one after, and the oplog it prints has the entries."""

from __future__ import annotations

import io

import pytest

from examples.agent.run_in_golem import ANSWER, crash_and_resume
from tests.examples.helpers import composed

pytestmark = pytest.mark.component


def test_crash_and_resume_prints_the_whole_answer_and_the_oplog(tmp_path):
    composed("openai", "durable")
    out = io.StringIO()
    outcome = crash_and_resume("openai", tmp_path / "agent.oplog", 3, out)
    assert outcome.text == ANSWER
    assert (outcome.requests_before_crash, outcome.requests_after_crash) == (1, 1)
    assert outcome.committed_at_crash == ("golem_llm::stream",) + ("golem_llm::get_next",) * 3
    printed = out.getvalue()
    assert "worker 1 died: injected crash after-commit persist #3 of golem_llm::get_next" in printed
    assert "imported-function-invoked  golem_llm::stream" in printed
    assert f"{ANSWER[:40]}" in printed
