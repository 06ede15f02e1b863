"""Build the golem:llm components: `dist/llm-<provider>.wasm` (durable) and `-portable.wasm`.

    python -m tools.build [--provider openai ...] [--flavour durable|portable ...] [--force]

Only the guest packages are staged (`GUEST_PACKAGES`: the engine and the guest in
`components/`), plus a generated entry module that picks the provider and the flavour; the
rules (inputs hash, staging, lock, componentize-py) are `tools.componentize`'s.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools.componentize import (COMPONENTIZE_PY_VERSION, DIST, ROOT, build_component,
                                hash_inputs, python_sources, stage_files)
from providers.registry import PROVIDERS
from tools.wit_deps import ensure_wit_deps

GUEST_PACKAGES = ("sse", "normalizer", "providers", "durability", "components")

# Module names for imported interfaces, fixed so the guest code does not depend on
# componentize-py's clash-avoidance naming (Golem's `golem:rpc/types` is another `types`).
INTERFACE_NAMES = (
    "wasi:http/types@0.2.0=http_types",
    "wasi:http/outgoing-handler@0.2.0=outgoing_handler",
    "wasi:io/streams@0.2.0=streams",
    "wasi:io/poll@0.2.0=poll",
    "wasi:clocks/monotonic-clock@0.2.0=monotonic_clock",
    "wasi:io/error@0.2.0=io_error",
    "golem:rpc/types@0.2.0=golem_rpc_types",
    "golem:durability/durability@1.2.0=durability_host",
    "golem:api/host@1.1.6=golem_host",
    "golem:api/oplog@1.1.6=golem_oplog",
    "wasi:clocks/wall-clock@0.2.0=wall_clock",
)

FLAVOURS = ("durable", "portable")

APP_TEMPLATE = '''"""Entry module of {name}.wasm, written by tools/build.py: do not edit."""

from wit_world import exports

from {guest_module} import {guest_class}
from providers.{provider} import PROVIDER


class Llm({guest_class}, exports.Llm):
    provider = PROVIDER
'''

# Which guest class each flavour's entry module mixes in: the same code, with the Golem
# durability strategy (durable) or the pass-through one (portable).
GUEST_OF_FLAVOUR = {
    "durable": ("components.durable_guest", "DurableLlmGuest"),
    "portable": ("components.guest", "LlmGuest"),
}


@dataclass(frozen=True)
class Target:
    provider: str
    flavour: str

    @property
    def name(self) -> str:
        suffix = "" if self.flavour == "durable" else "-portable"
        return f"llm-{self.provider}{suffix}"

    @property
    def world(self) -> str:
        return f"golem:llm/{self.flavour}@1.0.0"

    @property
    def output(self) -> Path:
        return DIST / f"{self.name}.wasm"


def _guest_sources() -> list[Path]:
    return python_sources(*(ROOT / pkg for pkg in GUEST_PACKAGES))


def _wit_sources() -> list[Path]:
    return sorted((ROOT / "wit").glob("*.wit")) + sorted((ROOT / "wit" / "golem").rglob("*.wit"))


def inputs_hash(target: Target) -> str:
    return hash_inputs((f"{COMPONENTIZE_PY_VERSION}|{target.provider}|{target.flavour}",
                        APP_TEMPLATE), _guest_sources() + _wit_sources())


def _stage(target: Target) -> Path:
    stage = stage_files(target.name, _guest_sources())
    guest_module, guest_class = GUEST_OF_FLAVOUR[target.flavour]
    (stage / "app.py").write_text(APP_TEMPLATE.format(
        name=target.name, provider=target.provider, guest_module=guest_module,
        guest_class=guest_class))
    return stage


def build(target: Target, force: bool = False) -> bool:
    """Build one component if its inputs changed; returns True if it was (re)built."""
    return build_component(
        target.name, target.world, "app",
        inputs=lambda: inputs_hash(target),
        prepare=lambda: (ensure_wit_deps(ROOT / "wit"), _stage(target)),
        import_names=INTERFACE_NAMES, force=force,
    )


def targets(providers: tuple[str, ...] = tuple(PROVIDERS),
            flavours: tuple[str, ...] = FLAVOURS) -> list[Target]:
    return [Target(p, f) for p in providers for f in flavours]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", action="append", choices=sorted(PROVIDERS))
    parser.add_argument("--flavour", action="append", choices=FLAVOURS)
    parser.add_argument("--force", action="store_true", help="rebuild even if unchanged")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="components built at once (default: one per core)")
    args = parser.parse_args(argv)
    ensure_wit_deps(ROOT / "wit")  # once, before builds run side by side
    chosen = targets(tuple(args.provider or PROVIDERS), tuple(args.flavour or FLAVOURS))
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rebuilt = list(pool.map(lambda t: build(t, args.force), chosen))
    for target, done in zip(chosen, rebuilt):
        if not done:
            print(f"{target.output.relative_to(ROOT)} is up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
