"""Test-only: a tiny local Lambda Runtime API, to run AWS's official runtime clients.

It emulates the part of Lambda's Runtime API (``/2018-06-01``) that one invocation uses:
``GET /runtime/invocation/next`` serves exactly one event with the headers Lambda sends,
``POST /runtime/invocation/{id}/response``, ``/runtime/invocation/{id}/error`` and
``/runtime/init/error`` are recorded (body + ``Lambda-Runtime-Function-Error-Type``), and a
second ``/next`` is held open until the client is killed. ``run_official`` starts a client
(``awslambdaric`` or ``aws-lambda-ric``) against it with the environment Lambda sets, so
parity tests can compare ``lambda-new invoke`` with the official behaviour. Not shipped.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal

PREFIX = "/2018-06-01/runtime/"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
Kind = Literal["response", "error", "init_error", "timeout", "exit"]


@dataclass
class OfficialResult:
    """What the client posted. ``exit``: it exited without posting anything."""

    kind: Kind
    body: bytes
    error_type_header: str | None
    stdout: str
    stderr: str
    request_id: str = ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, event: bytes, headers: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.event, self.headers = event, headers
        self.served = 0
        self.result: tuple[Kind, bytes, str | None] | None = None
        self.done = threading.Event()  # a result was posted
        self.idle = threading.Event()  # the client polled /next again after the result
        self.stop = threading.Event()
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        srv = self.server
        if self.path != PREFIX + "invocation/next":
            self._reply(404)
            return
        with srv.lock:
            srv.served += 1
            first = srv.served == 1
        if first:
            self._reply(200, srv.event, srv.headers)
            return
        srv.idle.set()
        srv.stop.wait()  # never answer: the client is killed meanwhile
        self.close_connection = True

    def do_POST(self) -> None:
        srv = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request_id = srv.headers["Lambda-Runtime-Aws-Request-Id"]
        kinds: dict[str, Kind] = {
            f"invocation/{request_id}/response": "response",
            f"invocation/{request_id}/error": "error",
            "init/error": "init_error",
        }
        kind = kinds.get(self.path.removeprefix(PREFIX)) if self.path.startswith(PREFIX) else None
        if kind is None:
            self._reply(404)
            return
        with srv.lock:
            if srv.result is None:
                srv.result = (kind, body, self.headers.get(ERROR_TYPE_HEADER))
        self._reply(202, b'{"status":"OK"}\n', {"Content-Type": "application/json"})
        srv.done.set()


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
    """Run one invocation of ``handler`` under an official runtime client.

    Pass ``AWS_EXECUTION_ENV`` (e.g. ``AWS_Lambda_python3.13``) in ``env``: awslambdaric
    switches JSON output (``ensure_ascii``) and polling on it. The process is killed once it
    has posted a result and polled again (or exited), or after ``timeout`` seconds.
    """
    request_id = str(uuid.uuid4())
    trace = f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]}"
    headers = {
        "Content-Type": "application/json",
        "Lambda-Runtime-Aws-Request-Id": request_id,
        "Lambda-Runtime-Deadline-Ms": str(int((time.time() + timeout) * 1000)),
        "Lambda-Runtime-Invoked-Function-Arn": (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        ),
        "Lambda-Runtime-Trace-Id": trace + ";Sampled=0",
    }
    server = _Server(event, headers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    full_env = lambda_environment(
        api=f"127.0.0.1:{server.server_address[1]}",
        handler=handler,
        task_root=task_root,
        function_name=function_name,
        memory_mb=memory_mb,
    )
    full_env.update(env or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            command, cwd=task_root, env=full_env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        end = time.monotonic() + timeout
        try:
            while not server.done.is_set() and proc.poll() is None and time.monotonic() < end:
                server.done.wait(0.02)
            grace = time.monotonic() + 2.0
            while server.done.is_set() and not server.idle.is_set() and proc.poll() is None:
                if time.monotonic() > grace:
                    break
                server.idle.wait(0.02)
        finally:
            exited = proc.poll() is not None
            proc.kill()
            proc.wait()
            server.stop.set()
            server.shutdown()
            server.server_close()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if server.result is not None:
        kind, body, error_type = server.result
    else:
        kind, body, error_type = ("exit" if exited else "timeout"), b"", None
    return OfficialResult(kind, body, error_type, stdout, stderr, request_id)
