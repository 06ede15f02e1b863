"""The retry policy, natively: which failures are tried again, how long to pause (the
server's `retry-after-ms` / `retry-after`, capped, else jittered exponential backoff), how
many times, and the per-call settings that change it (never sent to the provider)."""

from __future__ import annotations

import json
from email.utils import formatdate

import pytest

from normalizer.values import Config, ErrorCode, Kv, LlmError
from providers.retry import (
    AttemptFailure,
    Failure,
    RetryPolicy,
    in_band_status,
    retry_after_ms,
)
from providers.settings import SETTINGS, CallSettings, SettingError
from providers.timeouts import TIMEOUT_ENV, EventDeadline, Timeouts

NOW = 1_700_000_000.0
POLICY = RetryPolicy()


def status(code: int, **headers: str) -> AttemptFailure:
    return AttemptFailure(Failure.STATUS, code, {k.replace("_", "-"): v for k, v in headers.items()})


def in_band(error_json: dict) -> AttemptFailure:
    return AttemptFailure(Failure.IN_BAND, error=LlmError(
        ErrorCode.INTERNAL_ERROR, "mid-stream", json.dumps(error_json)))


# ---- what is retried ----------------------------------------------------------------------

@pytest.mark.parametrize("code", [408, 409, 429, 500, 502, 503, 504, 529])
def test_the_statuses_the_sdks_retry_are_retried(code):
    assert POLICY.retryable(status(code))


@pytest.mark.parametrize("code", [400, 401, 403, 404, 413, 422])
def test_the_callers_mistakes_are_not(code):
    assert not POLICY.retryable(status(code))


def test_x_should_retry_overrides_the_status_either_way():
    assert not POLICY.retryable(status(503, x_should_retry="false"))
    assert POLICY.retryable(status(400, x_should_retry="true"))
    assert POLICY.retryable(status(503, x_should_retry="maybe"))  # unreadable: the status decides


@pytest.mark.parametrize("kind", [Failure.CONNECT, Failure.BROKEN, Failure.TRUNCATED,
                                  Failure.TIMED_OUT])
def test_no_response_or_a_broken_body_is_retried(kind):
    assert POLICY.retryable(AttemptFailure(kind))


def test_a_final_failure_is_never_retried():
    assert not POLICY.retryable(AttemptFailure(Failure.FINAL))


