"""The durable component links in the emulated Golem host with every import satisfied, and
imports only what Golem 1.2 provides; the portable one still runs on plain WASI and
imports nothing from Golem."""

from __future__ import annotations

import re

import pytest
import wasmtime
from wasmtime import component as wc

from normalizer import values as v
from providers import PROVIDERS
from runtime.emulator.scenarios import TEXT
from runtime.golem import GolemHost
from runtime.golem.linking import DURABILITY, FUNCTIONS, HOST
from runtime.host import ComponentHost
from tests.helpers import EMULATOR_KEY, built

pytestmark = pytest.mark.component

GOLEM_1_2 = re.compile(r"(wasi:[a-z-]+/[a-z-]+@0\.2\.0|golem:api/[a-z-]+@1\.1\.6|"
                       r"golem:durability/[a-z-]+@1\.2\.0|golem:rpc/[a-z-]+@0\.2\.0)")
HELLO = [v.Message(v.Role.USER, (v.Text("Hello there"),))]


@pytest.fixture(scope="module")
def durable() -> GolemHost:
    return GolemHost(built("openai", "durable"))


@pytest.fixture(scope="module")
def portable() -> ComponentHost:
    return ComponentHost(built("openai", "portable"))


def _imports(host: ComponentHost) -> dict[str, wc.ComponentExtern]:
    return host.component.type.imports(host.engine)


def _functions(host: ComponentHost, interface: str) -> set[str]:
    exports = _imports(host)[interface].ty.exports(host.engine)
    return {name for name, item in exports.items() if isinstance(item.ty, wc.FuncType)}


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_durable_imports_only_what_golem_1_2_provides(provider):
    durable = ComponentHost(built(provider, "durable"))  # loaded, not linked
    imports = set(_imports(durable))
    assert [name for name in sorted(imports) if not GOLEM_1_2.fullmatch(name)] == []
    assert {DURABILITY, HOST, "golem:api/oplog@1.1.6", "golem:rpc/types@0.2.0",
            "wasi:http/outgoing-handler@0.2.0"} <= imports


def test_every_imported_golem_function_has_a_host_implementation(durable):
    for interface in (DURABILITY, HOST):
        assert _functions(durable, interface) <= {f.name for f in FUNCTIONS[interface]}
    assert _functions(durable, "golem:api/oplog@1.1.6") == set()  # type-only
    assert _functions(durable, "golem:rpc/types@0.2.0") == set()


def test_durable_instantiates_as_a_golem_worker(durable, tmp_path):
    with durable.worker(tmp_path / "w.oplog") as worker:
        assert worker.live and not worker.dead
        assert [e.kind for e in worker.entries()] == ["create"]


def test_durable_does_not_link_without_the_golem_host(durable):
    plain = ComponentHost(durable.path)
    with pytest.raises(wasmtime.WasmtimeError, match="golem:"):
        plain.instantiate()


def test_portable_still_runs_on_plain_wasi_and_imports_nothing_from_golem(portable):
    assert [name for name in _imports(portable) if not name.startswith("wasi:")] == []
    portable.instantiate()


def test_send_is_recorded_live_and_replayed_without_http(durable, fresh_emulator, tmp_path):
    env = {"OPENAI_API_KEY": EMULATOR_KEY, "OPENAI_BASE_URL": fresh_emulator.base_url}
    config = v.Config(model="text")
    with durable.worker(tmp_path / "w.oplog", env) as first:
        answer = first.send(HELLO, config)
        names = [e.function_name for e in first.entries()
                 if e.function_name and e.function_name.startswith("golem_llm::")]
    assert isinstance(answer, v.CompleteResponse) and answer.content == (v.Text(TEXT),)
    assert names == ["golem_llm::send"]
    requests = fresh_emulator.request_count
    assert requests == 1
    with durable.worker(tmp_path / "w.oplog", env) as second:
        assert not second.live
        assert second.send(HELLO, config) == answer
        assert second.live
        replayed = second.counters.entries_replayed
        assert replayed == len([e for e in second.entries()  # the WASI entries too
                                if e.kind == "imported-function-invoked"
                                and e.persistence_level != "persist-nothing"])
    assert fresh_emulator.request_count == requests
