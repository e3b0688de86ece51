"""Run a function's handler once, locally, the way Lambda does. No Docker.

This module plays the Lambda service's front end: it reads the function from
template.yaml (scaffold/repo.py), decides the event and the environment Lambda
sets, and runs one invocation in a fresh execution environment
(scaffold/sandbox.py: the runtime process and its local Runtime API). The
runtime client is lambda-new's own (scaffold/runtime/: bootstrap.py,
bootstrap.mjs), or with `official=True` AWS's (awslambdaric, aws-lambda-ric),
unchanged. The function's logs, framed by START / END / REPORT, go to stderr,
so stdout carries only the invoke's result: exactly the payload Lambda returns.
`serve` (scaffold/server.py) uses the same plan, with environments kept warm.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scaffold import catalog, events, partitions, repo, runtimes, safety, sandbox
from scaffold.errors import UsageError
from scaffold.runtime_api import PAYLOAD_LIMIT, Invocation

RUNTIME_DIR = runtimes.RUNTIME_DIR
MAX_TIMEOUT_S = 900.0
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
    official: bool = False  # run AWS's runtime client instead of lambda-new's


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
    region: str
    arn: str  # the function's ARN, as the context and the Runtime API name it


def prepare(request: Request, stdin: BinaryIO | None = None) -> Plan:
    """Validate the request against the repo; nothing runs yet."""
    found, function = repo.select(request.path, request.function)
    handler = request.handler or function.handler
    timeout = function.timeout if request.timeout is None else request.timeout
    if not 0 < timeout <= MAX_TIMEOUT_S:
        raise UsageError(f"--timeout {timeout:g}: use a number of seconds from 1 to 900")
    event = read_event(request.event, found, stdin)
    overrides = events.parse_settings(request.env, "--env")
    language = runtimes.get(function.runtime.runtime)
    if request.official:
        command = language.official_command(found.root, function.runtime, handler)
    else:
        command = language.command(found.root, function.runtime)
    environment = lambda_environment(function, found.region, handler)
    environment.update(overrides)
    account = catalog.load().sample_account
    arn = partitions.arn(found.region, f"lambda:{found.region}:{account}:function:{function.name}")
    return Plan(
        function,
        handler,
        timeout,
        event,
        command,
        environment,
        function.warnings,
        found.region,
        arn,
    )


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
            # X-Ray: where Lambda's daemon listens, and what an SDK does without a segment.
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
            "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
            "_AWS_XRAY_DAEMON_PORT": "2000",
            **runtimes.get(runtime.runtime).environment(function),
        }
    )
    if function.log_format == "JSON":
        env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        env["AWS_LAMBDA_LOG_LEVEL"] = (function.application_log_level or "INFO").upper()
    env.update(function.environment)
    return env


new_request_id = sandbox.new_request_id


def trace_id() -> str:
    """An X-Ray trace header like the one Lambda passes (not sampled)."""
    root = f"1-{int(time.time()):08x}-{random.getrandbits(96):024x}"
    parent, lineage = random.getrandbits(64), random.getrandbits(32)
    return f"Root={root};Parent={parent:016x};Sampled=0;Lineage=1:{lineage:08x}:0"


def invocation(plan: Plan, event: bytes, request_id: str | None = None) -> Invocation:
    """The event as the Runtime API hands it over, with Lambda's headers."""
    return Invocation(
        request_id=request_id or new_request_id(),
        event=event,
        deadline_ms=int((time.time() + plan.timeout) * 1000),
        function_arn=plan.arn,
        trace_id=trace_id(),
    )


@contextmanager
def built(plan: Plan) -> Iterator[sandbox.Spec]:
    """The environment's spec; code that runs only once built (an esbuild bundle: SAM's
    `BuildMethod: esbuild`) is built first, in a scratch folder removed afterwards."""
    from scaffold import signals

    language = runtimes.get(plan.function.runtime.runtime)
    if not language.needs_build(plan.function):
        yield spec_of(plan, plan.function.code_root)
        return
    with signals.scratch("lambda-new-invoke-") as stage:
        yield spec_of(plan, language.build(plan.function, stage))


def spec_of(plan: Plan, code_root: Path) -> sandbox.Spec:
    """The environment's spec, for the code at `code_root` (the code root, or its build)."""
    environment = {**plan.environment, "LAMBDA_TASK_ROOT": str(code_root)}
    if code_root != plan.function.code_root:  # what the language derives from it, unless set
        language = runtimes.get(plan.function.runtime.runtime)
        before = language.environment(plan.function)
        after = language.environment(dataclasses.replace(plan.function, code_root=code_root))
        for key, value in after.items():
            if environment.get(key) == before.get(key):
                environment[key] = value
    return sandbox.Spec(
        command=plan.command,
        cwd=code_root,
        environment=environment,
        memory_size=plan.function.memory_size,
        timeout=plan.timeout,
        function_arn=plan.arn,
    )


def run(plan: Plan, log: BinaryIO | None = None, stream: BinaryIO | None = None) -> sandbox.Result:
    """One invocation in a fresh environment, its logs framed on `log` (our stderr).

    A streamed response's bytes go to `stream` as the handler writes them.
    """
    sink = sandbox.LogSink(log or sys.stderr.buffer)
    with built(plan) as spec:
        environment = sandbox.Environment(spec, sink)
        try:
            failed = environment.start()
            if failed is not None:
                return failed
            for warning in (*plan.warnings, *version_warning(plan, environment.version)):
                sink.write(f"lambda-new: warning: {warning}\n".encode())
            request = invocation(plan, plan.event)
            if stream is not None:
                request.sink = _writer(stream)
            result = environment.invoke(request)
            environment.settle()
            return result
        finally:
            environment.stop()


def _writer(stream: BinaryIO) -> Callable[[bytes], None]:
    def write(data: bytes) -> None:
        stream.write(data)
        stream.flush()

    return write


def version_warning(plan: Plan, version: str) -> list[str]:
    """Warn when the local interpreter is not the version Lambda runs."""
    runtime = plan.function.runtime
    local = runtimes.get(runtime.runtime).local_version(version) if version else ""
    if not local or local == runtime.version:
        return []
    name = catalog.load().runtimes[runtime.runtime].label
    return [f"running {name} {version} here; Lambda runs {runtime.identifier}"]
