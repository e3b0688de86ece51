"""What a rendered template may not contain: a `.git` anywhere, a link leading outside.

A `.git` file or folder in a rendered tree would be read by the git commands
that follow (lambda-new's and copier's): a `config` with `core.fsmonitor` or
a filter driver runs a program, `hooks/` run on commit, a `.git` file saying
`gitdir: ...` sends commits to another repository, a template's own `.git`
hands the new repo its history. A symbolic link that resolves outside the
repo lets later commands (`package`, an editor, a build) read or write the
user's files through it. Both are refused, naming the path, before anything
is moved into place or merged.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from scaffold.errors import LambdaNewError, UsageError

# For copier's `exclude` (gitignore syntax, any depth): a second line of defence
# for renders that are not checked first (a template whose file names vary
# between runs), so that nothing ever lands in a `.git`.
GIT_EXCLUDE = ".[gG][iI][tT]"
# The most lambda-new reads of a settings file (config, answers, manifests, template.yaml).
SMALL_FILE_LIMIT = 4 * 1024 * 1024


def is_git_name(name: str) -> bool:
    """`.git` in any case (case-insensitive file systems treat `.GIT` as `.git`)."""
    return name.lower() == ".git"


def check_tree(root: Path, label: str, own_git: bool = False) -> None:
    """Refuse a rendered tree holding a `.git` or a link out of `root`.

    `own_git`: `root/.git` is the repository's own (a clone), not rendered.
    """
    top = root.resolve()
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if own_git and here == root:
            dirs[:] = [d for d in dirs if d != ".git"]
        for name in [*dirs, *files]:
            check_path(here / name, root, top, label)


def check_path(path: Path, root: Path, top: Path, label: str) -> None:
    """One rendered path: not named `.git`, and not a link that leads out of `top`."""
    relative = path.relative_to(root).as_posix()
    if is_git_name(path.name):
        raise UsageError(
            f"{label} renders {relative}: a template may not write a file or folder "
            "named .git (git would run what it holds); refused, nothing was written"
        )
    if path.is_symlink():
        target = os.readlink(path)
        resolved = path.resolve()
        inside = resolved.is_relative_to(top)
        if not inside or any(is_git_name(part) for part in resolved.relative_to(top).parts):
            raise UsageError(
                f"{label} renders {relative} as a link to {target}, outside the new repo "
                "(or into its .git); refused, nothing was written"
            )


def check_changes(root: Path, paths: list[str], label: str) -> None:
    """`check_path` for the paths a merge changed below `root` (the rest is the user's)."""
    top = root.resolve()
    for path in paths:
        if any(is_git_name(part) for part in Path(path).parts):
            raise UsageError(
                f"{label} renders {path}: a template may not write inside a folder "
                "named .git; refused, nothing was written"
            )
        check_path(root / path, root, top, label)


def read_regular(path: Path, limit: int, what: str, error: type[LambdaNewError]) -> bytes | None:
    """The bytes of a regular file of at most `limit` bytes; None when it does not exist.

    A FIFO would block the read forever, /dev/zero never ends: anything but a
    regular file, or a file over `limit`, raises `error` naming `what` and the path.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as problem:
        raise error(f"cannot read {what} {path}: {problem.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(f"cannot read {what} {path}: it is not a regular file")
    if info.st_size > limit:
        raise error(f"cannot read {what} {path}: it is over {limit:,} bytes")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as problem:
        raise error(f"cannot read {what} {path}: {problem.strerror}") from None
    if len(data) > limit:
        raise error(f"cannot read {what} {path}: it is over {limit:,} bytes")
    return data


def read_text(
    path: Path, what: str, error: type[LambdaNewError], limit: int = SMALL_FILE_LIMIT
) -> str | None:
    """`read_regular`, decoded as UTF-8; None when the file does not exist."""
    data = read_regular(path, limit, what, error)
    return None if data is None else decode(data, path, what, error)


def decode(data: bytes, path: Path, what: str, error: type[LambdaNewError]) -> str:
    """UTF-8 text, or `error` saying the file is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error(
            f"cannot read {what} {path}: not UTF-8 text ({problem.reason} at byte {problem.start})"
        ) from None
