"""Build the components: `dist/llm-<provider>.wasm` (durable) and `-portable.wasm`.

    python -m components.build [--provider openai ...] [--flavour durable|portable ...] [--force]

Each component is rebuilt only when its inputs changed: the engine's Python sources, the
WIT, and the componentize-py version are hashed into `dist/.<name>.inputs`.  The engine is
staged into `build/stage/<provider>/` (Python sources only) so nothing else from the
checkout, or from the virtualenv, ends up inside the component.  Those rules (inputs hash,
staging, the per-target lock, the componentize-py call) are `build_component` and its
helpers, which `formats.build` uses too.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from components.wit_deps import ensure_wit_deps
from providers.registry import PROVIDERS as REGISTRY

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
STAGE = ROOT / "build" / "stage"
ENGINE_PACKAGES = ("sse", "normalizer", "providers", "durability", "components")
COMPONENTIZE_PY_VERSION = "0.23.0"
# Build tooling that lives beside the guest code but must not be bundled into it.
HOST_ONLY = ("components/build.py", "components/wit_deps.py")

# Module names for imported interfaces, fixed so the guest code does not depend on
# componentize-py's clash-avoidance naming (Golem's `golem:rpc/types` is another `types`).
INTERFACE_NAMES = (
    "wasi:http/types@0.2.0=http_types",
    "wasi:http/outgoing-handler@0.2.0=outgoing_handler",
    "wasi:io/streams@0.2.0=streams",
    "wasi:io/poll@0.2.0=poll",
    "wasi:io/error@0.2.0=io_error",
    "golem:rpc/types@0.2.0=golem_rpc_types",
    "golem:durability/durability@1.2.0=durability_host",
    "golem:api/host@1.1.6=golem_host",
    "golem:api/oplog@1.1.6=golem_oplog",
    "wasi:clocks/wall-clock@0.2.0=wall_clock",
)

PROVIDERS = tuple(REGISTRY)  # providers/registry.py: every provider gets its components
FLAVOURS = ("durable", "portable")

APP_TEMPLATE = '''"""Entry module of {name}.wasm, written by components/build.py: do not edit."""

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


def _sources() -> list[Path]:
    files = [p for pkg in ENGINE_PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    files += sorted((ROOT / "wit").glob("*.wit")) + sorted((ROOT / "wit" / "golem").rglob("*.wit"))
    return [p for p in files if "__pycache__" not in p.parts]


def inputs_hash(target: Target) -> str:
    return hash_inputs((f"{COMPONENTIZE_PY_VERSION}|{target.provider}|{target.flavour}",
                        APP_TEMPLATE), _sources())


def _stage(target: Target) -> Path:
    guest = [src for pkg in ENGINE_PACKAGES for src in (ROOT / pkg).rglob("*.py")
             if "__pycache__" not in src.parts
             and src.relative_to(ROOT).as_posix() not in HOST_ONLY]
    stage = stage_files(target.name, guest)
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


def targets(providers: tuple[str, ...] = PROVIDERS,
            flavours: tuple[str, ...] = FLAVOURS) -> list[Target]:
    return [Target(p, f) for p in providers for f in flavours]


# --- the build rules, shared with formats/build.py ---------------------------------------


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
def _build_lock(name: str) -> Iterator[None]:
    """One build of a target at a time: test processes running side by side share dist/."""
    DIST.mkdir(exist_ok=True)
    with open(DIST / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


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
    with _build_lock(name):
        stamp = DIST / f".{name}.inputs"
        digest = inputs()
        if not force and output.exists() and stamp.exists() and stamp.read_text() == digest:
            return False
        wit_dir, stage = prepare()
        DIST.mkdir(exist_ok=True)
        tmp = output.with_suffix(".wasm.tmp")
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
        tmp.replace(output)
        stamp.write_text(digest)
        size = output.stat().st_size
        print(f"built {output.relative_to(ROOT)} ({size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", action="append", choices=PROVIDERS)
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
