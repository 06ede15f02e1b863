"""The durable wrapper's control flow, natively, against the emulated Golem executor on an
in-memory oplog (tests/durability/fakes.py), with the real codec:
one entry per call, replay without HTTP, resume after a crash at every get-next boundary,
and the three anchor bugs fixed (no spin after a replayed finish, errors end the stream the
same way live and in replay, identical durable call sequences live and in replay)."""

from __future__ import annotations

import pytest

from durability import llm_codec
from durability.continuation import INSTRUCTION, Partial, continuation_messages
from durability.host_api import PERSIST_NOTHING, SMART, DurabilityError
from durability.http_witness import INPUT_STREAM
from durability.strategy import Durable, PassThrough
from normalizer import values as v
from durability.recovery import RecoveringStream
from providers.retry import RetryPolicy
from tests.durability.fakes import (
    FakeClock,
    Golem,
    InjectedCrash,
    ScriptedSource,
    invocations,
)

USER = (v.Message(v.Role.USER, (v.Text("Tell me a story"),)),)
CONFIG = v.Config(model="m")
FINISH = v.Finish(v.ResponseMetadata(v.FinishReason.STOP, v.Usage(3, 4, 7)))


def delta(text: str) -> v.StreamDelta:
    return v.StreamDelta((v.Text(text),))


ANSWER = [[delta("Once ")], None, [delta("upon "), delta("a ")], [delta("time.")], [FINISH]]
CONTINUATION = [[delta("time, the end.")], [FINISH]]


class Opens:
    """Records every stream the wrapper opens: the original, and continuations."""

    def __init__(self, first=ANSWER, resumed=CONTINUATION):
        self.first, self.resumed = first, resumed
        self.live_opens = 0
        self.partials: list[Partial] = []
        self.log: list[str] = []

    def open_live(self):
        self.live_opens += 1
        return ScriptedSource(self.first, self.log)

    def open_resume(self, partial):
        self.partials.append(partial)
        return ScriptedSource(self.resumed if not partial.empty else self.first, self.log)


def drain(stream, block=False, limit=100):
    """The caller script: poll until the end; returns (text, finishes, batches seen)."""
    seen = []
    for _ in range(limit):
        batch = stream.next_batch(block)
        seen.append(batch)
        if batch == []:
            break
    events = [e for b in seen if b for e in b]
    text = "".join(p.text for e in events if isinstance(e, v.StreamDelta) for p in e.content or ())
    return text, sum(isinstance(e, v.Finish) for e in events), seen


def run_stream(golem, opens, block=False, codec=None):
    stream = Durable(golem, codec or llm_codec).stream(
        USER, CONFIG, opens.open_live, opens.open_resume)
    result = drain(stream, block)
    stream.close()
    return result


# ---- send / continue ----------------------------------------------------------------------

def test_send_live_records_one_entry_and_replay_does_not_call_the_provider():
    golem, calls = Golem(), []
    answer = v.CompleteResponse("id", (v.Text("hi"),), (), v.ResponseMetadata())
    run = lambda: calls.append(1) or answer
    assert Durable(golem, llm_codec).send(USER, CONFIG, run) == answer
    assert [e[1] for e in invocations(golem)] == ["golem_llm::send"]
    assert llm_codec.decode_send_request(invocations(golem)[0][2]) == (USER, CONFIG)

    replay = Golem(golem)
    assert Durable(replay, llm_codec).send(USER, CONFIG, run) == answer
    assert calls == [1]  # the provider was called once, live


def test_the_provider_call_runs_inside_persist_nothing_and_the_level_is_restored():
    golem = Golem()
    seen = []
    run = lambda: seen.append(golem.level) or v.LlmError(v.ErrorCode.UNKNOWN, "x")
    Durable(golem, llm_codec).send(USER, CONFIG, run)
    assert seen == [PERSIST_NOTHING] and golem.level == SMART


def test_a_failing_provider_call_is_recorded_as_an_error_and_the_level_restored():
    golem = Golem()

    def run():
        raise RuntimeError("boom")

    event = Durable(golem, llm_codec).continue_(USER, (), CONFIG, run)
    assert isinstance(event, v.LlmError) and "boom" in event.message
    assert golem.level == SMART
    assert invocations(golem)[0][1] == "golem_llm::continue"
    assert llm_codec.decode_chat_event(invocations(golem)[0][3]) == event


def test_replaying_a_different_operation_is_a_divergence():
    golem = Golem()
    Durable(golem, llm_codec).send(USER, CONFIG, lambda: v.LlmError(v.ErrorCode.UNKNOWN, "x"))
    with pytest.raises(DurabilityError, match="golem_llm::continue"):
        Durable(Golem(golem), llm_codec).continue_(USER, (), CONFIG, lambda: None)


# ---- streams ------------------------------------------------------------------------------

