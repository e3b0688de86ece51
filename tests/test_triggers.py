"""Every trigger x runtime: the generated repo passes its own tests and lint, its SAM
template passes cfn-lint, and its sample events are the catalog's, matching AWS's shape.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from scaffold import catalog, events, project
from tests import fidelity

from .conftest import REPO_ROOT, run_in

pytestmark = pytest.mark.e2e

FACTS = catalog.load()
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")
MATRIX = [(trigger, runtime) for trigger in FACTS.triggers for runtime in FACTS.runtimes]
IDS = [f"{trigger}-{runtime}" for trigger, runtime in MATRIX]
HANDLERS = {
    "python": ("handler.py", "src/*/handler.py"),
    "node": ("handler.mjs", "src/handler.mjs"),
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
def test_trigger_repo_passes_its_own_tests_and_lint(repos, trigger, runtime):
    repo = repos[(trigger, runtime)]

    tested = run_in(repo, "make", "test")
    run_in(repo, "make", "lint")

    output = tested.stdout + tested.stderr
    assert (" passed" in output) if runtime == "python" else ("# fail 0" in output), output
    status = run_in(repo, "git", "status", "--porcelain").stdout.split("\n")
    assert [line for line in status if line and "package-lock.json" not in line] == []


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

    assert len(cases) == 2 * sum(len(t.events) for t in FACTS.triggers.values())
    assert fidelity.typecheck(cases, tmp_path) == {}
