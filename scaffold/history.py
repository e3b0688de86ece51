"""The bundled template's release history: what lets `lambda-new update` work offline.

copier updates a repo by rendering the template at the version the repo was made
from and at the new version, then merging. A folder inside an installed wheel has
only one version, so lambda-new also ships `template-history.bundle`: a git bundle
holding the template (copier.yml, templates/, catalog/, triggers/) of every
released version, one commit per release, tagged with the bare version (`0.1.0`).

At update time `template_repo()` builds a local git repository from that bundle
plus the installed template, tagged with the installed version, and `redirect()`
points copier's recorded source (`TEMPLATE_URL`, the same in every repo and on
every machine) at it. Nothing machine-specific is written to the answers file, and
plain `copier update` against the real URL sees the same tags online.

Maintainers record a release with `python -m scaffold.history record` (once per
released version; see the README's "Releasing").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.version import InvalidVersion, Version

from scaffold import __version__, answers, catalog, vcs
from scaffold.errors import LambdaNewError, last_line

# Where generated repos say their template comes from (`_src_path`): scaffold/answers.py.
TEMPLATE_URL = answers.TEMPLATE_URL

HISTORY_BUNDLE = catalog.PACKAGE_DIR / "template-history.bundle"

# The files and folders that make up the template (besides what copier.yml includes).
TEMPLATE_PARTS = ("copier.yml", "templates", "catalog", "triggers", "languages")

# What tools leave in a source checkout's template folders; a wheel never has them
# (hatch follows .gitignore), so the installed template is the same from either.
LOCAL_LEFTOVERS = (
    "__pycache__", "*.py[cod]", ".DS_Store", ".ruff_cache", ".pytest_cache", ".mypy_cache",
    "node_modules", ".venv",
)  # fmt: skip

# Commits in the history are reproducible: the same tree always gives the same hash.
_FIXED_IDENTITY = {
    "GIT_AUTHOR_NAME": "lambda-new",
    "GIT_AUTHOR_EMAIL": "releases@lambda-new.invalid",
    "GIT_AUTHOR_DATE": "1980-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "lambda-new",
    "GIT_COMMITTER_EMAIL": "releases@lambda-new.invalid",
    "GIT_COMMITTER_DATE": "1980-01-01T00:00:00+0000",
    # The user's git configuration (hooks, signing, templates) stays out of it.
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def template_folder(staging: Path) -> Path:
    """The installed template as a plain folder for copier to render from.

    An installed wheel's `scaffold/_template/` is one already (the template's files
    only; the `__pycache__` pip compiles there is in copier.yml's `_exclude`): it is
    used as it is, nothing copied. A source checkout's template root is the
    repository itself (.git, which copier would clone instead, plus .venv,
    node_modules and caches): its template is copied to `staging` first, the same
    files a wheel holds. Both give the same bytes (tests/test_fast_paths.py).
    """
    root = catalog.template_root()
    if root == catalog.PACKAGE_DIR / "_template" and not (root / ".git").exists():
        return root
    return stage_template(staging)


def stage_template(target: Path) -> Path:
    """Copy the installed template to a plain folder and return it."""
    root = catalog.template_root()
    ignore = shutil.ignore_patterns(*LOCAL_LEFTOVERS)
    target.mkdir()
    for part in TEMPLATE_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=ignore)
        else:
            shutil.copy2(source, target / part)
    return target


def _git(git_dir: Path, *args: str, work_tree: Path | None = None) -> str:
    env = {**os.environ, **_FIXED_IDENTITY, "GIT_DIR": str(git_dir)}
    if work_tree is not None:
        env["GIT_WORK_TREE"] = str(work_tree)
        env["GIT_INDEX_FILE"] = str(git_dir / "lambda-new.index")
    command = ["git", *vcs.HARDENING_ARGS, *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LambdaNewError(
            f"git {args[0]} failed while preparing the template: {last_line(result.stderr)}"
        )
    return result.stdout.strip()


def released_versions(git_dir: Path) -> list[str]:
    """The version tags in `git_dir`, oldest first."""
    tags = _git(git_dir, "tag", "--list").split()
    return sorted((tag for tag in tags if parse_version(tag) is not None), key=_version_key)


def parse_version(tag: str) -> Version | None:
    """A PEP 440 version, or None for a tag (or commit) that is not one."""
    try:
        return Version(tag)
    except InvalidVersion:
        return None


def _version_key(tag: str) -> Version:
    version = parse_version(tag)
    assert version is not None
    return version


def template_repo(workdir: Path) -> Path:
    """A git repository holding every released template plus the installed one.

    The installed template is tagged with the installed version, replacing a
    recorded tree of the same version (so `new` and `update` always agree).
    """
    git_dir, tree = _with_history(workdir)
    current = _tag_commit(git_dir, __version__)
    if current is None or _git(git_dir, "rev-parse", f"{current}^{{tree}}") != tree:
        _tag(git_dir, __version__, tree)
    _git(git_dir, "update-ref", "refs/heads/main", f"refs/tags/{__version__}^{{commit}}")
    return git_dir


def _with_history(workdir: Path) -> tuple[Path, str]:
    """A bare repo holding the recorded releases, and the installed template's tree."""
    git_dir = workdir / "template.git"
    workdir.mkdir(parents=True, exist_ok=True)
    _git(git_dir, "init", "--quiet", "--bare", "--initial-branch=main")
    if HISTORY_BUNDLE.is_file():
        _git(git_dir, "fetch", "--quiet", str(HISTORY_BUNDLE), "refs/tags/*:refs/tags/*")
    return git_dir, _commit_tree(git_dir, stage_template(workdir / "installed"))


