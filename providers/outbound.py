"""The one step every value takes on its way out of the component.

Whatever a component returns (a `send`/`continue` answer, each `get-next` batch) and
whatever the durable flavour writes to the oplog (the same values, and the requests)
passes through an `Outbound` made for the call (`Provider.outbound`), so that:

- every string is valid Unicode: a lone surrogate, which JSON from a provider can carry,
  becomes U+FFFD (`normalizer.strings.well_formed`), since one that reached the component
  boundary or the oplog would trap the instance;
- the API key appears nowhere, in any form (`providers.common.secrets.Scrubber`): text a
  server wrote about a failure gets the scrubber's `diagnostic`, everything else its
  `content`.

The guest applies it to what it returns and the durable codec to what it persists, and the
step is idempotent, so a replay, which returns the recorded value through the same step,
returns exactly what the live call did.  (An export that raised despite all this returns the
never-trap guard's `internal-error`, built from the exception's repr and made valid Unicode
where it is built, `durability/guard.py`.)
"""

from __future__ import annotations

from typing import Optional, Sequence

from normalizer.strings import (
    chat_event_strings,
    stream_events_strings,
    strings_of,
    well_formed,
)
from normalizer.values import ChatEvent, Config, Message, StreamEvent, ToolCall, ToolResult
from providers.common.secrets import Scrubber


class Outbound:
    """Valid Unicode and no API key, for each kind of value a call sends out."""

    __slots__ = ("_scrubber",)

    def __init__(self, scrubber: Scrubber) -> None:
        self._scrubber = scrubber

    def content(self, text: str) -> str:
        """An answer's text, a tool call's field or a metadata string."""
        return self._scrubber.content(well_formed(text))

    def diagnostic(self, text: str) -> str:
        """An error's message or `provider-error-json`."""
        return self._scrubber.diagnostic(well_formed(text))

    def chat_event(self, event: ChatEvent) -> ChatEvent:
        return chat_event_strings(event, self.content, self.diagnostic)

    def stream_events(self, events: Optional[Sequence[StreamEvent]]
                      ) -> Optional[list[StreamEvent]]:
        return stream_events_strings(events, self.content, self.diagnostic)

    def request(self, messages: Sequence[Message], config: Config,
                tool_results: Sequence[tuple[ToolCall, ToolResult]] = ()
                ) -> tuple[tuple[Message, ...], Config, tuple[tuple[ToolCall, ToolResult], ...]]:
        """A call's arguments as the oplog records them: the caller's strings are valid
        Unicode already (the component model guarantees it), so only the key is replaced."""
        content = self._scrubber.content
        return (tuple(strings_of(tuple(messages), content)), strings_of(config, content),
                tuple(strings_of(tuple(tool_results), content)))
