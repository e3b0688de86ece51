"""Bad input and a hostile environment: one line, the right exit code, nothing written.

Validators match whole values (a trailing newline is not a region), text that
YAML cannot carry is refused, event parameters follow AWS's naming rules, and
environment problems (a full disk, a FIFO for a config file, names that are
not UTF-8, an event nested 100,000 deep) never print a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scaffold import catalog, events
from tests.conftest import REPO_ROOT, git, leftovers, tmpfs


def one_line(result, code: int, *fragments: str) -> None:
    stderr = result.stderr
    actual = result.exit_code if hasattr(result, "exit_code") else result.returncode
    assert actual == code, (actual, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def lambda_new(*args: str | bytes, cwd: Path, env: dict[str, str] | None = None, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )


# ---- full-match validators ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--region", "us-east-1\n"],
        ["--region", "US-EAST-1"],
        ["--owner", "payments\n"],
        ["--team", "checkout\n"],
        ["--description", "Resize \u009b images"],
        ["--description", "Resize images \uffff"],
        ["--description", "Resize \ufdd0 images"],
    ],
    ids=["region-newline", "region-case", "owner", "team", "c1", "uffff", "nonchar"],
)
def test_a_value_a_validator_would_half_match_is_refused(cli, tmp_path, args):
    result = cli("fn", "--defaults", *args)

    one_line(result, 2)
    assert not (tmp_path / "fn").exists() and leftovers(tmp_path) == []


def test_a_region_with_a_newline_is_refused_from_every_source(cli, tmp_path):
    env = cli("fn", "--defaults", env={"LAMBDA_NEW_REGION": "eu-west-1\n"})
    one_line(env, 2, "LAMBDA_NEW_REGION")
    config = tmp_path / "config.toml"
    config.write_text('region = "eu-west-1\\n"\n')
    from_file = cli("fn", "--defaults", env={"LAMBDA_NEW_CONFIG": str(config)})
    one_line(from_file, 2, str(config), "region")
    assert not (tmp_path / "fn").exists()


def test_an_edited_answers_file_region_is_refused_by_events_and_invoke(cli, tmp_path, monkeypatch):
    assert cli("fn", "--defaults", "--no-git").exit_code == 0
    answers = tmp_path / "fn/.copier-answers.yml"
    answers.write_text(answers.read_text().replace("region: us-east-1", 'region: "mars-1\\n"'))
    monkeypatch.chdir(tmp_path / "fn")

    shown = cli("events", "show", "sqs-receive")
    invoked = cli("invoke", "--path", str(tmp_path / "fn"))

    one_line(shown, 2, ".copier-answers.yml", "region")
    one_line(invoked, 2, ".copier-answers.yml", "region")


# ---- event parameters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "setting", "rule"),
    [
        ("sqs-receive", "region=mars-1", "AWS region code"),
        ("sqs-receive", "account=12", "12 digits"),
        ("sqs-receive", "queue=bad queue!", "SQS queue name"),
        ("s3-put", "bucket=My_Bucket", "S3 bucket name"),
        ("sns-notification", "topic=orders.v1", "SNS topic name"),
        ("authorizer-request", "method=FETCH", "HTTP method"),
        ("api-get", "path=hello", "starting with /"),
        ("sqs-receive", "function_name=-fn", "not starting with a hyphen"),
    ],
)
def test_event_parameters_follow_awss_rules(cli, name, setting, rule):
    result = cli("events", "show", name, "--set", setting)

    one_line(result, 2, f"--set {setting.split('=')[0]}=", rule)
    assert result.stdout == ""


def test_a_rule_can_differ_by_source():
    """Kafka topics may hold dots; SNS topics may not."""
    assert catalog.problem("topic", "orders.v1", "kafka") is None
    assert catalog.problem("topic", "orders.v1", "sns") is not None


def test_every_events_own_values_follow_the_rules():
    context = events.context_of({})
    for event in events.load().values():
        values = events.defaults(event, context)
        for name in [*events.COMMON_PARAMS, *event.params]:
            assert catalog.problem(name, values[name], event.source) is None, (event.name, name)


# ---- environment problems ---------------------------------------------------------------


def test_a_config_file_that_never_ends_is_refused(tmp_path):
    result = lambda_new("config", "show", cwd=tmp_path, env={"LAMBDA_NEW_CONFIG": "/dev/zero"})

    one_line(result, 2, "/dev/zero", "not a regular file")


def test_a_fifo_for_a_config_file_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)

    result = lambda_new("fn", "--defaults", cwd=tmp_path, env={"LAMBDA_NEW_CONFIG": str(fifo)})

    one_line(result, 2, "not a regular file")
    assert not (tmp_path / "fn").exists()


def test_an_event_nested_100k_deep_is_one_line(cli, tmp_path):
    assert cli("fn", "--defaults", "--no-git").exit_code == 0
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)

    result = cli("invoke", str(deep), "--path", str(tmp_path / "fn"))

    one_line(result, 2, "nested too deeply")


def test_an_event_over_lambdas_limit_is_refused(cli, tmp_path):
    assert cli("fn", "--defaults", "--no-git").exit_code == 0
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"data": "x" * 6_300_000}))

    result = cli("invoke", str(big), "--path", str(tmp_path / "fn"))

    one_line(result, 2, "6,291,456 bytes", "RequestEntityTooLargeException")


@pytest.mark.parametrize("file", [".copier-answers.yml", "template.yaml"])
def test_a_file_that_is_not_utf8_is_one_line(cli, tmp_path, file):
    assert cli("fn", "--defaults", "--no-git").exit_code == 0
    path = tmp_path / "fn" / file
    path.write_bytes(path.read_bytes() + b"# caf\xe9\n")

    result = cli("invoke", "--path", str(tmp_path / "fn"))

    one_line(result, 1, file, "not UTF-8")


def test_file_names_that_are_not_utf8_do_not_break_update_or_output(tmp_path):
    out = tmp_path / os.fsdecode(b"caf\xe9")
    out.mkdir()
    created = lambda_new("fn", "--defaults", cwd=out)
    assert created.returncode == 0, created.stderr
    repo = out / "fn"
    (repo / os.fsdecode(b"notes-\xff.txt")).write_text("mine\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "a latin-1 name")

    updated = lambda_new("update", "--pretend", str(repo), cwd=tmp_path)

    assert updated.returncode == 0, updated.stderr
    assert "Traceback" not in updated.stderr


def test_a_full_disk_while_creating_is_one_line_and_leaves_nothing(tmp_path):
    with tmpfs(tmp_path / "disk", "48k") as disk:
        result = lambda_new("fn", "--defaults", "--output-dir", str(disk), cwd=tmp_path)

        one_line(result, 1, "No space left on device")
        assert list(disk.iterdir()) == []


def test_an_unreachable_ssh_template_shows_gits_real_reason(cli, tmp_path):
    result = cli("fn", "--template", "ssh://git@127.0.0.1:1/platform/template.git", "--defaults")

    one_line(result, 1, "cannot read the template")
    assert "and the repository exists" not in result.stderr
    assert "127.0.0.1" in result.stderr  # ssh's own line: connection refused (or no ssh)


# ---- invoke ------------------------------------------------------------------------------

FORKING_HANDLER = """import subprocess, sys


def handler(event, context):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open({pidfile!r}, "w") as out:
        out.write(str(child.pid))
    return {{"forked": child.pid}}
"""


def test_processes_a_handler_starts_end_with_the_invoke(cli, tmp_path):
    assert cli("fn", "--defaults", "--no-git").exit_code == 0
    pidfile = tmp_path / "grandchild.pid"
    (tmp_path / "fn/src/fn/handler.py").write_text(FORKING_HANDLER.format(pidfile=str(pidfile)))
    started = time.monotonic()

    result = lambda_new("invoke", "--path", str(tmp_path / "fn"), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    pid = int(pidfile.read_text())
    time.sleep(0.2)
    assert (
        not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    )
