"""Run a function's handler once, locally, the way Lambda does. No Docker.

The parent (this module) plays the Lambda service: it reads the function from
template.yaml (scaffold/repo.py), builds the environment Lambda sets, starts a
fresh child process of the function's runtime with a small runtime client
(scaffold/runtime/: bootstrap.py, bootstrap.mjs, our stand-ins for awslambdaric
and aws-lambda-ric), hands it one event, enforces the timeout, and frames the
logs with START / END / REPORT.

The child talks back over a pipe (JSON lines: "ready", then "response" or
"error"; "init_error" if the handler cannot be loaded). Its stdout and stderr
are the function's logs and go to our stderr, so our stdout carries only the
invoke's result: exactly the payload Lambda would return.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import math
import os
import secrets
import select
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

from scaffold import catalog, events, repo, runtimes, safety
from scaffold.errors import LambdaNewError, UsageError

RUNTIME_DIR = runtimes.RUNTIME_DIR
INIT_LIMIT_S = 10.0  # Lambda's limit on the init phase of an on-demand function
MAX_TIMEOUT_S = 900.0
EXIT_GRACE_S = 2.0  # how long a child may take to exit after answering
PAYLOAD_LIMIT = 6_291_456  # bytes: a synchronous invoke's request (and response)
# Host variables a local run keeps: where tools live, and the developer's AWS
# credentials (in Lambda the execution role's credentials arrive the same way).
PASSED_THROUGH = (
    "PATH",
    "HOME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ENDPOINT_URL",
)


@dataclass(frozen=True)
class Request:
    """What `lambda-new invoke` was asked to do. None means: from template.yaml."""

    path: Path = Path()
    event: str | None = None  # a file, a catalog event name, "-" (stdin), or None
    handler: str | None = None
    timeout: float | None = None
    env: tuple[str, ...] = ()
    function: str | None = None


@dataclass(frozen=True)
class Outcome:
    """One invocation's result, as Lambda would report it."""

    payload: bytes  # the response, or the error document
    status: str  # "success", "error" (the function failed), "timeout"
    request_id: str
    duration_ms: float
    billed_ms: int
    init_ms: float
    memory_size: int
    max_memory_mb: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.status == "success"


@dataclass(frozen=True)
class Plan:
    """Everything decided before the child starts."""

    function: repo.Function
    handler: str
    timeout: float
    event: bytes
    command: list[str]
    environment: dict[str, str]
    warnings: tuple[str, ...]


def prepare(request: Request, stdin: BinaryIO | None = None) -> Plan:
    """Validate the request against the repo; nothing runs yet."""
    found = repo.find(request.path)
    function = found.function(request.function)
    handler = request.handler or function.handler
    timeout = function.timeout if request.timeout is None else request.timeout
    if not 0 < timeout <= MAX_TIMEOUT_S:
        raise UsageError(f"--timeout {timeout:g}: use a number of seconds from 1 to 900")
    event = read_event(request.event, found, stdin)
    overrides = events.parse_settings(request.env, "--env")
    command = runtimes.get(function.runtime.runtime).command(found.root, function.runtime)
    environment = lambda_environment(function, found.region, handler)
    environment.update(overrides)
    return Plan(function, handler, timeout, event, command, environment, function.warnings)


def read_event(spec: str | None, found: repo.Repo, stdin: BinaryIO | None) -> bytes:
    """The event's bytes: from stdin, a file, the repo's events/, or the catalog."""
    if spec is None:
        default = _first_sample(found)
        if default is None:
            return b"{}"
        spec = str(default)
    sample = found.root / "events" / f"{spec}.json"
    if spec == "-":
        data = (stdin or sys.stdin.buffer).read(PAYLOAD_LIMIT + 1)
        where = "stdin"
    elif os.path.exists(spec) and not os.path.isdir(spec):
        data = _event_file(Path(spec))
        where = spec
    elif sample.is_file():
        data = _event_file(sample)
        where = f"events/{spec}.json"
    else:
        if spec.endswith(".json") or os.sep in spec:
            raise UsageError(f"event file {spec} does not exist")
        event = events.get(spec)
        data = events.render(event, events.context_of(found.answers), {}).encode()
        where = f"catalog event {spec}"
    if len(data) > PAYLOAD_LIMIT:
        raise UsageError(
            f"the event from {where} is over {PAYLOAD_LIMIT:,} bytes, Lambda's limit for a "
            "synchronous invoke (RequestEntityTooLargeException)"
        )
    try:
        json.loads(data)
    except RecursionError:
        raise UsageError(f"the event from {where} is nested too deeply to parse") from None
    except ValueError as error:
        raise UsageError(f"the event from {where} is not JSON ({error})") from None
    return data


