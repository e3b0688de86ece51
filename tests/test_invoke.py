"""`lambda-new invoke` behaves as Lambda does: same results as AWS's own runtime clients.

Each parity test runs one handler and one event twice: through `lambda-new invoke`
(a real subprocess of the CLI) and through AWS's official runtime interface client
(awslambdaric for Python; aws-lambda-ric 3.x for nodejs22.x and 4.x for nodejs24.x)
against a local Runtime API (tests/runtime_api.py). The payloads must be the same
bytes once each run's request id is replaced by a placeholder.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from scaffold import project
from tests.runtime_api import OfficialResult, node_client, run_official

pytestmark = pytest.mark.e2e

PLACEHOLDER = b"<request-id>"

PYTHON_CASES = """
import decimal
import os
import time


class Custom(Exception):
    pass


def ok(event, context):
    return {"echo": event, "text": "caf\\u00e9 \\U0001F600", "price": decimal.Decimal("1.10"),
            "none": None, "nested": [1, 2.5, True], "id": context.aws_request_id}


def nothing(event, context):
    return None


def raw_bytes(event, context):
    return b"not json"


def raises(event, context):
    def inner():
        raise ValueError("boom")
    inner()


def custom(event, context):
    raise Custom("custom failure")


def unserialisable(event, context):
    return {"when": {1, 2}}


def context_view(event, context):
    return {
        "attributes": sorted(name for name in dir(context) if not name.startswith("_")),
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "log_group_name": context.log_group_name,
        "identity": [context.identity.cognito_identity_id,
                     context.identity.cognito_identity_pool_id],
        "client_context": context.client_context,
        "tenant_id": context.tenant_id,
        "remaining_is_int": isinstance(context.get_remaining_time_in_millis(), int),
    }


def environment(event, context):
    names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
             "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_REGION",
             "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "LAMBDA_TASK_ROOT", "_HANDLER", "TZ",
             "AWS_LAMBDA_INITIALIZATION_TYPE", "GREETING"]
    values = {name: os.environ.get(name) for name in names}
    values["trace"] = os.environ.get("_X_AMZN_TRACE_ID", "")[:7]
    values["cwd"] = os.getcwd()
    values["remaining"] = context.get_remaining_time_in_millis()
    return values


def sleepy(event, context):
    with open(event["pidfile"], "w") as f:
        f.write(str(os.getpid()))
    time.sleep(30)


not_callable = 42
"""

NODE_CASES = """
export const ok = async (event, context) => ({
  echo: event, text: "caf\\u00e9 \\u{1F600}", none: null, gone: undefined, id: context.awsRequestId,
});
export const raises = async () => { throw new Error("boom"); };
export const throwsString = async () => { throw "plain string"; };
export const typed = async () => { const e = new TypeError("bad type"); throw e; };
export const bigint = async () => ({ big: 10n });
export const syncValue = () => ({ sync: true });
export const callback = (event, context, done) => { done(null, { via: "callback" }); };
export const contextView = async (event, context) => ({
  keys: Object.keys(context).sort(),
  memoryLimitInMB: context.memoryLimitInMB,
  functionName: context.functionName,
  invokedFunctionArn: context.invokedFunctionArn,
  logGroupName: context.logGroupName,
  remaining: typeof context.getRemainingTimeInMillis(),
});
export const nested = { deeper: { fn: async () => "nested export" } };
export const notAFunction = 42;
"""


@dataclass
class Invoked:
    code: int
    payload: bytes
    logs: str
    request_id: str


def invoke(repo: Path, *args: str, stdin: bytes | None = None) -> Invoked:
    """`lambda-new invoke ARGS` in `repo`, as a user runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "invoke", *args],
        cwd=repo,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    logs = result.stderr.decode()
    match = re.search(r"^START RequestId: (\S+) Version: \$LATEST$", logs, re.MULTILINE)
    assert match, f"no START line in:\n{logs}"
    assert result.stdout.endswith(b"\n")
    return Invoked(result.returncode, result.stdout[:-1], logs, match[1])


def official(repo: Path, runtime: str, handler: str, event: bytes) -> OfficialResult:
    """The same invocation under AWS's official runtime client."""
    facts = project.catalog.load()
    version = facts.runtime_by_identifier(runtime)
    assert version is not None
    if version.runtime == "python":
        command = [sys.executable, "-m", "awslambdaric", handler]
        task_root = repo / "src"
    else:
        client = node_client(4 if int(version.version) >= 24 else 3)
        command = ["node", str(client), handler]
        task_root = repo
    return run_official(
        command,
        task_root=task_root,
        handler=handler,
        event=event,
        env={
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
            # Lambda names the group of LoggingConfig.LogGroup: template.yaml's LogGroup,
            # /aws/lambda/${AWS::StackName}/<function> (the stack is named as the repo).
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{repo.name}/{repo.name}",
        },
        function_name=repo.name,
    )


