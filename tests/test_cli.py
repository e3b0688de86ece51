"""The CLI: every option, and every bad input (one line, exit 2, nothing written)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from scaffold import __version__, catalog

from .conftest import REPO_ROOT, files_of


def answers_of(repo: Path) -> dict[str, object]:
    return yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))


def test_creates_a_python_repo_by_default(cli, tmp_path):
    result = cli("my-func", "--defaults")

    assert result.exit_code == 0, result.stderr
    repo = tmp_path / "my-func"
    assert (repo / "src/my_func/handler.py").is_file()
    assert "Handler: my_func.handler.handler" in (repo / "template.yaml").read_text()
    assert answers_of(repo)["runtime"] == "python"
    assert answers_of(repo)["runtime_version"] == catalog.load().runtimes["python"].default_version


def test_new_verb_and_default_verb_give_the_same_repo(cli, tmp_path):
    assert cli("new", "a", "--defaults", "-o", "one").exit_code == 0
    assert cli("a", "--defaults", "-o", "two").exit_code == 0

    assert files_of(tmp_path / "one/a") == files_of(tmp_path / "two/a")


def test_options_may_come_before_the_name(cli, tmp_path):
    assert cli("--runtime", "node", "fn", "--defaults").exit_code == 0
    assert (tmp_path / "fn/src/handler.mjs").is_file()


def test_node_runtime_and_version(cli, tmp_path):
    result = cli("fn", "--runtime", "node", "--runtime-version", "24", "--defaults")

    assert result.exit_code == 0, result.stderr
    repo = tmp_path / "fn"
    assert "Runtime: nodejs24.x" in (repo / "template.yaml").read_text()
    package = json.loads((repo / "package.json").read_text())
    assert package["type"] == "module"
    assert package["engines"] == {"node": ">=24"}
    assert not (repo / "pyproject.toml").exists()
    assert not (repo / "src/fn").exists()


def test_python_version_arch_and_description(cli, tmp_path):
    result = cli(
        "fn", "--runtime-version", "3.12", "--arch", "arm64", "-d", "Resize images", "--defaults"
    )

    assert result.exit_code == 0, result.stderr
    template = (tmp_path / "fn/template.yaml").read_text()
    assert "Runtime: python3.12" in template
    assert "- arm64" in template
    assert 'Description: "Resize images"' in template
    assert not (tmp_path / "fn/package.json").exists()


def test_output_dir_is_created_and_holds_the_repo(cli, tmp_path):
    result = cli("fn", "--output-dir", "a/b", "--defaults")

    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "a/b/fn/template.yaml").is_file()
    assert "cd a/b/fn" in result.stdout


def test_summary_shows_the_tree_and_next_commands(cli):
    result = cli("fn", "--defaults")

    assert "  src/\n    fn/\n      __init__.py\n      handler.py" in result.stdout
    assert result.stdout.rstrip().endswith("Next:\n  cd fn\n  make test")


def test_git_repo_with_a_first_commit(cli, tmp_path):
    assert cli("fn", "--defaults").exit_code == 0

    repo = tmp_path / "fn"
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True, check=True
    )
    assert log.stdout.strip() == f"Create fn from the lambda-new {__version__} template"
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_no_git_leaves_no_repository(cli, tmp_path):
    assert cli("fn", "--no-git", "--defaults").exit_code == 0
    assert not (tmp_path / "fn/.git").exists()
    assert (tmp_path / "fn/template.yaml").is_file()


def test_without_git_identity_stages_and_says_how_to_commit(cli, tmp_path, monkeypatch):
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tuseConfigOnly = true\n")
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    result = cli("fn", "--defaults")

    assert result.exit_code == 0, result.stderr
    assert "git has no identity" in result.stdout
    assert "git commit" in result.stdout
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only"],
        cwd=tmp_path / "fn",
        capture_output=True,
        text=True,
        check=True,
    )
    assert "template.yaml" in staged.stdout.split()


def test_no_terminal_means_no_prompt(cli, tmp_path):
    """CliRunner's stdin is not a terminal: defaults are used, nothing hangs."""
    result = cli("fn")

    assert result.exit_code == 0, result.stderr
    assert answers_of(tmp_path / "fn")["architecture"] == "x86_64"


def test_no_arguments_prints_the_help(cli):
    result = cli()

    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: lambda-new")
    assert re.search(r"new +Create a new function repository", result.stdout)
    assert re.search(r"events +Sample events", result.stdout)
    assert result.stderr == ""


