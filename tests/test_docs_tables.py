"""README's reference tables (variables, error codes by status, finish reasons) are the ones
`tools/docs_tables.py` renders from the code, so a change to a mapping or a setting that is
not carried into README fails here."""

from __future__ import annotations

import pytest

from providers.registry import PROVIDERS
from providers.settings import SETTINGS
from tools import docs_tables
from tools.docs_tables import README, TABLES, readme_tables


@pytest.mark.parametrize("name", sorted(TABLES))
def test_readme_holds_the_table_the_code_renders(name):
    tables = readme_tables(README.read_text())
    assert name in tables, f"README has no {name} table between its markers"
    assert tables[name] == TABLES[name](), (
        f"README's {name} table is out of date: run python -m tools.docs_tables --write")


def test_every_variable_a_component_reads_is_in_the_table():
    table = docs_tables.env_table()
    for provider in PROVIDERS.values():
        for variable in provider.env_vars:
            assert f"`{variable}`" in table
    assert all(setting.doc for setting in SETTINGS), "a setting without a line of docs"


def test_the_error_table_shows_a_providers_own_rule():
    rows = {line.split(" | ")[0].strip("| "): line
            for line in docs_tables.errors_table().splitlines()}
    assert "`unsupported`" in rows["410"]  # xAI's retired feature
    assert "`rate-limit-exceeded`" in rows["402"]  # OpenRouter's credits
    assert rows["429"].endswith("| yes |") and rows["400"].endswith("| no |")
