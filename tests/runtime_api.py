"""Test-only: run AWS's official runtime clients, to compare `lambda-new invoke` with them.

``run_official`` starts a client (``awslambdaric`` or ``aws-lambda-ric``), unchanged, in
lambda-new's own execution environment (scaffold/sandbox.py, scaffold/runtime_api.py: the
Runtime API Lambda serves) with the environment Lambda sets, and reports what it posted.
Parity tests compare that with what lambda-new's own clients post. Not shipped.
"""

from __future__ import annotations

import io
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from scaffold import sandbox
from scaffold.runtime_api import Invocation

Kind = Literal["response", "error", "init_error", "timeout", "exit"]


@dataclass
class OfficialResult:
    """What the client posted. ``exit``: it exited without posting anything."""

    kind: Kind
    body: bytes
    error_type_header: str | None
    stdout: str  # the function's log (its stdout and stderr), framed as Lambda frames it
    stderr: str
    request_id: str = ""


# AWS's Node clients as tests/node-ric installs them: 3.x (nodejs20.x, 22.x), 4.x (nodejs24.x).
NODE_RIC = Path(__file__).resolve().parent / "node-ric" / "node_modules"
NODE_CLIENTS = {
    3: NODE_RIC / "aws-lambda-ric-3" / "bin" / "index.mjs",
    4: NODE_RIC / "aws-lambda-ric-4" / "index.mjs",
}


def node_client(major: int) -> Path:
    """aws-lambda-ric MAJOR's entry point; the test skips when it is not installed
    (fails instead when LAMBDA_NEW_REQUIRE_RIC=1, as in CI)."""
    import pytest

    client = NODE_CLIENTS[major]
    if not client.is_file():
        message = (
            f"{client} is missing: npm ci --prefix tests/node-ric "
            "(it compiles native code: needs cmake, g++, autoconf, automake, libtool)"
        )
        if os.environ.get("LAMBDA_NEW_REQUIRE_RIC") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return client


def lambda_environment(
    *, api: str, handler: str, task_root: Path, function_name: str, memory_mb: int
) -> dict[str, str]:
    """The variables Lambda sets for a function (credentials left out)."""
    stream = time.strftime("%Y/%m/%d", time.gmtime()) + "/[$LATEST]" + uuid.uuid4().hex
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "_HANDLER": handler,
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_LAMBDA_RUNTIME_API": api,
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def run_official(
    command: list[str],
    *,
    task_root: Path,
    handler: str,
    event: bytes,
    env: dict[str, str] | None = None,
    timeout: float = 10.0,
    function_name: str = "my-func",
    memory_mb: int = 128,
) -> OfficialResult:
    """Run one invocation of ``handler`` under an official runtime client, in lambda-new's
    own execution environment (scaffold/sandbox.py: its Runtime API, unchanged).

    Pass ``AWS_EXECUTION_ENV`` (e.g. ``AWS_Lambda_python3.13``) in ``env``: awslambdaric
    switches JSON output (``ensure_ascii``) and polling on it.
    """
    full_env = lambda_environment(
        api="",  # the environment sets it to its own Runtime API
        handler=handler,
        task_root=task_root,
        function_name=function_name,
        memory_mb=memory_mb,
    )
    full_env.update(env or {})
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
    spec = sandbox.Spec(command, task_root, full_env, memory_mb, timeout, arn)
    log = io.BytesIO()
    environment = sandbox.Environment(spec, sandbox.LogSink(log))
    try:
        result = environment.start()
        if result is None:
            trace = f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"
            invocation = Invocation(
                request_id=str(uuid.uuid4()),
                event=event,
                deadline_ms=int((time.time() + timeout) * 1000),
                function_arn=arn,
                trace_id=f"{trace};Parent={uuid.uuid4().hex[:16]};Sampled=0",
            )
            result = environment.invoke(invocation)
            environment.settle()
            kind = _kind(result, "error")
        else:
            kind = _kind(result, "init_error")
    finally:
        environment.stop()
    body = b"" if kind in ("exit", "timeout") else result.payload
    header = result.error_type if kind in ("error", "init_error") else None
    text = log.getvalue().decode("utf-8", "replace")
    return OfficialResult(kind, body, header, text, "", result.request_id)


def _kind(result: sandbox.Result, failed: Kind) -> Kind:
    if result.status == "timeout":
        return "timeout"
    if result.error_type == "Runtime.ExitError":
        return "exit"
    return "response" if result.ok else failed