@pytest.mark.parametrize("group", ["events", "config"])
def test_a_group_without_a_command_prints_its_help(cli, group):
    result = cli(group)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Usage: lambda-new {group} [OPTIONS] COMMAND")
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [[], ["events"], ["config"], *([name, "--help"] for name in
     ["new", "invoke", "serve", "package", "update", "events show", "events list"])],
)  # fmt: skip
def test_usage_lines_and_summaries_read_plainly(cli, args):
    """NAME / [EVENT] as Unix tools write them (not {NAME} or [[EVENT]]), and every command's
    summary is a whole sentence, not cut off with "..."."""
    result = cli(*[part for arg in args for part in arg.split()])

    assert result.exit_code == 0, result.stderr
    usage = result.stdout.splitlines()[0]
    assert "{" not in usage and "[[" not in usage, usage
    commands = result.stdout.partition("Commands:")[2]
    assert not [line for line in commands.splitlines() if line.rstrip().endswith("...")]


def test_version_and_help():
    # --help and --version must not import copier (0.3 s); check in a fresh interpreter.
    probe = (
        "import sys\nfrom scaffold.entry import run\n"
        "for argv in (['--help'], ['--version'], ['new', '--help']):\n"
        "    sys.argv = ['lambda-new', *argv]\n"
        "    try:\n        run()\n    except SystemExit as exit:\n        assert exit.code == 0\n"
        "print('copier' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert f"lambda-new {__version__}" in result.stdout
    assert "--runtime-version" in result.stdout
    assert result.stdout.strip().endswith("False")


# ---- bad input --------------------------------------------------------------------------


def assert_one_line_usage_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("lambda-new: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "name",
    ["my func", "a/b", "..", ".", "", "x" * 65, "-leading", "fn.py", "naïve", "a:b", "../escape"],
)
def test_refuses_invalid_function_names(cli, tmp_path, name):
    result = cli("new", "--defaults", "--", name)

    assert_one_line_usage_error(result, "function name", "1 to 64 letters")
    assert list(tmp_path.iterdir()) == []


def test_accepts_the_longest_valid_name(cli, tmp_path):
    assert cli("x" * 64, "--defaults").exit_code == 0


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--runtime", "java"], ["unknown runtime 'java'", "python, node"]),
        (["--runtime-version", "2.7"], ["unknown Python version '2.7'", "3.10, 3.11, 3.12"]),
        (["-r", "node", "--runtime-version", "18"], ["unknown Node.js version '18'", "20, 22, 24"]),
        (["-r", "node", "--runtime-version", "3.13"], ["unknown Node.js version '3.13'"]),
        (["--arch", "sparc"], ["unknown architecture 'sparc'", "x86_64, arm64"]),
        (["--bogus"], ["No such option: --bogus"]),
        (["--description", "x" * 257], ["--description", "256 characters"]),
        (["--description", "bell\x07"], ["--description", "control character"]),
    ],
)
def test_refuses_bad_options_listing_the_choices(cli, tmp_path, args, fragments):
    result = cli("fn", "--defaults", *args)

    assert_one_line_usage_error(result, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_deprecated_version_works_with_a_warning(cli, tmp_path):
    result = cli("fn", "-r", "node", "--runtime-version", "20", "--defaults")

    assert result.exit_code == 0, result.stderr
    assert "warning: nodejs20.x is deprecated" in result.stderr
    assert "Runtime: nodejs20.x" in (tmp_path / "fn/template.yaml").read_text()


def test_refuses_a_non_empty_destination_and_touches_nothing(cli, tmp_path):
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn/keep.txt").write_text("mine")

    result = cli("fn", "--defaults")

    assert result.exit_code == 1
    assert "already exists and is not empty" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert files_of(tmp_path) == {"fn/keep.txt": b"mine"}


def test_refuses_a_destination_that_is_a_file(cli, tmp_path):
    (tmp_path / "fn").write_text("mine")

    result = cli("fn", "--defaults")

    assert result.exit_code == 1
    assert files_of(tmp_path) == {"fn": b"mine"}


def test_refuses_an_output_dir_that_is_a_file(cli, tmp_path):
    (tmp_path / "out").write_text("mine")

    result = cli("fn", "--output-dir", "out/deeper", "--defaults")

    assert result.exit_code == 1
    assert result.stderr.startswith("lambda-new: error: cannot create out/deeper/fn")
    assert len(result.stderr.strip().splitlines()) == 1
    assert files_of(tmp_path) == {"out": b"mine"}


def test_a_failed_move_removes_the_folders_it_created(cli, tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    real_rename = Path.rename

    def refuse(self, target):
        if Path(target).name == "fn":
            raise OSError(39, "Directory not empty")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse)

    result = cli("fn", "--output-dir", "a/b/c", "--defaults")

    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert list(tmp_path.rglob("*")) == [tmp_path / "a"]


def test_fills_an_existing_empty_directory(cli, tmp_path):
    (tmp_path / "fn").mkdir()

    assert cli("fn", "--defaults").exit_code == 0
    assert (tmp_path / "fn/template.yaml").is_file()


def test_an_interrupt_leaves_nothing_behind(cli, tmp_path, monkeypatch):
    from scaffold import project

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(project, "_git_init", interrupted)

    result = cli("fn", "--defaults")

    assert result.exit_code == 130
    assert "nothing was written" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_render_failure_leaves_nothing_behind(cli, tmp_path, monkeypatch):
    from scaffold import history

    broken = tmp_path.parent / f"{tmp_path.name}-template"
    monkeypatch.setattr(history, "stage_template", lambda target: broken)
    (broken / "templates").mkdir(parents=True)
    (broken / "copier.yml").write_text("_subdirectory: templates\nfunction_name: {type: str}\n")
    (broken / "templates/bad.txt.jinja").write_text("{{ unclosed ")

    result = cli("fn", "--defaults")

    assert result.exit_code == 1
    assert result.stderr.startswith("lambda-new: error: lambda-new's template failed to render")
    assert list(tmp_path.iterdir()) == []


# ---- text that must survive every target format ------------------------------------------

NASTY = "Says \"hi\" \\ back\\slash\n{{ not jinja }} {% raw %} naïve — ünïcødé 🚀 'q' $HOME `x`"


@pytest.mark.parametrize("runtime", ["python", "node"])
def test_description_is_escaped_for_each_format(cli, tmp_path, runtime):
    result = cli("fn", "-r", runtime, "-d", NASTY, "--defaults")

    assert result.exit_code == 0, result.stderr
    repo = tmp_path / "fn"
    one_line = " ".join(NASTY.split())
    if runtime == "python":
        manifest = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
        assert manifest["project"]["description"] == one_line
    else:
        manifest = json.loads((repo / "package.json").read_text(encoding="utf-8"))
        assert manifest["description"] == one_line
    assert answers_of(repo)["description"] == NASTY
    assert NASTY in (repo / "README.md").read_text(encoding="utf-8")
    assert f"Description: {json.dumps(one_line, ensure_ascii=False)}" in (
        repo / "template.yaml"
    ).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("my-func", "my_func"),
        ("My-Func", "my_func"),
        ("9lives", "fn_9lives"),
        ("class", "class_fn"),
        ("json", "json_fn"),
        ("email", "email_fn"),
        ("tests", "tests_fn"),
        ("pytest", "pytest_fn"),
    ],
)
def test_derives_a_python_package_name(cli, tmp_path, name, package):
    assert cli(name, "--defaults").exit_code == 0
    assert (tmp_path / name / "src" / package / "handler.py").is_file()
    assert f"Handler: {package}.handler.handler" in (tmp_path / name / "template.yaml").read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_with_a_terminal_asks_for_missing_options(tmp_path):
    """In a real pseudo-terminal, copier asks what the options did not say."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: lambda-new with a terminal, runtime given, the rest missing
        os.chdir(tmp_path)
        # Team defaults are the suggested answers, not fixed ones.
        os.environ.update(LAMBDA_NEW_REGION="eu-west-1", LAMBDA_NEW_OWNER="payments")
        os.execv(sys.executable, [sys.executable, "-m", "scaffold", "fn", "--runtime", "node"])
    seen = b""

    def wait_for(marker: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 30
        while marker not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
        assert marker in seen, seen.decode(errors="replace")

    wait_for(b"Runtime version")
    os.write(fd, b"\x1b[A\r")  # arrow up from the default (22): nodejs24.x
    wait_for(b"Event source that invokes the function")
    os.write(fd, b"\x1b[B\x1b[B\r")  # two down from the default (none): http-api
    wait_for(b"Instruction set architecture")
    os.write(fd, b"\r")
    wait_for(b"AWS region")
    os.write(fd, b"\r")
    wait_for(b"One-line description")
    os.write(fd, b"\r")
    wait_for(b"Owner tag")
    os.write(fd, b"\r")
    wait_for(b"Team tag")
    os.write(fd, b"checkout\r")
    wait_for(b"Continuous integration")
    os.write(fd, b"\x1b[B\r")  # one down from the default (github): none
    wait_for(b"Powertools for AWS Lambda")
    os.write(fd, b"\r")  # the default: no
    wait_for(b"make test")
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert b"Runtime\r\n" not in seen  # given on the command line: not asked
    answers = answers_of(tmp_path / "fn")
    assert (answers["runtime"], answers["runtime_version"]) == ("node", "24")
    assert (answers["trigger"], answers["region"]) == ("http-api", "eu-west-1")
    assert (answers["owner"], answers["team"]) == ("payments", "checkout")
    assert answers["ci"] == "none"
    assert answers["powertools"] is False
    assert not (tmp_path / "fn" / ".github").exists()


def test_ctrl_c_at_a_prompt_is_one_line_and_writes_nothing(tmp_path):
    """Ctrl-C at a question (a key the prompt reads, not a signal): one line, exit 130."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(tmp_path)
        os.execv(sys.executable, [sys.executable, "-m", "scaffold", "fn", "--runtime", "node"])
    seen = b""
    deadline = time.monotonic() + 30
    while b"Runtime version" not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            seen += os.read(fd, 65536)
    os.write(fd, b"\x03")
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 130
    tail = seen.decode(errors="replace").rpartition("Runtime version")[2]
    assert "lambda-new: error: interrupted; nothing was written" in tail
    assert "AnswersMap" not in tail and len(tail) < 2000
    assert list(tmp_path.iterdir()) == []


