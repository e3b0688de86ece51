"""`lambda-new update` and team templates (`--template`), against a real git template repo.

The team template is a fork of ours made in the test: tag 1.0.0 is our template as
it is; 2.0.0 changes the Makefile and the README title, adds a CODEOWNERS file and
deletes samconfig.toml. Repos are generated at 1.0.0, edited and committed like an
owner would, then updated with real copier and real git.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scaffold import history
from tests.conftest import files_of, git, run_in

MAKEFILE_LINE = "# team template 2.0.0: lint before every push"


def _release(template: Path, tag: str) -> None:
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "--allow-empty", "--message", f"Release {tag}")
    git(template, "tag", tag)


@pytest.fixture
def team_template(tmp_path: Path) -> Path:
    template = history.stage_template(tmp_path / "team-template")
    git(template, "init", "--quiet")
    _release(template, "1.0.0")
    makefile = template / "templates/Makefile.jinja"
    makefile.write_text(makefile.read_text() + f"\n{MAKEFILE_LINE}\n")
    readme = template / "templates/README.md.jinja"
    lines = readme.read_text().splitlines(keepends=True)
    readme.write_text("# {{ function_name }}, a payments-team function\n" + "".join(lines[1:]))
    (template / "templates/CODEOWNERS.jinja").write_text("* @payments/{{ function_name }}\n")
    (template / "templates/samconfig.toml.jinja").unlink()
    _release(template, "2.0.0")
    return template


def _answers(repo: Path) -> dict[str, object]:
    return yaml.safe_load((repo / ".copier-answers.yml").read_text())


@pytest.fixture
def team_repo(cli, tmp_path, team_template) -> Path:
    """A repo made from the team template at 1.0.0, with an owner's edit committed."""
    result = cli("fn", "--template", str(team_template), "--vcs-ref", "1.0.0", "--defaults")
    assert result.exit_code == 0, result.stderr
    repo = tmp_path / "fn"
    handler = repo / "src/fn/handler.py"
    handler.write_text(handler.read_text() + "\n\nOWNER_EDIT = True\n")
    git(repo, "commit", "--quiet", "--all", "--message", "Owner's change")
    return repo


def test_a_team_template_is_recorded_so_it_can_be_updated(team_repo, team_template):
    answers = _answers(team_repo)
    assert answers["_src_path"] == str(team_template)
    assert answers["_commit"] == "1.0.0"
    assert not (team_repo / "CODEOWNERS").exists()


def test_update_merges_the_new_template_and_keeps_the_owners_edits(cli, team_repo):
    result = cli("update", str(team_repo))

    assert result.exit_code == 0, result.stderr
    assert "1.0.0 to 2.0.0" in result.stdout
    assert MAKEFILE_LINE in (team_repo / "Makefile").read_text()  # changed by the template
    assert "OWNER_EDIT = True" in (team_repo / "src/fn/handler.py").read_text()  # kept
    assert (team_repo / "CODEOWNERS").read_text() == "* @payments/fn\n"  # added
    assert not (team_repo / "samconfig.toml").exists()  # deleted by the template
    assert _answers(team_repo)["_commit"] == "2.0.0"
    for line in ("M Makefile", "A CODEOWNERS", "D samconfig.toml", "M README.md"):
        assert line in result.stdout
    # The owner reviews and commits; the repo then still passes its own tests.
    git(team_repo, "add", "--all")
    git(team_repo, "commit", "--quiet", "--message", "Update to 2.0.0")
    run_in(team_repo, "make", "test")
    again = cli("update", str(team_repo))
    assert again.exit_code == 0
    assert "Already up to date" in again.stdout


def test_a_conflict_exits_1_names_the_file_and_keeps_both_sides(cli, team_repo):
    readme = team_repo / "README.md"
    readme.write_text("# fn: the owner's own title\n" + readme.read_text().split("\n", 1)[1])
    git(team_repo, "commit", "--quiet", "--all", "--message", "Owner's title")

    result = cli("update", str(team_repo))

    assert result.exit_code == 1
    assert "conflicts in 1 file(s): README.md" in result.stderr
    assert "git add README.md" in result.stderr
    assert "C README.md" in result.stdout
    text = readme.read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text
    assert "# fn: the owner's own title" in text  # the owner's side
    assert "# fn, a payments-team function" in text  # the template's side
    assert "UU README.md" in git(team_repo, "status", "--porcelain")
    assert MAKEFILE_LINE in (team_repo / "Makefile").read_text()  # the rest did merge


def test_a_dirty_work_tree_is_refused_and_left_untouched(cli, team_repo):
    handler = team_repo / "src/fn/handler.py"
    handler.write_text(handler.read_text() + "WORK_IN_PROGRESS = 1\n")
    (team_repo / "notes.txt").write_text("not committed\n")
    before = git(team_repo, "status", "--porcelain")

    result = cli("update", str(team_repo))

    assert result.exit_code == 1
    assert "uncommitted changes" in result.stderr and "nothing was changed" in result.stderr
    assert "src/fn/handler.py" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert git(team_repo, "status", "--porcelain") == before
    assert "WORK_IN_PROGRESS = 1" in handler.read_text()
    assert _answers(team_repo)["_commit"] == "1.0.0"
    assert not (team_repo / "CODEOWNERS").exists()


