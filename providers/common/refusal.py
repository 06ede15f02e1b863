"""`Refusal`: input the API would reject, raised where the rule that rejects it is checked.

Building a request is a chain of small converters (messages, images, tools, options, ...),
and any of them may meet input the API could not accept, or find the API key missing.  Each
raises `Refusal` right there, with the golem:llm code and a message that names the culprit
and the fix.  The provider's `chat_request` (providers/provider.py) turns it into the
`error` value once, so no converter relays another's error and no request exists for
refused input: nothing is sent.  This is h11's `LocalProtocolError`.
"""

from __future__ import annotations

from normalizer.values import ErrorCode, LlmError


class Refusal(Exception):
    """Why no request is sent; `code` defaults to `invalid-request`, the caller's mistake."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.INVALID_REQUEST) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def error(self) -> LlmError:
        """The golem:llm `error` value this refusal becomes."""
        return LlmError(self.code, self.message)
