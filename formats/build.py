"""Build the Hayride model-format components: `dist/model-<format>.wasm`.

    python -m formats.build [--format llama31 ...] [--force]

Same rules as `components.build` (whose helpers this uses): a component is rebuilt only when
its inputs change (the format's Python sources, its WIT, the componentize-py version, hashed
into `dist/.<name>.inputs`), one build of a target runs at a time (a file lock, since test
processes share dist/), and only the format's own sources are staged into the component.
Host-only: never staged.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from components.build import (COMPONENTIZE_PY_VERSION, DIST, ROOT, STAGE, _build_lock,
                              _componentize_py)
from components.wit_deps import HAYRIDE_PACKAGES, stage_hayride_wit

FORMATS_DIR = ROOT / "formats"
WIT_DIR = ROOT / "wit"
HOST_ONLY = ("formats/build.py",)
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
    files = sorted(FORMATS_DIR.glob("*.py")) + sorted((FORMATS_DIR / target.format).rglob("*.py"))
    return [p for p in files if "__pycache__" not in p.parts
            and p.relative_to(ROOT).as_posix() not in HOST_ONLY]


def _wit_files(target: FormatTarget) -> list[Path]:
    """The format's world package and the Hayride packages it builds against."""
    hayride = WIT_DIR / "hayride"
    dirs = [hayride / target.format] + [hayride / name for name in HAYRIDE_PACKAGES]
    return [p for d in dirs for p in sorted(d.glob("*.wit"))]


def inputs_hash(target: FormatTarget) -> str:
    digest = hashlib.sha256()
    digest.update(f"{COMPONENTIZE_PY_VERSION}|{target.format}|{target.world}".encode())
    digest.update("|".join(INTERFACE_NAMES + EXPORT_NAMES).encode())
    for path in _sources(target) + _wit_files(target):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stage(target: FormatTarget) -> Path:
    stage = STAGE / target.name
    if stage.exists():
        shutil.rmtree(stage)
    for src in _sources(target):
        dest = stage / src.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    # componentize-py finds the exported `format` resource in a top-level `model` module.
    shutil.copyfile(FORMATS_DIR / target.format / "model.py", stage / "model.py")
    return stage


def build(target: FormatTarget, force: bool = False) -> bool:
    """Build one format component if its inputs changed; True if it was (re)built."""
    with _build_lock(target):  # type: ignore[arg-type]  # only `.name` is used
        return _build_locked(target, force)


def _build_locked(target: FormatTarget, force: bool) -> bool:
    stamp = DIST / f".{target.name}.inputs"
    digest = inputs_hash(target)
    if not force and target.output.exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    wit_dir = stage_hayride_wit(WIT_DIR, target.format, target.wit_dir)
    stage = _stage(target)
    DIST.mkdir(exist_ok=True)
    tmp = target.output.with_suffix(".wasm.tmp")
    cmd = [_componentize_py(), "-d", str(wit_dir), "-w", target.world]
    for name in INTERFACE_NAMES:
        cmd += ["--import-interface-name", name]
    for name in EXPORT_NAMES:
        cmd += ["--export-interface-name", name]
    cmd += ["componentize", "model", "-p", str(stage), "-o", str(tmp)]
    # As in components.build: without VIRTUAL_ENV nothing from the venv is bundled; the
    # format is pure stdlib.
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=stage, env=env, stdout=subprocess.DEVNULL)
    tmp.replace(target.output)
    stamp.write_text(digest)
    size = target.output.stat().st_size
    print(f"built {target.output.relative_to(ROOT)} ({size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return True


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
