"""Build the Hayride model-format components: `dist/model-<format>.wasm`.

    python -m formats.build [--format llama31 ...] [--force]

The rules are `tools.componentize`'s, as for the golem:llm components: a component is rebuilt
only when its inputs change (the format's Python sources, its WIT, the componentize-py
version), one build of a target runs at a time, and only the format's guest sources are
staged into it.  This module is build tooling: never staged.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.componentize import (COMPONENTIZE_PY_VERSION, DIST, ROOT, build_component,
                                hash_inputs, python_sources, stage_files)
from tools.wit_deps import copy_packages

FORMATS_DIR = ROOT / "formats"
WIT_DIR = ROOT / "wit"
# Host-side code beside the guest code in formats/ (this build and the wasmtime host):
# never staged into a component.
HOST_ONLY = ("formats/build.py", "formats/host.py", "formats/host_values.py")
# Hayride's packages, written from the documented 0.0.65 signatures (`wit/hayride/<dir>`),
# under these names.  They go into a format's own staged WIT directory, not into
# `wit/deps/`, so the golem:llm builds never parse them.
HAYRIDE_PACKAGES = {"ai": "hayride-ai@0.0.65", "mcp": "hayride-mcp@0.0.65"}
# The generated modules' names, fixed rather than left to componentize-py's clash-avoidance
# naming (both imported interfaces are called `types`); the guest imports these.
INTERFACE_NAMES = (
    "hayride:ai/types@0.0.65=hayride_ai_types",
    "hayride:mcp/types@0.0.65=hayride_mcp_types",
)
EXPORT_NAMES = ("hayride:ai/model@0.0.65=model",)


@dataclass(frozen=True)
class FormatTarget:
    """One format component: the package `formats/<format>/` and the world in
    `wit/hayride/<format>/`."""

    format: str
    world: str

    @property
    def name(self) -> str:
        return f"model-{self.format}"

    @property
    def output(self) -> Path:
        return DIST / f"{self.name}.wasm"

    @property
    def wit_dir(self) -> Path:
        return ROOT / "build" / "wit" / self.name


FORMATS = {"llama31": FormatTarget("llama31", "hayride:llama31-format/format@0.1.0")}


def _sources(target: FormatTarget) -> list[Path]:
    """The shared `formats/*.py` and the format's own package, guest code only."""
    files = sorted(FORMATS_DIR.glob("*.py")) + python_sources(FORMATS_DIR / target.format)
    return [p for p in files if p.relative_to(ROOT).as_posix() not in HOST_ONLY]


def _wit_files(target: FormatTarget) -> list[Path]:
    """The format's world package and the Hayride packages it builds against."""
    hayride = WIT_DIR / "hayride"
    dirs = [hayride / target.format] + [hayride / name for name in HAYRIDE_PACKAGES]
    return [p for d in dirs for p in sorted(d.glob("*.wit"))]


def stage_hayride_wit(world_dir: str, dest: Path) -> Path:
    """A self-contained WIT directory for a format component at `dest`: the world's package
    (`wit/hayride/<world_dir>/`) at its root and the Hayride packages in `deps/`.  No WASI WIT
    is needed: componentize-py 0.23.0 adds its own WASI 0.2.0 imports.  Returns `dest`."""
    root = WIT_DIR / "hayride" / world_dir
    if not root.is_dir():
        raise FileNotFoundError(f"no world package at {root}")
    dest.mkdir(parents=True, exist_ok=True)
    wanted = {f.name for f in root.glob("*.wit")}
    for stale in dest.glob("*.wit"):
        if stale.name not in wanted:
            stale.unlink()
    for src in sorted(root.glob("*.wit")):
        target = dest / src.name
        if not target.exists() or target.read_bytes() != src.read_bytes():
            target.write_bytes(src.read_bytes())
    copy_packages(WIT_DIR / "hayride", HAYRIDE_PACKAGES, dest / "deps")
    return dest


def inputs_hash(target: FormatTarget) -> str:
    return hash_inputs((f"{COMPONENTIZE_PY_VERSION}|{target.format}|{target.world}",
                        "|".join(INTERFACE_NAMES + EXPORT_NAMES)),
                       _sources(target) + _wit_files(target))


def _stage(target: FormatTarget) -> Path:
    stage = stage_files(target.name, _sources(target))
    # componentize-py finds the exported `format` resource in a top-level `model` module.
    shutil.copyfile(FORMATS_DIR / target.format / "model.py", stage / "model.py")
    return stage


def build(target: FormatTarget, force: bool = False) -> bool:
    """Build one format component if its inputs changed; True if it was (re)built."""
    return build_component(
        target.name, target.world, "model",
        inputs=lambda: inputs_hash(target),
        prepare=lambda: (stage_hayride_wit(target.format, target.wit_dir),
                         _stage(target)),
        import_names=INTERFACE_NAMES, export_names=EXPORT_NAMES, force=force,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", action="append", choices=sorted(FORMATS))
    parser.add_argument("--force", action="store_true", help="rebuild even if unchanged")
    args = parser.parse_args(argv)
    for name in args.format or sorted(FORMATS):
        target = FORMATS[name]
        if not build(target, args.force):
            print(f"{target.output.relative_to(ROOT)} is up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
