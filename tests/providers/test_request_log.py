"""`providers/request_log.py`, sans-IO: the level read per call, the one line and what it
never holds."""

from __future__ import annotations

from normalizer.values import Config, Kv
from providers.request_log import CallLog
from providers.settings import CallSettings


class Clock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


def log_for(env, options=()):
    lines: list[str] = []
    clock = Clock()
    settings, _ = CallSettings.of_call(env, Config(model="m", provider_options=tuple(options)))
    return CallLog.of(settings, lines.append, clock, "openai", "m", "stream"), lines, clock


def test_off_unless_a_level_is_set_by_variable_or_option():
    assert log_for({})[0] is None
    assert log_for({"GOLEM_LLM_LOG": "off"})[0] is None
    assert log_for({"GOLEM_LLM_LOG": "INFO"})[0] is not None
    assert log_for({}, [Kv("golem_llm_log", "debug")])[0] is not None


def test_one_line_with_the_times_from_the_calls_start():
    log, lines, clock = log_for({"GOLEM_LLM_LOG": "info"})
    log.sent(b'{"messages": "secret prompt"}', str)
    clock.now = 5_000_000
    log.headers(200)
    clock.now = 7_000_000
    log.events()
    log.received(100)
    log.attempt_ended(200, "ok")  # only at debug
    clock.now = 9_000_000
    log.events()
    log.ended(1, 0, 0, "stop")
    log.ended(1, 0, 0, "stop")
    assert lines == ["golem-llm: stream provider=openai model=m request_bytes=29 status=200 "
                     "headers_ms=5 first_event_ms=7 total_ms=9 response_bytes=100 attempts=1 "
                     "retries=0 resumes=0 outcome=stop\n"]


def test_the_body_only_at_trace_and_scrubbed():
    log, lines, _ = log_for({"GOLEM_LLM_LOG": "debug"})
    log.sent(b"the prompt", str)
    assert not any("the prompt" in line for line in lines)
    log, lines, _ = log_for({"GOLEM_LLM_LOG": "trace"})
    log.sent(b"the prompt and sk-KEY", lambda text: text.replace("sk-KEY", "[redacted]"))
    assert lines == ["golem-llm trace: provider=openai request_body=the prompt and [redacted]\n"]


def test_an_error_body_is_not_an_event_and_a_broken_writer_is_ignored():
    log, lines, clock = log_for({"GOLEM_LLM_LOG": "info"})
    log.headers(429)
    log.events()
    log.ended(1, 0, 0, "error:rate-limit-exceeded")
    assert "first_event_ms=- " in lines[0] and "status=429" in lines[0]

    def broken(_text):
        raise OSError("stderr closed")

    settings, _ = CallSettings.of_call({"GOLEM_LLM_LOG": "info"}, Config(model="m"))
    CallLog.of(settings, broken, clock, "openai", "m", "send").ended(1, 0, 0, "stop")
