"""SIGINT, SIGTERM and SIGHUP at any point: the tree is byte-identical, or complete.

Each test starts the real CLI in a child process and sends the signal the
moment a known file appears (a staging folder, the first rendered file, git's
index, the scratch clone, pip's temporary folder, the zip being written),
never after a random sleep. SIGINT and SIGHUP go to the whole process group,
as a terminal sends them (git and pip get them too); SIGTERM to lambda-new
alone, as `kill` or a CI runner sends it. Afterwards the tree must be exactly
as before or exactly what an uninterrupted run makes, the message must say
which, and no temporary file or process may be left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, files_of, git, release, snapshot, team_template

SIGNALS = [
    pytest.param(signal.SIGINT, True, id="SIGINT-group"),
    pytest.param(signal.SIGTERM, False, id="SIGTERM"),
    pytest.param(signal.SIGHUP, True, id="SIGHUP-group"),
]


def interrupt(
    args: list[str],
    cwd: Path,
    trigger: Callable[[], bool],
    number: int,
    group: bool,
    env: dict[str, str] | None = None,
    timeout: float = 180,
    pid: list[int] | None = None,
) -> tuple[subprocess.CompletedProcess[str], bool]:
    """Run lambda-new ARGS; send the signal when `trigger()` first holds.

    Returns the result and whether the signal was sent before the command ended.
    """
    child = subprocess.Popen(
        [sys.executable, "-m", "scaffold", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    if pid is not None:
        pid.append(child.pid)
    sent = False
    deadline = time.monotonic() + timeout
    while child.poll() is None and time.monotonic() < deadline:
        if not sent and trigger():
            if group:
                os.killpg(child.pid, number)
            else:
                child.send_signal(number)
            sent = True
        time.sleep(0.0005)
    stdout, stderr = child.communicate(timeout=timeout)
    return subprocess.CompletedProcess(args, child.returncode, stdout, stderr), sent


def exists(pattern_root: Path, pattern: str) -> Callable[[], bool]:
    return lambda: any(pattern_root.glob(pattern))


def assert_clean_message(result: subprocess.CompletedProcess[str], complete: bool) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    if complete:
        assert "nothing was written" not in result.stderr
    else:
        assert result.returncode != 0, result.stderr
        assert "nothing was written or changed" in result.stderr, result.stderr


def no_processes_under(folder: Path) -> list[str]:
    """Command lines of live processes that mention `folder`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in cmdline:
            found.append(cmdline)
    return found


# ---- new ------------------------------------------------------------------------------

NEW_POINTS = {
    "staging": ".lambda-new-*",
    "rendering": ".lambda-new-*/repo/template.yaml",
    "git-index": ".lambda-new-*/repo/.git/index",
    "moved": "fn",
}


@pytest.fixture(scope="module")
def reference_repo(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference")
    subprocess.run(
        [sys.executable, "-m", "scaffold", "fn", "--defaults"],
        cwd=out,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        check=True,
        capture_output=True,
    )
    return files_of(out / "fn")


@pytest.mark.parametrize(("number", "group"), SIGNALS)
@pytest.mark.parametrize("point", NEW_POINTS)
def test_new_is_all_or_nothing(tmp_path, reference_repo, number, group, point):
    out = tmp_path / "out"
    out.mkdir()

    result, sent = interrupt(
        ["fn", "--defaults"], out, exists(out, NEW_POINTS[point]), number, group
    )

    assert sent or point == "moved"
    repo = out / "fn"
    complete = repo.exists()
    assert_clean_message(result, complete)
    if complete:
        assert files_of(repo) == reference_repo
        assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
        assert sorted(p.name for p in out.iterdir()) == ["fn"]
    else:
        assert result.returncode == 128 + number
        assert list(out.iterdir()) == []


def handlers_installed(pid_of: Callable[[], int]) -> Callable[[], bool]:
    """True once the process catches SIGHUP: lambda-new's entry point has begun."""

    def check() -> bool:
        try:
            status = Path(f"/proc/{pid_of()}/status").read_text()
        except OSError:
            return False
        caught = int(
            next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16
        )
        return bool(caught & (1 << (signal.SIGHUP - 1)))

    return check


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3])
def test_an_interrupt_while_starting_up_is_one_line(tmp_path, delay):
    """From the entry point's first line on (before typer, copier... are imported)."""
    pid: list[int] = []
    since: list[float] = []

    def trigger() -> bool:
        if not since and handlers_installed(lambda: pid[0])():
            since.append(time.monotonic())
        return bool(since) and time.monotonic() - since[0] >= delay

    result, sent = interrupt(["fn", "--defaults"], tmp_path, trigger, signal.SIGINT, True, pid=pid)

    assert sent
    assert "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 1, result.stderr
    assert (tmp_path / "fn").exists() or list(tmp_path.iterdir()) == []


