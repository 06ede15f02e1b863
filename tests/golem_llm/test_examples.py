"""The library's examples (`examples/library/`, shown in the README) run as a person would run
them, as scripts with the provider's key and base URL in the environment, here pointed at
the emulator."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from providers import PROVIDERS
from tests.helpers import EMULATOR_KEY, ROOT

EXAMPLES = ROOT / "examples" / "library"


def run(emulator, script: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for provider in PROVIDERS.values():
        env.update(provider.emulator_env(emulator.origin, EMULATOR_KEY))
    return subprocess.run([sys.executable, str(EXAMPLES / script), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_stream_chat_prints_the_answer_then_its_finish(fresh_emulator):
    done = run(fresh_emulator, "stream_chat.py", "openai", "text", "Hello")
    assert done.returncode == 0, done.stderr
    assert "golem-llm emulator" in done.stdout and done.stdout.rstrip().endswith("[stop]")


def test_stream_chat_reports_an_error_value(fresh_emulator):
    done = run(fresh_emulator, "stream_chat.py", "anthropic", "error-401", "Hello")
    assert done.returncode == 1
    assert "[error authentication-failed]" in done.stdout


@pytest.mark.parametrize("provider", ["openai", "anthropic", "grok", "openrouter"])
def test_tool_round_trip_runs_the_tool_and_gets_an_answer(fresh_emulator, provider):
    done = run(fresh_emulator, "tool_round_trip.py", provider, "m", "Weather in Oslo?")
    assert done.returncode == 0, done.stderr
    assert "model asked: get_weather(" in done.stdout
    assert "model answered: The tool returned:" in done.stdout and "clear" in done.stdout
    assert fresh_emulator.request_count == 2


def test_async_stream_asks_two_providers_at_once(fresh_emulator):
    done = run(fresh_emulator, "async_stream.py", "openai", "m", "anthropic", "m")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["openai", "anthropic"]
    assert all("what is a durable worker?" in line for line in lines)
    assert fresh_emulator.request_count == 2
