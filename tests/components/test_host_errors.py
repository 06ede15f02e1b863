"""A host's error text reduced to what belongs in a message (components/host_errors.py),
natively: the first line, bounded, whatever the host put after it."""

from __future__ import annotations

from components.host_errors import MAX_DETAIL, describe, first_line, retryable

BACKTRACE = ("connection reset by peer (os error 104)\n\nStack backtrace:\n"
             + "".join(f"   {i}: wasmtime_wasi_http::body::frame{i}\n             at src/body.rs:{i}\n"
                       for i in range(200)))


class ErrorCode_InternalError:  # shaped like the generated wasi:http binding
    def __init__(self, value):
        self.value = value


class ErrorCode_ConnectionRefused:
    value = None


class ErrorCode_HttpRequestUriInvalid:
    value = None


def test_a_backtrace_is_cut_to_its_first_line():
    assert len(BACKTRACE) > 10_000
    assert first_line(BACKTRACE) == "connection reset by peer (os error 104)"
    assert describe(ErrorCode_InternalError(BACKTRACE)) == (
        "internal error (connection reset by peer (os error 104))")


def test_a_long_line_is_bounded():
    text = first_line("x" * 10_000)
    assert len(text) == MAX_DETAIL and text.endswith("…")
    assert first_line("\n\n  \n second line first\nthird") == "second line first"


def test_error_codes_read_as_words_and_say_whether_to_try_again():
    assert describe(ErrorCode_ConnectionRefused()) == "connection refused"
    assert retryable(ErrorCode_ConnectionRefused())
    assert not retryable(ErrorCode_HttpRequestUriInvalid())