def same_payload(ours: Invoked, theirs: OfficialResult) -> None:
    assert ours.payload.replace(ours.request_id.encode(), PLACEHOLDER) == theirs.body.replace(
        theirs.request_id.encode(), PLACEHOLDER
    )


def make_repo(root: Path, name: str, runtime: str, version: str, trigger: str = "none") -> Path:
    created = project.create(
        project.NewProject(
            name=name,
            output_dir=root,
            runtime=runtime,
            runtime_version=version,
            trigger=trigger,
            git=False,
        )
    )
    repo = created.path
    if runtime == "python":
        # Both clients must run on the same interpreter: this one.
        venv_python = repo / ".venv" / "bin" / "python"
        venv_python.parent.mkdir(parents=True)
        venv_python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        venv_python.chmod(0o755)
    return repo


@pytest.fixture(scope="module")
def python_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("py"), "py-func", "python", "3.13")
    package = repo / "src" / "py_func"
    (package / "cases.py").write_text(PYTHON_CASES)
    (package / "broken_init.py").write_text('raise RuntimeError("init went wrong")\n')
    (package / "bad_syntax.py").write_text("def handler(event, context)\n    return 1\n")
    return repo


@pytest.fixture(scope="module")
def node_repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    repos = {}
    for version in ("22", "24"):
        repo = make_repo(tmp_path_factory.mktemp(f"node{version}"), "js-func", "node", version)
        (repo / "src" / "cases.mjs").write_text(NODE_CASES)
        (repo / "src" / "broken.mjs").write_text("export const handler = async () => {\n")
        cjs = repo / "src" / "cjs"
        cjs.mkdir()
        (cjs / "package.json").write_text('{"type": "commonjs"}\n')
        (cjs / "handler.js").write_text(
            "exports.handler = async (event) => ({ commonjs: true, got: event });\n"
        )
        repos[version] = repo
    return repos


EVENT = b'{"name": "Ada", "n": 12345678901234567890, "f": 1.5, "s": "\\u00fcber"}'


@pytest.mark.parametrize(
    "handler",
    [
        "py_func.cases.ok",
        "py_func.cases.nothing",
        "py_func.cases.raw_bytes",
        "py_func.cases.raises",
        "py_func.cases.custom",
        "py_func.cases.unserialisable",
        "py_func.cases.context_view",
        "py_func.cases.not_callable",
        "py_func/cases.ok",
        "py_func.missing_module.handler",
        "py_func.cases.missing_function",
        "no_dot_in_handler",
        "sys.handler",
        "py_func.broken_init.handler",
        "py_func.bad_syntax.handler",
    ],
)
def test_python_matches_awslambdaric(python_repo: Path, handler: str, tmp_path: Path) -> None:
    event_file = tmp_path / "event.json"
    event_file.write_bytes(EVENT)
    ours = invoke(python_repo, str(event_file), "--handler", handler)
    theirs = official(python_repo, "python3.13", handler, EVENT)
    if handler.endswith("not_callable"):  # the trace is the runtime client's own frame
        mine, official_doc = json.loads(ours.payload), json.loads(theirs.body)
        assert mine["errorType"] == official_doc["errorType"] == "TypeError"
        assert mine["errorMessage"] == official_doc["errorMessage"]
    else:
        same_payload(ours, theirs)
    failed = theirs.kind != "response"
    assert ours.code == (1 if failed else 0)


@pytest.mark.parametrize("version", ["22", "24"])
@pytest.mark.parametrize(
    "handler",
    [
        "src/cases.ok",
        "src/cases.raises",
        "src/cases.throwsString",
        "src/cases.typed",
        "src/cases.bigint",
        "src/cases.syncValue",
        "src/cases.callback",
        "src/cases.contextView",
        "src/cases.nested.deeper.fn",
        "src/cases.notAFunction",
        "src/cases.missing",
        "src/cjs/handler.handler",
        "src/handler.handler",
        "src/broken.handler",
        "src/../src/cases.ok",
        "nodot",
    ],
)
def test_node_matches_aws_lambda_ric(
    node_repos: dict[str, Path], version: str, handler: str, tmp_path: Path
) -> None:
    repo = node_repos[version]
    event_file = tmp_path / "event.json"
    event_file.write_bytes(EVENT)
    ours = invoke(repo, str(event_file), "--handler", handler)
    theirs = official(repo, f"nodejs{version}.x", handler, EVENT)
    assert ours.code == (0 if theirs.kind == "response" else 1)
    if theirs.kind == "response":
        same_payload(ours, theirs)
        return
    # Error documents: the same type and message; traces differ only in the clients' frames.
    mine, official_doc = json.loads(ours.payload), json.loads(theirs.body)
    assert list(mine) == list(official_doc)
    assert mine["errorType"] == official_doc["errorType"]
    # A missing module's message ends with the require stack: the client's own file.
    assert (
        mine["errorMessage"].split("\nRequire stack")[0]
        == (official_doc["errorMessage"].split("\nRequire stack")[0])
    )
    assert mine["trace"][:1] == official_doc["trace"][:1] or mine["errorType"].startswith(
        "Runtime.ImportModuleError"
    )


