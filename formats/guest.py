"""What every format component exports, whatever the format: the `format` resource's
behaviour at the WIT boundary and the `error` resource.

Guest-only.  `FormatGuest` converts the generated classes to `formats.values`, calls the
format's pure `encode`/`decode`, and turns *every* failure into the WIT error: an exception
that escaped an export would trap the instance, and a trapped instance is dead for good
(`cannot enter component instance`), taking the host's conversation with it.
"""

from __future__ import annotations

from typing import Callable, List, Sequence

from componentize_py_types import Err
from wit_world.exports import model as wit_model
from wit_world.imports import hayride_ai_types as ai

from formats.errors import ErrorCode, FormatError
from formats.values import Message
from formats.wit_convert import message_from_wit, message_to_wit


class FormatFailure(wit_model.Error):
    """The `error` resource: a code the host acts on and a message for people."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        self._code = wit_model.ErrorCode[code.name]
        self._message = message

    def code(self) -> wit_model.ErrorCode:
        return self._code

    def data(self) -> str:
        return self._message


def _failure(exc: BaseException, operation: str) -> FormatFailure:
    if isinstance(exc, FormatError):
        return FormatFailure(exc.code, exc.message)
    # A bug in the format, not a problem with the input: say so, and which one.
    return FormatFailure(ErrorCode.UNKNOWN,
                         f"internal error in {operation}: {type(exc).__name__}: {exc}")


class FormatGuest:
    """Mixed into the `Format` class of a format's `model` module, which names the format's
    pure functions in `encoder` and `decoder`."""

    encoder: Callable[[Sequence[Message]], bytes]
    decoder: Callable[[bytes], Message]

    def __init__(self) -> None:
        pass  # a format keeps no state between calls

    def encode(self, messages: List[ai.Message]) -> bytes:
        try:
            return type(self).encoder([message_from_wit(m) for m in messages])
        except BaseException as exc:  # noqa: BLE001 - anything uncaught would trap
            failure = _failure(exc, "encode")
        raise Err(failure)

    def decode(self, raw: bytes) -> ai.Message:
        try:
            return message_to_wit(type(self).decoder(bytes(raw)))
        except BaseException as exc:  # noqa: BLE001 - anything uncaught would trap
            failure = _failure(exc, "decode")
        raise Err(failure)