def test_live_stream_records_the_open_and_one_entry_per_get_next():
    golem, opens = Golem(), Opens()
    text, finishes, seen = run_stream(golem, opens)
    assert text == "Once upon a time." and finishes == 1
    names = [e[1] for e in invocations(golem)]
    assert names == ["golem_llm::stream"] + ["golem_llm::get_next"] * len(seen)
    assert [llm_codec.decode_get_next_response(e[3]) for e in invocations(golem)[1:]] == seen


def test_full_replay_returns_the_same_batches_without_opening_anything():
    golem, opens = Golem(), Opens()
    live = run_stream(golem, opens)
    again = Opens()
    assert run_stream(Golem(golem), again) == live
    assert again.live_opens == 0 and again.partials == []


def test_after_a_replayed_finish_get_next_returns_empty_at_once_and_opens_nothing():
    golem, opens = Golem(), Opens()
    stream = Durable(golem, llm_codec).stream(USER, CONFIG, opens.open_live, opens.open_resume)
    while not any(isinstance(e, v.Finish) for e in (stream.next_batch(False) or [])):
        pass
    # Crash right after the finish was recorded: the caller's next call is live on replay.
    again = Opens()
    replay = Durable(Golem(golem), llm_codec).stream(
        USER, CONFIG, again.open_live, again.open_resume)
    while not any(isinstance(e, v.Finish) for e in (replay.next_batch(False) or [])):
        pass
    assert replay.next_batch(False) == []
    assert replay.next_batch(True) == []  # blocking: returns at once, no spin
    assert again.live_opens == 0 and again.partials == []


@pytest.mark.parametrize("block", [False, True])
def test_an_error_event_ends_the_stream_the_same_way_live_and_in_replay(block):
    error = v.LlmError(v.ErrorCode.RATE_LIMIT_EXCEEDED, "slow down")
    golem = Golem()
    opens = Opens(first=[[delta("par")], [error]])
    live = run_stream(golem, opens, block)
    assert live[2][-2:] == [[error], []]
    again = Opens()
    assert run_stream(Golem(golem), again, block) == live
    assert again.live_opens == 0 and again.partials == []


@pytest.mark.parametrize("kind", ["crash", "trap"])
@pytest.mark.parametrize("block", [False, True])
def test_crash_at_every_get_next_boundary_resumes_with_one_continuation(block, kind):
    codec = llm_codec
    golem = Golem()
    full_text, _, _ = run_stream(golem, Opens(), block, codec)
    total = len(invocations(golem))
    for crash_at in range(2, total + 1):  # persist 1 is the stream open
        first = Golem(crash_at_persist=crash_at, kind=kind)
        opens = Opens()
        with pytest.raises(InjectedCrash):
            run_stream(first, opens, block, codec)
        recorded = [codec.decode_get_next_response(e[3]) for e in invocations(first)[1:]]
        before = "".join(
            p.text for batch in recorded for ev in (batch or ()) if isinstance(ev, v.StreamDelta)
            for p in ev.content or ())
        resumed = Opens()
        text, finishes, _ = run_stream(Golem(first), resumed, block, codec)
        assert finishes == 1, crash_at
        assert resumed.live_opens == 0
        got_finish_before = any(isinstance(ev, v.Finish) for batch in recorded for ev in (batch or ()))
        if got_finish_before:
            assert resumed.partials == [] and text == full_text
        else:
            assert len(resumed.partials) == 1, crash_at
            assert resumed.partials[0].text == before
            expected = before + ("time, the end." if before else "Once upon a time.")
            assert text == expected, crash_at


def test_crash_before_the_stream_open_is_recorded_starts_over_live():
    first = Golem(crash_at_persist=1)
    with pytest.raises(InjectedCrash):
        run_stream(first, Opens())
    again = Opens()
    text, finishes, _ = run_stream(Golem(first), again)
    assert text == "Once upon a time." and finishes == 1 and again.live_opens == 1


def test_live_and_replay_make_the_same_sequence_of_durable_calls():
    golem = Golem()
    run_stream(golem, Opens())
    replay = Golem(golem)
    run_stream(replay, Opens())
    durable = {"observe", "begin", "state", "end"}
    live_calls = [c for c in golem.calls if c in durable or c == "persist"]
    replay_calls = [c for c in replay.calls if c in durable or c == "read"]
    assert [c.replace("persist", "io") for c in live_calls] == \
           [c.replace("read", "io") for c in replay_calls]


def test_dropping_the_stream_closes_the_body_inside_persist_nothing():
    golem, levels = Golem(), []

    class Watched(ScriptedSource):
        def close(self):
            levels.append(golem.level)

    stream = Durable(golem, llm_codec).stream(
        USER, CONFIG, lambda: Watched(ANSWER), Opens().open_resume)
    stream.next_batch(False)
    stream.close()
    assert levels == [PERSIST_NOTHING] and golem.level == SMART


