"""The local runtime where it used to differ from Lambda: each case against the official
clients (run in the same execution environment, scaffold/sandbox.py) or Lambda's documented
wording, through `lambda-new invoke` as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scaffold import sandbox
from tests.test_invoke import invoke, make_repo, official

pytestmark = pytest.mark.e2e

PYTHON_EDGES = """
import os
import signal
import sys


def no_newline(event, context):
    sys.stdout.write("no newline")
    return 1


def environment(event, context):
    names = ["AWS_LAMBDA_RUNTIME_API", "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS",
             "_AWS_XRAY_DAEMON_ADDRESS", "_AWS_XRAY_DAEMON_PORT"]
    return {name: os.environ.get(name) for name in names}


def allocate(event, context):
    blob = bytearray(event["mb"] * 1024 * 1024)
    for i in range(0, len(blob), 4096):
        blob[i] = 1
    return len(blob)


def huge(event, context):
    return "x" * (event.get("mb", 7) * 1024 * 1024)


def returns_function(event, context):
    return lambda: 1


def crash(event, context):
    os.kill(os.getpid(), getattr(signal, event["signal"]))
"""

NODE_EDGES = """
export const noNewline = async () => { process.stdout.write("no newline"); return 1; };
export const huge = async () => "x".repeat(7 * 1024 * 1024);
export const returnsFunction = async () => () => 1;
export const nodePath = async () => process.env.NODE_PATH.split(":").at(-1);
export const throwNull = async () => { throw null; };
export const throwUndefined = async () => { throw undefined; };
export const syncThrowNull = () => { throw null; };
export const never = () => new Promise(() => {});
export const backgroundRejection = async () => {
  Promise.reject(new Error("bg"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return "done";
};
export const warns = async () => { process.emitWarning("careful"); return 1; };
export const streamed = awslambda.streamifyResponse(async (event, stream) => {
  stream.setContentType("text/plain");
  stream.write("first ");
  await new Promise((resolve) => setTimeout(resolve, 20));
  stream.write("second");
  stream.end();
});
"""


@pytest.fixture(scope="module")
def py(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("edges"), "edge-func", "python", "3.13")
    package = repo / "src" / "edge_func"
    (package / "edges.py").write_text(PYTHON_EDGES)
    (package / "exits.py").write_text("import sys\nsys.exit(4)\n")
    (package / "hard_exit.py").write_text("import os\nos._exit(5)\n")
    return repo


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    repos = {}
    for version in ("22", "24"):
        repo = make_repo(tmp_path_factory.mktemp(f"n{version}"), "edge-js", "node", version)
        (repo / "src" / "edges.mjs").write_text(NODE_EDGES)
        (repo / "src" / "exits.mjs").write_text("process.exit(4);\n")
        (repo / "src" / "init_type.mjs").write_text('throw new TypeError("bad at init");\n')
        repos[version] = repo
    return repos


def test_exit_during_init_is_the_exit_every_time(
    py: Path, nodes: dict[str, Path], tmp_path: Path
) -> None:
    """It was a race with the 10 s init timer; the exit status must always win."""
    cases = [
        (py, "edge_func.exits.handler", "exit status 4"),
        (py, "edge_func.hard_exit.handler", "exit status 5"),
        (nodes["22"], "src/exits.handler", "exit status 4"),
        (nodes["24"], "src/exits.handler", "exit status 4"),
    ]
    for repo, handler, words in cases:
        for _ in range(6):
            started = time.monotonic()
            ours = invoke(repo, "--handler", handler)
            assert time.monotonic() - started < 5
            document = json.loads(ours.payload)
            assert document["errorType"] == "Runtime.ExitError", ours.logs
            assert document["errorMessage"].endswith(f"Runtime exited with error: {words}")
            assert "Phase: init\tStatus: error\tError Type: Runtime.ExitError" in ours.logs
            assert ours.code == 1


def test_official_clients_exit_the_same_way(py: Path, nodes: dict[str, Path]) -> None:
    theirs = official(py, "python3.13", "edge_func.exits.handler", b"{}")
    assert theirs.kind == "exit"
    assert "Runtime exited with error: exit status 4" in theirs.stdout
    for version in ("22", "24"):
        theirs = official(nodes[version], f"nodejs{version}.x", "src/exits.handler", b"{}")
        assert theirs.kind == "exit"
        assert "Runtime exited with error: exit status 4" in theirs.stdout


@pytest.mark.parametrize(
    ("name", "words"), [("SIGKILL", "killed"), ("SIGSEGV", "segmentation fault")]
)
def test_signal_exits_are_worded_as_lambda_words_them(
    py: Path, tmp_path: Path, name: str, words: str
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"signal": name}))
    ours = invoke(py, str(event), "--handler", "edge_func.edges.crash")
    document = json.loads(ours.payload)
    assert document["errorType"] == "Runtime.ExitError"
    assert document["errorMessage"].endswith(f"Runtime exited with error: signal: {words}")


def test_output_without_a_newline_does_not_run_into_end(py: Path, nodes: dict[str, Path]) -> None:
    ours = invoke(py, "--handler", "edge_func.edges.no_newline")
    assert f"no newline\nEND RequestId: {ours.request_id}" in ours.logs
    for repo in nodes.values():
        ours = invoke(repo, "--handler", "src/edges.noNewline")
        assert f"no newline\nEND RequestId: {ours.request_id}" in ours.logs


def test_environment_has_what_the_runtime_sets(py: Path, nodes: dict[str, Path]) -> None:
    values = json.loads(invoke(py, "--handler", "edge_func.edges.environment").payload)
    host, _, port = values.pop("AWS_LAMBDA_RUNTIME_API").partition(":")
    assert host == "127.0.0.1" and port.isdigit()
    assert values == {
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
        "_AWS_XRAY_DAEMON_PORT": "2000",
    }
    # NODE_PATH ends with the code root, as /var/task ends Lambda's.
    repo = nodes["22"]
    assert json.loads(invoke(repo, "--handler", "src/edges.nodePath").payload) == str(repo)


def test_max_memory_used_is_the_functions_own(py: Path, tmp_path: Path) -> None:
    def used(mb: int) -> int:
        event = tmp_path / "event.json"
        event.write_text(json.dumps({"mb": mb}))
        ours = invoke(py, str(event), "--handler", "edge_func.edges.allocate")
        return int(ours.logs.split("Max Memory Used: ")[1].split(" MB")[0])

    small, large = used(0), used(64)
    assert small < 60  # an interpreter, not lambda-new's own process
    assert large - small >= 60


def test_response_over_6_mb_is_function_response_size_too_large(
    py: Path, nodes: dict[str, Path]
) -> None:
    """The Runtime API answers 413 (the limit is the Runtime Interface Emulator's); Lambda
    reports Function.ResponseSizeTooLarge. awslambdaric then exits; aws-lambda-ric goes on."""
    expected = {
        "errorType": "Function.ResponseSizeTooLarge",
        "errorMessage": "Response payload size (7340034 bytes) exceeded maximum allowed "
        "payload size (6291556 bytes).",
    }
    ours = invoke(py, "--handler", "edge_func.edges.huge")
    assert ours.code == 1 and json.loads(ours.payload) == expected
    assert (
        "LAMBDA_RUNTIME Failed to post handler success response. Http response code: 413."
        in ours.logs
    )
    assert "Status: error\tError Type: Runtime.ExitError" in ours.logs
    for repo in nodes.values():
        ours = invoke(repo, "--handler", "src/edges.huge")
        assert ours.code == 1 and json.loads(ours.payload) == expected


def test_a_100_mb_response_is_too_large_not_a_timeout(py: Path, tmp_path: Path) -> None:
    """The Runtime API reads a response in linear time (it used to be quadratic, and a
    100 MB result was reported as a timeout)."""
    event = tmp_path / "event.json"
    event.write_text('{"mb": 100}')
    ours = invoke(py, str(event), "--handler", "edge_func.edges.huge", "--timeout", "60")
    document = json.loads(ours.payload)
    assert document["errorType"] == "Function.ResponseSizeTooLarge"
    assert "(104857602 bytes)" in document["errorMessage"]


def test_event_over_6_mb_is_refused_before_the_invoke(py: Path, tmp_path: Path) -> None:
    event = tmp_path / "big.json"
    event.write_text(json.dumps({"blob": "x" * sandbox.PAYLOAD_LIMIT}))
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "invoke", str(event)],
        cwd=py,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "RequestEntityTooLargeException" in result.stderr
    assert "START" not in result.stderr


def test_node_streams_the_response(nodes: dict[str, Path]) -> None:
    for version, repo in nodes.items():
        result = subprocess.run(
            [sys.executable, "-m", "scaffold", "invoke", "--handler", "src/edges.streamed"],
            cwd=repo,
            capture_output=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr.decode()
        assert result.stdout == b"first second\n", version


def test_official_client_flag_runs_awslambdaric(py: Path) -> None:
    ours = invoke(py, "--handler", "edge_func.edges.no_newline")
    theirs = invoke(py, "--handler", "edge_func.edges.no_newline", "--official-client")
    assert ours.payload == theirs.payload == b"1"
    assert "no newline" in theirs.logs


def test_pyenv_version_selects_the_interpreter(tmp_path: Path) -> None:
    """PYENV_VERSION (what `pyenv shell` sets) picks the interpreter, which then runs with
    Lambda's environment (no PYENV_VERSION): it is resolved to an absolute path first."""
    shim = shutil.which("python3.13")
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    versions = sorted(Path(root, "versions").glob("3.13*")) if shim else []
    if not shim or "shims" not in shim or not versions:
        pytest.skip("needs a pyenv shim for python3.13")
    repo = make_repo(tmp_path, "pyenv-func", "python", "3.13")
    shutil.rmtree(repo / ".venv")
    env = {**os.environ, "PYENV_VERSION": versions[-1].name}
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "invoke"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Hello" in result.stdout


def test_signal_words_cover_lambdas() -> None:
    assert sandbox.exit_words(-signal.SIGKILL) == "signal: killed"
    assert sandbox.exit_words(-signal.SIGSEGV) == "signal: segmentation fault"
    assert sandbox.exit_words(3) == "exit status 3"


@pytest.mark.parametrize("version", ["22", "24"])
@pytest.mark.parametrize(
    "handler",
    [
        "src/edges.throwNull",
        "src/edges.throwUndefined",
        "src/edges.syncThrowNull",
        "src/edges.returnsFunction",
        "src/edges.never",
        "src/edges.backgroundRejection",
        "src/init_type.handler",
    ],
)
def test_node_edges_match_each_runtimes_client(
    nodes: dict[str, Path], version: str, handler: str
) -> None:
    """aws-lambda-ric 3.x (nodejs22.x) and 4.x (nodejs24.x) differ on these; each runtime
    follows its own client."""
    repo = nodes[version]
    ours = invoke(repo, "--handler", handler)
    theirs = official(repo, f"nodejs{version}.x", handler, b"{}")
    assert ours.code == (0 if theirs.kind == "response" else 1), ours.logs
    mine = json.loads(ours.payload)
    if theirs.kind == "exit":  # Lambda's own document, with the same exit status
        words = theirs.stdout.split("Runtime exited with error: ")[1].split("\n")[0]
        assert mine["errorType"] == "Runtime.ExitError"
        assert mine["errorMessage"].endswith(f"Runtime exited with error: {words}")
        return
    official_doc = json.loads(theirs.body)
    if isinstance(official_doc, dict) and "trace" in official_doc:
        assert mine["trace"][:1] == official_doc["trace"][:1]
        mine, official_doc = {**mine, "trace": []}, {**official_doc, "trace": []}
    assert mine == official_doc


@pytest.mark.parametrize("version", ["22", "24"])
def test_node_warnings_are_error_records(nodes: dict[str, Path], version: str) -> None:
    ours = invoke(nodes[version], "--handler", "src/edges.warns")
    theirs = official(nodes[version], f"nodejs{version}.x", "src/edges.warns", b"{}")
    for logs, request_id in ((ours.logs, ours.request_id), (theirs.stdout, theirs.request_id)):
        line = next(line for line in logs.splitlines() if "Warning: careful" in line)
        if line.startswith("{"):  # the repo's template logs in JSON
            record = json.loads(line)
            assert (record["level"], record["requestId"]) == ("ERROR", request_id)
        else:  # the official run, in Lambda's default Text format
            assert line.split("\t")[1:3] == [request_id, "ERROR"]


@pytest.mark.parametrize("version", ["22", "24"])
def test_node_init_error_records_name_the_real_type(nodes: dict[str, Path], version: str) -> None:
    handler = "src/init_type.handler"
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "invoke", "--handler", handler,
         "--env", "AWS_LAMBDA_LOG_FORMAT=JSON"],
        cwd=nodes[version], capture_output=True, text=True, check=False,
    )  # fmt: skip
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert records and records[0]["message"]["errorType"] == "TypeError"
    assert "RuntimeError" not in result.stderr


def test_a_pyenv_shim_is_resolved_without_starting_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As pyenv reads it: PYENV_VERSION, else the nearest .python-version (a prefix
    such as 3.13 is the newest 3.13.x), else the global version file."""
    from scaffold.runtimes import python

    root = tmp_path / "pyenv"
    shim = root / "shims" / "python3.13"
    shim.parent.mkdir(parents=True)
    shim.write_text("#!/bin/sh\nexit 127\n")  # would fail if it were started
    for version in ("3.13.1", "3.13.10", "3.12.4"):
        binary = root / "versions" / version / "bin" / ("python" + version[:4])
        binary.parent.mkdir(parents=True)
        binary.write_text("")
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    assert python._pyenv_target(str(shim), repo) is None  # no version selected anywhere
    (root / "version").write_text("3.13.1\n")
    assert python._pyenv_target(str(shim), repo) == str(root / "versions/3.13.1/bin/python3.13")
    (repo / ".python-version").write_text("3.13\n")
    assert python._pyenv_target(str(shim), repo / "src") == str(
        root / "versions/3.13.10/bin/python3.13"
    )
    monkeypatch.setenv("PYENV_VERSION", "3.12.4:3.13.1")
    assert python._pyenv_target(str(shim), repo) == str(root / "versions/3.13.1/bin/python3.13")
    assert python._pyenv_target(str(tmp_path / "elsewhere" / "python3.13"), repo) is None


@pytest.mark.parametrize("version", ["22", "24"])
def test_official_clients_stream_the_same_bytes(nodes: dict[str, Path], version: str) -> None:
    """aws-lambda-ric streams through lambda-new's Runtime API as lambda-new's client does:
    the same body, and a streamed response."""
    repo = nodes[version]
    theirs = official(repo, f"nodejs{version}.x", "src/edges.streamed", b"{}")
    assert (theirs.kind, theirs.body) == ("response", b"first second")