@pytest.mark.parametrize("error,expected", [
    ({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, 529),
    ({"type": "error", "error": {"type": "api_error", "message": "x"}}, 500),
    ({"type": "error", "error": {"type": "invalid_request_error", "message": "x"}}, None),
    ({"code": 502, "message": "upstream error"}, 502),              # OpenRouter, numeric
    ({"message": "boom", "type": "server_error", "code": None}, 500),  # OpenAI
    ({"message": "bad", "type": "invalid_request_error"}, None),
])
def test_an_in_band_error_stands_for_the_status_it_names(error, expected):
    assert in_band_status(json.dumps(error)) == expected
    assert POLICY.retryable(in_band(error)) is (expected is not None)


def test_an_in_band_error_without_json_is_not_retried():
    failure = AttemptFailure(Failure.IN_BAND, error=LlmError(ErrorCode.INTERNAL_ERROR, "bad chunk"))
    assert not POLICY.retryable(failure)


# ---- how long to pause ------------------------------------------------------------------

def test_backoff_doubles_from_the_first_pause_up_to_sixteen_times_it():
    assert [POLICY.backoff_ms(n, random=0.0) for n in range(7)] == [
        500, 1000, 2000, 4000, 8000, 8000, 8000]


def test_jitter_takes_off_at_most_a_quarter():
    assert POLICY.backoff_ms(0, random=0.999999) == 375
    assert POLICY.backoff_ms(1, random=0.5) == 875


def test_the_server_pause_wins_over_the_backoff_and_is_not_jittered():
    failure = status(429, retry_after_ms="1234.5", retry_after="9")
    assert POLICY.retry_delay(failure, 0, random=0.9, now_s=NOW) == 1234
    assert POLICY.retry_delay(status(429, retry_after="2"), 0, 0.9, NOW) == 2000
    assert POLICY.retry_delay(status(429, retry_after="0.25"), 0, 0.9, NOW) == 250


def test_retry_after_as_an_http_date():
    date = formatdate(NOW + 3, usegmt=True)
    assert retry_after_ms({"retry-after": date}, NOW) == 3000
    assert retry_after_ms({"retry-after": formatdate(NOW - 30, usegmt=True)}, NOW) == 0


@pytest.mark.parametrize("headers", [{}, {"retry-after": "soon"}, {"retry-after-ms": "nan"},
                                     {"retry-after": ""}])
def test_an_unreadable_or_missing_pause_falls_back_to_the_backoff(headers):
    assert retry_after_ms(headers, NOW) is None
    assert POLICY.retry_delay(status(503, **{k.replace("-", "_"): v for k, v in headers.items()}),
                              1, 0.0, NOW) == 1000


def test_a_server_asking_for_longer_than_the_cap_is_not_retried():
    assert POLICY.retry_delay(status(429, retry_after="61"), 0, 0.0, NOW) is None
    assert RetryPolicy(max_retry_after_ms=120_000).retry_delay(
        status(429, retry_after="61"), 0, 0.0, NOW) == 61_000


def test_at_most_max_retries():
    failure = status(503)
    assert [POLICY.retry_delay(failure, n, 0.0, NOW) for n in range(3)] == [500, 1000, None]
    assert RetryPolicy(max_retries=0).retry_delay(failure, 0, 0.0, NOW) is None


def test_resume_only_what_stopped_and_at_most_max_resumes():
    broken = AttemptFailure(Failure.BROKEN)
    assert POLICY.resumable(broken, 0) and not POLICY.resumable(broken, 1)
    assert POLICY.resumable(AttemptFailure(Failure.TIMED_OUT), 0)
    assert POLICY.resumable(AttemptFailure(Failure.TRUNCATED), 0)
    assert not POLICY.resumable(status(503), 0)
    assert not POLICY.resumable(in_band({"type": "error", "error": {"type": "overloaded_error"}}), 0)
    assert not RetryPolicy(max_resumes=0).resumable(broken, 0)


# ---- settings: environment and per-call options -------------------------------------------

def test_settings_come_from_the_option_then_the_variable_then_the_default():
    env = {"GOLEM_LLM_MAX_RETRIES": "5", "GOLEM_LLM_MAX_RESUMES": "x"}
    config = Config(model="m", provider_options=(Kv("golem_llm_max_retries", "1"),
                                                 Kv("seed", "7")))
    settings, wire = CallSettings.of_call(env, config)
    assert RetryPolicy.read(settings) == RetryPolicy(max_retries=1, max_resumes=1)
    assert wire.provider_options == (Kv("seed", "7"),)  # ours are never sent
    assert RetryPolicy.read(CallSettings.of_call(env, Config(model="m"))[0]).max_retries == 5


@pytest.mark.parametrize("option", [Kv("golem_llm_max_retrys", "1"),
                                    Kv("golem_llm_max_retries", "-1"),
                                    Kv("golem_llm_max_retries", "two"),
                                    Kv("golem_llm_end_marker", "sometimes")])
def test_an_option_of_ours_that_cannot_be_used_is_refused(option):
    with pytest.raises(SettingError, match=option.key):
        CallSettings.of_call({}, Config(model="m", provider_options=(option,)))


def test_every_setting_is_passed_to_the_component_and_has_an_option():
    settings, _ = CallSettings.of_call({}, Config(model="m", provider_options=tuple(
        Kv(setting.option, setting.choices[-1] if setting.choices else "7")
        for setting in SETTINGS)))
    assert {setting.env for setting in SETTINGS} == set(TIMEOUT_ENV)
    assert Timeouts.read(settings) == Timeouts(7, 7, 7, 7, 7)


# ---- the event deadline -------------------------------------------------------------------

MS = 1_000_000


def test_the_first_event_is_due_from_the_request_then_each_from_the_last():
    deadline = EventDeadline(Timeouts(first_event_ms=100, between_events_ms=30), now_ns=0)
    assert deadline.due_ns == 100 * MS and not deadline.passed(99 * MS)
    assert deadline.passed(100 * MS) and "within 100 ms" in deadline.describe()
    deadline.progress(now_ns=50 * MS)
    assert deadline.due_ns == 80 * MS and deadline.passed(80 * MS)
    assert "no event for 30 ms" in deadline.describe()


def test_zero_turns_a_deadline_off():
    deadline = EventDeadline(Timeouts(first_event_ms=0, between_events_ms=0), now_ns=0)
    assert deadline.due_ns is None and not deadline.passed(10 ** 18)
