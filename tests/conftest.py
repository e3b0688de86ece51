"""Shared helpers: run the CLI in-process, and read what it generated."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaffold.cli import app

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run `lambda-new ARGS...` in-process with tmp_path as the current directory."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str, env: dict[str, str] | None = None) -> Run:
        result = CliRunner().invoke(app, list(args), env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Give git an identity so first commits work on any machine (CI included)."""
    for key, value in {
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Author",
        "GIT_COMMITTER_EMAIL": "author@example.com",
    }.items():
        monkeypatch.setenv(key, os.environ.get(key, value))
    yield


@pytest.fixture(autouse=True)
def _no_team_defaults(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """The developer's own config file and LAMBDA_NEW_* settings stay out of the tests."""
    from scaffold import config

    for name in config.keys():  # noqa: SIM118 (a function, not dict.keys)
        monkeypatch.delenv(f"{config.ENV_PREFIX}{name.upper()}", raising=False)
    absent = tmp_path_factory.getbasetemp() / "no-lambda-new-config.toml"
    monkeypatch.setenv(config.CONFIG_VARIABLE, str(absent))


def git(repo: Path, *args: str) -> str:
    """Run git in `repo`; fail the test with git's message if it fails."""
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def pip(*args: str) -> None:
    """Run this interpreter's pip quietly; raise if it fails."""
    subprocess.run([sys.executable, "-m", "pip", *args, "--quiet"], check=True, capture_output=True)


def files_of(root: Path) -> dict[str, bytes]:
    """Every file below root (but .git) as relative path -> bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] != ".git"
    }


# The test environment's scripts (uv, cfn-lint) come first on PATH, as in an activated venv.
TOOLS_PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def run_in(repo: Path, *command: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command in a generated repo; fail the test with its output if it fails."""
    result = subprocess.run(
        command,
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PATH": TOOLS_PATH},
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} failed in {repo} ({result.returncode}):\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result


def snapshot(root: Path) -> dict[str, tuple[str, bytes]]:
    """Every entry below root, .git included: kind + mode and content (or link target).

    Two equal snapshots mean a tree is byte-for-byte as it was, git state and all.
    """
    entries: dict[str, tuple[str, bytes]] = {}
    for folder, dirs, names in os.walk(root):
        for name in [*dirs, *names]:
            path = Path(folder) / name
            key = path.relative_to(root).as_posix()
            info = path.lstat()
            if path.is_symlink():
                entries[key] = ("link", os.readlink(path).encode())
            elif path.is_dir():
                entries[key] = (f"dir {info.st_mode:o}", b"")
            else:
                entries[key] = (f"file {info.st_mode:o}", path.read_bytes())
    return entries


def team_template(
    folder: Path,
    files: dict[str, str | bytes] | None = None,
    copier_extra: str = "",
    links: dict[str, str] | None = None,
    tag: str | None = "1.0.0",
) -> Path:
    """A copy of lambda-new's template in a git repo, changed as given and tagged.

    `files` and `links` are paths under templates/ (what a repo gets); `copier_extra`
    is appended to copier.yml.
    """
    from scaffold import history

    if not (folder / ".git").exists():
        history.stage_template(folder)
        git(folder, "init", "--quiet")
    release(folder, files, copier_extra, links, tag)
    return folder


def release(
    folder: Path,
    files: dict[str, str | bytes] | None = None,
    copier_extra: str = "",
    links: dict[str, str] | None = None,
    tag: str | None = None,
) -> None:
    """Change the team template and commit (and tag) it as a release."""
    for name, content in (files or {}).items():
        path = folder / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    for name, target in (links or {}).items():
        path = folder / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
    if copier_extra:
        with (folder / "copier.yml").open("a") as copier_yml:
            copier_yml.write("\n" + copier_extra)
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--allow-empty", "--message", f"Release {tag}")
    if tag:
        git(folder, "tag", tag)


def leftovers(folder: Path) -> list[str]:
    """lambda-new's temporary folders left in `folder` (there must be none)."""
    return sorted(
        p.name for p in folder.iterdir() if p.name.startswith((".lambda-new", "lambda-new"))
    )


@contextmanager
def tmpfs(folder: Path, size: str = "8m") -> Iterator[Path]:
    """A small tmpfs mounted at `folder` (a full or read-only disk on demand); needs root,
    else the test is skipped."""
    folder.mkdir(exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def node_test_counts(output: str) -> tuple[int, int]:
    """(passed, failed) from node:test's summary, TAP (`# pass 4`, Node 20) or spec
    (an information sign before `pass 4`, Node 23+ by default)."""
    import re

    counts = dict(re.findall(r"^(?:# |\u2139 )(pass|fail) (\d+)$", output, re.M))
    assert set(counts) == {"pass", "fail"}, output[-2000:]
    return int(counts["pass"]), int(counts["fail"])


def npm_languages() -> list[str]:
    """The catalog's languages whose repos ship a package.json and its package-lock.json
    (Node.js, TypeScript): those with languages/<name>/package.json.jinja."""
    from scaffold import catalog

    return [
        name
        for name in catalog.load().runtimes
        if (REPO_ROOT / "languages" / name / "package.json.jinja").is_file()
    ]


def sam_cli() -> Path | None:
    """The SAM CLI: on PATH, or where .ci/run installs it (its pins clash with ours)."""
    found = shutil.which("sam")
    if found:
        return Path(found)
    local = REPO_ROOT / ".venv-sam" / "bin" / "sam"
    return local if local.is_file() else None


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A GitHub runner's environment: pipx, and an index holding this lambda-new."""
    root = tmp_path_factory.mktemp("runner")
    index = root / "index"
    pip("wheel", "--no-deps", "-w", str(index), str(REPO_ROOT))
    run_in(root, sys.executable, "-m", "venv", "pipx-venv")
    run_in(root, str(root / "pipx-venv" / "bin" / "python"), "-m", "pip", "install", "-q", "pipx")
    path = [str(root / "bin"), str(root / "pipx-venv" / "bin"), TOOLS_PATH]
    sam = sam_cli()
    if sam is not None:
        path.append(str(sam.parent))
    elif os.environ.get("CI"):
        pytest.fail("the SAM CLI is missing: .ci/run installs it into .venv-sam")
    return {
        **os.environ,
        "PATH": os.pathsep.join(path),
        "PIPX_HOME": str(root / "pipx-home"),
        "PIPX_BIN_DIR": str(root / "bin"),
        "PIP_FIND_LINKS": str(index),
        "UV_FIND_LINKS": str(index),  # pipx installs with uv when it finds one
        "SAM_CLI_TELEMETRY": "0",
        "CI": "true",
    }


def run_steps(steps: list[dict[str, Any]], clone: Path, env: dict[str, str]) -> list[str]:
    """A workflow job's `run:` steps, in order, in `clone`, as a GitHub runner runs them;
    fail the test at the first that fails. Returns the steps that ran."""
    ran = []
    for step in steps:
        if "run" not in step:
            continue  # actions/checkout, setup-*: this machine has what they install
        if step["run"].startswith("sam ") and shutil.which("sam", path=env["PATH"]) is None:
            continue  # no SAM CLI here (CI has one: see the runner fixture)
        # GitHub's default shell on Linux runners.
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        assert result.returncode == 0, (
            f"{step['run']}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        ran.append(step["run"])
    return ran
