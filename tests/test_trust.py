"""A template is untrusted input: it cannot run code, reach .git or link out of the repo.

Each test builds a hostile team template (a fork of ours, tagged like a release)
in tmp_path, runs the real CLI against it, and checks that it was refused with
one line, that nothing was written, and that the payload never ran: the
payload would create a marker file, which must not exist.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git, leftovers, release, snapshot, team_template

DOTGIT = 'dotgit:\n  type: str\n  when: false\n  default: ".git"\n'


def payload(marker: Path) -> str:
    return f"touch {marker}; false"


def assert_refused(result, *fragments: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("name", "content", "mode"),
    [
        ("{{ dotgit }}/config", '[core]\n\tfsmonitor = "{payload}"\n', 0o644),
        ("{{ dotgit }}/hooks/pre-commit", "#!/bin/sh\n{payload}\n", 0o755),
        ("{{ dotgit }}/hooks/post-index-change", "#!/bin/sh\n{payload}\n", 0o755),
        ("{{ dotgit }}", "gitdir: {other}/.git\n", 0o644),
        ("src/{{ dotgit }}", "gitdir: {other}/.git\n", 0o644),
    ],
    ids=["fsmonitor", "pre-commit-hook", "index-hook", "gitdir-file", "nested-gitdir-file"],
)
def test_new_refuses_a_template_that_writes_into_git(cli, tmp_path, name, content, mode):
    marker = tmp_path / "payload-ran"
    other = tmp_path / "other-repo"
    other.mkdir()
    git(other, "init", "--quiet")
    git(other, "commit", "--quiet", "--allow-empty", "--message", "someone else's")
    other_before = snapshot(other)
    text = content.format(payload=payload(marker), other=other)
    template = team_template(tmp_path / "hostile", {name: text}, DOTGIT)
    os.chmod(template / "templates" / name, mode)
    release(template, tag="1.0.1")
    out = tmp_path / "out"
    out.mkdir()

    result = cli("fn", "--template", str(template), "--defaults", "--output-dir", str(out))

    assert_refused(result, ".git", "refused", "nothing was written")
    assert not marker.exists()
    assert list(out.iterdir()) == []
    assert snapshot(other) == other_before


def test_a_template_that_ships_its_own_git_folder_is_refused(cli, tmp_path):
    """`_exclude: []` drops copier's own exclusion of the template's .git folder."""
    template = tmp_path / "plain"
    template.mkdir()
    (template / "copier.yml").write_text("_exclude: []\nfunction_name:\n  type: str\n")
    (template / "README.md").write_text("hello\n")
    git(template, "init", "--quiet")
    git(template, "remote", "add", "origin", "https://git.example.com/template.git")
    release(template, tag="1.0.0")

    result = cli("fn", "--template", str(template), "--defaults")

    assert_refused(result, "renders .git", "nothing was written")
    assert not (tmp_path / "fn").exists()
    assert leftovers(tmp_path) == []


def test_a_link_out_of_the_repo_is_refused(cli, tmp_path):
    secrets = tmp_path / "home" / ".ssh"
    secrets.mkdir(parents=True)
    (secrets / "id_ed25519").write_text("PRIVATE KEY\n")
    template = team_template(
        tmp_path / "linking",
        copier_extra="_preserve_symlinks: true\n",
        links={"src/ssh": str(secrets)},
    )

    result = cli("fn", "--template", str(template), "--defaults")

    assert_refused(result, "src/ssh", "outside the new repo")
    assert not (tmp_path / "fn").exists()


def test_a_link_inside_the_repo_is_kept(cli, tmp_path):
    template = team_template(
        tmp_path / "linking",
        copier_extra="_preserve_symlinks: true\n",
        links={"docs/events": "../events"},
    )

    result = cli("fn", "--template", str(template), "--defaults")

    assert result.exit_code == 0, result.stderr
    assert os.readlink(tmp_path / "fn/docs/events") == "../events"


def test_a_template_without_the_answers_lambda_new_needs_writes_nothing(cli, tmp_path):
    template = tmp_path / "other-questions"
    template.mkdir()
    (template / "copier.yml").write_text(
        "function_name:\n  type: str\nruntime:\n  default: python\n"
    )
    (template / "README.md.jinja").write_text("# {{ function_name }}\n")
    git(template, "init", "--quiet")
    release(template, tag="1.0.0")

    first = cli("fn", "--template", str(template), "--defaults")
    second = cli("fn", "--template", str(template), "--defaults")

    assert_refused(first, "does not answer lambda_runtime, architecture", "nothing was written")
    assert_refused(second, "does not answer")  # not "already exists": nothing was left
    assert not (tmp_path / "fn").exists()
    assert leftovers(tmp_path) == []


def test_the_users_git_hooks_and_templates_do_not_run_on_a_new_repo(cli, tmp_path):
    """A global hooksPath or init.templateDir would run the user's hooks on rendered files."""
    marker = tmp_path / "user-hook-ran"
    hooks = tmp_path / "user-hooks"
    hooks.mkdir()
    for hook in ("pre-commit", "post-commit", "post-index-change"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    init_template = tmp_path / "init-template"
    (init_template / "hooks").mkdir(parents=True)
    (init_template / "hooks" / "post-commit").write_text(f"#!/bin/sh\ntouch {marker}\n")
    (init_template / "hooks" / "post-commit").chmod(0o755)
    user_config = tmp_path / "user.gitconfig"
    user_config.write_text(
        f"[core]\n\thooksPath = {hooks}\n\tfsmonitor = {hooks}/pre-commit\n"
        f"[init]\n\ttemplateDir = {init_template}\n\tdefaultBranch = trunk\n"
        "[user]\n\tname = Ana Lima\n\temail = ana@example.com\n"
        "[commit]\n\tgpgSign = true\n"
    )

    result = cli("fn", "--defaults", env={"GIT_CONFIG_GLOBAL": str(user_config)})

    assert result.exit_code == 0, result.stderr
    assert "initialised on branch trunk, first commit made" in result.stdout
    assert not marker.exists()
    assert not (tmp_path / "fn/.git/hooks").exists()  # no template folder copied in
    repo = tmp_path / "fn"
    assert git(repo, "log", "--format=%an", "-1").strip() in {"Ana Lima", "Test Author"}


@pytest.fixture
def repo_from_team_template(cli, tmp_path: Path) -> tuple[Path, Path]:
    template = team_template(tmp_path / "team", copier_extra=DOTGIT)
    result = cli("fn", "--template", str(template), "--defaults")
    assert result.exit_code == 0, result.stderr
    return tmp_path / "fn", template


@pytest.mark.parametrize("pretend", [False, True], ids=["update", "pretend"])
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("{{ dotgit }}/config", '[core]\n\tfsmonitor = "{payload}"\n[remote "origin"]\n'),
        ("{{ dotgit }}/hooks/post-checkout", "#!/bin/sh\n{payload}\n"),
        ("{{ dotgit }}", "gitdir: /tmp/elsewhere/.git\n"),
    ],
    ids=["fsmonitor", "hook", "gitdir-file"],
)
def test_update_refuses_a_release_that_writes_into_git(
    cli, tmp_path, repo_from_team_template, name, content, pretend
):
    repo, template = repo_from_team_template
    git(repo, "remote", "add", "origin", "git@git.example.com:payments/fn.git")
    git(repo, "config", "user.signingkey", "ABCD1234")
    marker = tmp_path / "payload-ran"
    release(template, {name: content.format(payload=payload(marker))}, tag="2.0.0")
    hook = template / "templates" / name
    hook.chmod(0o755)
    release(template, tag="2.0.1")
    before = snapshot(repo)

    result = cli("update", str(repo), *(["--pretend"] if pretend else []))

    assert_refused(result, ".git", "refused")
    assert not marker.exists()
    assert snapshot(repo) == before  # .git/config (remote, signing key) included