# ---- update -----------------------------------------------------------------------------

UPDATE_POINTS = {
    "scratch": "lambda-new-*",
    "probe": "lambda-new-*/probe/template.yaml",
    "clone": "lambda-new-*/clone/.git/index",
    "merging": "lambda-new-*/clone/CODEOWNERS",
}


@pytest.fixture(scope="module")
def team_repos(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A repo made from a team template at 1.0.0 (2.0.0 exists), and the files that the
    uninterrupted update of a copy of it gives."""
    base = tmp_path_factory.mktemp("team")
    template = team_template(base / "template")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "scaffold"]
    subprocess.run(
        [*command, "fn", "--template", str(template), "--defaults"],
        cwd=base,
        env=env,
        check=True,
        capture_output=True,
    )
    makefile = (template / "templates/Makefile.jinja").read_text()
    release(
        template,
        {
            "CODEOWNERS": "* @payments\n",
            "Makefile.jinja": makefile + "\n# team 2.0.0\n",
            **{f"docs/page-{i}.md": f"page {i}\n" for i in range(40)},
        },
        tag="2.0.0",
    )
    reference = base / "reference"
    shutil.copytree(base / "fn", reference, symlinks=True)
    subprocess.run([*command, "update", str(reference)], env=env, check=True, capture_output=True)
    return base / "fn", files_of(reference)


@pytest.mark.parametrize(("number", "group"), SIGNALS)
@pytest.mark.parametrize("point", [*UPDATE_POINTS, "applying"])
def test_update_is_all_or_nothing(tmp_path, team_repos, number, group, point):
    original, updated = team_repos
    repo = tmp_path / "fn"
    shutil.copytree(original, repo, symlinks=True)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    before = snapshot(repo)
    trigger = (
        exists(repo, "docs/page-*")
        if point == "applying"
        else exists(scratch, UPDATE_POINTS[point])
    )

    result, sent = interrupt(
        ["update", str(repo)], tmp_path, trigger, number, group, env={"TMPDIR": str(scratch)}
    )

    assert sent, result.stderr
    complete = (repo / "CODEOWNERS").exists()
    assert_clean_message(result, complete)
    if complete:
        assert files_of(repo) == updated
        assert yaml.safe_load((repo / ".copier-answers.yml").read_text())["_commit"] == "2.0.0"
    else:
        assert result.returncode == 128 + number
        assert snapshot(repo) == before
    assert list(scratch.iterdir()) == [], "temporary files left behind"


# ---- package ----------------------------------------------------------------------------

PACKAGE_POINTS = {
    "stage": "lambda-new-package-*",
    "pip": "lambda-new-package-*/tmp/*",
    "site": "lambda-new-package-*/site/*",
}


@pytest.fixture(scope="module")
def repo_with_a_dependency(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("package")
    subprocess.run(
        [sys.executable, "-m", "scaffold", "fn", "--defaults", "--no-git"],
        cwd=base,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        check=True,
        capture_output=True,
    )
    pyproject = base / "fn/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("dependencies = []", 'dependencies = ["six"]')
    )
    uv = str(Path(sys.executable).parent / "uv")  # `make lock`
    subprocess.run([uv, "lock", "-q", "--python", sys.executable], cwd=base / "fn", check=True)
    return base / "fn"


@pytest.mark.parametrize(("number", "group"), SIGNALS)
@pytest.mark.parametrize("point", [*PACKAGE_POINTS, "zip"])
def test_package_is_all_or_nothing(tmp_path, repo_with_a_dependency, number, group, point):
    repo = tmp_path / "fn"
    shutil.copytree(repo_with_a_dependency, repo, symlinks=True)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    trigger = (
        exists(repo, "dist/.fn.zip.*") if point == "zip" else exists(scratch, PACKAGE_POINTS[point])
    )

    result, sent = interrupt(
        ["package", "--path", str(repo)],
        tmp_path,
        trigger,
        number,
        group,
        env={"TMPDIR": str(scratch)},
    )

    zip_file = repo / "dist/fn.zip"
    complete = zip_file.exists()
    assert_clean_message(result, complete)
    if complete:
        assert "six.py" in zipfile.ZipFile(zip_file).namelist()
    else:
        assert sent and result.returncode == 128 + number
    dist = sorted(p.name for p in (repo / "dist").iterdir()) if (repo / "dist").exists() else []
    assert dist in ([], ["fn.zip"]), dist
    assert list(scratch.iterdir()) == [], "temporary files left behind"
    assert no_processes_under(scratch) == []