def _first_sample(found: repo.Repo) -> Path | None:
    """The repo's first sample event: its trigger's first (catalog/triggers.yml), or for a
    trigger only a team's template knows, the first of events/ by name; else None."""
    events_dir = found.root / "events"
    trigger = catalog.load().triggers.get(found.trigger or "")
    if trigger is not None:
        default = events_dir / f"{(trigger.events or ['invoke'])[0]}.json"
        return default if default.is_file() else None
    samples = sorted(events_dir.glob("*.json")) if events_dir.is_dir() else []
    return samples[0] if samples else None


def _event_file(path: Path) -> bytes:
    # Read well past Lambda's limit, so that the size check below says why it is refused.
    data = safety.read_regular(path, 16 * PAYLOAD_LIMIT, "the event file", UsageError)
    if data is None:
        raise UsageError(f"event file {path} does not exist")
    return data


def lambda_environment(function: repo.Function, region: str, handler: str) -> dict[str, str]:
    """The variables Lambda sets for the function, then the function's own."""
    runtime = function.runtime
    day = time.strftime("%Y/%m/%d", time.gmtime())
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": f"{day}/[$LATEST]{uuid.uuid4().hex}",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime.identifier}",
            "LAMBDA_TASK_ROOT": str(function.code_root),
            "LAMBDA_RUNTIME_DIR": str(RUNTIME_DIR),
            "_HANDLER": handler,
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
        }
    )
    if function.log_format == "JSON":
        env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        env["AWS_LAMBDA_LOG_LEVEL"] = (function.application_log_level or "INFO").upper()
    env.update(function.environment)
    return env


def new_request_id() -> str:
    return str(uuid.uuid4())


