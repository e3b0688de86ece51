"""The files a deployment zip may hold, and the tools that make them.

Shared by `lambda-new package` and by the language modules (scaffold/runtimes/),
which build a function's zip tree: a map of zip entry name -> file on disk.

Only the repo ships: a symbolic link that resolves outside the repo, or a file
that is not a regular file (a FIFO, a socket), is refused before any tool
reads it. pip, npm and esbuild run in a process group of their own with their
temporary files inside the build's scratch folder, so an interruption leaves
neither processes nor files behind.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import signal
import stat
import subprocess
from pathlib import Path

from scaffold import signals
from scaffold.errors import LambdaNewError

DIST = "dist"
# Never shipped from the code root: caches, virtualenvs, VCS and build output.
EXCLUDED = (
    "__pycache__",
    "*.pyc",
    "*.pyo",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "*.egg-info",
    ".venv",
    ".git",
    ".aws-sam",
    DIST,
    ".DS_Store",
)


def umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def run_tool(command: list[str], cwd: Path, stage: Path) -> subprocess.CompletedProcess[str]:
    """Run pip, npm or esbuild in a process group of its own, its temporary files in `stage`.

    On any interruption the whole group is killed before the stage is removed.
    """
    signals.checkpoint()
    (stage / "tmp").mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(stage / "tmp")}
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate()
        except BaseException:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def code_files(root: Path, repo_root: Path, skip: tuple[str, ...] = EXCLUDED) -> dict[str, Path]:
    return walk(root, skip=skip, within=repo_root)


def walk(root: Path, within: Path, skip: tuple[str, ...] = ()) -> dict[str, Path]:
    """Files under `root` by POSIX relative path, leaving out names matching `skip`.

    Linked folders and files ship their content, as sam build copies it, when
    they resolve inside `within`; a link out of it is refused.
    """
    files: dict[str, Path] = {}
    seen: set[Path] = set()
    within = within.resolve()
    for folder, dirs, names in os.walk(root, followlinks=True):
        here = Path(folder)
        real = here.resolve()
        if real in seen:
            raise LambdaNewError(
                f"{here} is a link to a folder that contains it; remove the link (no zip written)"
            )
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not matches(d, skip))
        for name in dirs:
            _check_link(here / name, (here / name).relative_to(root).as_posix(), within)
        for name in names:
            if matches(name, skip):
                continue
            path = here / name
            relative = path.relative_to(root).as_posix()
            check_file(path, relative, within)
            files[relative] = path
    return files


def _check_link(path: Path, name: str, within: Path) -> None:
    """`within` is resolved already (links are judged by where they really lead)."""
    if path.is_symlink():
        resolved = path.resolve()
        if not resolved.is_relative_to(within):
            raise LambdaNewError(
                f"{name} is a link to {resolved}, outside the repo: package ships only the "
                "repo's own files; copy what the function needs into the repo (no zip written)"
            )


def check_file(path: Path, name: str, within: Path) -> None:
    """A file the zip may hold: a regular file, or a link to one inside `within`."""
    if not os.path.exists(path):
        raise LambdaNewError(f"{path} is a broken symbolic link; fix or remove it")
    _check_link(path, name, within)
    kind = stat.S_IFMT(os.stat(path).st_mode)
    if kind != stat.S_IFREG:
        what = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket"}.get(
            kind, "not a regular file"
        )
        raise LambdaNewError(
            f"{name} is {what}, which a zip cannot hold; remove it or move it out of "
            "the code root (no zip written)"
        )


def matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)
