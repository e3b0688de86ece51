"""The CI a new repo carries (`--ci github`, the default): its workflow and renovate.json
pass their schemas and zizmor's audit, and the workflow's steps, run in order in a fresh
clone as a GitHub runner runs them, pass. `--ci none` writes neither file.

The runner is real but for the `uses:` steps, which set up what this machine already has
(Python, uv, Node.js, the SAM CLI): pipx installs lambda-new at the version the workflow
names, from a package index holding the wheel of this checkout.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from scaffold import __version__, catalog, project

from .conftest import run_in, run_steps, sam_cli

pytestmark = pytest.mark.e2e

FACTS = catalog.load()
TOOLS = Path(sys.executable).parent
WORKFLOW = ".github/workflows/ci.yml"


def new_repo(root: Path, runtime: str, **answers: str) -> Path:
    request = project.NewProject(name="ci-fn", output_dir=root, runtime=runtime, **answers)
    return project.create(request).path


@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_workflow_and_renovate_config_pass_their_schemas_and_zizmor(tmp_path, runtime):
    repo = new_repo(tmp_path, runtime)

    run_in(
        repo,
        str(TOOLS / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        WORKFLOW,
    )
    run_in(
        repo,
        str(TOOLS / "check-jsonschema"),
        "--builtin-schema",
        "vendor.renovate",
        "renovate.json",
    )
    audit = run_in(repo, str(TOOLS / "zizmor"), "--offline", "--persona", "auditor", WORKFLOW)
    assert "No findings" in audit.stdout, audit.stdout


@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_workflow_pins_every_action_and_grants_least_privilege(tmp_path, runtime):
    repo = new_repo(tmp_path, runtime)
    text = (repo / WORKFLOW).read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)

    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), (action, comment)
    assert workflow["permissions"] == {}
    check, deploy = workflow["jobs"]["check"], workflow["jobs"]["deploy"]
    assert check["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"contents": "read", "id-token": "write"}
    assert "vars.AWS_DEPLOY_ROLE_ARN != ''" in deploy["if"]  # skipped until a role is set
    assert [s.get("run") for s in check["steps"] if "run" in s] == [
        f'pipx install "lambda-new=={__version__}"',
        "make install",
        "make lint",
        "make test",
        "make package",
        "sam validate --lint",
    ]


def test_ci_none_writes_no_workflow_and_no_renovate_config(tmp_path):
    repo = new_repo(tmp_path, "python", ci="none")

    assert not (repo / ".github").exists()
    assert not (repo / "renovate.json").exists()
    assert "ci: none" in (repo / ".copier-answers.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_workflow_steps_pass_in_order_in_a_fresh_clone(tmp_path, runner, runtime):
    repo = new_repo(tmp_path, runtime)
    clone = tmp_path / "clone"
    run_in(tmp_path, "git", "clone", "-q", str(repo), str(clone))
    workflow = yaml.safe_load((clone / WORKFLOW).read_text(encoding="utf-8"))

    ran = run_steps(workflow["jobs"]["check"]["steps"], clone, runner)

    assert "make package" in ran
    assert ("sam validate --lint" in ran) is (sam_cli() is not None)
    assert shutil.which("lambda-new", path=runner["PATH"]) == str(
        Path(runner["PIPX_BIN_DIR"]) / "lambda-new"
    )
    assert (clone / "dist" / "ci-fn.zip").is_file()
    assert run_in(clone, "git", "status", "--porcelain", "--untracked-files=all").stdout == ""
