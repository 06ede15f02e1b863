"""Every benchmark runs, at tiny sizes, so `make bench` cannot rot between runs.

No figure is asserted (a benchmark never fails a test run; regressions are read from the
table).  What is asserted is that the harness works: each section produces rows, nothing is
an "error:" row, and the subjects that are always available here (our engine, the OpenAI
component that `make test` builds) have figures.  The SDK peers are optional (`make bench`
installs them): without them their rows are "n/a", which passes.
"""

from __future__ import annotations

import json

import pytest

from bench.__main__ import SECTIONS, main, run
from bench.plan import SMOKE
from bench.report import table, write_json

pytestmark = pytest.mark.component

# One provider per wire family: Grok and OpenRouter take the OpenAI family's code paths.
PROVIDERS = ("openai", "anthropic")


@pytest.fixture(scope="module")
def rows():
    return run(SMOKE, SECTIONS, PROVIDERS, log=lambda *a, **k: None)


def test_no_benchmark_is_broken(rows):
    broken = [f"{r.section} {r.provider} {r.case} {r.subject}: {r.note}" for r in rows if r.failed]
    assert not broken, "\n".join(broken)


def test_every_section_reports_for_openai(rows):
    for section in ("1 native", "2 component", "3 first event", "4 footprint", "5 durability"):
        assert any(r.section == section and r.provider == "openai" for r in rows), section


def test_the_engine_and_the_component_have_figures(rows):
    def value(section: str, subject: str) -> float:
        found = [r.value for r in rows if r.section == section and r.provider == "openai"
                 and r.subject == subject and r.value is not None]
        assert found, f"no figure for {section} / {subject}"
        return min(found)

    assert value("1 native", "ours") > 0
    assert value("2 component", "component blocking-get-next") > 0
    assert value("2 component", "component: guest time") > 0
    assert value("2 component", "component: host conversion") > 0
    assert value("3 first event", "component: first delta") > 0
    assert value("3 first event", "component: host conversion") > 0
    assert value("4 footprint", "instantiate") > 0
    assert value("4 footprint", "linear memory after one call") > 0
    assert value("5 durability", "oplog entries") >= 2  # the stream's open + a get-next
    assert value("5 durability", "oplog payload") > 0
    assert value("5 durability", "durable blocking-get-next") > 0
    assert value("5 durability", "portable blocking-get-next") > 0
    assert value("5 durability", "durable ÷ portable, per get-next") > 0


def test_the_table_and_the_json_hold_every_row(rows, tmp_path):
    text = table(rows)
    assert text.count("\n") >= len(rows)
    path = write_json(rows, {"smoke": True}, tmp_path / "bench.json")
    saved = json.loads(path.read_text())
    assert len(saved["rows"]) == len(rows)
    assert (tmp_path / "latest.json").exists()


def test_the_command_line_exits_0(tmp_path, capsys):
    assert main(["--smoke", "--only", "durability", "--provider", "openai",
                 "--json", str(tmp_path / "cli.json")]) == 0
    out = capsys.readouterr().out
    assert "5 durability" in out and (tmp_path / "cli.json").exists()