def _commit_tree(git_dir: Path, folder: Path) -> str:
    _git(git_dir, "add", "--all", "--force", ".", work_tree=folder)
    return _git(git_dir, "write-tree", work_tree=folder)


def _tag_commit(git_dir: Path, tag: str) -> str | None:
    if tag not in _git(git_dir, "tag", "--list", tag).split():
        return None
    return _git(git_dir, "rev-parse", f"refs/tags/{tag}^{{commit}}")


def _tag(git_dir: Path, version: str, tree: str) -> None:
    """Commit `tree` as `version` (its parent: the newest older release) and tag it."""
    older = [v for v in released_versions(git_dir) if _version_key(v) < _version_key(version)]
    parent = ["-p", f"refs/tags/{older[-1]}"] if older else []
    commit = _git(
        git_dir, "commit-tree", "--no-gpg-sign", *parent, "-m", f"lambda-new {version}", tree
    )
    _git(git_dir, "tag", "--force", version, commit)


def redirect(git_dir: Path, scratch: Path) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """What makes copier's git read `TEMPLATE_URL` from `git_dir`: offline.

    The git configuration (a `url.<local>.insteadOf` rule) and environment for
    `vcs.for_copier`. copier's mirror cache moves to `scratch`, so the user's
    cache for the real URL is not touched.
    """
    config = [(f"url.{git_dir.as_uri()}.insteadOf", TEMPLATE_URL)]
    return config, {"COPIER_CACHE_DIR": str(scratch)}


def record(workdir: Path) -> str:
    """Add the installed template, as `__version__`, to the shipped history bundle.

    A release is recorded once; recording it again with a different template is
    refused (released templates never change: repos merge against them).
    """
    version = parse_version(__version__)
    if version is None or version.is_devrelease or version.is_prerelease or version.local:
        raise LambdaNewError(f"{__version__} is not a release version; only releases are recorded")
    git_dir, tree = _with_history(workdir)
    recorded = _tag_commit(git_dir, __version__)
    if recorded is not None:
        if _git(git_dir, "rev-parse", f"{recorded}^{{tree}}") == tree:
            return f"{__version__} is already recorded in {HISTORY_BUNDLE.name}"
        raise LambdaNewError(
            f"{__version__} is recorded with a different template; released templates "
            "never change: bump __version__ in scaffold/__init__.py"
        )
    _tag(git_dir, __version__, tree)
    bundle = HISTORY_BUNDLE.with_suffix(".tmp")
    _git(git_dir, "bundle", "create", "--quiet", str(bundle), "--tags")
    bundle.replace(HISTORY_BUNDLE)
    return f"recorded {__version__}; {HISTORY_BUNDLE.name} now holds " + ", ".join(
        released_versions(git_dir)
    )


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lambda-new-history-") as scratch:
        try:
            print(record(Path(scratch)) if sys.argv[1:] == ["record"] else _usage())
        except LambdaNewError as error:
            sys.exit(f"error: {error}")


def _usage() -> str:
    return "usage: python -m scaffold.history record"


if __name__ == "__main__":
    main()