def test_a_body_released_when_the_stream_is_closed_is_witnessed_inside_the_zone():
    """The chat stream's error handler and `__del__` close the durable stream: the live
    body's release, witnessed through the strategy, happens at persist-nothing, so the
    emulated Golem writes nothing a replay would have to match."""
    golem = Golem()
    durable = Durable(golem, llm_codec)

    class Releasing(ScriptedSource):
        def close(self):
            durable.witness(INPUT_STREAM.interface, INPUT_STREAM.function)

    stream = durable.stream(USER, CONFIG, lambda: Releasing(ANSWER), Opens().open_resume)
    stream.next_batch(False)
    stream.close()
    assert golem.counters.releases == {(INPUT_STREAM.function, PERSIST_NOTHING): 1}
    assert "end-remote-write" not in [e.kind for e in golem.entries()]


def test_pass_through_runs_everything_directly():
    opens = Opens()
    stream = PassThrough().stream(USER, CONFIG, opens.open_live, opens.open_resume)
    assert drain(stream)[0] == "Once upon a time."
    assert PassThrough().send(USER, CONFIG, lambda: "x") == "x"


# ---- continuation prompts and prefill -----------------------------------------------------

def test_no_partial_answer_resends_the_original_messages():
    assert continuation_messages(USER, Partial(), prefill=True) == USER


def test_prefill_appends_the_partial_text_as_a_trailing_assistant_message_without_trailing_space():
    msgs = continuation_messages(USER, Partial("Once upon "), prefill=True)
    assert msgs == USER + (v.Message(v.Role.ASSISTANT, (v.Text("Once upon"),)),)


def test_the_continuation_prompt_carries_the_partial_answer_and_tool_calls():
    call = v.ToolCall("c1", "get_weather", '{"city":"Oslo"}')
    msgs = continuation_messages(USER, Partial("Checking.", (call,)), prefill=True)
    assert msgs[:-2] == USER
    assistant, user = msgs[-2:]
    assert assistant.role is v.Role.ASSISTANT and user.role is v.Role.USER
    assert assistant.content[0].text.startswith("Checking.\n<tool-call ")
    assert '"get_weather"' in assistant.content[0].text and user.content[0].text == INSTRUCTION


def test_after_a_prefill_the_repeated_leading_whitespace_is_dropped():
    first = Golem(crash_at_persist=3)
    opens = Opens(first=[[delta("Once ")], [delta("upon")], [FINISH]])
    with pytest.raises(InjectedCrash):
        run_stream(first, opens)

    class Prefill(Opens):
        """The guest's resume: a recovering stream whose continuation went as a prefill
        without its trailing whitespace (durability/recovery.py drops what is repeated)."""

        def open_resume(self, partial):
            self.partials.append(partial)
            attempt = ScriptedSource([[delta("  ")], [delta(" upon a time")], [FINISH]], self.log)
            return RecoveringStream(lambda _: (attempt, True), RetryPolicy(), FakeClock(),
                                    partial=partial)

    again = Prefill()
    text, finishes, seen = run_stream(Golem(first), again)
    assert text == "Once upon a time" and finishes == 1
    assert None in seen  # the whitespace-only batch became "nothing yet", not the end


# ---- which providers continue a prefill -----------------------------------------------------

@pytest.mark.parametrize("provider,model,expected", [
    ("anthropic", "claude-sonnet-4-5", True),
    ("openrouter", "anthropic/claude-sonnet-4.5", True),
    ("openrouter", "openai/gpt-4o", False),
    ("openai", "gpt-4o", False),
    ("grok", "grok-4", False),
])
def test_prefill_is_used_only_where_the_model_continues_an_assistant_message(provider, model, expected):
    import importlib

    from durability.continuation import continuation_request

    prov = importlib.import_module(f"providers.{provider}").PROVIDER
    env = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "XAI_API_KEY": "k",
           "OPENROUTER_API_KEY": "k"}
    request, trimmed = continuation_request(prov, USER, v.Config(model=model), env,
                                            Partial("Once upon "))
    assert trimmed is expected  # the prefill lost its trailing space; the prompt keeps it
    import json as _json
    last = _json.loads(request.body)["messages"][-1]
    if expected:
        assert last["role"] == "assistant"
        text = last["content"] if isinstance(last["content"], str) else last["content"][0]["text"]
        assert text == "Once upon"
    else:
        assert last["role"] == "user"


def test_closing_a_replaying_stream_enters_no_zone_and_replay_goes_on():
    """Golem has skipped every recorded zone already, so a level change during replay would
    read the next call's entry (a divergence): only a live stream closes inside a zone."""
    golem, opens = Golem(), Opens()
    stream = Durable(golem, llm_codec).stream(USER, CONFIG, opens.open_live, opens.open_resume)
    first = stream.next_batch(False)
    stream.close()
    Durable(golem, llm_codec).send(USER, CONFIG, lambda: v.LlmError(v.ErrorCode.UNKNOWN, "x"))
    replay = Golem(golem)
    again = Durable(replay, llm_codec).stream(USER, CONFIG, Opens().open_live, Opens().open_resume)
    assert again.next_batch(False) == first
    again.close()  # replaying: no body, no zone
    assert "set-level" not in replay.calls
    Durable(replay, llm_codec).send(USER, CONFIG, lambda: None)
    assert replay.live
