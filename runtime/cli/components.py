"""Where the CLI and the demo find the built components, and which host runs each flavour."""

from __future__ import annotations

from pathlib import Path

from runtime.golem.worker import GolemHost
from runtime.host import ComponentHost

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"


def component_path(provider: str, portable: bool) -> Path:
    return DIST / f"llm-{provider}{'-portable' if portable else ''}.wasm"


def component_host(wasm: Path, portable: bool) -> ComponentHost:
    """The durable flavour imports Golem's host APIs, so it runs as an emulated Golem
    worker; the portable one runs on plain WASI."""
    return ComponentHost(wasm) if portable else GolemHost(wasm)