def trace_id() -> str:
    """An X-Ray trace header like the one Lambda passes (not sampled)."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=0;Lineage=1:{secrets.token_hex(4)}:0"


def run(plan: Plan, log: TextIO | None = None) -> Outcome:
    """Start the child, invoke once, and frame its logs on `log` (our stderr).

    Code that runs only once built (an esbuild bundle: SAM's `BuildMethod: esbuild`)
    is built first and runs from there, as Lambda runs it.
    """
    language = runtimes.get(plan.function.runtime.runtime)
    if not language.needs_build(plan.function):
        return _run(plan, log or sys.stderr)
    from scaffold import signals

    with signals.scratch("lambda-new-invoke-") as stage:
        root = language.build(plan.function, stage)
        function = dataclasses.replace(plan.function, code_root=root)
        environment = {**plan.environment, "LAMBDA_TASK_ROOT": str(root)}
        bundled = dataclasses.replace(plan, function=function, environment=environment)
        return _run(bundled, log or sys.stderr)


def _run(plan: Plan, log: TextIO) -> Outcome:
    function = plan.function
    request_id = new_request_id()
    arn = (
        f"arn:aws:lambda:{plan.environment['AWS_REGION']}:"
        f"{catalog.load().sample_account}:function:{function.name}"
    )
    invoke = {
        "request_id": request_id,
        "handler": plan.handler,
        "timeout_ms": round(plan.timeout * 1000),
        "invoked_function_arn": arn,
        "trace_id": trace_id(),
        "task_root": str(function.code_root),
    }
    read_end, write_end = os.pipe()
    invoke["channel_fd"] = write_end
    started = time.monotonic()
    try:
        child = subprocess.Popen(
            plan.command,
            cwd=function.code_root,
            env=plan.environment,
            stdin=subprocess.PIPE,
            stdout=sys.stderr.fileno() if _has_fileno(sys.stderr) else None,
            pass_fds=(write_end,),
            start_new_session=True,
        )
    except OSError as error:
        os.close(read_end)
        raise LambdaNewError(f"cannot start {plan.command[0]}: {error}") from None
    finally:
        os.close(write_end)
    channel = _Channel(read_end)
    try:
        _send(child, json.dumps(invoke).encode() + b"\n")
        return _drive(plan, child, channel, request_id, started, log)
    finally:
        channel.close()
        if child.returncode is None:
            _kill(child)
            _reap(child)
        # Processes the handler started: Lambda freezes, then ends, the whole sandbox.
        # The group outlives its reaped leader only while it has members, so its id
        # cannot have been reused.
        _kill(child)


def _drive(
    plan: Plan,
    child: subprocess.Popen[bytes],
    channel: _Channel,
    request_id: str,
    started: float,
    log: TextIO,
) -> Outcome:
    first = channel.receive(started + INIT_LIMIT_S)
    init_ms = (time.monotonic() - started) * 1000
    ready = first is not None and first.get("type") == "ready"
    warnings = list(plan.warnings)
    if ready and first is not None:
        warnings += _version_warning(plan.function.runtime, str(first.get("version", "")))
    for warning in warnings:
        print(f"lambda-new: warning: {warning}", file=log, flush=True)
    if ready:
        print(f"START RequestId: {request_id} Version: $LATEST", file=log, flush=True)
        invoked = time.monotonic()
        _send(child, plan.event, last=True)  # init is done: now the event
        message = channel.receive(invoked + plan.timeout)
        timed_out = message is None and time.monotonic() >= invoked + plan.timeout
        elapsed_ms = (time.monotonic() - invoked) * 1000
        result = _invoke_result(plan, child, message, timed_out, request_id, elapsed_ms, log)
        billed = math.ceil(result.duration_ms + init_ms)  # a cold start bills its init too
        init_field = [f"Init Duration: {init_ms:.2f} ms"]
    else:  # the handler could not be loaded: Lambda reports the init phase, then the invoke
        timed_out = first is None and child.poll() is None
        result = _init_failure(child, first, timed_out, request_id, log)
        if not timed_out:  # Lambda retries the init in the invoke phase: it takes as long
            result = dataclasses.replace(result, duration_ms=init_ms)
        status = "timeout" if timed_out else f"error\tError Type: {result.error_type}"
        print(
            f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: init\tStatus: {status}",
            file=log,
        )
        print(f"START RequestId: {request_id} Version: $LATEST", file=log)
        billed = math.ceil(result.duration_ms)
        init_field = []
    print(f"END RequestId: {request_id}", file=log)
    memory_mb = _max_memory_mb(child)
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {result.duration_ms:.2f} ms",
        f"Billed Duration: {billed} ms",
        f"Memory Size: {plan.function.memory_size} MB",
        f"Max Memory Used: {memory_mb} MB",
        *init_field,
        *result.report_status,
    ]
    print("\t".join(fields) + ("" if result.report_status else "\t"), file=log, flush=True)
    return Outcome(
        payload=result.payload,
        status=result.status,
        request_id=request_id,
        duration_ms=result.duration_ms,
        billed_ms=billed,
        init_ms=init_ms,
        memory_size=plan.function.memory_size,
        max_memory_mb=memory_mb,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class _Result:
    payload: bytes
    status: str
    duration_ms: float
    error_type: str | None = None
    report_status: tuple[str, ...] = ()  # REPORT's closing fields ("Status: timeout", ...)


def _invoke_result(
    plan: Plan,
    child: subprocess.Popen[bytes],
    message: dict[str, object] | None,
    timed_out: bool,
    request_id: str,
    elapsed_ms: float,
    log: TextIO,
) -> _Result:
    if timed_out:  # Lambda stops the sandbox; the duration is the timeout, exactly
        _kill(child)
        _reap(child)
        text = f"Task timed out after {plan.timeout:.2f} seconds"
        payload = _error_doc("Sandbox.Timedout", f"RequestId: {request_id} Error: {text}")
        return _Result(payload, "timeout", plan.timeout * 1000, None, ("Status: timeout",))
    if message is None:  # the runtime exited (or closed the pipe) without answering
        return _exited(child, request_id, elapsed_ms, log)
    _reap(child, EXIT_GRACE_S)
    duration_ms = float(str(message.get("duration_ms", elapsed_ms)))
    if message.get("type") == "response":
        return _Result(base64.b64decode(str(message["payload_base64"])), "success", duration_ms)
    return _Result(str(message["body"]).encode(), "error", duration_ms)  # the client's document


def _init_failure(
    child: subprocess.Popen[bytes],
    message: dict[str, object] | None,
    timed_out: bool,
    request_id: str,
    log: TextIO,
) -> _Result:
    if timed_out:
        _kill(child)
        _reap(child)
        text = f"Task timed out after {INIT_LIMIT_S:.2f} seconds"
        payload = _error_doc("Sandbox.Timedout", f"RequestId: {request_id} Error: {text}")
        return _Result(payload, "timeout", INIT_LIMIT_S * 1000, None, ("Status: timeout",))
    if message is None:
        return _exited(child, request_id, 0.0, log)
    _reap(child, EXIT_GRACE_S)
    body = str(message["body"])
    error_type = str(json.loads(body).get("errorType") or "Runtime.Unknown")
    status = ("Status: error", f"Error Type: {error_type}")
    return _Result(body.encode(), "error", 0.0, error_type, status)


def _exited(
    child: subprocess.Popen[bytes], request_id: str, elapsed_ms: float, log: TextIO
) -> _Result:
    code = _reap(child, EXIT_GRACE_S)
    reason = f"signal: {_signal_name(-code)}" if code < 0 else f"exit status {code}"
    text = f"RequestId: {request_id} Error: Runtime exited with error: {reason}"
    print(f"{text}\nRuntime.ExitError", file=log)
    status = ("Status: error", "Error Type: Runtime.ExitError")
    return _Result(
        _error_doc("Runtime.ExitError", text), "error", elapsed_ms, "Runtime.ExitError", status
    )


def _send(child: subprocess.Popen[bytes], data: bytes, last: bool = False) -> None:
    """Write to the child's stdin; a child that already exited is noticed later."""
    assert child.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        child.stdin.write(data)
        child.stdin.flush()
        if last:
            child.stdin.close()


def _error_doc(error_type: str, message: str) -> bytes:
    """An error Lambda itself reports (not the runtime client): compact JSON."""
    document = {"errorType": error_type, "errorMessage": message}
    return json.dumps(document, separators=(",", ":")).encode()


def _version_warning(runtime: catalog.RuntimeVersion, version: str) -> list[str]:
    """Warn when the local interpreter is not the version Lambda runs."""
    local = runtimes.get(runtime.runtime).local_version(version)
    if not local or local == runtime.version:
        return []
    name = catalog.load().runtimes[runtime.runtime].label
    return [f"running {name} {version} here; Lambda runs {runtime.identifier}"]


class _Channel:
    """JSON lines from the child, read with a deadline."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def receive(self, deadline: float) -> dict[str, object] | None:
        """The next message; None on timeout or when the child closed the pipe."""
        while b"\n" not in self.buffer:
            if self.closed:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.closed = True
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        message = json.loads(line)
        return message if isinstance(message, dict) else None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


_RUSAGE: dict[int, int] = {}  # pid -> peak resident set size (KiB), once reaped


def _kill(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)


def _reap(child: subprocess.Popen[bytes], wait: float | None = None) -> int:
    """Wait for the child (killing it after `wait` seconds); its exit code."""
    if child.returncode is not None:
        return child.returncode
    if wait is not None:
        limit = time.monotonic() + wait
        while time.monotonic() < limit:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                return _reaped(child, status, usage)
            time.sleep(0.005)
        _kill(child)
    pid, status, usage = os.wait4(child.pid, 0)
    return _reaped(child, status, usage)


def _reaped(child: subprocess.Popen[bytes], status: int, usage: object) -> int:
    child.returncode = os.waitstatus_to_exitcode(status)
    _RUSAGE[child.pid] = int(getattr(usage, "ru_maxrss", 0))
    return child.returncode


def _max_memory_mb(child: subprocess.Popen[bytes]) -> int:
    _reap(child)
    return max(1, math.ceil(_RUSAGE.get(child.pid, 0) / 1024))


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name.removeprefix("SIG").lower()
    except ValueError:
        return str(number)


def _has_fileno(stream: TextIO) -> bool:
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True