# ---- --trigger, --region -------------------------------------------------------------------


def test_unknown_trigger_is_a_usage_error_listing_the_triggers(cli, tmp_path):
    result = cli("fn", "--trigger", "kafka")

    assert result.exit_code == 2
    assert result.stderr.startswith("lambda-new: error: unknown trigger 'kafka'; choose one of:")
    assert "http-api" in result.stderr and "schedule" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_invalid_region_is_a_usage_error(cli, tmp_path):
    result = cli("fn", "--region", "Europe")

    assert result.exit_code == 2
    assert "invalid --region 'Europe'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_trigger_and_region_are_recorded_and_used(cli, tmp_path):
    assert cli("fn", "--trigger", "s3", "--region", "eu-central-1", "--no-git").exit_code == 0

    answers = answers_of(tmp_path / "fn")
    assert (answers["trigger"], answers["region"]) == ("s3", "eu-central-1")
    assert 'region = "eu-central-1"' in (tmp_path / "fn" / "samconfig.toml").read_text()
    assert sorted(p.name for p in (tmp_path / "fn" / "events").iterdir()) == [
        "s3-delete.json",
        "s3-put.json",
    ]


# ---- lambda-new events ---------------------------------------------------------------------


def test_events_list_prints_name_source_and_description(cli):
    result = cli("events", "list")

    assert result.exit_code == 0
    assert re.search(r"^sqs-receive +sqs +\S", result.stdout, re.MULTILINE)


