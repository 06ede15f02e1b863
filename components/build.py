"""Build the components: `dist/llm-<provider>.wasm` (durable) and `-portable.wasm`.

    python -m components.build [--provider openai ...] [--flavour durable|portable ...] [--force]

Each component is rebuilt only when its inputs changed: the engine's Python sources, the
WIT, and the componentize-py version are hashed into `dist/.<name>.inputs`.  The engine is
staged into `build/stage/<provider>/` (Python sources only) so nothing else from the
checkout, or from the virtualenv, ends up inside the component.
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
from typing import Iterator

from components.wit_deps import ensure_wit_deps

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

PROVIDERS = ("openai", "anthropic", "grok", "openrouter")
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
    digest = hashlib.sha256()
    digest.update(f"{COMPONENTIZE_PY_VERSION}|{target.provider}|{target.flavour}".encode())
    digest.update(APP_TEMPLATE.encode())
    for path in _sources():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stage(target: Target) -> Path:
    stage = STAGE / target.name
    if stage.exists():
        shutil.rmtree(stage)
    for pkg in ENGINE_PACKAGES:
        for src in (ROOT / pkg).rglob("*.py"):
            if "__pycache__" in src.parts or src.relative_to(ROOT).as_posix() in HOST_ONLY:
                continue
            dest = stage / src.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
    guest_module, guest_class = GUEST_OF_FLAVOUR[target.flavour]
    (stage / "app.py").write_text(APP_TEMPLATE.format(
        name=target.name, provider=target.provider, guest_module=guest_module,
        guest_class=guest_class))
    return stage


def _componentize_py() -> str:
    exe = Path(sys.executable).with_name("componentize-py")
    return str(exe) if exe.exists() else "componentize-py"


@contextmanager
def _build_lock(target: Target) -> Iterator[None]:
    """One build of a target at a time: test processes running side by side share dist/."""
    DIST.mkdir(exist_ok=True)
    with open(DIST / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(target: Target, force: bool = False) -> bool:
    """Build one component if its inputs changed; returns True if it was (re)built."""
    with _build_lock(target):
        return _build_locked(target, force)


def _build_locked(target: Target, force: bool) -> bool:
    stamp = DIST / f".{target.name}.inputs"
    digest = inputs_hash(target)
    if not force and target.output.exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    wit_dir = ensure_wit_deps(ROOT / "wit")
    stage = _stage(target)
    DIST.mkdir(exist_ok=True)
    tmp = target.output.with_suffix(".wasm.tmp")
    cmd = [_componentize_py(), "-d", str(wit_dir), "-w", target.world]
    for name in INTERFACE_NAMES:
        cmd += ["--import-interface-name", name]
    cmd += ["componentize", "app", "-p", str(stage), "-o", str(tmp)]
    # Without VIRTUAL_ENV componentize-py would not add the venv's site-packages; the
    # component needs nothing from it (the engine is pure stdlib).
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=stage, env=env, stdout=subprocess.DEVNULL)
    tmp.replace(target.output)
    stamp.write_text(digest)
    size = target.output.stat().st_size
    print(f"built {target.output.relative_to(ROOT)} ({size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return True


def targets(providers: tuple[str, ...] = PROVIDERS,
            flavours: tuple[str, ...] = FLAVOURS) -> list[Target]:
    return [Target(p, f) for p in providers for f in flavours]


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
