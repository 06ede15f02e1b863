"""The emulator's notion of a token.

Output text is counted in words, so that `max_tokens = N` cuts the text after N words and
the reported `completion_tokens` equals N: tests of the max-tokens setting see consistent
numbers.  Everything else (prompts, tool arguments) is estimated at ~4 characters a token.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\S+")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def cut_words(text: str, limit: int) -> str:
    """The prefix of `text` holding its first `limit` words (text unchanged if shorter)."""
    if limit <= 0:
        return ""
    for i, match in enumerate(_WORD.finditer(text)):
        if i + 1 == limit:
            return text[: match.end()]
    return text


def estimate_tokens(text: str) -> int:
    return (len(text) + 3) // 4