def test_events_list_json_is_a_list_of_objects(cli):
    rows = json.loads(cli("events", "list", "--json").stdout)

    assert len(rows) >= 30
    assert {"name": "sqs-receive", "source": "sqs"}.items() <= next(
        row for row in rows if row["name"] == "sqs-receive"
    ).items()
    assert all(set(row) == {"name", "source", "description"} for row in rows)


def test_events_show_prints_the_event_with_settings(cli):
    result = cli("events", "show", "sqs-receive", "--set", "queue=jobs", "-s", "region=eu-west-2")

    assert result.exit_code == 0
    record = json.loads(result.stdout)["Records"][0]
    assert record["eventSourceARN"] == "arn:aws:sqs:eu-west-2:123456789012:jobs"


def test_events_show_params_lists_parameters_with_values(cli):
    result = cli("events", "show", "s3-put", "--params", "--set", "bucket=photos")

    assert result.exit_code == 0
    assert re.search(r"^bucket +photos +\S", result.stdout, re.MULTILINE)
    assert re.search(r"^region +us-east-1 ", result.stdout, re.MULTILINE)


def test_events_show_inside_a_repo_uses_its_name_and_region(cli, tmp_path, monkeypatch):
    cli("billing", "--trigger", "sqs", "--region", "ap-southeast-2", "--no-git")
    monkeypatch.chdir(tmp_path / "billing" / "src")

    result = cli("events", "show", "sqs-receive")

    assert result.stdout == (tmp_path / "billing" / "events" / "sqs-receive.json").read_text()
    assert "arn:aws:sqs:ap-southeast-2:123456789012:billing-queue" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "sqs-recieve"), "unknown event 'sqs-recieve'; did you mean 'sqs-receive'?"),
        (("show", "sqs-receive", "--set", "colour=red"), "has no parameter 'colour'"),
        (("show", "sqs-receive", "--set", "queue"), "use --set KEY=VALUE"),
        (("show", "eventbridge-custom", "--set", "detail=[1"), "--set detail: expected JSON"),
        (("show",), "Missing argument 'NAME'"),
        (("list", "--yaml"), "No such option"),
    ],
)
def test_events_bad_input_is_one_line_and_exit_2(cli, args, message):
    result = cli("events", *args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_vcs_ref_renders_a_recorded_release_or_is_refused(cli, tmp_path):
    """With lambda-new's own template, --vcs-ref picks a release from the history bundle
    (a team can pin one); anything else is refused with the list, never ignored."""
    pinned = cli("fn", "--vcs-ref", "0.6.0", "--defaults", "--no-git", "-o", str(tmp_path))
    assert pinned.exit_code == 0, pinned.stderr
    answers = answers_of(tmp_path / "fn")
    assert answers["_commit"] == "0.6.0" and "powertools" not in answers  # 0.7.0 added it
    assert "LAMBDA_NEW_VERSION := 0.6.0" in (tmp_path / "fn" / "Makefile").read_text()

    refused = cli("other", "--vcs-ref", "nonsense", "--defaults", "-o", str(tmp_path))
    assert refused.exit_code == 2
    assert "0.1.0" in refused.stderr and "0.6.0" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "other").exists()


