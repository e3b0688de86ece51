"""Every trigger x runtime: the generated repo passes its own tests and lint, its SAM
template passes cfn-lint, and its sample events are the catalog's, matching AWS's shape.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from scaffold import catalog, events, project
from tests import fidelity
from tests.runtime_api import OfficialResult, node_client, run_official

from .conftest import REPO_ROOT, node_test_counts, run_in

pytestmark = pytest.mark.e2e

FACTS = catalog.load()
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")
LAMBDA_NEW = str(Path(sys.executable).parent / "lambda-new")
MATRIX = [(trigger, runtime) for trigger in FACTS.triggers for runtime in FACTS.runtimes]
IDS = [f"{trigger}-{runtime}" for trigger, runtime in MATRIX]
HANDLERS = {
    "python": ("handler.py", "src/*/handler.py"),
    "node": ("handler.mjs", "src/handler.mjs"),
    "typescript": ("handler.ts", "src/handler.ts"),
}


@pytest.fixture(scope="session")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """One generated repo per trigger and runtime (through the same function as the CLI)."""
    root = tmp_path_factory.mktemp("matrix")
    made = {}
    for trigger, runtime in MATRIX:
        request = project.NewProject(
            name=f"{trigger}-{runtime}", output_dir=root, runtime=runtime, trigger=trigger
        )
        made[(trigger, runtime)] = project.create(request).path
    return made


def repo_events(repo: Path) -> dict[str, Any]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((repo / "events").glob("*.json"))
    }


@pytest.mark.parametrize(("trigger", "runtime"), MATRIX, ids=IDS)
def test_trigger_repo_passes_its_own_tests_lint_package_and_invoke(repos, trigger, runtime):
    """A new repo's own commands, as its owner runs them (Node and TypeScript: `make lint`
    includes `tsc --strict` over src/), leave its tree as committed: no lockfile to add."""
    repo = repos[(trigger, runtime)]

    tested = run_in(repo, "make", "test")
    run_in(repo, "make", "lint")
    run_in(repo, "make", "package", f"LAMBDA_NEW={LAMBDA_NEW}")
    invoked = run_in(repo, "make", "invoke", f"LAMBDA_NEW={LAMBDA_NEW}")

    output = tested.stdout + tested.stderr
    if runtime == "python":
        assert " passed" in output, output
    else:
        passed, failed = node_test_counts(output)
        assert passed > 0 and failed == 0, output
    assert (repo / "dist" / f"{trigger}-{runtime}.zip").is_file()
    json.loads(invoked.stdout.splitlines()[-1])  # the result (JSON; null for no result)
    status = run_in(repo, "git", "status", "--porcelain", "--untracked-files=all").stdout
    assert status == ""


def test_every_trigger_template_passes_cfn_lint(repos):
    templates = [str(repo / "template.yaml") for repo in repos.values()]

    run_in(REPO_ROOT, CFN_LINT, *templates)


@pytest.mark.parametrize(("trigger", "runtime"), MATRIX, ids=IDS)
def test_repo_gets_the_triggers_events_as_events_show_prints_them(repos, trigger, runtime):
    repo = repos[(trigger, runtime)]
    expected = FACTS.triggers[trigger].events or ["invoke", "invoke-invalid"]

    assert sorted(repo_events(repo)) == sorted(expected)
    context = events.repo_context(repo / "src")
    for name in FACTS.triggers[trigger].events:
        shown = events.render(events.get(name), context, {})
        assert (repo / "events" / f"{name}.json").read_text(encoding="utf-8") == shown


@pytest.mark.parametrize(("trigger", "runtime"), MATRIX, ids=IDS)
def test_handler_arrives_as_written(repos, trigger, runtime):
    """Trigger handlers are plain code: Jinja must not change a byte of them."""
    repo = repos[(trigger, runtime)]
    source, target = HANDLERS[runtime]

    (written,) = [path.read_bytes() for path in repo.glob(target)]
    assert written == (REPO_ROOT / "triggers" / trigger / source).read_bytes()
    # The HTTP triggers share one API module beside the handler; the others have none.
    app_source = source.replace("handler", "app")
    apps = [path.read_bytes() for path in repo.glob(target.replace("handler", "app"))]
    if catalog.load().triggers[trigger].http:
        assert apps == [(REPO_ROOT / "triggers" / "_http" / app_source).read_bytes()]
    else:
        assert apps == []


def test_every_generated_event_matches_the_schemas(repos, tmp_path):
    cases: dict[str, tuple[str, Any]] = {}
    for (trigger, runtime), repo in repos.items():
        for name, body in repo_events(repo).items():
            if trigger == "none":
                continue  # the function's own payloads, not AWS events
            event = events.get(name)
            fidelity.validate_pydantic(event, body)
            fidelity.read_dataclass(event, body)
            ts_type = fidelity.typescript_type(event)
            if ts_type:
                cases[f"{trigger}-{runtime}/{name}"] = (ts_type, body)

    assert len(cases) == len(FACTS.runtimes) * sum(len(t.events) for t in FACTS.triggers.values())
    assert fidelity.typecheck(cases, tmp_path) == {}


def _without_request_id(body: str) -> object:
    """The result with the request id (the none trigger returns it) left out."""
    value = json.loads(body)
    if isinstance(value, dict):
        value.pop("requestId", None)
    return value


def _packaged_under_aws_client(
    repo: Path, major: int, sample: str, task_root: Path
) -> tuple[list[str], OfficialResult]:
    """`lambda-new package` the TypeScript repo, unzip it into task_root, and run its
    handler once under aws-lambda-ric `major` (3.x: nodejs22.x, 4.x: nodejs24.x) with
    events/`sample`.json: the zip's names and what the client posted."""
    run_in(repo, "make", "install")  # the locked esbuild (on another worker: not yet there)
    run_in(repo, LAMBDA_NEW, "package", "--path", str(repo))
    with zipfile.ZipFile(repo / "dist" / f"{repo.name}.zip") as archive:
        names = sorted(archive.namelist())
        archive.extractall(task_root)
    official = run_official(
        ["node", str(node_client(major)), "handler.handler"],
        task_root=task_root,
        handler="handler.handler",
        event=(repo / "events" / f"{sample}.json").read_bytes(),
        env={
            "AWS_EXECUTION_ENV": f"AWS_Lambda_nodejs{22 if major == 3 else 24}.x",
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
            "NODE_OPTIONS": "--enable-source-maps",
        },
    )
    return names, official


