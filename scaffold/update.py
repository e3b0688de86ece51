"""Bring a generated repo up to a newer template: copier's three-way merge, made safe.

The repo's `.copier-answers.yml` names the template (`_src_path`) and the version
it was made from (`_commit`). copier renders both versions and merges the
template's change into the repo, keeping the owner's edits. Around that, this
module adds what copier leaves out:

- a clean work tree is required (so every change the update makes is reviewable,
  and undoable);
- the bundled template is read from the release history shipped inside
  lambda-new (`history.py`): no network;
- conflicts are found (copier exits 0 with them) and reported;
- an update that fails half-way is rolled back; `pretend` runs in a throwaway clone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import Version

from scaffold import __version__, history
from scaffold.errors import LambdaNewError, UsageError
from scaffold.project import copier_errors
from scaffold.project import git as _git
from scaffold.repo import ANSWERS_FILE, nearest, read_answers

CONFLICT_MARKERS = (b"<<<<<<< ", b">>>>>>> ")


@dataclass(frozen=True)
class UpdateRequest:
    path: Path = Path()
    to: str | None = None  # a version tag; None: the installed version / the latest tag
    pretend: bool = False
    trust: bool = False
    # Team defaults (config.team_defaults): answers for questions the template added since.
    defaults: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Updated:
    root: Path
    source: str  # what the user knows the template as
    old: str
    new: str
    changes: list[tuple[str, str]]  # (A|M|D, path relative to root), sorted by path
    conflicts: list[str]
    pretend: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return self.old == self.new and not self.changes


def update(request: UpdateRequest) -> Updated:
    root = _find_root(request.path)
    answers = read_answers(root / ANSWERS_FILE)
    source, old = answers.get("_src_path"), answers.get("_commit")
    if not source or not old:
        raise LambdaNewError(
            f"{root / ANSWERS_FILE} does not record the template's source and version "
            "(_src_path, _commit), so there is nothing to update from"
        )
    source, old = str(source), str(old)
    top = _require_clean_git(root)
    bundled = source == history.TEMPLATE_URL
    label = f"lambda-new's template (lambda-new {__version__})" if bundled else source

    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lambda-new-")))
        data: dict[str, Any] = {}
        target = request.to
        if bundled:
            git_dir = history.template_repo(scratch)
            target = _bundled_target(old, request.to, history.released_versions(git_dir))
            stack.enter_context(history.redirect(git_dir, scratch / "copier-cache"))
            data = {"template_src": history.TEMPLATE_URL, "template_version": target}
        if target is not None:
            _refuse_downgrade(old, target)
            if target == old:
                return Updated(root, label, old, old, [], [], request.pretend)
        if request.pretend:
            clone = scratch / "clone"
            _git(top, "clone", "--quiet", "--no-hardlinks", str(top), str(clone))
            destination = clone / root.relative_to(top)
        else:
            destination = root
        with (
            _rolled_back_on_error(destination, enabled=not request.pretend),
            copier_errors(label, data) as warnings,
        ):
            _run_copier(destination, data, target, request)
        new = str(read_answers(destination / ANSWERS_FILE).get("_commit", old))
        changes = _changes(destination)
        conflicts = _conflicts(destination, changes)
    return Updated(root, label, old, new, changes, conflicts, request.pretend, warnings)


def _find_root(start: Path) -> Path:
    root = nearest(start, ANSWERS_FILE)
    if root is None:
        raise UsageError(
            f"not a generated repo: no {ANSWERS_FILE} in {start.resolve()} or above it "
            "(run this in a repo made by lambda-new or copier, or pass its path)"
        )
    return root


def _require_clean_git(root: Path) -> Path:
    """The work tree's top folder; refuses a repo with anything uncommitted."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise LambdaNewError(
            f"{root} is not a git repository; update merges through git: "
            "run `git init && git add -A && git commit -m 'Before update'` first"
        )
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        raise LambdaNewError(f"{root} has no commit yet; commit it first (nothing was changed)")
    dirty = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".").stdout
    if dirty.strip():
        paths = [line[3:] for line in dirty.splitlines()]
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        raise LambdaNewError(
            f"{root} has uncommitted changes ({shown}); commit or stash them, "
            "then update again (nothing was changed)"
        )
    return Path(top.stdout.strip())


def _version(text: str, what: str) -> Version:
    version = history.parse_version(text)
    if version is None:
        raise UsageError(f"{what} {text!r} is not a version (such as 1.2.0)")
    return version


def _bundled_target(old: str, to: str | None, versions: list[str]) -> str:
    """The version to update to, from the versions this lambda-new carries."""
    target = to or __version__
    carried = ", ".join(versions)
    if target not in versions:
        raise UsageError(f"--to {target}: lambda-new {__version__} carries template {carried}")
    if old not in versions:
        if _version(old, "the repo's template version") > Version(__version__):
            raise LambdaNewError(
                f"this repo is at template {old}, newer than lambda-new {__version__}: "
                "upgrade lambda-new (python -m pip install -U lambda-new)"
            )
        raise LambdaNewError(
            f"this repo is at template {old}, which lambda-new {__version__} does not carry "
            f"({carried}); it was made by a development build"
        )
    return target


def _refuse_downgrade(old: str, target: str) -> None:
    if _version(target, "--to") < _version(old, "the repo's template version"):
        raise UsageError(
            f"--to {target} is older than the repo's template ({old}); cannot downgrade"
        )


def _run_copier(
    destination: Path, data: dict[str, Any], target: str | None, request: UpdateRequest
) -> None:
    import copier

    copier.run_update(
        destination,
        data=data,
        user_defaults=request.defaults,  # after the recorded answers, before the template's
        vcs_ref=target,
        defaults=True,
        overwrite=True,
        skip_answered=True,
        conflict="inline",
        settings=copier.Settings(),
        quiet=True,
        unsafe=request.trust,
    )


@contextmanager
def _rolled_back_on_error(root: Path, enabled: bool) -> Iterator[None]:
    """Put the (clean, committed) repo back as it was if the update does not finish."""
    try:
        yield
    except BaseException:
        if enabled:
            _git(root, "reset", "--quiet", "--", ".")
            _git(root, "checkout", "--quiet", "HEAD", "--", ".")
            _git(root, "clean", "-d", "--force", "--quiet", "--", ".")
        raise


def _changes(root: Path) -> list[tuple[str, str]]:
    """What the update changed below root: (A|M|D, path relative to root), by path."""
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()
    status = _git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--", ".")
    changes = []
    for entry in filter(None, status.stdout.split("\0")):
        code, path = entry[:2], entry[3:].removeprefix(prefix)
        if code == "??" or (code[0] == "A" and code != "AA"):
            changes.append(("A", path))
        elif "D" in code and "U" not in code:
            changes.append(("D", path))
        else:
            changes.append(("M", path))
    return sorted(changes, key=lambda change: change[1])


def _conflicts(root: Path, changes: list[tuple[str, str]]) -> list[str]:
    """Files left with conflict markers (copier reports none of them)."""
    unmerged = _git(root, "diff", "--name-only", "--relative", "-z", "--diff-filter=U").stdout
    marked = set(unmerged.split("\0"))
    return [
        path
        for kind, path in changes
        if kind != "D" and (path in marked or _has_markers(root / path))
    ]


def _has_markers(path: Path) -> bool:
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return False
    return any(line.startswith(CONFLICT_MARKERS[0]) for line in lines) and any(
        line.startswith(CONFLICT_MARKERS[1]) for line in lines
    )
