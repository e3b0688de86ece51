"""Updating repos made from the bundled template: two real lambda-new builds, no network.

A user made a repo with lambda-new N, edited it, then upgraded to N+1 and ran
`lambda-new update`. Both versions are built here as wheels from copies of this
tree (N+1 with a template change), installed side by side, and run with git
forbidden to use any transport but local files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scaffold import __version__, history
from tests.conftest import REPO_ROOT, git, node_test_counts, pip, run_in

# What a wheel is built from (pyproject.toml's wheel target).
SOURCES = ("pyproject.toml", "README.md", "scaffold", *history.TEMPLATE_PARTS)
NEW_FILE = "CONTRIBUTING.md"
MAKEFILE_LINE = "# added by the newer template"
OFFLINE = {
    "GIT_ALLOW_PROTOCOL": "file",  # git may read local repositories and bundles only
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
}


def _copy_tree(target: Path, version: str) -> Path:
    ignore = shutil.ignore_patterns(*history.LOCAL_LEFTOVERS, "_template")
    target.mkdir()
    for name in SOURCES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    _set_version(target, version)
    return target


def _set_version(tree: Path, version: str) -> None:
    init = tree / "scaffold/__init__.py"
    init.write_text(re.sub(r'__version__ = ".*"', f'__version__ = "{version}"', init.read_text()))


def _python(site: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(site), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def _build_and_install(tree: Path, site: Path) -> Path:
    wheels = tree.parent / f"{tree.name}-wheels"
    pip("wheel", "--no-deps", "-w", str(wheels), str(tree))
    (wheel,) = wheels.glob("lambda_new-*.whl")
    pip("install", "--no-deps", "--target", str(site), str(wheel))
    return site


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, str]:
    """Installed lambda-new N and N+1 (sites for PYTHONPATH), and their versions."""
    work = tmp_path_factory.mktemp("releases")
    older, newer = "90.0.0", "90.1.0"
    first = _copy_tree(work / "first", older)
    # Releasing N records its template in the history that N+1 ships.
    recorded = _python(first, "-m", "scaffold.history", "record", cwd=first)
    assert recorded.returncode == 0, recorded.stderr
    assert older in recorded.stdout
    second = work / "second"
    shutil.copytree(first, second)
    _set_version(second, newer)
    makefile = second / "templates/Makefile.jinja"
    makefile.write_text(makefile.read_text() + f"\n{MAKEFILE_LINE}\n")
    (second / "templates" / f"{NEW_FILE}.jinja").write_text("Contribute to {{ function_name }}.\n")
    return (
        _build_and_install(first, work / "site-first"),
        _build_and_install(second, work / "site-second"),
        older,
        newer,
    )


def test_upgrading_lambda_new_then_update_merges_offline(tmp_path, two_releases):
    site_first, site_second, older, newer = two_releases
    made = _python(
        site_first, "-m", "scaffold", "fn", "--runtime", "python", "--defaults", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    repo = tmp_path / "fn"
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == history.TEMPLATE_URL
    assert answers["_commit"] == older
    handler = repo / "src/fn/handler.py"
    handler.write_text(handler.read_text() + "\n\nOWNER_EDIT = True\n")
    git(repo, "commit", "--quiet", "--all", "--message", "Owner's change")

    updated = _python(site_second, "-m", "scaffold", "update", cwd=repo, **OFFLINE)

    assert updated.returncode == 0, updated.stderr
    assert f"{older} to {newer}" in updated.stdout
    assert MAKEFILE_LINE in (repo / "Makefile").read_text()
    assert (repo / NEW_FILE).read_text() == "Contribute to fn.\n"
    assert "OWNER_EDIT = True" in handler.read_text()
    text = (repo / ".copier-answers.yml").read_text()
    assert yaml.safe_load(text)["_commit"] == newer
    assert yaml.safe_load(text)["_src_path"] == history.TEMPLATE_URL
    for machine_path in (str(tmp_path), str(site_second), "/tmp", str(Path.home())):
        assert machine_path not in text
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", f"Update to {newer}")
    run_in(repo, "make", "test")


def test_the_older_lambda_new_refuses_a_repo_from_the_newer_one(tmp_path, two_releases):
    site_first, site_second, older, newer = two_releases
    made = _python(site_second, "-m", "scaffold", "fn", "--defaults", cwd=tmp_path)
    assert made.returncode == 0, made.stderr

    result = _python(site_first, "-m", "scaffold", "update", cwd=tmp_path / "fn", **OFFLINE)

    assert result.returncode == 1
    assert f"template {newer}, newer than lambda-new {older}" in result.stderr
    assert "pip install -U lambda-new" in result.stderr


def test_a_repo_at_the_installed_version_is_up_to_date_without_git(cli, tmp_path, monkeypatch):
    """Nothing to merge: no clean-tree check, no history repo, not one git command."""
    from scaffold import vcs

    assert cli("fn", "--defaults").exit_code == 0
    (tmp_path / "fn/notes.txt").write_text("work in progress\n")
    monkeypatch.setattr(vcs, "_spawn", lambda *a: pytest.fail("git was run"))

    result = cli("update", str(tmp_path / "fn"))

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"Already up to date: fn is at template {__version__}."


def test_to_must_be_a_version_this_lambda_new_carries(cli, tmp_path):
    assert cli("fn", "--defaults").exit_code == 0

    result = cli("update", str(tmp_path / "fn"), "--to", "99.0.0")

    assert result.exit_code == 2
    assert f"lambda-new {__version__} carries template" in result.stderr


def test_a_recorded_release_never_changes():
    """Repos merge against the recorded templates, so a released one is immutable:
    after recording a release, template changes need a new __version__."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        git_dir = history.template_repo(Path(scratch))
        versions = history.released_versions(git_dir)
        bundle = subprocess.run(
            ["git", "bundle", "list-heads", str(history.HISTORY_BUNDLE)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        recorded = {
            line.split()[1].removeprefix("refs/tags/"): line.split()[0]
            for line in bundle.splitlines()
        }
        if __version__ in recorded:
            current = git(git_dir, "rev-parse", f"refs/tags/{__version__}").strip()
            assert current == recorded[__version__], (
                f"the template changed after {__version__} was recorded as released; "
                "bump __version__ in scaffold/__init__.py"
            )
    assert set(recorded) <= set(versions)
    assert "0.1.0" in recorded


def _made_by_release(tmp_path: Path, version: str, name: str, **answers: str) -> Path:
    """A repo as lambda-new `version` made it: rendered from that recorded template with
    the answers it wrote, and committed."""
    import copier

    git_dir = history.template_repo(tmp_path / "history")
    repo = tmp_path / name
    copier.run_copy(
        str(git_dir),
        repo,
        vcs_ref=version,
        data={
            "function_name": name,
            **answers,
            "template_src": history.TEMPLATE_URL,
            "template_version": version,
        },
        defaults=True,
        quiet=True,
        settings=copier.Settings(),
    )
    git(repo, "init", "--quiet")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", f"Made by lambda-new {version}")
    return repo


def test_a_repo_from_0_1_0_updates_and_new_questions_take_the_team_defaults(cli, tmp_path):
    """The real previous release: 0.1.0 had no owner/team questions. A repo made by it
    (rendered here from the recorded 0.1.0 template, with the answers 0.1.0 wrote) updates
    to this version, and the team's config answers the new questions."""
    repo = _made_by_release(tmp_path, "0.1.0", "old", runtime="python", trigger="sqs")
    assert "owner" not in yaml.safe_load((repo / ".copier-answers.yml").read_text())
    config_file = tmp_path / "team.toml"
    config_file.write_text('owner = "payments"\n')

    result = cli("update", str(repo), env={"LAMBDA_NEW_CONFIG": str(config_file)})

    assert result.exit_code == 0, result.stderr
    assert f"0.1.0 to {__version__}" in result.stdout
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    assert (answers["_commit"], answers["owner"], answers["team"]) == (__version__, "payments", "")
    assert 'owner: "payments"' in (repo / "template.yaml").read_text()
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "Update")
    run_in(repo, "make", "test")
    run_in(repo, "cfn-lint", "template.yaml")


def test_a_repo_from_0_3_0_keeps_its_logical_ids_when_it_updates(cli, tmp_path):
    """0.4.0 derives logical ids from the function (OrdersFunction, OrdersQueue). A repo
    made before keeps Function and Queue: renaming a deployed resource's logical id
    would make CloudFormation replace it (a new, empty queue)."""
    repo = _made_by_release(tmp_path, "0.3.0", "orders", trigger="sqs")
    before = (repo / "template.yaml").read_text()

    result = cli("update", str(repo))

    assert result.exit_code == 0, result.stderr
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    assert (answers["_commit"], answers["logical_id_prefix"]) == (__version__, "")
    template = (repo / "template.yaml").read_text()
    for line in ("  Function:", "  Queue:", "  DeadLetterQueue:", "!GetAtt Queue.Arn"):
        assert line in before
        assert line in template
    assert "build-Function:" in (repo / "Makefile").read_text()
    run_in(repo, "cfn-lint", "template.yaml")

    fresh = cli("orders-new", "-t", "sqs", "--defaults", "--no-git")
    assert fresh.exit_code == 0, fresh.stderr
    template = (tmp_path / "orders-new" / "template.yaml").read_text()
    assert "  OrdersNewFunction:" in template
    assert "  OrdersNewQueue:" in template
    assert "!GetAtt OrdersNewDeadLetterQueue.Arn" in template
    assert "build-OrdersNewFunction:" in (tmp_path / "orders-new" / "Makefile").read_text()


def test_a_node_repo_from_0_4_0_that_committed_its_lock_updates_and_relocks(cli, tmp_path):
    """Repos before 0.5.0 had no package-lock.json; their README said to commit the one
    the first install wrote. 0.5.0 ships one, so the update conflicts there: the message
    says to take the template's and re-lock, and doing so gives a repo that tests clean."""
    repo = _made_by_release(tmp_path, "0.4.0", "orders", runtime="node", trigger="sqs")
    run_in(repo, "npm", "install", "--package-lock-only", "--no-audit", "--no-fund")
    git(repo, "add", "package-lock.json")
    git(repo, "commit", "--quiet", "--message", "Lock")

    result = cli("update", str(repo))

    assert result.exit_code == 1
    hint = "git checkout --theirs package-lock.json && npm install"
    assert "package-lock.json is a lockfile: rather than merging it by hand" in result.stderr
    assert hint in result.stderr
    run_in(repo, "sh", "-c", hint)
    run_in(repo, "git", "add", "-A")
    assert node_test_counts(run_in(repo, "make", "test").stdout)[1] == 0
    run_in(repo, "make", "lint")
    assert run_in(repo, "git", "status", "--porcelain").stdout.count("??") == 0
