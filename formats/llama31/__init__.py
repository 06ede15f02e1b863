"""Meta's Llama 3.1 chat format as a Hayride model format: `encode(messages) -> bytes` and
`decode(bytes) -> Message`, pure functions that raise `formats.errors.FormatError`."""

from formats.llama31.decode import decode
from formats.llama31.encode import encode

__all__ = ["decode", "encode"]
