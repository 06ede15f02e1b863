"""Every built component imports WASI at exactly 0.2.0 (what Golem 1.2 links), exports
golem:llm/llm@1.0.0, and the portable flavour imports nothing from Golem."""

from __future__ import annotations

import pytest

from tools.build import targets
from runtime.host import ComponentHost
from tests.helpers import built


def _imports_exports(path) -> tuple[set[str], set[str]]:
    host = ComponentHost(path)
    ty = host.component.type
    return set(ty.imports(host.engine)), set(ty.exports(host.engine))


@pytest.mark.parametrize("target", targets(), ids=lambda t: t.name)
def test_wasi_imports_are_0_2_0_and_llm_is_exported(target):
    imports, exports = _imports_exports(built(target.provider, target.flavour))
    wasi = sorted(name for name in imports if name.startswith("wasi:"))
    assert wasi, "a component with no WASI imports cannot do HTTP"
    assert "wasi:http/outgoing-handler@0.2.0" in wasi
    wrong = [name for name in wasi if not name.endswith("@0.2.0")]
    assert wrong == [], f"{target.name} imports WASI other than 0.2.0: {wrong}"
    assert "golem:llm/llm@1.0.0" in exports


@pytest.mark.parametrize("target", [t for t in targets() if t.flavour == "portable"],
                         ids=lambda t: t.name)
def test_portable_imports_nothing_from_golem(target):
    imports, _ = _imports_exports(built(target.provider, target.flavour))
    assert [name for name in imports if not name.startswith("wasi:")] == []