@pytest.mark.parametrize(
    ("runtime", "trigger"),
    [
        ("python", "sqs"),
        ("python", "http-api"),
        ("python", "s3"),
        ("node", "sqs"),
        ("node", "api"),
        ("node", "eventbridge"),
    ],
)
def test_generated_handlers_match_the_official_client(
    tmp_path: Path, runtime: str, trigger: str
) -> None:
    version = "3.13" if runtime == "python" else "22"
    repo = make_repo(tmp_path, "trigger-func", runtime, version, trigger)
    handler = "trigger_func.handler.handler" if runtime == "python" else "src/handler.handler"
    identifier = f"python{version}" if runtime == "python" else f"nodejs{version}.x"
    events = sorted((repo / "events").glob("*.json"))
    assert events
    for event in events:
        ours = invoke(repo, event.stem)  # a catalog name: the repo's own events/ file
        theirs = official(repo, identifier, handler, event.read_bytes())
        same_payload(ours, theirs)
        assert ours.code == (0 if theirs.kind == "response" else 1)


def test_default_event_is_the_triggers_first_sample(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "sqs-func", "python", "3.13", "sqs")
    with_default = invoke(repo)
    named = invoke(repo, "sqs-receive")
    assert with_default.code == named.code == 0
    assert with_default.payload == named.payload == b'{"batchItemFailures": []}'


def test_event_from_stdin_and_catalog(python_repo: Path) -> None:
    piped = invoke(python_repo, "-", stdin=b'{"name": "Grace"}')
    assert json.loads(piped.payload)["message"] == "Hello, Grace!"
    catalog_event = invoke(python_repo, "sqs-receive", "--handler", "py_func.cases.ok")
    echoed = json.loads(catalog_event.payload)["echo"]
    assert echoed["Records"][0]["eventSource"] == "aws:sqs"


def test_environment_and_context_are_lambdas(python_repo: Path) -> None:
    ours = invoke(
        python_repo, "-", "--handler", "py_func.cases.environment", "--env", "GREETING=hi",
        stdin=b"{}",
    )  # fmt: skip
    values = json.loads(ours.payload)
    code_root = str(python_repo / "src")
    assert values == {
        "AWS_LAMBDA_FUNCTION_NAME": "py-func",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        # LoggingConfig.LogGroup: the LogGroup resource, /aws/lambda/${AWS::StackName}/py-func
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/py-func/py-func",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "LAMBDA_TASK_ROOT": code_root,
        "_HANDLER": "py_func.cases.environment",
        "TZ": ":UTC",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "GREETING": "hi",
        "trace": "Root=1-",
        "cwd": code_root,
        "remaining": values["remaining"],
    }
    assert 2500 < values["remaining"] <= 3000  # the template's Timeout: 3 seconds


def test_logs_are_framed_like_lambdas(python_repo: Path) -> None:
    ours = invoke(python_repo, "-", stdin=b'{"name": "Ada"}')
    lines = ours.logs.splitlines()
    start = lines.index(f"START RequestId: {ours.request_id} Version: $LATEST")
    end = lines.index(f"END RequestId: {ours.request_id}")
    assert start < end
    # The handler's own log record sits between START and END, in Lambda's JSON format.
    record = json.loads(lines[start + 1])
    assert record["message"] == "greeting"
    assert record["requestId"] == ours.request_id
    report = lines[end + 1].rstrip("\t").split("\t")
    assert report[0] == f"REPORT RequestId: {ours.request_id}"
    names = [field.split(":")[0] for field in report[1:]]
    assert names == [
        "Duration",
        "Billed Duration",
        "Memory Size",
        "Max Memory Used",
        "Init Duration",
    ]
    fields = dict(field.split(": ") for field in report[1:])
    duration = float(fields["Duration"].removesuffix(" ms"))
    init = float(fields["Init Duration"].removesuffix(" ms"))
    # A cold start bills its init too, rounded up to the millisecond.
    # Billed from the exact times; the printed ones are rounded to 0.01 ms, so the sum can
    # sit on the other side of a whole millisecond.
    billed = {f"{math.ceil(duration + init + d)} ms" for d in (-0.02, 0, 0.02)}
    assert fields["Billed Duration"] in billed
    assert fields["Memory Size"] == "128 MB"
    assert int(fields["Max Memory Used"].removesuffix(" MB")) > 1


