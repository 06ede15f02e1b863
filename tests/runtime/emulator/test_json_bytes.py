"""The emulator writes a scenario's lone surrogate as the `\\uXXXX` escape a real server's JSON
would carry (UTF-8 cannot hold one), so the components' handling of it can be tested."""

from __future__ import annotations

import json

from runtime.emulator.response import json_bytes


def test_a_lone_surrogate_is_written_as_its_escape():
    data = json_bytes({"text": "\ud800Olá!", "ok": "é"})
    assert data == '{"text":"\\ud800Olá!","ok":"é"}'.encode("utf-8")
    assert json.loads(data) == {"text": "\ud800Olá!", "ok": "é"}
