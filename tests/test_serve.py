"""`lambda-new serve`: a real server process, real HTTP requests, the repo's own handler.

Each test starts `lambda-new serve --port 0` in a generated repo (as a user runs it),
reads the address from its first line, talks HTTP to it, and stops it with SIGINT,
checking that no runtime process outlives it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.test_invoke import make_repo

pytestmark = pytest.mark.e2e


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    host: str
    port: int
    lines: list[str] = field(default_factory=list)

    def request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, target, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 20, count: int = 1) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(re.findall(pattern, self.log)) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} never logged:\n{self.log}")


LAMBDA_NEW = str(Path(sys.executable).parent / "lambda-new")


@contextmanager
def served(repo: Path, *args: str, command: list[str] | None = None) -> Iterator[Served]:
    process = subprocess.Popen(
        command or [sys.executable, "-m", "scaffold", "serve", "--port", "0", *args],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=command is not None,  # make: SIGINT goes to its whole group
    )
    assert process.stderr is not None
    first = process.stderr.readline().decode()
    match = re.search(r"on http://([\d.]+):(\d+)", first)
    assert match, first + process.stderr.read().decode()
    result = Served(process, match[1], int(match[2]), [first.rstrip("\n")])
    stream = process.stderr

    def pump() -> None:
        for raw in stream:
            result.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        yield result
    finally:
        if process.poll() is None:
            if command is not None:
                os.killpg(process.pid, signal.SIGINT)
            else:
                process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join(5)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


PY_HELPERS = """
import os
import time


def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": __import__("json").dumps({"pid": os.getpid(), "path": event.get("rawPath")})}


def slow(event, context):
    time.sleep(0.5)
    return {"statusCode": 200, "body": str(os.getpid())}


def fails(event, context):
    raise ValueError("nope")
