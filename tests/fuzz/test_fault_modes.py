"""The fault catalogue: every mode has cases, the smoke test's selection has one of each,
and the expected codes are README's mapping (plus each provider's own statuses)."""

from __future__ import annotations

import pytest

from fuzz.fault_modes import STATUSES, expected_status_code, fault_cases, modes
from normalizer.values import ErrorCode
from providers import PROVIDERS
from runtime.emulator.dialects import dialect_for

REQUEST = {"model": "m", "stream": True, "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}


@pytest.mark.parametrize("status, code", [
    (400, ErrorCode.INVALID_REQUEST), (404, ErrorCode.INVALID_REQUEST),
    (413, ErrorCode.INVALID_REQUEST), (401, ErrorCode.AUTHENTICATION_FAILED),
    (403, ErrorCode.AUTHENTICATION_FAILED), (429, ErrorCode.RATE_LIMIT_EXCEEDED),
    (500, ErrorCode.INTERNAL_ERROR), (503, ErrorCode.INTERNAL_ERROR),
    (529, ErrorCode.INTERNAL_ERROR), (418, ErrorCode.INVALID_REQUEST),
    (408, ErrorCode.INTERNAL_ERROR), (409, ErrorCode.INTERNAL_ERROR),
])
def test_statuses_mean_what_the_readme_says(status, code):
    assert expected_status_code("openai", status) is code


def test_providers_own_statuses_come_from_their_files():
    assert expected_status_code("openrouter", 402) is ErrorCode.RATE_LIMIT_EXCEEDED
    # OpenRouter's 403 is moderation only when its body says so (a case of its own).
    assert expected_status_code("openrouter", 403) is ErrorCode.AUTHENTICATION_FAILED
    assert expected_status_code("openrouter", 408) is ErrorCode.INTERNAL_ERROR
    assert expected_status_code("grok", 410) is ErrorCode.UNSUPPORTED
    assert expected_status_code("anthropic", 403) is ErrorCode.AUTHENTICATION_FAILED


def test_every_error_status_is_tried():
    assert {400, 401, 418, 429, 451, 499, 500, 511, 529, 599} <= set(STATUSES)
    assert all(400 <= s < 600 for s in STATUSES)


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_every_mode_has_cases_and_once_keeps_one_of_each(provider):
    full = fault_cases(provider, "full")
    once = fault_cases(provider, "once")
    assert [c.mode for c in once] == list(modes())
    assert {c.mode for c in full} == set(modes())
    assert len(full) > 5 * len(once)
    assert all(c.op in ("send", "stream") for c in full)


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_every_case_renders(provider):
    """The emulator can render every case (the long line aside, for speed)."""
    dialect = dialect_for(PROVIDERS[provider])
    for case in fault_cases(provider, "full"):
        if case.scenario is not None and case.mode != "long-line":
            dialect.render(case.scenario.with_(fault=None), REQUEST)


def test_the_same_seed_gives_the_same_cases():
    a = [(c.mode, c.variant, c.op) for c in fault_cases("openai", "full", seed=3)]
    b = [(c.mode, c.variant, c.op) for c in fault_cases("openai", "full", seed=3)]
    assert a == b
