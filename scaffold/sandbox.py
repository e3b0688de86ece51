"""An execution environment, as Lambda runs one: a runtime process and its Runtime API.

`Environment.start()` starts the function's runtime client (lambda-new's own, or
AWS's official one) as a child process in a new process group, with the
environment Lambda sets and AWS_LAMBDA_RUNTIME_API naming this environment's
`RuntimeApi` (scaffold/runtime_api.py). Init is over when the client first asks
for work (`/next`); it fails when the client posts `/init/error` or exits, and
times out after 10 s. `invoke()` hands it one event, enforces the timeout,
reads the answer and frames the logs with START / END / REPORT as Lambda does;
the environment then stays warm for the next event (`serve`) until `stop()`.

Only one source of truth decides each outcome: the inbox of messages, where the
process's exit is one more message (from a thread waiting on it). An exit during
init is therefore always reported as the exit it is, never as a timer's timeout.
The function's stdout and stderr reach the log through a pipe that this module
reads, so its last line is always ended before the END line.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import random
import re
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scaffold.errors import LambdaNewError
from scaffold.runtime_api import (
    PAYLOAD_LIMIT,
    RESPONSE_LIMIT,
    Invocation,
    Message,
    RuntimeApi,
)

INIT_LIMIT_S = 10.0  # Lambda's limit on the init phase of an on-demand function
EXIT_GRACE_S = 2.0  # how long a runtime may take to exit after an init error
# Go's names of the signals (Lambda's service is written in Go and words exits with them).
SIGNAL_WORDS = {
    signal.SIGHUP: "hangup",
    signal.SIGINT: "interrupt",
    signal.SIGQUIT: "quit",
    signal.SIGILL: "illegal instruction",
    signal.SIGTRAP: "trace/breakpoint trap",
    signal.SIGABRT: "aborted",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGKILL: "killed",
    signal.SIGUSR1: "user defined signal 1",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGUSR2: "user defined signal 2",
    signal.SIGPIPE: "broken pipe",
    signal.SIGALRM: "alarm clock",
    signal.SIGTERM: "terminated",
}


@dataclass(frozen=True)
class Spec:
    """How to start the runtime: command, working folder, environment, limits."""

    command: list[str]
    cwd: Path
    environment: dict[str, str]
    memory_size: int
    timeout: float  # seconds
    function_arn: str


@dataclass(frozen=True)
class Result:
    """One invocation's outcome, as Lambda reports it to the caller."""

    payload: bytes  # the response, or the error document
    status: str  # "success", "error" (the function failed), "timeout"
    request_id: str
    duration_ms: float
    billed_ms: int
    init_ms: float | None  # set on a cold start
    max_memory_mb: int
    streamed: bool = False
    error_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "success"


