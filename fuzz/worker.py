"""The campaign's worker process: one built component, its own emulator, one lane of calls.

A worker runs in a process of its own so that the campaign's watchdog can end a call that
hangs (a blocked wasm call cannot be interrupted from another thread) by ending the
process.  It instantiates the component once and reuses the instance while it is healthy:
after a trap it instantiates a fresh one.  A durable worker's oplog is a file (in
/dev/shm when there is one, since each invocation commits), replaced every
`RECYCLE_AFTER` calls; its new rows are searched for the key after every call, and the
whole file's bytes before it is deleted.

Protocol (a `multiprocessing` connection): the parent sends one `Lane`; the worker answers
`("start", n, mode, label)` before call `n` and `("done", n, mode, verdict)` after it, then
`("end",)`.  Verdicts are plain dicts (see `Verdict`).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from fuzz.answers import Call, calls
from fuzz.fault_modes import INVALID, KEY, UNSUPPORTED, FaultCase, answer_of, fault_cases
from fuzz.oracle import (
    Expect,
    Observed,
    Verdict,
    error,
    judge,
    leaks,
    observe_event,
    observe_stream,
    strings_in,
)
from normalizer import values as v
from providers import PROVIDERS
from providers.settings import BETWEEN_EVENTS_TIMEOUT, FIRST_EVENT_TIMEOUT, RETRY_DELAY
from providers.timeouts import BETWEEN_BYTES_ENV, CONNECT_ENV, FIRST_BYTE_ENV
from runtime.emulator.dialects import dialect_for
from runtime.emulator.faults import refused_origin
from runtime.emulator.response import Response
from runtime.emulator.scenario import Scenario
from runtime.emulator.server import EmulatorServer, RecordedRequest

RECYCLE_AFTER = 250
ANSWERED = "the scripted answer"
REFUSED_BEFORE_SENDING = "refused before sending"
REFUSED_BY_SERVER = "refused by the server (400)"
#: A stream read with `get-next` that sees this many empty polls in a row gives up.
MAX_BATCHES = 100_000


@dataclass(frozen=True)
class Lane:
    """What one worker runs: `count` random calls from `seed`, or the fault cases
    `indices` (of `fault_cases(provider, scale, seed)`); `first` numbers the first call."""

    provider: str
    flavour: str
    kind: str  # "random" or "faults"
    seed: int = 0
    count: int = 0
    indices: tuple[int, ...] = ()
    scale: str = "full"
    first: int = 0
    timeout_ms: int = 5000
    wasm: Optional[str] = None
    #: Where the worker keeps its oplogs and stderr (the campaign removes it at the end).
    scratch: Optional[str] = None


@dataclass
class Instance:
    """A live instance of the component (and, when durable, its oplog file)."""

    llm: Any
    oplog: Optional[Path] = None
    calls: int = 0
    rows_seen: int = 0


class Runner:
    def __init__(self, lane: Lane, emulator: EmulatorServer) -> None:
        self.lane = lane
        self.emulator = emulator
        self.provider = PROVIDERS[lane.provider]
        self.dialect = dialect_for(self.provider)
        self.durable = lane.flavour == "durable"
        self.host = _host(lane)
        self.instance: Optional[Instance] = None
        self.oplog_dir = Path(tempfile.mkdtemp(prefix="worker-", dir=lane.scratch or scratch_root()))
        self.stderr: Optional[Path] = None
        self._stderr_seen = 0

    def env(self, origin: str) -> dict[str, str]:
        """The deadlines at the lane's timeout, and retries without their pause (the
        campaign judges outcomes; the pauses are the retry tests' business)."""
        ms = str(self.lane.timeout_ms)
        return {**self.provider.emulator_env(origin, KEY),
                CONNECT_ENV: ms, FIRST_BYTE_ENV: ms, BETWEEN_BYTES_ENV: ms,
                FIRST_EVENT_TIMEOUT.env: ms, BETWEEN_EVENTS_TIMEOUT.env: ms,
                RETRY_DELAY.env: "1"}

    # -- instances ------------------------------------------------------------------------

    def instantiate(self, origin: str) -> Instance:
        if not self.durable:
            return Instance(self.host.instantiate(self.env(origin)))
        path = self.oplog_dir / f"w{time.monotonic_ns()}.oplog"
        return Instance(self.host.worker(path, env=self.env(origin)), path)

    def live(self) -> Instance:
        if self.instance is not None and self.instance.calls >= RECYCLE_AFTER:
            self.retire(self.instance, Verdict())
            self.instance = None
        if self.instance is None:
            self.instance = self.instantiate(self.emulator.origin)
        return self.instance

    def retire(self, instance: Instance, verdict: Verdict) -> None:
        """End an instance; a durable one's whole oplog file is searched for the key."""
        if instance.oplog is None:
            return
        try:
            instance.llm.close()
        except BaseException:
            pass
        try:
            data = instance.oplog.read_bytes()
            if leaks(KEY, data.decode("utf-8", "replace")):
                verdict.flag("leak", f"the key is in the oplog file {instance.oplog.name}")
        finally:
            instance.oplog.unlink(missing_ok=True)

    def close(self) -> None:
        if self.instance is not None:
            self.retire(self.instance, Verdict())
            self.instance = None
        if self.stderr is not None:
            self.stderr.unlink(missing_ok=True)
        try:
            self.oplog_dir.rmdir()
        except OSError:
            pass

    # -- one call -----------------------------------------------------------------------------

    def run(self, op: str, call: Call, scenario: Optional[Scenario], origin: str = "emulator"
            ) -> tuple[Verdict, Optional[Observed], list[RecordedRequest]]:
        """Make one call; the verdict so far has traps and leaks, the caller judges the rest."""
        verdict = Verdict()
        self.emulator.fallback = scenario
        before = self.emulator.request_count
        if origin == "refused":
            with refused_origin() as refused:
                instance = self.instantiate(refused)
                observed = self._call(instance, op, call, verdict)
                self.retire(instance, verdict)
        else:
            instance = self.live()
            observed = self._call(instance, op, call, verdict)
            if observed is None:
                self.retire(instance, verdict)
                self.instance = None
        return verdict, observed, list(self.emulator.requests[before:])

    def _call(self, instance: Instance, op: str, call: Call, verdict: Verdict) -> Optional[Observed]:
        instance.calls += 1
        llm = instance.llm
        returned: list[Any] = []
        try:
            if op == "stream":
                observed = self._stream(llm, call, returned)
            elif op == "continue":
                event = llm.continue_(list(call.messages), list(call.tool_pairs), call.config)
                returned.append(event)
                observed = observe_event(event)
            else:
                event = llm.send(list(call.messages), call.config)
                returned.append(event)
                observed = observe_event(event)
        except BaseException as exc:  # the wasm call raised: a trap (the instance is dead)
            verdict.flag("trap", f"{type(exc).__name__}: {_summary(str(exc))}"
                                 + self._stderr_news())
            return None
        for text in strings_in(returned):
            if leaks(KEY, text):
                verdict.flag("leak", f"the key is in a returned string: {text[:120]!r}")
                break
        if instance.oplog is not None:
            self._oplog_rows(instance, verdict)
        return observed

    def _stderr_news(self) -> str:
        """What the guest wrote to stderr since the last look (a panic says why it trapped)."""
        if self.stderr is None:
            return ""
        try:
            with open(self.stderr, "rb") as f:
                f.seek(self._stderr_seen)
                news = f.read()
        except OSError:
            return ""
        self._stderr_seen += len(news)
        lines = [ln for ln in news.decode("utf-8", "replace").splitlines()
                 if ln.strip() and "RUST_BACKTRACE" not in ln]
        return " | stderr: " + " ".join(lines[-2:])[:400] if lines else ""

    def _stream(self, llm: Any, call: Call, returned: list[Any]) -> Observed:
        stream = llm.stream(list(call.messages), call.config)
        events: list[v.StreamEvent] = []
        ended = False
        empty_polls = 0
        while empty_polls < MAX_BATCHES:  # a trap raises out of here, the stream left as is
            batch = stream.get_next() if call.poll else stream.blocking_get_next()
            if batch is None:
                empty_polls += 1
                time.sleep(0.0005)
                continue
            if not batch:
                ended = True
                break
            events.extend(batch)
        stream.drop()
        returned.append(events)
        # The text as the caller puts it together: a key streamed in pieces leaks only here.
        returned.append("".join(part.text for e in events if isinstance(e, v.StreamDelta)
                                for part in e.content or () if isinstance(part, v.Text)))
        return observe_stream(events, ended)

    def _oplog_rows(self, instance: Instance, verdict: Verdict) -> None:
        """Search the rows committed since the last call (request, response, detail) for the
        key, as stored in the file."""
        db = sqlite3.connect(f"file:{instance.oplog}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT idx, request, response, detail FROM entries WHERE idx > ? "
                              "ORDER BY idx", (instance.rows_seen,)).fetchall()
        finally:
            db.close()
        for idx, *texts in rows:
            instance.rows_seen = max(instance.rows_seen, idx)
            if any(t and leaks(KEY, t) for t in texts):
                verdict.flag("leak", f"the key is in oplog entry {idx}")
                return

    # -- expectations --------------------------------------------------------------------------

    def random_expect(self, call: Call, requests: list[RecordedRequest]) -> tuple[str, Expect]:
        """What a random call must return, and why: refused before sending, the emulator's
        own 400 for a request it cannot take, else the scripted answer."""
        if not requests:
            return REFUSED_BEFORE_SENDING, error(INVALID, UNSUPPORTED)
        if any(self._emulator_refuses(r) for r in requests):
            return REFUSED_BY_SERVER, error(INVALID)
        return ANSWERED, answer_of(call.answer)

    def _emulator_refuses(self, request: RecordedRequest) -> bool:
        if request.json is None:
            return True
        return isinstance(self.dialect.parse_request(request.json), Response)


