"""The request id and rate-limit state read from response headers
(`providers/common/response_headers.py`)."""

from __future__ import annotations

from providers.common.response_headers import rate_limit, response_facts


def test_openai_and_anthropic_headers_group_by_limit():
    headers = {
        "x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "499",
        "x-ratelimit-reset-requests": "120ms", "x-ratelimit-limit-input-images": "50",
        "anthropic-ratelimit-input-tokens-remaining": "3999",
        "anthropic-ratelimit-input-tokens-reset": "2026-04-05T14:28:43Z",
        "retry-after": "20", "retry-after-ms": "19500",
        "content-type": "application/json", "x-request-id": "req_1",
    }
    assert rate_limit(headers) == {
        "requests": {"limit": 500, "remaining": 499, "reset": "120ms"},
        "input_images": {"limit": 50},
        "input_tokens": {"remaining": 3999, "reset": "2026-04-05T14:28:43Z"},
        "retry_after": 20, "retry_after_ms": 19500,
    }


def test_a_bare_ratelimit_header_keeps_its_field_and_a_date_stays_text():
    limits = rate_limit({"x-ratelimit-remaining": "7", "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT",
                         "x-ratelimit-unknown": "1"})
    assert limits == {"remaining": 7, "retry_after": "Wed, 21 Oct 2015 07:28:00 GMT"}


def test_response_facts_name_the_providers_request_id_header():
    headers = {"request-id": "req_a", "x-request-id": "req_b"}
    assert response_facts(headers, "request-id") == {"request_id": "req_a"}
    assert response_facts(headers, "x-generation-id") == {}


def test_a_hostile_server_cannot_bloat_the_metadata():
    headers = {f"x-ratelimit-limit-kind{i}": "1" for i in range(100)}
    headers["x-request-id"] = "r" * 10_000
    facts = response_facts(headers, "x-request-id")
    assert len(facts["rate_limit"]) <= 16 and len(facts["request_id"]) <= 200


def test_x_should_retry_is_a_boolean_and_anything_else_is_left_out():
    assert rate_limit({"x-should-retry": "true"}) == {"should_retry": True}
    assert rate_limit({"x-should-retry": " False "}) == {"should_retry": False}
    assert rate_limit({"x-should-retry": "maybe"}) == {}
    facts = response_facts({"x-should-retry": "false", "request-id": "req_9"}, "request-id")
    assert facts == {"request_id": "req_9", "rate_limit": {"should_retry": False}}