class LogSink:
    """Where the function's logs and the START/END/REPORT lines go, line-safe across
    environments (serve runs several)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self.lock:
            self.stream.write(data)
            self.stream.flush()


class Environment:
    """One warm runtime process. Not thread-safe: one invocation at a time."""

    def __init__(self, spec: Spec, log: LogSink) -> None:
        self.spec = spec
        self.log = log
        self.api: RuntimeApi | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.init_ms: float | None = None  # set once init succeeded, until the first invoke
        self.version = ""  # the runtime's language version, from its User-Agent
        self.alive = False
        self._pump: _Pump | None = None
        self._memory_kb = 0
        self._status_fd: int | None = None
        self._init_failure: Result | None = None

    # ---- init -----------------------------------------------------------------------

    def start(self) -> Result | None:
        """Start the runtime and wait for init; the failure's Result if init failed."""
        self.api = RuntimeApi()
        environment = {**self.spec.environment, "AWS_LAMBDA_RUNTIME_API": self.api.address}
        read_end, write_end = os.pipe()
        started = time.monotonic()
        try:
            self.process = subprocess.Popen(
                self.spec.command,
                cwd=self.spec.cwd,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=write_end,
                stderr=write_end,
                start_new_session=True,
            )
        except OSError as error:
            os.close(read_end)
            self.api.close()
            raise LambdaNewError(f"cannot start {self.spec.command[0]}: {error}") from None
        finally:
            os.close(write_end)
        self._pump = _Pump(read_end, self.log)
        process, inbox = self.process, self.api.inbox
        threading.Thread(target=lambda: inbox.put(_exit(process)), daemon=True).start()
        message = _receive(inbox, started + INIT_LIMIT_S)
        init_ms = (time.monotonic() - started) * 1000
        if message is not None and message.kind == "next":
            self.alive = True
            self.init_ms = init_ms
            self.version = _version(message.user_agent)
            self._sample_memory()
            return None
        return self._failed_init(message, init_ms)

    def _failed_init(self, message: Message | None, init_ms: float) -> Result:
        request_id = new_request_id()
        if message is None:  # the timer: init took over 10 s
            self.stop()
            text = f"Task timed out after {INIT_LIMIT_S:.2f} seconds"
            result = Result(
                _error_doc("Sandbox.Timedout", f"RequestId: {request_id} Error: {text}"),
                "timeout",
                request_id,
                INIT_LIMIT_S * 1000,
                math.ceil(INIT_LIMIT_S * 1000),
                None,
                self._memory_mb(),
                error_type="Sandbox.Timedout",
            )
            self._frame_init_failure(result, init_ms, "timeout", ("Status: timeout",))
            return result
        if message.kind == "init_error":
            self._sample_memory()
            self._wait_exit(EXIT_GRACE_S)
            body = message.body
            error_type = message.error_type or _error_type_of(body) or "Runtime.Unknown"
        else:  # it exited (or did something else) without asking for work
            code = message.exit_code if message.kind == "exit" else self._wait_exit(EXIT_GRACE_S)
            self._drain()
            error_type = "Runtime.ExitError"
            text = f"RequestId: {request_id} Error: Runtime exited with error: {exit_words(code)}"
            self.log.write(f"{text}\nRuntime.ExitError\n".encode())
            body = _error_doc(error_type, text)
        self.stop()
        result = Result(
            body,
            "error",
            request_id,
            init_ms,  # Lambda retries the init in the invoke phase: it takes as long
            math.ceil(init_ms),
            None,
            self._memory_mb(),
            error_type=error_type,
        )
        report = ("Status: error", f"Error Type: {error_type}")
        self._frame_init_failure(result, init_ms, f"error\tError Type: {error_type}", report)
        return result

    def _frame_init_failure(
        self, result: Result, init_ms: float, status: str, report: tuple[str, ...]
    ) -> None:
        self._drain()
        lines = [
            f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: init\tStatus: {status}",
            f"START RequestId: {result.request_id} Version: $LATEST",
        ]
        self.log.write(("\n".join(lines) + "\n").encode())
        self._end(result, report)

    # ---- invoke ---------------------------------------------------------------------

    def invoke(self, invocation: Invocation) -> Result:
        """Run one invocation in this (started, alive) environment."""
        assert self.api is not None and self.process is not None and self.alive
        request_id = invocation.request_id
        if self.init_ms is not None:  # its init's logs come before START (warm: the pump's)
            self._drain()
        self.log.write(f"START RequestId: {request_id} Version: $LATEST\n".encode())
        init_ms, self.init_ms = self.init_ms, None
        handed = time.monotonic()
        self.api.offer(invocation)
        deadline = handed + self.spec.timeout
        while True:
            message = _receive(self.api.inbox, deadline)
            if message is None or message.kind != "next":
                break  # a "next" here is stale: the runtime already waits
        elapsed_ms = ((message.at if message else time.monotonic()) - handed) * 1000
        if message is None:  # Lambda stops the sandbox; the duration is the timeout, exactly
            self.stop()
            text = f"Task timed out after {self.spec.timeout:.2f} seconds"
            result = self._result(
                _error_doc("Sandbox.Timedout", f"RequestId: {request_id} Error: {text}"),
                "timeout",
                request_id,
                self.spec.timeout * 1000,
                init_ms,
                error_type="Sandbox.Timedout",
            )
            self._end(result, report_status=("Status: timeout",))
            return result
        self._sample_memory()
        if message.kind == "response":
            result = self._result(
                message.body, "success", request_id, elapsed_ms, init_ms, streamed=message.streamed
            )
            self._end(result)
            return result
        if message.kind == "error":
            error_type = message.error_type or _error_type_of(message.body)
            result = self._result(
                message.body, "error", request_id, elapsed_ms, init_ms, error_type=error_type
            )
            self._end(result)
            return result
        if message.kind == "too_large":  # the Runtime API refused it (413); Lambda says:
            text = (
                f"Response payload size ({message.size} bytes) exceeded maximum allowed "
                f"payload size ({RESPONSE_LIMIT} bytes)."
            )
            result = self._result(
                _error_doc("Function.ResponseSizeTooLarge", text),
                "error",
                request_id,
                elapsed_ms,
                init_ms,
                error_type="Function.ResponseSizeTooLarge",
            )
            # awslambdaric exits on the 413 (aws-lambda-ric goes on): Lambda's REPORT says so.
            after = _receive(self.api.inbox, time.monotonic() + EXIT_GRACE_S)
            if after is not None and after.kind == "exit":
                self.stop()
                self._end(result, ("Status: error", "Error Type: Runtime.ExitError"))
            else:
                self._end(result)
            return result
        # The runtime exited (or asked for init/error) before it answered.
        code = message.exit_code if message.kind == "exit" else self._wait_exit(EXIT_GRACE_S)
        self.stop()
        text = f"RequestId: {request_id} Error: Runtime exited with error: {exit_words(code)}"
        self._drain()
        self.log.write(f"{text}\nRuntime.ExitError\n".encode())
        result = self._result(
            _error_doc("Runtime.ExitError", text),
            "error",
            request_id,
            elapsed_ms,
            init_ms,
            error_type="Runtime.ExitError",
        )
        self._end(result, report_status=("Status: error", "Error Type: Runtime.ExitError"))
        return result

    def _result(
        self,
        payload: bytes,
        status: str,
        request_id: str,
        duration_ms: float,
        init_ms: float | None,
        error_type: str | None = None,
        streamed: bool = False,
    ) -> Result:
        billed = math.ceil(duration_ms + (init_ms or 0.0))  # a cold start bills its init too
        return Result(
            payload,
            status,
            request_id,
            duration_ms,
            billed,
            init_ms,
            self._memory_mb(),
            streamed,
            error_type,
        )

    def healthy(self) -> bool:
        """Alive and still running: a runtime can exit between invocations."""
        return self.alive and self.process is not None and self.process.poll() is None

    def settle(self, grace: float = EXIT_GRACE_S) -> None:
        """Wait until the runtime asks for the next event (it has finished what follows
        a response) or exits: what a one-shot invoke waits for before it stops it."""
        if self.api is None or not self.alive:
            return
        message = _receive(self.api.inbox, time.monotonic() + grace)
        if message is not None and message.kind == "exit":
            self.alive = False

    def _end(self, result: Result, report_status: tuple[str, ...] = ()) -> None:
        self._drain()
        if self._pump is not None and not self._pump.ended_line:
            self.log.write(b"\n")  # Lambda's END is a line of its own
            self._pump.ended_line = True
        fields = [
            f"REPORT RequestId: {result.request_id}",
            f"Duration: {result.duration_ms:.2f} ms",
            f"Billed Duration: {result.billed_ms} ms",
            f"Memory Size: {self.spec.memory_size} MB",
            f"Max Memory Used: {result.max_memory_mb} MB",
        ]
        if result.init_ms is not None:
            fields.append(f"Init Duration: {result.init_ms:.2f} ms")
        fields += report_status
        tail = "" if report_status else "\t"
        self.log.write(
            (f"END RequestId: {result.request_id}\n" + "\t".join(fields) + tail + "\n").encode()
        )

    # ---- the process ----------------------------------------------------------------

    def _sample_memory(self) -> None:
        """The runtime process's own peak resident memory (VmHWM), while it runs.

        Not ru_maxrss after it exits: a forked child's counts the parent's memory too.
        The /proc file stays open; each read from offset 0 is a fresh snapshot.
        """
        if self.process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if self._status_fd is None:
                self._status_fd = os.open(f"/proc/{self.process.pid}/status", os.O_RDONLY)
            status = os.pread(self._status_fd, 8192, 0)
            match = re.search(rb"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                self._memory_kb = max(self._memory_kb, int(match[1]))

    def _memory_mb(self) -> int:
        return max(1, math.ceil(self._memory_kb / 1024))

    def _wait_exit(self, grace: float) -> int:
        """The exit code, once the process exits; killed after `grace` seconds."""
        assert self.process is not None
        try:
            return self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self._kill()
            return self.process.wait()

    def _kill(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def _drain(self) -> None:
        if self._pump is not None:
            self._pump.drain()

    def stop(self) -> None:
        """End the environment: its process group (what the handler started too), its API."""
        self.alive = False
        if self.process is not None:
            self._kill()  # the group outlives its leader only while it has members
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
        if self._pump is not None:
            self._pump.close()
        if self.api is not None:
            self.api.close()
        if self._status_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._status_fd)
            self._status_fd = None


class _Pump:
    """Copies the runtime's output to the log as it arrives; `drain()` copies what is
    already written (all a runtime logged before it answered) before a framing line."""

    def __init__(self, fd: int, log: LogSink) -> None:
        self.fd = fd
        self.log = log
        self.lock = threading.Lock()
        self.ended_line = True  # the last byte copied was a newline (or nothing yet)
        self.closed = False
        os.set_blocking(fd, False)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import select

        while not self.closed:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.2)
            except (OSError, ValueError):
                return
            if ready and not self._copy():
                return

    def _copy(self) -> bool:
        """Copy what is readable now; False at end of file."""
        with self.lock:
            while not self.closed:
                try:
                    data = os.read(self.fd, 1 << 16)
                except BlockingIOError:
                    return True
                except OSError:
                    return False
                if not data:
                    return False
                self.log.write(data)
                self.ended_line = data.endswith(b"\n")
            return False

    def drain(self) -> None:
        self._copy()

    def close(self) -> None:
        self._copy()
        with self.lock:
            self.closed = True
            with contextlib.suppress(OSError):
                os.close(self.fd)