def test_pretend_previews_a_dirty_work_tree_and_touches_nothing(cli, team_repo):
    """--pretend writes nothing, so uncommitted work does not stop it; it says the preview
    is of the last commit."""
    handler = team_repo / "src/fn/handler.py"
    handler.write_text(handler.read_text() + "WORK_IN_PROGRESS = 1\n")
    before = git(team_repo, "status", "--porcelain")

    result = cli("update", str(team_repo), "--pretend")

    assert result.exit_code == 0, result.stderr
    assert "A CODEOWNERS" in result.stdout and "Nothing was written" in result.stdout
    assert "uncommitted changes (src/fn/handler.py)" in result.stderr
    assert git(team_repo, "status", "--porcelain") == before
    assert "WORK_IN_PROGRESS = 1" in handler.read_text()
    assert not (team_repo / "CODEOWNERS").exists()


def test_pretend_lists_the_changes_and_writes_nothing(cli, team_repo):
    head = git(team_repo, "rev-parse", "HEAD")

    result = cli("update", str(team_repo), "--pretend")

    assert result.exit_code == 0, result.stderr
    assert "Would update" in result.stdout and "A CODEOWNERS" in result.stdout
    assert "Nothing was written" in result.stdout
    assert git(team_repo, "status", "--porcelain", "--ignored") == ""
    assert git(team_repo, "rev-parse", "HEAD") == head
    assert _answers(team_repo)["_commit"] == "1.0.0"


def test_to_picks_the_version_and_refuses_a_downgrade(cli, team_repo):
    same = cli("update", str(team_repo), "--to", "1.0.0")
    assert same.exit_code == 0
    assert "Already up to date" in same.stdout

    older = cli("update", str(team_repo), "--to", "0.9.0")
    assert older.exit_code == 2
    assert "cannot downgrade" in older.stderr


def test_update_outside_a_generated_repo_is_a_usage_error(cli, tmp_path):
    result = cli("update", str(tmp_path))
    assert result.exit_code == 2
    assert "no .copier-answers.yml" in result.stderr


def test_plain_copier_update_reads_what_lambda_new_recorded(team_repo):
    """What Renovate's copier manager and `copier update` rely on: _src_path and _commit."""
    subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--quiet", "--vcs-ref", "2.0.0"],
        cwd=team_repo,
        check=True,
        capture_output=True,
    )
    assert _answers(team_repo)["_commit"] == "2.0.0"
    assert (team_repo / "CODEOWNERS").is_file()
    assert "OWNER_EDIT = True" in (team_repo / "src/fn/handler.py").read_text()


@pytest.fixture
def unsafe_template(team_template: Path) -> Path:
    """Tag 3.0.0 adds a copier task: code that runs on the user's machine."""
    with (team_template / "copier.yml").open("a") as copier_yml:
        copier_yml.write('\n_tasks:\n  - "echo ran > task-ran.txt"\n')
    _release(team_template, "3.0.0")
    return team_template


def test_a_template_that_runs_code_needs_trust(cli, tmp_path, unsafe_template):
    refused = cli("fn", "--template", str(unsafe_template), "--defaults")

    assert refused.exit_code == 2
    assert "runs code on this machine (tasks)" in refused.stderr
    assert "--trust" in refused.stderr
    assert not (tmp_path / "fn").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".lambda-new")] == []

    trusted = cli("fn", "--template", str(unsafe_template), "--defaults", "--trust")
    assert trusted.exit_code == 0, trusted.stderr
    assert (tmp_path / "fn/task-ran.txt").is_file()


def test_updating_to_a_template_that_runs_code_needs_trust(cli, team_repo, unsafe_template):
    head = git(team_repo, "rev-parse", "HEAD")

    refused = cli("update", str(team_repo))

    assert refused.exit_code == 2
    assert "--trust" in refused.stderr
    assert git(team_repo, "status", "--porcelain") == ""
    assert git(team_repo, "rev-parse", "HEAD") == head

    trusted = cli("update", str(team_repo), "--trust")
    assert trusted.exit_code == 0, trusted.stderr
    assert _answers(team_repo)["_commit"] == "3.0.0"


def test_a_template_without_release_tags_warns_that_repos_cannot_be_updated(cli, tmp_path):
    template = history.stage_template(tmp_path / "untagged")
    git(template, "init", "--quiet")
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "--message", "no tags")

    result = cli("fn", "--template", str(template), "--defaults")

    assert result.exit_code == 0, result.stderr
    assert "warning:" in result.stderr and "tag releases" in result.stderr


def test_bad_template_sources_are_one_line_errors(cli, tmp_path):
    missing = cli("fn", "--template", str(tmp_path / "nope"), "--defaults")
    assert missing.exit_code == 2
    assert "no such directory" in missing.stderr

    unreachable = cli("fn", "--template", "file:///nonexistent/template.git", "--defaults")
    assert unreachable.exit_code == 1
    assert "cannot read the template" in unreachable.stderr
    assert len(unreachable.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "fn").exists()


def test_an_interrupted_update_puts_the_repo_back(cli, team_repo, monkeypatch):
    from scaffold import updater

    def half_done(destination: Path, *args: object) -> None:
        (destination / "Makefile").write_text("half-written\n")
        (destination / "new-file.txt").write_text("left behind?\n")
        (destination / "template.yaml").unlink()
        raise KeyboardInterrupt

    monkeypatch.setattr(updater, "_run_copier", half_done)
    before = files_of(team_repo)

    result = cli("update", str(team_repo))

    assert result.exit_code == 130
    assert files_of(team_repo) == before
    assert git(team_repo, "status", "--porcelain", "--ignored") == ""