LAMBDA_NEW = str(Path(sys.executable).parent / "lambda-new")  # the console script users run


def _complete(shell: str, words: str) -> list[str]:
    """What lambda-new answers a shell completing the last word of `words` (typer's
    protocol: bash gets COMP_WORDS/COMP_CWORD, zsh and fish _TYPER_COMPLETE_ARGS)."""
    import os

    env = {**os.environ, "_LAMBDA_NEW_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env |= {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": words, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = subprocess.run([LAMBDA_NEW], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stderr, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_knows_commands_events_triggers_and_versions(shell):
    def offers(words: str, expected: set[str]) -> None:
        found = " ".join(_complete(shell, words))
        assert all(word in found for word in expected), (words, found)

    offers("lambda-new ev", {"events"})
    offers("lambda-new events show sqs-r", {"sqs-receive", "sqs-receive-failure"})
    offers("lambda-new invoke s3-", {"s3-put", "s3-delete"})
    offers("lambda-new new fn --trigger http", {"http-api"})
    offers("lambda-new fn --runtime node --runtime-version 2", {"20", "22", "24"})
    offers("lambda-new fn --arch a", {"arm64"})


def test_completion_scripts_install_for_each_shell():
    for shell in ("bash", "zsh", "fish"):
        result = subprocess.run(
            [LAMBDA_NEW, "--show-completion", shell],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "_LAMBDA_NEW_COMPLETE" in result.stdout


def test_a_template_renovate_cannot_look_up_is_a_warning(cli, tmp_path):
    """Renovate's copier manager reads _src_path: a local path is no URL it can use."""
    from .conftest import team_template

    team = team_template(tmp_path / "team")
    made = cli("fn", "--template", str(team), "--defaults", "--no-git", "-o", str(tmp_path))
    assert made.exit_code == 0, made.stderr
    assert "Renovate cannot look up the template" in made.stderr
    assert "--template https://" in made.stderr
    assert (tmp_path / "fn" / "renovate.json").is_file()

    without = cli("other", "--template", str(team), "--defaults", "--no-git", "--ci", "none",
                  "-o", str(tmp_path))  # fmt: skip
    assert without.exit_code == 0, without.stderr
    assert "Renovate" not in without.stderr  # no renovate.json, nothing to say
