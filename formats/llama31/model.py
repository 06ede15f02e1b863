"""The component's `model` module: exports `hayride:ai/model@0.0.65`'s `format` resource
with the Llama 3.1 format.

componentize-py looks an exported resource with a constructor up as a class named after the
resource in a top-level module named after the interface, so the build stages this file as
`model.py` at the root of the component (and uses it as the app module too).  Guest-only.
"""

from __future__ import annotations

from wit_world.exports import model as wit_model

from formats.guest import FormatGuest
from formats.llama31 import decode, encode


class Format(FormatGuest, wit_model.Format):
    encoder = staticmethod(encode)
    decoder = staticmethod(decode)