def test_timeout_kills_the_handler(python_repo: Path, tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    event = json.dumps({"pidfile": str(pidfile)}).encode()
    ours = invoke(
        python_repo, "-", "--handler", "py_func.cases.sleepy", "--timeout", "1", stdin=event
    )
    assert ours.code == 1
    assert json.loads(ours.payload) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {ours.request_id} Error: Task timed out after 1.00 seconds",
    }
    report = next(line for line in ours.logs.splitlines() if line.startswith("REPORT"))
    assert "\tDuration: 1000.00 ms\t" in report
    assert report.endswith("\tStatus: timeout")
    with pytest.raises(ProcessLookupError):
        os.kill(int(pidfile.read_text()), 0)


def test_init_failure_reports_the_init_phase(python_repo: Path) -> None:
    ours = invoke(python_repo, "--handler", "py_func.missing.handler")
    assert ours.code == 1
    assert json.loads(ours.payload)["errorType"] == "Runtime.ImportModuleError"
    assert re.search(
        r"^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\t"
        r"Error Type: Runtime.ImportModuleError$",
        ours.logs,
        re.MULTILINE,
    )


def test_runtime_exit_is_runtime_exit_error(python_repo: Path, tmp_path: Path) -> None:
    module = python_repo / "src" / "py_func" / "quits.py"
    module.write_text("import os\n\ndef handler(event, context):\n    os._exit(3)\n")
    ours = invoke(python_repo, "--handler", "py_func.quits.handler")
    assert ours.code == 1
    assert json.loads(ours.payload) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {ours.request_id} Error: Runtime exited with error: "
        "exit status 3",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-event"], "unknown event 'no-such-event'"),
        (["missing.json"], "event file missing.json does not exist"),
        (["--timeout", "0"], "--timeout 0: use a number of seconds from 1 to 900"),
        (["--env", "NOEQUALS"], "--env 'NOEQUALS': use --env KEY=VALUE"),
        (["--function", "Other"], "--function Other: no such function here; the repo's functions"),
    ],
)
def test_bad_input_is_one_line_exit_2(python_repo: Path, args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "invoke", *args],
        cwd=python_repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("lambda-new: error: ")
    assert message in result.stderr


def test_not_json_event_and_outside_a_repo(python_repo: Path, tmp_path: Path) -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "scaffold", "invoke", "-"],
        cwd=python_repo,
        input="{not json",
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "the event from stdin is not JSON" in bad.stderr
    outside = subprocess.run(
        [sys.executable, "-m", "scaffold", "invoke"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert outside.returncode == 2
    assert "not inside a function repo" in outside.stderr


def test_path_option_and_template_environment(python_repo: Path, tmp_path: Path) -> None:
    template = python_repo / "template.yaml"
    original = template.read_text()
    try:
        template.write_text(
            original.replace(
                "      MemorySize: 128\n",
                "      MemorySize: 256\n      Environment:\n        Variables:\n"
                "          GREETING: !Ref AWS::Region\n",
            )
        )
        ours = invoke(
            tmp_path, "--path", str(python_repo), "-", "--handler", "py_func.cases.environment",
            stdin=b"{}",
        )  # fmt: skip
    finally:
        template.write_text(original)
    values = json.loads(ours.payload)
    assert values["GREETING"] == "us-east-1"
    assert values["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"


def test_python_logging_in_text_format(python_repo: Path) -> None:
    template = python_repo / "template.yaml"
    original = template.read_text()
    try:
        template.write_text(original.replace("LogFormat: JSON", "LogFormat: Text"))
        ours = invoke(python_repo, "-", stdin=b'{"name": "Ada"}')
    finally:
        template.write_text(original)
    # Text format without a log level: the root logger stays at WARNING, as in Lambda.
    assert "greeting" not in ours.logs
    assert ours.code == 0


def test_node_console_logs_carry_the_request_id(node_repos: dict[str, Path]) -> None:
    ours = invoke(node_repos["22"], "-", stdin=b'{"name": "Ada"}')
    record = next(
        json.loads(line) for line in ours.logs.splitlines() if line.startswith('{"timestamp"')
    )
    assert record["level"] == "INFO"
    assert record["requestId"] == ours.request_id
    assert record["message"] == {"message": "greeting", "caller": "Ada"}  # queryable fields


def test_handler_string_override_needs_no_template_change(python_repo: Path) -> None:
    source = textwrap.dedent(
        """
        def handler(event, context):
            return {"override": True}
        """
    )
    (python_repo / "src" / "other.py").write_text(source)
    ours = invoke(python_repo, "--handler", "other.handler")
    assert ours.payload == b'{"override": true}'
