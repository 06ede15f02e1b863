"""Apply the request's stop sequences and max-token limit to a scenario's text, the way a
real model would, so that tests of those settings see real behaviour."""

from __future__ import annotations

from runtime.emulator.request_view import RequestView
from runtime.emulator.scenario import Scenario
from runtime.emulator.tokens import count_words, cut_words


def apply_limits(scenario: Scenario, view: RequestView) -> Scenario:
    """Stop sequences cut the text before the earliest match (finish "stop", tool calls
    dropped: the model stopped talking); then a max-token limit smaller than the text's word
    count cuts it after that many words (finish "length", tool calls dropped).  Error
    scenarios and scenarios with `honor_limits=False` are returned unchanged."""
    if not scenario.honor_limits or scenario.error_status is not None:
        return scenario
    text = scenario.text
    stops = [s for s in view.stop if s]
    if stops and text:
        cuts = [i for i in (text.find(s) for s in stops) if i >= 0]
        if cuts:
            scenario = scenario.with_(text=text[: min(cuts)], tool_calls=(), finish="stop")
            text = scenario.text
    if view.max_tokens is not None and count_words(text) > view.max_tokens:
        scenario = scenario.with_(
            text=cut_words(text, view.max_tokens), tool_calls=(), finish="length"
        )
    return scenario
