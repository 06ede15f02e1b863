"""The one scrubber (`providers.common.secrets.Scrubber`) and the outbound step built on it
(`providers.outbound.Outbound`): the key in every form a server can write it, the harder
rules for error text only, and an idempotent step whose output is valid Unicode."""

from __future__ import annotations

import json

import pytest

from normalizer import values as v
from providers import PROVIDERS
from providers.common.secrets import PREFIX_CHARS, REDACTED, Scrubber

KEY = "sk-test-scrubber-key-0123456789/x"
OPENAI = PROVIDERS["openai"]
ANTHROPIC = PROVIDERS["anthropic"]
ENV = {OPENAI.api_key_env: KEY, ANTHROPIC.api_key_env: KEY}


def json_escaped(text: str, upper: bool = False) -> str:
    return "".join((f"\\u{ord(c):04X}" if upper else f"\\u{ord(c):04x}") for c in text)


def percent_encoded(text: str, upper: bool = True) -> str:
    return "".join((f"%{ord(c):02X}" if upper else f"%{ord(c):02x}") for c in text)


FORMS = {
    "verbatim": KEY,
    "json-escaped": json_escaped(KEY),
    "json-escaped-upper": json_escaped(KEY, upper=True),
    "json-dumps-slash": KEY.replace("/", "\\/"),
    "json-half-escaped": KEY[:10] + json_escaped(KEY[10:20]) + KEY[20:],
    "percent-encoded": percent_encoded(KEY),
    "percent-encoded-lower": percent_encoded(KEY, upper=False),
    "percent-mixed": KEY[:5] + percent_encoded(KEY[5:9]) + KEY[9:],
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_of_the_key_is_replaced_in_any_text(form):
    scrubber = Scrubber(KEY)
    text = f'{{"message": "bad key {FORMS[form]} given"}}'
    for scrubbed in (scrubber.content(text), scrubber.diagnostic(text)):
        assert scrubbed == f'{{"message": "bad key {REDACTED} given"}}'


def test_a_cut_off_key_is_replaced_in_error_text_only():
    cut = f"quoted: '{KEY[:PREFIX_CHARS + 3]}'"
    scrubber = Scrubber(KEY)
    assert scrubber.diagnostic(cut) == f"quoted: '{REDACTED}'"
    assert scrubber.content(cut) == cut  # a model may write a key's well-known start
    too_short = f"'{KEY[:PREFIX_CHARS - 1]}'"
    assert scrubber.diagnostic(too_short) == too_short


def test_key_shaped_text_is_replaced_in_error_text_only():
    other = "sk-someone-elses-key-abcdefghijklmnop"
    scrubber = OPENAI.scrubber(ENV)
    assert other not in scrubber.diagnostic(f"echo {other}")
    assert scrubber.content(f"example: {other}") == f"example: {other}"


def test_a_short_placeholder_key_is_kept_out_of_errors_but_not_of_answers():
    scrubber = Scrubber("ollama")
    assert scrubber.content("Run ollama serve") == "Run ollama serve"
    assert scrubber.diagnostic("bad key ollama") == f"bad key {REDACTED}"


def test_nothing_to_replace_returns_the_text_itself():
    scrubber = OPENAI.scrubber(ENV)
    for text in ("plain", "50% of it, C:\\path", "{}"):
        assert scrubber.content(text) is text
    assert Scrubber(None).content(KEY) is KEY


def test_an_echoed_escaped_key_stays_out_of_provider_error_json():
    """The issue's leak: the key written with \\uXXXX escapes in an error body survived in
    provider-error-json (the message, decoded, was scrubbed)."""
    body = ('{"error": {"message": "Incorrect API key provided: ' + json_escaped(KEY)
            + '", "type": "invalid_request_error", "code": "invalid_api_key"}}').encode()
    for provider in (OPENAI, ANTHROPIC):
        error = provider.error_from_response(401, body, ENV)
        assert KEY not in error.message and KEY not in error.provider_error_json
        assert json_escaped(KEY) not in error.provider_error_json
        assert REDACTED in error.message and REDACTED in error.provider_error_json
        json.loads(error.provider_error_json)


# ---- the outbound step ----------------------------------------------------------------------

def test_outbound_makes_every_string_valid_and_keyless_and_is_idempotent():
    outbound = OPENAI.outbound(ENV)
    batch = [
        v.StreamDelta((v.Text(f"\ud800 {KEY}"),), (v.ToolCall("c", "f\udfff", KEY),)),
        v.Finish(v.ResponseMetadata(provider_id=f"id-{KEY}", provider_metadata_json="{}")),
        v.LlmError(v.ErrorCode.UNKNOWN, f"said {KEY[:PREFIX_CHARS + 1]}",
                   '{"k": "' + json_escaped(KEY) + '"}'),
    ]
    once = outbound.stream_events(batch)
    assert outbound.stream_events(once) == once
    strings = [once[0].content[0].text, once[0].tool_calls[0].name,
               once[0].tool_calls[0].arguments_json, once[1].metadata.provider_id,
               once[2].message, once[2].provider_error_json]
    assert strings == [f"\ufffd {REDACTED}", "f\ufffd", REDACTED, f"id-{REDACTED}",
                       f"said {REDACTED}", f'{{"k": "{REDACTED}"}}']
    for text in strings:
        text.encode("utf-8")


def test_outbound_scrubs_the_key_from_a_request_as_the_oplog_records_it():
    outbound = OPENAI.outbound(ENV)
    messages = (v.Message(v.Role.USER, (v.Text(f"my key is {KEY}"),)),)
    config = v.Config("m", provider_options=(v.Kv("api_key", KEY),))
    pairs = ((v.ToolCall("c", "n", "{}"), v.ToolSuccess("c", "n", f'"{KEY}"')),)
    recorded = outbound.request(messages, config, pairs)
    assert KEY not in repr(recorded) and REDACTED in repr(recorded)
    assert outbound.request(messages, v.Config("m"))[1] == v.Config("m")
