"""The stock command-line tools the examples use, pinned in requirements-examples.txt and
installed by `make examples` into `.cache/examples-venv/`: `wasm-tools` (compose, component
wit) and the `wasmtime` CLI (`run --invoke`), which the tests run components in exactly as a
user would, apart from the compiled-code cache below.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from pathlib import Path
from typing import Mapping

from tools.componentize import ROOT

TOOLS_VENV = ROOT / ".cache" / "examples-venv"
WASM_TOOLS = TOOLS_VENV / "bin" / "wasm-tools"
WASMTIME = TOOLS_VENV / "bin" / "wasmtime"
CLI_CACHE = ROOT / ".cache" / "wasmtime-cli"
"""The wasmtime CLI's precompiled components (`wasmtime compile`), by wasm hash."""

CLI_COMPILER = ("-C", "compiler=winch")
"""How the tests have the CLI compile: Winch, wasmtime's baseline compiler, compiles an 18 MB
Python component in about a fifth of Cranelift's CPU time (2 s against 9 s here), which is
what matters for a test that runs each component once or twice.  Users need no flag:
`wasmtime run` compiles with Cranelift by default."""


def require_tool(path: Path) -> Path:
    """`path` if `make examples` installed it; else an error that names the fix."""
    if not path.exists():
        raise FileNotFoundError(f"{path.relative_to(ROOT)} is missing: run `make examples`, "
                                f"which installs requirements-examples.txt there")
    return path


def run_tool(*args: object) -> str:
    """Run a tool; its stdout (a failure raises, with its stderr)."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args[:2]))} failed ({done.returncode}): "
                           f"{done.stderr.strip()[-2000:]}")
    return done.stdout


def tool_version(path: Path) -> str:
    return run_tool(require_tool(path), "--version").strip()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compile_for_cli(wasm: Path) -> Path:
    """`wasm` compiled by the wasmtime CLI (`CLI_COMPILER`), cached by the wasm's hash and
    the CLI's version, so each component is compiled once, not at every `run`."""
    version = tool_version(WASMTIME)
    key = hashlib.sha256(f"{file_hash(wasm)}|{version}|{CLI_COMPILER}".encode()).hexdigest()
    cwasm = CLI_CACHE / f"{key[:32]}.cwasm"
    if not cwasm.exists():
        CLI_CACHE.mkdir(parents=True, exist_ok=True)
        tmp = cwasm.with_suffix(f".{time.time_ns()}.tmp")
        run_tool(WASMTIME, "compile", *CLI_COMPILER, wasm, "-o", tmp)
        tmp.replace(cwasm)  # atomic: test processes may share the cache
    return cwasm


def wasmtime_invoke(wasm: Path, call: str, env: Mapping[str, str],
                    timeout_s: float = 120.0) -> subprocess.CompletedProcess:
    """`wasmtime run -S http --env K=V ... --invoke CALL wasm` (precompiled, see
    `compile_for_cli`): the CLI prints the call's result in WAVE syntax on stdout."""
    args = [str(require_tool(WASMTIME)), "run", "--allow-precompiled", *CLI_COMPILER,
            "-S", "http"]
    for key, value in env.items():
        args += ["--env", f"{key}={value}"]
    args += ["--invoke", call, str(compile_for_cli(wasm))]
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout_s)


def wave_string(text: str) -> str:
    """`text` as a WAVE string literal (the value syntax of `--invoke`)."""
    escaped = "".join({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
                      .get(ch, ch) for ch in text)
    return f'"{escaped}"'
