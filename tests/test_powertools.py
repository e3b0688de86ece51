"""--powertools: every trigger's handler, in every language, uses Powertools for AWS Lambda.

Each repo's own `make test`, `make lint` and `make package` pass offline-ready (locked
dependencies, no X-Ray daemon, no AWS), and the zip, unzipped, runs under AWS's official
runtime client with the trigger's first sample event, giving what `lambda-new invoke`
gives. Without --powertools a repo is byte-identical to one made before the option existed
(tests/test_generated.py and tests/test_triggers.py cover those repos).
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import pytest
from cfnlint.decode import decode

from scaffold import catalog, project, questions
from tests.runtime_api import OfficialResult, node_client, run_official

from .conftest import run_in

pytestmark = pytest.mark.e2e

FACTS = catalog.load()
LAMBDA_NEW = str(Path(sys.executable).parent / "lambda-new")
# Python repos run on this interpreter's Python, so the zip's compiled wheels load here.
PY = f"{sys.version_info.major}.{sys.version_info.minor}"
MATRIX = [(trigger, runtime) for trigger in FACTS.triggers for runtime in FACTS.runtimes]
IDS = [f"{trigger}-{runtime}" for trigger, runtime in MATRIX]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="session")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    root = tmp_path_factory.mktemp("powertools")
    made = {}
    for trigger, runtime in MATRIX:
        version = {"runtime_version": PY} if runtime == "python" else {}
        request = project.NewProject(
            name=f"pt-{trigger}-{runtime}",
            output_dir=root,
            runtime=runtime,
            trigger=trigger,
            powertools=True,
            **version,
        )
        made[(trigger, runtime)] = project.create(request).path
    return made


def first_sample(trigger: str) -> str:
    return (FACTS.triggers[trigger].events or ["invoke"])[0]


def official_run(repo: Path, runtime: str, sample: str, task_root: Path) -> OfficialResult:
    """The zip `make package` built, unzipped, run once under AWS's official client with
    the environment template.yaml gives the function."""
    with zipfile.ZipFile(repo / "dist" / f"{repo.name}.zip") as archive:
        archive.extractall(task_root)
    template = (repo / "template.yaml").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^ {10}(POWERTOOLS_[A-Z_]+): (\S+)$", template, re.M))
    assert set(variables) == {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"}
    decoded, _ = decode(str(repo / "template.yaml"))
    assert decoded is not None
    function = decoded["Resources"][f"{questions.logical_id_prefix(repo.name)}Function"]
    handler = function["Properties"]["Handler"]
    event = (repo / "events" / f"{sample}.json").read_bytes()
    env = {**variables, "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "INFO"}
    if runtime == "python":
        command = [sys.executable, "-m", "awslambdaric", handler]
        env["AWS_EXECUTION_ENV"] = f"AWS_Lambda_python{PY}"
    else:
        command = ["node", str(node_client(3)), handler]
        env["AWS_EXECUTION_ENV"] = "AWS_Lambda_nodejs22.x"
        env["NODE_OPTIONS"] = "--enable-source-maps"
    return run_official(
        command, task_root=task_root, handler=handler, event=event, env=env,
        function_name=repo.name,
    )  # fmt: skip


def normalised(body: str) -> object:
    """A result with request ids and trace ids out of the way."""
    return json.loads(UUID.sub("<id>", body))


@pytest.mark.parametrize(("trigger", "runtime"), MATRIX, ids=IDS)
def test_powertools_repo_tests_lints_packages_and_runs_under_the_official_client(
    repos, trigger, runtime, tmp_path
):
    """Its own commands pass; `make invoke` shows what Lambda would log (Powertools' JSON
    records naming the service, the cold start's embedded-metric-format line in the
    stack's namespace); the zip under the official client gives the same result."""
    repo = repos[(trigger, runtime)]
    sample = first_sample(trigger)

    run_in(repo, "make", "test")
    run_in(repo, "make", "lint")
    run_in(repo, "make", "package", f"LAMBDA_NEW={LAMBDA_NEW}")
    # make: Python's invoke needs .venv (Powertools is in it), Node's node_modules/.
    invoked = run_in(
        repo, "make", "invoke", f"EVENT=events/{sample}.json", f"LAMBDA_NEW={LAMBDA_NEW}"
    )
    official = official_run(repo, runtime, sample, tmp_path / "task")

    assert official.kind == "response", official.stdout + official.stderr
    assert normalised(official.body.decode()) == normalised(invoked.stdout.splitlines()[-1])
    assert run_in(repo, "git", "status", "--porcelain", "--untracked-files=all").stdout == ""
    records = []
    for line in invoked.stderr.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    records = [r for r in records if isinstance(r, dict)]
    assert repo.name in {r.get("service") for r in records}, invoked.stderr
    metrics = [r for r in records if "_aws" in r]
    assert any("ColdStart" in r for r in metrics), invoked.stderr
    namespaces = {m["_aws"]["CloudWatchMetrics"][0]["Namespace"] for m in metrics}
    assert namespaces == {repo.name}, metrics


@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_powertools_is_a_locked_dependency(repos, runtime):
    repo = repos[("sqs", runtime)]
    if runtime == "python":
        lock = (repo / "uv.lock").read_text(encoding="utf-8")
        assert 'name = "aws-lambda-powertools"' in lock
        assert 'name = "aws-xray-sdk"' in lock  # the Tracer's
    else:
        lock = json.loads((repo / "package-lock.json").read_text(encoding="utf-8"))
        names = {path.removeprefix("node_modules/") for path in lock["packages"]}
        assert {"@aws-lambda-powertools/logger", "@aws-lambda-powertools/batch"} <= names
