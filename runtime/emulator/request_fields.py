"""Lenient readers for request bodies, shared by the dialects' request parsers.

A request body is client input: building a `RequestView` must never raise on odd JSON (a
string where a list belongs, a boolean for `max_tokens`), so each field is read through one
of these and an unusable value reads as absent.  What the fields are called, and how a
dialect's messages are laid out, stays in the dialect.
"""

from __future__ import annotations

from typing import Any, Mapping


def as_list(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def mappings(value: Any) -> list[Mapping[str, Any]]:
    """The JSON objects in `value` (messages, content blocks); anything else is skipped."""
    return [item for item in as_list(value) if isinstance(item, Mapping)]


def last_user_content(messages: list[Mapping[str, Any]]) -> Any:
    """The content of the last message with role `user` (the one the auto scenario answers),
    None when there is none."""
    last_user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    return last_user.get("content") if last_user is not None else None


def last_assistant_content(messages: list[Mapping[str, Any]]) -> tuple[Any, bool]:
    """The content of the last message with role `assistant` (None when there is none), and
    whether it is the last message of all (a prefill the model is asked to continue)."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].get("role") == "assistant":
            return messages[i].get("content"), i == len(messages) - 1
    return None, False


def strings(value: Any) -> tuple[str, ...]:
    """The strings in a list (stop sequences); other items are skipped."""
    return tuple(item for item in as_list(value) if isinstance(item, str))


def token_limit(value: Any) -> int | None:
    """A max-tokens value when it is a non-negative integer (a bool is not), else None."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return None
    return value
