"""README's reference tables, rendered from the code that holds each fact, so they stay true.

    python -m tools.docs_tables          # print them
    python -m tools.docs_tables --write  # put them into README.md, between their markers

Three tables: the environment variables (each provider's, then every `GOLEM_LLM_*` setting:
`providers/settings.py`), the golem:llm error code of each HTTP status per provider (the
providers' own mapping, with the body-dependent rules as notes) and the finish reasons per
provider (each dialect's `BY_RAW`).  `tests/test_docs_tables.py` fails when README's copy
differs from what this renders.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

from normalizer.values import FinishReason
from providers.registry import PROVIDERS
from providers.retry import retryable_status
from providers.settings import SETTINGS

README = Path(__file__).resolve().parents[1] / "README.md"

#: The statuses the error table shows: every one a provider documents or a proxy sends.
STATUSES = (400, 401, 402, 403, 404, 408, 409, 410, 413, 422, 429, 500, 502, 503, 504, 529)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def env_table() -> str:
    lines = [_row(["variable", "default", "what it does"]), _row(["---"] * 3)]
    for provider in PROVIDERS.values():
        lines.append(_row([f"`{provider.api_key_env}`", "(required)",
                           f"{provider.label} API key ({provider.name} components only)"]))
        lines.append(_row([f"`{provider.base_url_env}`", f"`{provider.default_base_url}`",
                           f"{provider.label} API root (a proxy, a gateway, the emulator)"]))
        for header, variable in provider.headers_from_env:
            lines.append(_row([f"`{variable}`", "(unset)",
                               f"sent as the `{header}` header when set"]))
    for setting in SETTINGS:
        default = f"`{setting.default}`"
        if setting.choices:
            default += " (" + ", ".join(f"`{c}`" for c in setting.choices) + ")"
        lines.append(_row([f"`{setting.env}`", default, setting.doc]))
    return "\n".join(lines)


def errors_table() -> str:
    names = list(PROVIDERS)
    lines = [_row(["HTTP status", *[PROVIDERS[n].label for n in names], "retried"]),
             _row(["---"] * (len(names) + 2))]
    notes: list[str] = []
    for status in STATUSES:
        cells = []
        for name in names:
            provider = PROVIDERS[name]
            code = provider.code_for_status(status).value
            quirks = getattr(provider, "quirks", None)
            for rule in getattr(quirks, "status_rules", ()):
                if rule.status == status and rule.when:
                    code += "*"
                    notes.append(f"- `*` {provider.label} {status}: `{rule.code.value}` "
                                 f"({rule.phrase}) when the error names "
                                 + " or ".join(f'"{w}"' for w in rule.when) + ".")
            cells.append(f"`{code}`")
        lines.append(_row([str(status), *cells, "yes" if retryable_status(status) else "no"]))
    for name in names:
        phrases = getattr(getattr(PROVIDERS[name], "quirks", None), "auth_error_phrases", ())
        if phrases:
            notes.append(f"- {PROVIDERS[name].label}: any 4xx whose message says "
                         + ", ".join(f'"{p}"' for p in phrases)
                         + " is `authentication-failed` (a wrong key is answered with 400).")
    notes.append("- A response's `x-should-retry: true|false` overrides the last column. "
                 "Errors without a response (refused, reset, timed out) are "
                 "`internal-error` and retried.")
    return "\n".join(lines) + "\n\n" + "\n".join(notes)


def finish_table() -> str:
    names = list(PROVIDERS)
    lines = [_row(["golem:llm finish-reason", *[PROVIDERS[n].label for n in names]]),
             _row(["---"] * (len(names) + 1))]
    maps = {}
    error_events = []
    for name in names:
        provider = PROVIDERS[name]
        table = importlib.import_module(f"normalizer.{provider.dialect}.finish_reason").BY_RAW
        quirks = getattr(provider, "quirks", None)
        if getattr(quirks, "error_finish_is_error", False):
            table = {raw: reason for raw, reason in table.items() if raw != "error"}
            error_events.append(provider.label)
        maps[name] = table
    for reason in FinishReason:
        cells = []
        for name in names:
            raws = [f"`{raw}`" for raw, mapped in maps[name].items() if mapped is reason]
            cells.append(", ".join(raws) if raws else
                         ("anything else" if reason is FinishReason.OTHER else "—"))
        lines.append(_row([f"`{reason.value}`", *cells]))
    notes = ["The raw value is kept in the finish's `provider-metadata-json`."]
    if error_events:
        notes.append(", ".join(error_events) + ": `finish_reason: \"error\"` ends the stream "
                     "with an `internal-error` event instead of a finish (the answer is "
                     "incomplete).")
    return "\n".join(lines) + "\n\n" + " ".join(notes)


TABLES = {"env-vars": env_table, "error-codes": errors_table, "finish-reasons": finish_table}


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- table:{name} (python -m tools.docs_tables --write) -->", f"<!-- /table:{name} -->"


def readme_tables(text: str) -> dict[str, str]:
    """The tables README holds now, by name."""
    found = {}
    for name in TABLES:
        start, end = _markers(name)
        match = re.search(re.escape(start) + r"\n(.*?)\n" + re.escape(end), text, re.S)
        if match:
            found[name] = match.group(1)
    return found


def write(text: str) -> str:
    for name, render in TABLES.items():
        start, end = _markers(name)
        pattern = re.escape(start) + r"\n(?:.*?\n)?" + re.escape(end)
        text = re.sub(pattern, lambda _m: f"{start}\n{render()}\n{end}", text, flags=re.S)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update README.md in place")
    args = parser.parse_args(argv)
    if args.write:
        README.write_text(write(README.read_text()))
        return 0
    for name, render in TABLES.items():
        sys.stdout.write(f"## {name}\n\n{render()}\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
