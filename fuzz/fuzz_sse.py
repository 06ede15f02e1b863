"""Fuzz the SSE parser with random and mutated byte streams, cut into random chunks.

    python -m fuzz.fuzz_sse --seconds 60 [--seed N] [--engine auto|random|atheris]

Each input is parsed three ways (whole, in random chunks, and one byte at a time when short)
and compared with `reference_parse`, a deliberately naive, literal reading of the WHATWG rules
over the whole stream at once. Invariants checked:

- nothing but `SseError` is ever raised;
- chunking never changes the outcome (events, error, last-event-ID, retry, comment count,
  "ended mid-event");
- the outcome is the one the spec gives.

The default engine is plain `random` (stdlib, runs anywhere); atheris is used when asked for,
or with `auto` when it is importable, because coverage guidance finds odd corners faster.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sse.events import SseError, SseEvent
from sse.parser import SseParser

_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(rb"\r\n|\r|\n")
_DIGITS = re.compile(r"[0-9]+")
_DEFAULT_MAX = 16 * 1024 * 1024

# Pieces that make interesting streams: field names, separators, every line end, NUL, a BOM,
# truncated and complete multibyte sequences, Unicode "line breaks" that must not split.
TOKENS = (
    b"data", b"data:", b"data: ", b"event:", b"event: ", b"id:", b"id: ", b"retry:", b"retry: ",
    b"Data:", b"dat", b":", b": ", b" ", b"\n", b"\r", b"\r\n", b"\n\n", b"\r\r", b"\x00",
    _BOM, b"\xef", b"\xef\xbb", b"\xf0\x9f\x98\x80", b"\xf0\x9f", b"\x80", b"\xff",
    b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xc2\x85", b"\x0b", b"\x0c", b"x", b"hello", b"123",
    b"007", b"message", b"ping", b"[DONE]", b'{"a":1}', b": OPENROUTER PROCESSING",
)


@dataclass(frozen=True)
class Outcome:
    """Everything observable about one parse, for comparing chunkings and the reference."""

    events: tuple[SseEvent, ...]
    error: bool
    last_event_id: str
    retry: int | None
    comment_count: int
    incomplete: bool


def parse_chunks(chunks: Iterable[bytes], max_line_bytes: int = _DEFAULT_MAX) -> Outcome:
    """Run `SseParser` over `chunks`; stop at the first `SseError`, as a caller would."""
    parser = SseParser(max_line_bytes)
    events: list[SseEvent] = []
    error = False
    try:
        for chunk in chunks:
            events.extend(parser.feed(chunk))
        parser.finish()
    except SseError:
        error = True
    parser.finish()  # idempotent; must not raise an error that was already raised
    return Outcome(
        tuple(events),
        error,
        parser.last_event_id,
        parser.retry,
        parser.comment_count,
        parser.incomplete,
    )


def reference_parse(stream: bytes, max_line_bytes: int = _DEFAULT_MAX) -> Outcome:
    """The spec, read literally, over the whole stream: the oracle for the real parser.

    Slow and simple on purpose (regex split, string data buffer with LF appended and one LF
    stripped at dispatch), so that it shares no shortcut with `SseParser`.
    """
    if stream.startswith(_BOM):
        stream = stream[3:]
    *lines, rest = _LINE_END.split(stream)
    events: list[SseEvent] = []
    data = ""
    event_type = ""
    id_buffer = ""
    last_event_id = ""
    retry: int | None = None
    comments = 0
    error = False
    for raw in lines:
        if len(raw) > max_line_bytes:
            error = True
            break
        line = raw.decode("utf-8", "replace")
        if line == "":
            last_event_id = id_buffer
            if data != "":
                if data.endswith("\n"):
                    data = data[:-1]
                events.append(SseEvent(data, event_type if event_type != "" else "message", id_buffer))
            data = ""
            event_type = ""
        elif line.startswith(":"):
            comments += 1
        else:
            name, colon, value = line.partition(":")
            if colon and value.startswith(" "):
                value = value[1:]
            if name == "data":
                data += value + "\n"
            elif name == "event":
                event_type = value
            elif name == "id" and "\x00" not in value:
                id_buffer = value
            elif name == "retry" and _DIGITS.fullmatch(value):
                try:
                    retry = int(value)
                except ValueError:  # beyond int()'s digit limit: ignored, like the parser
                    pass
    if not error and len(rest) > max_line_bytes:
        error = True
    incomplete = error or rest != b"" or data != "" or event_type != ""
    return Outcome(tuple(events), error, last_event_id, retry, comments, incomplete)


def random_cuts(stream: bytes, rng: random.Random) -> list[bytes]:
    """Cut `stream` at random points (sometimes many, sometimes none, empty chunks included)."""
    if not stream:
        return [b""] if rng.random() < 0.5 else []
    count = rng.choice((1, 2, 3, 8, len(stream) // 4 + 1))
    cuts = sorted(rng.randint(0, len(stream)) for _ in range(count))
    bounds = [0, *cuts, len(stream)]
    return [stream[a:b] for a, b in zip(bounds, bounds[1:])]


def random_stream(rng: random.Random, seeds: list[bytes]) -> bytes:
    """A token soup, raw random bytes, or a mutated seed stream."""
    kind = rng.random()
    if kind < 0.45 or not seeds:
        stream = b"".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 60)))
    elif kind < 0.55:
        stream = rng.randbytes(rng.randint(0, 200))
    else:
        stream = rng.choice(seeds)
        if len(stream) > 4096:
            start = rng.randrange(len(stream) - 4096)
            stream = stream[start : start + 4096]
    for _ in range(rng.choice((0, 1, 2, 5))):
        stream = _mutate(stream, rng)
    if rng.random() < 0.2:
        stream = _BOM + stream
    return stream


def _mutate(stream: bytes, rng: random.Random) -> bytes:
    """One random edit: insert a token, delete or duplicate a span, or change a byte."""
    at = rng.randint(0, len(stream))
    edit = rng.randrange(4)
    if edit == 0 or not stream:
        return stream[:at] + rng.choice(TOKENS) + stream[at:]
    end = min(len(stream), at + rng.randint(1, 16))
    if edit == 1:
        return stream[:at] + stream[end:]
    if edit == 2:
        return stream[:end] + stream[at:end] + stream[end:]
    at = min(at, len(stream) - 1)
    return stream[:at] + bytes([rng.randrange(256)]) + stream[at + 1 :]


def check(stream: bytes, rng: random.Random, max_line_bytes: int = _DEFAULT_MAX) -> None:
    """Assert every invariant for one input; AssertionError says which one failed."""
    expected = reference_parse(stream, max_line_bytes)
    ways: list[tuple[str, list[bytes]]] = [("whole", [stream]), ("random chunks", random_cuts(stream, rng))]
    if len(stream) <= 2048:
        ways.append(("one byte at a time", [stream[i : i + 1] for i in range(len(stream))]))
    for how, chunks in ways:
        try:
            got = parse_chunks(chunks, max_line_bytes)
        except Exception as exc:  # anything but SseError is a bug
            raise AssertionError(f"{how}: raised {exc!r}") from exc
        if got != expected:
            raise AssertionError(f"{how}: {got!r}\n  != reference {expected!r}")


def load_seeds() -> list[bytes]:
    """Recorded provider streams next to the repository, when present (never copied in)."""
    root = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"
    if not root.is_dir():
        return []
    return [path.read_bytes() for path in sorted(root.glob("*/*/response.body")) if path.stat().st_size]


def run(seconds: float, seed: int | None = None) -> int:
    """Fuzz with plain `random` for about `seconds`; return how many inputs were checked.

    Raises AssertionError naming the seed and the input that broke an invariant.
    """
    seed = random.randrange(2**32) if seed is None else seed
    rng = random.Random(seed)
    seeds = load_seeds()
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        stream = random_stream(rng, seeds)
        max_line_bytes = rng.choice((2, 3, 5, 16, 64, 1024, _DEFAULT_MAX))
        try:
            check(stream, rng, max_line_bytes)
        except AssertionError as exc:
            raise AssertionError(
                f"seed={seed} case={count} max_line_bytes={max_line_bytes} "
                f"input={stream!r}\n{exc}"
            ) from exc
        count += 1
    return count


def _run_atheris(seconds: float) -> None:
    """Coverage-guided fuzzing; atheris exits the process when its time is up."""
    import atheris  # type: ignore[import-not-found]

    def one_input(data: bytes) -> None:
        provider = atheris.FuzzedDataProvider(data)
        max_line_bytes = provider.PickValueInList([2, 3, 5, 16, 64, _DEFAULT_MAX])
        rng = random.Random(provider.ConsumeInt(4))
        check(provider.ConsumeBytes(provider.remaining_bytes()), rng, max_line_bytes)

    atheris.instrument_all()  # the parser is already imported: instrument loaded code for coverage
    atheris.Setup([sys.argv[0], f"-max_total_time={max(1, int(seconds))}"], one_input)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: fuzz for a bounded time, print a reproducer on failure."""
    parser = argparse.ArgumentParser(prog="python -m fuzz.fuzz_sse", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to run (default 10)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--engine", choices=("auto", "random", "atheris"), default="auto")
    args = parser.parse_args(argv)
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # type: ignore[import-not-found]  # noqa: F401
        except ImportError:
            engine = "random"
        else:
            engine = "atheris"
    if engine == "atheris":
        _run_atheris(args.seconds)
        return 0
    try:
        count = run(args.seconds, args.seed)
    except AssertionError as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    print(f"ok: {count} inputs in {args.seconds:g} s, no invariant broken")
    return 0


if __name__ == "__main__":
    sys.exit(main())
