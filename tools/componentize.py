"""The rules every component build follows, for the golem:llm components (`tools.build`) and
the Hayride format components (`formats.build`) alike.

A component is rebuilt only when its inputs hash changes (`hash_inputs`, stamped beside the
output as `dist/.<name>.inputs`); only the files a build names are staged, into
`build/stage/<name>/`, so nothing else from the checkout or the virtualenv ends up inside the
component; one build of a target runs at a time (test processes share `dist/`); and
componentize-py is the pinned version, whose 0.2.0 WASI imports Golem 1.2 needs.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
STAGE = ROOT / "build" / "stage"
COMPONENTIZE_PY_VERSION = "0.23.0"


def python_sources(*dirs: Path) -> list[Path]:
    """Every `.py` file below `dirs`, in a stable order, without byte-code caches."""
    files = [p for d in dirs for p in sorted(d.rglob("*.py"))]
    return [p for p in files if "__pycache__" not in p.parts]


def hash_inputs(header: Sequence[str], files: Iterable[Path]) -> str:
    """The inputs hash stamped beside a component: the header strings (tool version, target,
    anything generated), then each file's path below the checkout and its bytes, so a renamed
    file changes it as well as an edited one."""
    digest = hashlib.sha256()
    for part in header:
        digest.update(part.encode())
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stage_files(name: str, files: Iterable[Path]) -> Path:
    """A fresh `build/stage/<name>/` holding `files` at their paths below the checkout: only
    what is staged ends up in the component, nothing else from the checkout or the venv."""
    stage = STAGE / name
    if stage.exists():
        shutil.rmtree(stage)
    for src in files:
        dest = stage / src.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    return stage


def _componentize_py() -> str:
    exe = Path(sys.executable).with_name("componentize-py")
    return str(exe) if exe.exists() else "componentize-py"


@contextmanager
def _build_lock(output: Path) -> Iterator[None]:
    """One build of a target at a time: test processes running side by side share dist/."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output.parent / f".{output.stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_if_changed(output: Path, inputs: Callable[[], str], make: Callable[[Path], None],
                     force: bool = False) -> bool:
    """Make `output` with `make(tmp)` unless its inputs hash is unchanged; returns True if it
    was (re)made.  The rules every built artifact here follows: under the output's lock,
    `inputs()` is compared with the stamp `.<stem>.inputs` beside it; `make` writes a
    temporary file, which replaces the output atomically, and the stamp is written only once
    the output is in place."""
    with _build_lock(output):
        stamp = output.parent / f".{output.stem}.inputs"
        digest = inputs()
        if not force and output.exists() and stamp.exists() and stamp.read_text() == digest:
            return False
        tmp = output.with_suffix(".wasm.tmp")
        make(tmp)
        tmp.replace(output)
        stamp.write_text(digest)
        return True


def build_component(
    name: str,
    world: str,
    app: str,
    *,
    inputs: Callable[[], str],
    prepare: Callable[[], tuple[Path, Path]],
    import_names: Sequence[str],
    export_names: Sequence[str] = (),
    force: bool = False,
) -> bool:
    """Build `dist/<name>.wasm` (world `world`, entry module `app`) with componentize-py if
    its inputs changed; returns True if it was (re)built.

    Under the target's lock: `inputs()` is compared with the stamp `dist/.<name>.inputs`, and
    only on a change does `prepare()` give the (WIT directory, stage directory) to build
    from.  Interface module names are fixed by `import_names` / `export_names` so guest code
    does not depend on componentize-py's clash-avoidance naming.  The output is replaced
    atomically, and stamped only once it is in place.
    """
    output = DIST / f"{name}.wasm"

    def make(tmp: Path) -> None:
        wit_dir, stage = prepare()
        cmd = [_componentize_py(), "-d", str(wit_dir), "-w", world]
        for interface in import_names:
            cmd += ["--import-interface-name", interface]
        for interface in export_names:
            cmd += ["--export-interface-name", interface]
        cmd += ["componentize", app, "-p", str(stage), "-o", str(tmp)]
        # Without VIRTUAL_ENV componentize-py would not add the venv's site-packages; the
        # component needs nothing from it (guest code is pure stdlib).
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        started = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=stage, env=env, stdout=subprocess.DEVNULL)
        print(f"built {output.relative_to(ROOT)} ({tmp.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)

    return build_if_changed(output, inputs, make, force)
