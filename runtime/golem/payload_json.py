"""How a value-and-type is stored in the oplog file: compact JSON of the neutral nodes.

Golem stores its own version-prefixed binary encoding; any exact, self-describing encoding
serves the emulation, and JSON keeps the SQLite file readable with the sqlite3 shell.  The
neutral form (durability/wit_nodes.py) has tuples wherever a payload has structure and never
a list, so turning every JSON array back into a tuple restores it exactly.  JSON's NaN and
Infinity extensions (Python's default) keep every float bit-exact except NaN payloads.
"""

from __future__ import annotations

import json
from typing import Any

from durability.wit_nodes import ValueAndType


def encode(vat: ValueAndType) -> str:
    value_nodes, type_nodes = vat
    return json.dumps({"value": [list(n) for n in value_nodes],
                       "type": [list(n) for n in type_nodes]},
                      separators=(",", ":"), ensure_ascii=False)


def decode(text: str) -> ValueAndType:
    data = json.loads(text)
    return _tuples(data["value"]), _tuples(data["type"])


def _tuples(item: Any) -> Any:
    if isinstance(item, list):
        return tuple(_tuples(x) for x in item)
    return item
