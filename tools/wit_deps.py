"""Fetch the WASI 0.2.0 WIT this project builds against into the ignored `wit/deps/`.

The WIT is not written or committed here: it comes from a pinned registry package that
ships it (spin-sdk 5.0.0's wheel carries `spin_sdk/wit/deps/<pkg>@0.2.0/`).  Pinning both
the package and the WASI version is what keeps every import of the components at `@0.2.0`,
which Golem 1.2 needs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

WHEEL_PACKAGE = "spin-sdk==5.0.0"
WHEEL_FILE = "spin_sdk-5.0.0-py3-none-any.whl"
WASI_PACKAGES = ("io", "clocks", "random", "cli", "filesystem", "sockets", "http")
WASI_VERSION = "0.2.0"


# Golem 1.2's host packages, written by this team from the documented signatures
# (`wit/golem/<dir>`), copied beside the WASI packages under these names.
GOLEM_PACKAGES = {"api": "golem-api@1.1.6", "rpc": "golem-rpc@0.2.0",
                  "durability": "golem-durability@1.2.0"}

def ensure_wit_deps(wit_dir: Path) -> Path:
    """Make sure `wit_dir/deps` holds the pinned WASI packages and our Golem WIT; returns
    `wit_dir`."""
    deps = wit_dir / "deps"
    _copy_golem(wit_dir, deps)
    wanted = [f"{name}@{WASI_VERSION}" for name in WASI_PACKAGES]
    if all((deps / pkg).is_dir() for pkg in wanted):
        return wit_dir
    cache = wit_dir.parent / ".cache" / "wheels"
    wheel = cache / WHEEL_FILE
    if not wheel.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        WHEEL_PACKAGE, "-d", str(cache)], check=True)
    with zipfile.ZipFile(wheel) as archive:
        for pkg in wanted:
            prefix = f"spin_sdk/wit/deps/{pkg}/"
            members = [m for m in archive.namelist() if m.startswith(prefix) and m.endswith(".wit")]
            if not members:
                raise RuntimeError(f"{WHEEL_FILE} has no {prefix}: cannot provide WASI WIT")
            target = deps / pkg
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for member in members:
                (target / Path(member).name).write_bytes(archive.read(member))
    return wit_dir


def _copy_golem(wit_dir: Path, deps: Path) -> None:
    """Refresh the Golem packages in deps/ from wit/golem/ (cheap: a few small files)."""
    copy_packages(wit_dir / "golem", GOLEM_PACKAGES, deps)


def copy_packages(src_root: Path, packages: dict[str, str], deps: Path) -> None:
    """Refresh `deps/<dest_name>` from `src_root/<src_name>` for each package, rewriting
    only what changed."""
    for src_name, dest_name in packages.items():
        src = src_root / src_name
        if not src.is_dir():
            continue
        dest = deps / dest_name
        files = {f.name: f.read_bytes() for f in sorted(src.glob("*.wit"))}
        if dest.is_dir() and {f.name: f.read_bytes() for f in dest.glob("*.wit")} == files:
            continue
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for name, data in files.items():
            (dest / name).write_bytes(data)