def scratch_root() -> Optional[str]:
    """/dev/shm when there is one: a durable worker commits at every invocation, and on a
    disk each commit waits for the disk."""
    return "/dev/shm" if os.path.isdir("/dev/shm") else None


def _host(lane: Lane) -> Any:
    from tools.build import Target

    wasm = Path(lane.wasm) if lane.wasm else Target(lane.provider, lane.flavour).output
    if lane.flavour == "durable":
        from runtime.golem import GolemHost
        return GolemHost(wasm)
    from runtime.host import ComponentHost
    return ComponentHost(wasm)


def _plain(call_scenario: Scenario) -> Call:
    """The inputs of a fault case: one user message, the default model."""
    return Call("send", (v.Message(v.Role.USER, (v.Text("Tell me about the weather."),)),),
                v.Config(model="fault-mode"), (), call_scenario)


# -- the process ---------------------------------------------------------------------------------


def main(conn: Any) -> None:
    """Entry point of a worker process: run the lane it is sent, report every call.  The
    process's stderr goes to a file, whose news after a trap (the guest runtime's panic
    message) is added to the trap's details instead of cluttering the campaign's output."""
    lane: Lane = conn.recv()
    try:
        with EmulatorServer(api_key=KEY, scenarios={}) as emulator:
            runner = Runner(lane, emulator)
            runner.stderr = _capture_stderr(runner.oplog_dir / "stderr.log")
            try:
                if lane.kind == "random":
                    _random_calls(conn, runner, lane)
                else:
                    _fault_calls(conn, runner, lane)
            finally:
                runner.close()
    except BaseException:
        conn.send(("problem", traceback.format_exc(limit=5)[-1500:]))
        raise
    conn.send(("end",))


