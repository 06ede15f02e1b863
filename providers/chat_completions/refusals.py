"""What a Chat Completions flavour's API rejects that OpenAI's accepts, refused before sending.

The request is the same shape for every flavour, but some servers answer a field OpenAI takes
with an error (reference §4: xAI reasoning models reject `stop` and the penalties, only
grok-3-mini takes `reasoning_effort`, Live Search's `search_parameters` is 410 Gone; xAI
takes inline images as JPEG or PNG only).  Refusing here, with a message that names the
field and the fix, saves a round trip and gives the caller a clear `unsupported` error
instead of a provider's terse 400.  Fields are never dropped silently: the caller asked for
them, so dropping one would change the answer without saying so.

Which models a rule covers is a name match, so a rule can go stale when a provider ships a
new model family.  It fails safe: a model no rule knows is sent as is, and the provider's own
error comes back mapped as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from normalizer.values import ErrorCode, Image, ImageSource, Message
from providers.common.refusal import Refusal

# Where a body field came from, for the message: the fix is in that golem:llm input.
_FIELD_SOURCES = {
    "stop": "config.stop-sequences",
    "temperature": "config.temperature",
    "max_tokens": "config.max-tokens",
    "max_completion_tokens": "config.max-tokens",
}


@dataclass(frozen=True)
class ParameterRule:
    """Body fields a provider refuses for some models.

    fields: the body fields (from config or provider-options) the rule refuses.
    reason: why, in a few words, ending the error message.
    model_prefixes: the rule covers models whose lowercased name starts with one of these
        ("" covers every model).
    unless_containing: ...except models whose lowercased name contains one of these
        (e.g. "non-reasoning" for xAI's non-reasoning variants).
    """

    fields: tuple[str, ...]
    reason: str
    model_prefixes: tuple[str, ...] = ("",)
    unless_containing: tuple[str, ...] = ()

    def covers(self, model: str) -> bool:
        name = model.strip().lower()
        if not any(name.startswith(prefix) for prefix in self.model_prefixes):
            return False
        return not any(part in name for part in self.unless_containing)


def refuse_parameters(label: str, rules: Sequence[ParameterRule],
                      body: Mapping[str, Any]) -> None:
    """Refuse the first body field a rule refuses for the body's model."""
    model = body.get("model")
    if not rules or not isinstance(model, str):
        return
    for rule in rules:
        if not rule.covers(model):
            continue
        for field in rule.fields:
            if field in body:
                source = _FIELD_SOURCES.get(field, f"provider option {field!r}")
                raise Refusal(
                    f"{label} does not accept {field!r} (set by {source}) for model "
                    f"{model!r}: {rule.reason}; remove it and send again",
                    ErrorCode.UNSUPPORTED,
                )


def refuse_inline_images(label: str, accepted_types: Sequence[str],
                         messages: Sequence[Message]) -> None:
    """Refuse the first inline image whose mime type the provider does not take.  An empty
    `accepted_types` accepts any type (left to the API).  URL images are not checked: their
    type is known only to the server that fetches them."""
    if not accepted_types:
        return
    for index, message in enumerate(messages):
        for part in message.content:
            if not isinstance(part, Image) or not isinstance(part.reference, ImageSource):
                continue
            mime = part.reference.mime_type.strip().lower()
            if mime not in accepted_types:
                raise Refusal(
                    f"message {index}: {label} accepts inline images as "
                    f"{', '.join(accepted_types)} only, not {part.reference.mime_type!r}",
                    ErrorCode.UNSUPPORTED,
                )