def _exit(process: subprocess.Popen[bytes]) -> Message:
    return Message("exit", exit_code=process.wait())


def _receive(inbox: queue.SimpleQueue[Message], deadline: float) -> Message | None:
    """The next message, or None once `deadline` (monotonic) has passed."""
    remaining = deadline - time.monotonic()
    try:
        return inbox.get(timeout=max(remaining, 0.0)) if remaining > 0 else inbox.get_nowait()
    except queue.Empty:
        return None


def exit_words(code: int) -> str:
    """How Lambda words a runtime's exit: `exit status 4`, `signal: killed`."""
    if code >= 0:
        return f"exit status {code}"
    try:
        number = signal.Signals(-code)
    except ValueError:
        return f"signal: {-code}"
    return f"signal: {SIGNAL_WORDS.get(number, number.name.removeprefix('SIG').lower())}"


def _version(user_agent: str) -> str:
    """The language version a runtime client names in its User-Agent
    (aws-lambda-python/3.13.1-..., aws-lambda-nodejs/v22.11.0-...)."""
    match = re.search(r"/v?(\d+\.\d+(?:\.\d+)?)", user_agent)
    return match[1] if match else ""


def _error_type_of(body: bytes) -> str | None:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    value = document.get("errorType") if isinstance(document, dict) else None
    return str(value) if value else None


def _error_doc(error_type: str, message: str) -> bytes:
    """An error Lambda itself reports (not the runtime client): compact JSON."""
    document = {"errorType": error_type, "errorMessage": message}
    return json.dumps(document, separators=(",", ":")).encode()


def new_request_id() -> str:
    """A version-4 UUID, as Lambda's request ids are (not a secret: no system call)."""
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


__all__ = [
    "PAYLOAD_LIMIT",
    "RESPONSE_LIMIT",
    "Environment",
    "LogSink",
    "Result",
    "Spec",
    "exit_words",
]
