"""What many test modules need, defined once: where things are, the built components, the
emulator's key, and small readers of a stream's events.

The readers assert the one rule every stream keeps (exactly one terminal event, and it comes
last), so a test that uses them checks that rule too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from normalizer.values import Finish, LlmError, StreamDelta, Text, ToolCall
from providers import PROVIDERS
from tools.build import Target, build

ROOT = Path(__file__).resolve().parents[1]
REAL_FIXTURES = ROOT.parent / "shared" / "fixtures" / "real"
"""Traffic recorded from the real provider APIs (`../shared/fixtures/real/<provider>/<case>/`):
read from there, never copied in; tests that need it skip with a reason when it is absent."""

EMULATOR_KEY = "sk-test-emulator-key-0123456789"

FAST_RETRIES = {"GOLEM_LLM_RETRY_DELAY_MS": "1"}
"""Retries as many as by default, but 1 ms apart (then 2, 4 ms), so a test whose error is
retried does not wait out the production backoff (0.5 s, 1 s)."""


def built(provider: str, flavour: str) -> Path:
    """The component's path, building it first if its sources changed (`make test` has
    normally built it already, so this is a hash check)."""
    target = Target(provider, flavour)
    build(target)
    return target.output


def key_env(provider: str, key: str) -> dict[str, str]:
    """The environment that gives `provider` the API key `key`, under the provider's own
    variable name (read from the registry, so tests keep no copy of it)."""
    return {PROVIDERS[provider].api_key_env: key}


def text_of(events: Sequence[object]) -> str:
    """The answer's text: every text part of every delta, in order."""
    return "".join(p.text for e in events if isinstance(e, StreamDelta)
                   for p in (e.content or ()) if isinstance(p, Text))


def calls_of(events: Sequence[object]) -> list[ToolCall]:
    """Every tool call the deltas carry, in order."""
    return [c for e in events if isinstance(e, StreamDelta) for c in (e.tool_calls or ())]


def _terminal(events: Sequence[object]) -> object:
    terminal = [e for e in events if isinstance(e, (Finish, LlmError))]
    assert len(terminal) == 1, f"expected exactly one terminal event: {events}"
    assert terminal[0] is events[-1], f"the terminal event must come last: {events}"
    return terminal[0]


def only_finish(events: Sequence[object]) -> Finish:
    """The stream's one terminal event, which must be a `Finish`."""
    terminal = _terminal(events)
    assert isinstance(terminal, Finish), terminal
    return terminal


def only_error(events: Sequence[object]) -> LlmError:
    """The stream's one terminal event, which must be an `LlmError`."""
    terminal = _terminal(events)
    assert isinstance(terminal, LlmError), terminal
    return terminal


def normalize(normalizer: object, events: Sequence[object], end: bool = True) -> list:
    """Feed SSE events through a stream normalizer, then end it (unless `end` is false, to
    see what a stream cut short leaves)."""
    out: list = []
    for event in events:
        out.extend(normalizer.feed(event))
    if end:
        out.extend(normalizer.end())
    return out


def recorded_response(provider: str, case: str) -> tuple[int, bytes]:
    """The status and body of a recorded real response (`REAL_FIXTURES/<provider>/<case>/`);
    the calling test skips, saying why, when the recording is not there."""
    import json

    import pytest

    folder = REAL_FIXTURES / provider / case
    if not folder.is_dir():
        pytest.skip(f"recorded fixture {case} not present at {folder}")
    meta = json.loads((folder / "response.meta.json").read_text())
    return meta["status"], (folder / "response.body").read_bytes()


def without_request_id(event: object) -> object:
    """`event` with the `request_id` taken out of its `provider-metadata-json` or
    `provider-error-json`: the one part of an answer that differs between two calls that
    the server answers alike (each HTTP request has its own id)."""
    import json
    from dataclasses import replace

    def strip(text):
        if not text:
            return text
        value = json.loads(text)
        if isinstance(value, dict):
            value.pop("request_id", None)
        return json.dumps(value, ensure_ascii=False)

    if isinstance(event, LlmError):
        return replace(event, provider_error_json=strip(event.provider_error_json))
    if isinstance(event, Finish):
        return Finish(replace(event.metadata,
                              provider_metadata_json=strip(event.metadata.provider_metadata_json)))
    return event
