"""The e2e tier's harness: one real model server per session (tests/e2e/llama_server.py)
behind a recording proxy (tests/e2e/recording_proxy.py), and a time limit on every test.

Collected only when `GOLEM_LLM_E2E=1` (tests/conftest.py); `make e2e` sets it.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from typing import Iterator

import pytest

from tests.e2e.llama_server import LlamaServer
from tests.e2e.recording_proxy import RecordingProxy

#: A test still running after this long ends the whole run: a watchdog thread prints where
#: every thread is, stops the server and exits.  It is the last resort, for a hang nobody
#: foresaw: the waits inside a test are bounded already (the component's HTTP timeouts, the
#: stream readers' deadlines, the proxy's upstream timeout).  Nothing softer is safe here: an
#: exception raised into the main thread (SIGALRM) while wasmtime runs the component crashes
#: the interpreter.  The watchdog runs while the main thread is in wasm, because ctypes
#: releases the GIL around foreign calls.
TEST_TIMEOUT_S = float(os.environ.get("GOLEM_LLM_E2E_TEST_TIMEOUT_S", "300"))

_servers: list[LlamaServer] = []  # for the watchdog; the fixture below owns them


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    watchdog = threading.Timer(TEST_TIMEOUT_S, _end_the_run, args=(item,))
    watchdog.daemon = True
    watchdog.start()
    try:
        yield
    finally:
        watchdog.cancel()


def _end_the_run(item: pytest.Item) -> None:
    capture = item.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:  # a test's output is captured; this must reach the terminal
        capture.suspend_global_capture(in_=True)
    writer = item.config.get_terminal_writer()
    writer.line(f"\n{item.nodeid} ran over {TEST_TIMEOUT_S:.0f} s; ending the run", red=True)
    for thread_id, frame in sys._current_frames().items():
        writer.line(f"-- thread {thread_id}:\n" + "".join(traceback.format_stack(frame)))
    writer.flush()
    for server in _servers:
        server.stop()
    os._exit(3)


@pytest.fixture(scope="session")
def llama_server() -> Iterator[LlamaServer]:
    """The model server, up for the whole session and stopped at its end whatever happened
    (and, should the process die first, by the kernel: see llama_server.py)."""
    with LlamaServer() as server:
        _servers.append(server)
        try:
            yield server
        finally:
            _servers.remove(server)


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