@pytest.mark.parametrize("trigger", list(FACTS.triggers))
@pytest.mark.parametrize("major", [3, 4])
def test_typescript_zip_runs_under_aws_runtime_clients_as_invoke_runs_it(
    repos, trigger, major, tmp_path
):
    """The packaged bundle under aws-lambda-ric 3.x (nodejs22.x) and 4.x (nodejs24.x) gives
    what `lambda-new invoke` gives for the trigger's first sample event."""
    repo = repos[(trigger, "typescript")]
    sample = (FACTS.triggers[trigger].events or ["invoke"])[0]

    names, official = _packaged_under_aws_client(repo, major, sample, tmp_path / "task")
    invoked = run_in(repo, LAMBDA_NEW, "invoke", "--path", str(repo), f"events/{sample}.json")

    assert names == ["handler.mjs", "handler.mjs.map"]
    assert official.kind == "response", official.stdout + official.stderr
    assert _without_request_id(official.body.decode()) == _without_request_id(invoked.stdout)


@pytest.mark.parametrize("major", [3, 4])
def test_typescript_errors_point_at_the_ts_lines_locally_and_in_the_zip(repos, major, tmp_path):
    repo = repos[("none", "typescript")]
    line = next(
        number
        for number, text in enumerate(
            (repo / "src" / "handler.ts").read_text(encoding="utf-8").splitlines(), 1
        )
        if "throw new TypeError" in text
    )
    _, official = _packaged_under_aws_client(repo, major, "invoke-invalid", tmp_path / "task")
    failed = subprocess.run(
        [LAMBDA_NEW, "invoke", "--path", str(repo), "events/invoke-invalid.json"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )

    assert failed.returncode == 1
    local = json.loads(failed.stdout)["trace"]
    deployed = json.loads(official.body)["trace"]
    assert f"{repo / 'src' / 'handler.ts'}:{line}:" in local[1]
    assert f"{tmp_path / 'task' / 'src' / 'handler.ts'}:{line}:" in deployed[1]