def _capture_stderr(path: Path) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    return path


def _report(conn: Any, n: int, mode: str, verdict: Verdict, label: str) -> None:
    data = asdict(verdict)
    data["label"] = label
    conn.send(("done", n, mode, data))


def _random_calls(conn: Any, runner: Runner, lane: Lane) -> None:
    from hypothesis import HealthCheck, Phase, given, seed, settings

    counter = [lane.first]

    @settings(max_examples=lane.count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @seed(lane.seed)
    @given(calls)
    def one(call: Call) -> None:
        n = counter[0]
        if n >= lane.first + lane.count:
            return
        counter[0] += 1
        label = f"{call.op}{' (get-next)' if call.op == 'stream' and call.poll else ''}"
        conn.send(("start", n, "random inputs", f"{label} | {_inputs(call)}"))  # for a hang
        started = time.monotonic()
        requests: list[RecordedRequest] = []
        try:
            verdict, observed, requests = runner.run(call.op, call, call.answer)
            if observed is not None:
                verdict.expected, expect = runner.random_expect(call, requests)
                judge(observed, expect, verdict, streamed=call.op == "stream")
        except Exception:  # the campaign's own failure must not pass for the component's
            verdict = Verdict()
            verdict.flag("trap", "campaign error: " + traceback.format_exc(limit=3)[-400:])
        if not verdict.ok:
            label += (f" | {_inputs(call)} | {len(requests)} request(s), "
                      f"{time.monotonic() - started:.1f} s")
        _report(conn, n, "random inputs", verdict, label)

    one()


def _fault_calls(conn: Any, runner: Runner, lane: Lane) -> None:
    cases = fault_cases(lane.provider, lane.scale, lane.seed)
    for offset, index in enumerate(lane.indices):
        case: FaultCase = cases[index]
        n = lane.first + offset
        label = f"{case.variant} [{case.op}]"
        conn.send(("start", n, case.mode, label))
        try:
            fault = case.scenario.fault if case.scenario is not None else None
            verdict, observed, _ = runner.run(case.op, _plain(case.scenario or Scenario()),
                                              case.scenario, case.origin)
            if observed is not None:
                expect = case.expect(list(fault.sent) if fault is not None else [])
                verdict.expected = ANSWERED if expect.outcome == "finish" else (
                    "an error" if expect.outcome == "error" else "an answer or an error")
                judge(observed, expect, verdict, streamed=case.op == "stream")
        except Exception:
            verdict = Verdict()
            verdict.flag("trap", "campaign error: " + traceback.format_exc(limit=3)[-400:])
        _report(conn, n, case.mode, verdict, label)


def _inputs(call: Call) -> str:
    """A short description of a random call's inputs, for the report."""
    return (f"{len(call.messages)} messages, model {call.config.model!r}, "
            f"{len(call.config.tools)} tools, {len(call.config.provider_options)} options, "
            f"answer {call.answer.text[:40]!r} + {len(call.answer.tool_calls)} tool calls"
            f"{' + reasoning' if call.answer.reasoning else ''}, "
            f"written {call.answer.write_size or 'an event'} byte(s) per chunk")


def _summary(message: str) -> str:
    """A trap's message without the wasm backtrace: its first line and its last one."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if len(lines) <= 2:
        return " | ".join(lines)[:300]
    return f"{lines[0][:150]} | ... | {lines[-1][:150]}"
