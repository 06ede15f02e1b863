"""The golem:llm values, and the sans-IO state machines that turn a provider's stream into
them.

The public API:

- `values`               the golem:llm@1.0.0 values as frozen dataclasses (the vocabulary
                         every package speaks)
- `Normalizer`           the contract of a dialect's stream normalizer (`protocol`)
- `chat_completions/`    the Chat Completions dialect: `stream`, `completion` (a non-streamed
                         body), `finish_reason`, `usage`, `metadata`, `content`, `errors`
                         (in-band), and `quirks`, the types of a provider's differences
- `anthropic_messages/`  the Messages dialect, in files of the same names
- `coalesce`             the text deltas of one batch as one delta
- `json_depth`           every parse of untrusted JSON, with its nesting bounded first
- `strings`              valid Unicode (`well_formed`), and every string of a value rewritten
- `Accumulator`          stream events → one `chat-event` (how `send` drains a stream)

A dialect's normalizer receives the provider's label and quirk values from the provider
(`providers/<provider>.py`); nothing here names a provider.
"""

from normalizer.accumulator import Accumulator
from normalizer.coalesce import coalesce
from normalizer.protocol import Normalizer

__all__ = ["Accumulator", "Normalizer", "coalesce"]
