"""The durable codec with the outbound step (`durability.outbound_codec`): what it persists is
exactly what the guest returns (valid Unicode, no key), the real codec takes it, and a replay
through the same step gives back the same value without running the call."""

from __future__ import annotations

from durability import llm_codec
from durability.outbound_codec import OutboundCodec
from durability.strategy import Durable
from normalizer import values as v
from providers import PROVIDERS
from tests.durability.fakes import Golem, ScriptedSource, invocations

KEY = "sk-test-outbound-codec-key-0123456789"
PROVIDER = PROVIDERS["openai"]
ENV = {PROVIDER.api_key_env: KEY}
USER = (v.Message(v.Role.USER, (v.Text(f"Hi, my key is {KEY}"),)),)
CONFIG = v.Config(model="m")
RAW_ANSWER = v.CompleteResponse(
    "id-1", (v.Text(f"\ud800Olá! {KEY}"),), (v.ToolCall("c1", "look\udfffup", "{}"),),
    v.ResponseMetadata(v.FinishReason.STOP, provider_metadata_json='{"model": "m\ud800"}'))
RAW_BATCHES = [
    [v.StreamDelta((v.Text("\ud800Olá!"),))],
    [v.LlmError(v.ErrorCode.INTERNAL_ERROR, f"upstream echoed {KEY}", '{"m": "\udc00"}')],
]


def persisted(golem: Golem) -> list:
    return invocations(golem)


def test_send_persists_what_the_guest_returns_and_replays_it_without_the_call():
    outbound = PROVIDER.outbound(ENV)
    golem = Golem()
    live = Durable(golem, OutboundCodec(outbound)).send(USER, CONFIG, lambda: RAW_ANSWER)
    returned = outbound.chat_event(live)  # what the guest hands the caller
    ((_, name, request, response, _),) = persisted(golem)
    assert name == "golem_llm::send"
    assert llm_codec.decode_chat_event(response) == returned
    assert returned.content == (v.Text("\ufffdOlá! [redacted]"),)
    assert returned.tool_calls[0].name == "look\ufffdup"
    messages, _ = llm_codec.decode_send_request(request)
    assert KEY not in messages[0].content[0].text

    def must_not_run():
        raise AssertionError("the call ran during replay")

    replay = Durable(Golem(golem), OutboundCodec(outbound)).send(
        USER, CONFIG, must_not_run)
    assert outbound.chat_event(replay) == returned


def test_get_next_persists_each_batch_as_the_guest_returns_it():
    outbound = PROVIDER.outbound(ENV)
    golem = Golem()
    stream = Durable(golem, OutboundCodec(outbound)).stream(
        USER, CONFIG, lambda: ScriptedSource(RAW_BATCHES), lambda partial: None)
    returned = [outbound.stream_events(stream.next_batch(True)) for _ in RAW_BATCHES]
    recorded = [llm_codec.decode_get_next_response(entry[3]) for entry in persisted(golem)[1:]]
    assert recorded == returned
    assert returned[0][0].content == (v.Text("\ufffdOlá!"),)
    assert returned[1][0].message == "upstream echoed [redacted]"
    assert returned[1][0].provider_error_json == '{"m": "\ufffd"}'
