"""`lambda-new update` never loses data: not an ignored file, not on an error.

A team template (a fork of ours) is tagged 1.0.0; a repo is made from it and
given files an owner really has (`local.env` with a secret, editor settings),
ignored by git. 2.0.0 ships files at those paths.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import git, read_only, release, snapshot, team_template, tmpfs

SECRET = "DATABASE_PASSWORD=hunter2-real-secret\n"
ENV_TEMPLATE = "DATABASE_PASSWORD=change-me\n"


@pytest.fixture
def owned_repo(cli, tmp_path: Path) -> tuple[Path, Path]:
    template = team_template(tmp_path / "team")
    result = cli("fn", "--template", str(template), "--defaults")
    assert result.exit_code == 0, result.stderr
    repo = tmp_path / "fn"
    with (repo / ".gitignore").open("a") as ignore:
        ignore.write("local.env\n.vscode/\n")
    git(repo, "commit", "--quiet", "--all", "--message", "ignore my local files")
    (repo / "local.env").write_text(SECRET)
    (repo / ".vscode").mkdir()
    (repo / ".vscode/settings.json").write_text('{"python.defaultInterpreterPath": ".venv"}\n')
    release(
        template,
        {
            "local.env": ENV_TEMPLATE,
            ".vscode/settings.json": '{"editor.formatOnSave": true}\n',
            "CODEOWNERS": "* @payments\n",
        },
        tag="2.0.0",
    )
    return repo, template


def commit_of(repo: Path) -> str:
    return yaml.safe_load((repo / ".copier-answers.yml").read_text())["_commit"]


def test_an_ignored_file_the_template_adds_is_a_conflict_and_stays_the_users(cli, owned_repo):
    repo, _ = owned_repo

    result = cli("update", str(repo))

    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "conflicts in 2 file(s)" in result.stderr
    assert ".vscode/settings.json" in result.stderr and "local.env" in result.stderr
    assert "local.env is not tracked by git" in result.stderr
    assert "C local.env" in result.stdout and "C .vscode/settings.json" in result.stdout
    assert (repo / "local.env").read_text() == SECRET
    assert (repo / "local.env.template-new").read_text() == ENV_TEMPLATE
    assert "formatOnSave" not in (repo / ".vscode/settings.json").read_text()
    assert "formatOnSave" in (repo / ".vscode/settings.json.template-new").read_text()
    assert (repo / "CODEOWNERS").read_text() == "* @payments\n"  # the rest did arrive
    assert commit_of(repo) == "2.0.0"


def test_pretend_lists_the_ignored_conflicts_and_writes_nothing(cli, owned_repo):
    repo, _ = owned_repo
    before = snapshot(repo)

    result = cli("update", str(repo), "--pretend")

    assert result.exit_code == 1
    assert "would conflict in 2 file(s)" in result.stderr and "local.env" in result.stderr
    assert "C local.env" in result.stdout and "A CODEOWNERS" in result.stdout
    assert snapshot(repo) == before


def test_a_taken_template_new_name_is_left_alone_and_said(cli, owned_repo):
    repo, _ = owned_repo
    with (repo / ".gitignore").open("a") as ignore:
        ignore.write("*.template-new\n")
    git(repo, "commit", "--quiet", "--all", "--message", "ignore those too")
    (repo / "local.env.template-new").write_text("mine too\n")

    result = cli("update", str(repo))

    assert result.exit_code == 1
    assert "the template's version is left out" in result.stderr
    assert (repo / "local.env.template-new").read_text() == "mine too\n"
    assert (repo / "local.env").read_text() == SECRET


def test_an_error_while_writing_puts_everything_back(cli, owned_repo, monkeypatch):
    """The third file write fails (as a full disk would): nothing of the update stays."""
    from scaffold import updater

    repo, _ = owned_repo
    before = snapshot(repo)
    written = []
    original = updater._Journal.write

    def failing(self, path, source):
        written.append(path)
        if len(written) == 3:
            raise OSError(28, "No space left on device", str(path))
        original(self, path, source)

    monkeypatch.setattr(updater._Journal, "write", failing)

    result = cli("update", str(repo))

    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "nothing was changed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(repo) == before


def test_an_update_with_conflicts_that_fails_leaves_the_index_as_it_was(
    cli, owned_repo, monkeypatch
):
    """Conflicts are recorded in the index last; a failure there undoes the files too."""
    from scaffold import updater
    from scaffold.errors import LambdaNewError

    repo, template = owned_repo
    readme = repo / "README.md"
    readme.write_text("# fn: the owner's title\n" + readme.read_text().split("\n", 1)[1])
    git(repo, "commit", "--quiet", "--all", "--message", "owner's title")
    release(template, {"README.md.jinja": "# {{ function_name }}: the team's title\n"}, tag="2.1.0")
    before = snapshot(repo)

    def broken(self, clone, unmerged):
        raise LambdaNewError("cannot record the conflicts: index.lock exists")

    monkeypatch.setattr(updater._Journal, "record_conflicts", broken)
    result = cli("update", str(repo))

    assert result.exit_code == 1
    assert snapshot(repo) == before


def test_a_read_only_repo_is_one_line_and_unchanged(cli, owned_repo, tmp_path):
    repo, _ = owned_repo
    with tmpfs(tmp_path / "disk") as mount:
        subprocess.run(["cp", "-a", str(repo), str(mount / "fn")], check=True)
        read_only(mount)
        before = snapshot(mount / "fn")

        result = cli("update", str(mount / "fn"))

        assert result.exit_code == 1, (result.stdout, result.stderr)
        assert "Read-only file system" in result.stderr and "nothing was changed" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert snapshot(mount / "fn") == before