def test_an_edited_answers_file_cannot_point_update_at_code(cli, tmp_path, repo_from_team_template):
    """`_src_path` edited to a template with tasks: refused without --trust, nothing runs."""
    repo, _ = repo_from_team_template
    marker = tmp_path / "task-ran"
    evil = team_template(tmp_path / "evil")  # the same 1.0.0 the repo was made from...
    release(evil, copier_extra=f'_tasks:\n  - "touch {marker}"\n', tag="9.0.0")  # ...then code
    answers = repo / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(str(tmp_path / "team"), str(evil)))
    git(repo, "commit", "--quiet", "--all", "--message", "point elsewhere")
    before = snapshot(repo)

    result = cli("update", str(repo))

    assert_refused(result, "runs code on this machine", "--trust")
    assert not marker.exists()
    assert snapshot(repo) == before


def test_git_commands_lambda_new_runs_ignore_outside_configuration(tmp_path):
    """The hardening itself: hooks off, fsmonitor off, and isolated configs hold only identity."""
    from scaffold import vcs

    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    (repo / ".git/config").write_text('[core]\n\tfsmonitor = "touch /nonexistent"\n')
    assert vcs.run(repo, "config", "core.fsmonitor").stdout.strip() == "false"
    assert vcs.run(repo, "config", "core.hooksPath").stdout.strip() == os.devnull
    isolated = vcs.isolated_config(tmp_path, identity_from=repo)
    listed = vcs.run(repo, "config", "--global", "--list", isolated=isolated).stdout
    assert set(line.split("=")[0] for line in listed.splitlines()) <= {"user.name", "user.email"}
