"""The e2e tier's harness: one real model server per session (tests/e2e/llama_server.py)
behind a recording proxy (tests/e2e/recording_proxy.py), and a time limit on every test.

Collected only when `GOLEM_LLM_E2E=1` (tests/conftest.py); `make e2e` sets it.
"""

from __future__ import annotations

import faulthandler
import os
import signal
from typing import Iterator

import pytest

from tests.e2e.llama_server import LlamaServer
from tests.e2e.recording_proxy import RecordingProxy

#: A test that runs longer fails (SIGALRM raises in it, so fixtures still clean up) ...
TEST_TIMEOUT_S = float(os.environ.get("GOLEM_LLM_E2E_TEST_TIMEOUT_S", "240"))
#: ... and one stuck where no Python runs is ended this much later by faulthandler, which
#: exits the process; the server then dies with it (PR_SET_PDEATHSIG).
HARD_GRACE_S = 60.0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"{item.nodeid} ran over {TEST_TIMEOUT_S:.0f} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, TEST_TIMEOUT_S)
    faulthandler.dump_traceback_later(TEST_TIMEOUT_S + HARD_GRACE_S, exit=True)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def llama_server() -> Iterator[LlamaServer]:
    """The model server, up for the whole session and stopped at its end whatever happened."""
    with LlamaServer() as server:
        yield server


@pytest.fixture(scope="session")
def proxy(llama_server: LlamaServer) -> Iterator[RecordingProxy]:
    with RecordingProxy(llama_server.origin) as recording:
        yield recording


@pytest.fixture
def traffic(proxy: RecordingProxy) -> Iterator[RecordingProxy]:
    """The proxy with no exchanges yet (earlier tests' answers have ended)."""
    proxy.wait_settled()
    proxy.clear()
    yield proxy