"""


@pytest.mark.parametrize("runtime", ["python", "node"])
@pytest.mark.parametrize("trigger", ["api", "http-api", "function-url", "alb"])
def test_each_http_trigger_serves_its_repo(tmp_path: Path, runtime: str, trigger: str) -> None:
    repo = make_repo(
        tmp_path, "web-func", runtime, "3.13" if runtime == "python" else "22", trigger
    )
    with served(repo, "--no-watch") as server:
        status, _, body = server.request("GET", "/hello?name=Ada")
        assert status == 200, (body, server.log)
        assert "Ada" in body.decode()
        # What the integration answers for a path it does not route (URLs and ALB route all).
        status, _, body = server.request("GET", "/not/a/route")
        expected = {"api": 403, "http-api": 404}.get(trigger)
        if expected:
            assert status == expected
            assert json.loads(body) == (
                {"message": "Missing Authentication Token"}
                if trigger == "api"
                else {"message": "Not Found"}
            )
        server.wait_for(r"REPORT RequestId")
        assert server.log.count("Init Duration") == 1  # warm: init once


def test_warm_environments_init_once_and_scale_to_the_limit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "warm-func", "python", "3.13", "function-url")
    (repo / "src" / "warm_func" / "helpers.py").write_text(PY_HELPERS)
    handler = "warm_func.helpers.slow"
    template = repo / "template.yaml"
    text = template.read_text()
    template.write_text(re.sub(r"Handler: \S+", f"Handler: {handler}", text, count=1))
    with served(repo, "--no-watch", "--concurrency", "2") as server:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: server.request("GET", "/")[2], range(4)))
        pids = {int(answer) for answer in answers}
        assert len(pids) == 2  # two environments, each used twice
        assert server.log.count("Init Duration") == 2
        _, _, again = server.request("GET", "/")
        assert int(again) in pids  # reused
        runtime_pids = pids
    # Ctrl-C is how a server stops: one line that says so, no error, exit 128 + SIGINT
    assert server.process.returncode == 130
    assert server.log.rstrip().splitlines()[-1] == "lambda-new: stopped (SIGINT)"
    for pid in runtime_pids:  # SIGINT stopped every environment
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid)


def test_a_failed_invoke_is_the_integrations_502(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "err-func", "python", "3.13", "http-api")
    (repo / "src" / "err_func" / "helpers.py").write_text(PY_HELPERS)
    template = repo / "template.yaml"
    template.write_text(
        re.sub(r"Handler: \S+", "Handler: err_func.helpers.fails", template.read_text(), count=1)
    )
    with served(repo, "--no-watch") as server:
        status, _, body = server.request("GET", "/hello")
        assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})
        server.wait_for("ValueError")


def test_watch_reloads_and_survives_a_syntax_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "watch-func", "python", "3.13", "http-api")
    handler_file = repo / "src" / "watch_func" / "app.py"
    original = handler_file.read_text()
    with served(repo) as server:
        assert server.request("GET", "/hello")[0] == 200
        handler_file.write_text(original.replace("Hello", "Howdy"))
        server.wait_for("changed: reloading")
        status, _, body = server.request("GET", "/hello")
        assert status == 200 and b"Howdy" in body
        handler_file.write_text("def handler(event, context)\n    return 1\n")
        server.wait_for("changed: reloading", count=2)
        status, _, body = server.request("GET", "/hello")
        assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})
        server.wait_for("Runtime.UserCodeSyntaxError")
        handler_file.write_text(original)
        server.wait_for("changed: reloading", count=3)
        status, _, body = server.request("GET", "/hello")
        assert status == 200 and b"Hello" in body


def test_node_function_url_streams(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "stream-func", "node", "22", "function-url")
    (repo / "src" / "stream.mjs").write_text(
        "export const handler = awslambda.streamifyResponse(async (event, stream) => {\n"
        "  stream = awslambda.HttpResponseStream.from(stream, {\n"
        '    statusCode: 201, headers: {"x-kind": "stream"}, cookies: ["a=1"] });\n'
        '  stream.write("one ");\n'
        "  await new Promise((resolve) => setTimeout(resolve, 30));\n"
        '  stream.end("two");\n'
        "});\n"
    )
    template = repo / "template.yaml"
    text = re.sub(r"Handler: \S+", "Handler: src/stream.handler", template.read_text(), count=1)
    text = text.replace(
        "AuthType: AWS_IAM", "AuthType: AWS_IAM\n        InvokeMode: RESPONSE_STREAM", 1
    )
    assert "RESPONSE_STREAM" in text
    template.write_text(text)
    with served(repo, "--no-watch") as server:
        status, headers, body = server.request("GET", "/")
        assert (status, body) == (201, b"one two"), server.log
        assert headers.get("x-kind") == "stream" and headers.get("Set-Cookie") == "a=1"
        assert headers.get("Transfer-Encoding") == "chunked"


def test_typescript_is_rebuilt_on_change(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "ts-func", "typescript", "22", "http-api")
    subprocess.run(["make", "install"], cwd=repo, check=True, capture_output=True)
    app = repo / "src" / "app.ts"
    with served(repo) as server:
        status, _, body = server.request("GET", "/hello")
        assert status == 200, server.log
        app.write_text(app.read_text().replace("Hello", "Howdy"))
        server.wait_for("changed: reloading")
        status, _, body = server.request("GET", "/hello")
        assert status == 200 and b"Howdy" in body


def test_serve_refuses_a_repo_without_http(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "queue-func", "python", "3.13", "sqs")
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "serve", "--port", "0"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "lambda-new invoke" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_make_serve_in_a_new_http_repo(tmp_path: Path) -> None:
    """The repo's own `make serve` (only HTTP repos have it; README says how to use it)."""
    repo = make_repo(tmp_path, "made-func", "node", "22", "alb")
    command = ["make", "serve", "PORT=0", f"LAMBDA_NEW={LAMBDA_NEW}"]
    with served(repo, command=command) as server:
        status, _, body = server.request("GET", "/hello?name=Ada")
        assert (status, json.loads(body)) == (200, {"message": "Hello, Ada!"})
    assert "make serve" in (repo / "README.md").read_text()
    queue = make_repo(tmp_path, "queue-func", "node", "22", "sqs")
    assert "serve" not in (queue / "Makefile").read_text()
