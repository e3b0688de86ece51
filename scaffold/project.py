"""Answers -> a rendered repository on disk: copier, an atomic destination, git init.

The flow is one way: `NewProject` (what the user asked for) is validated into
copier `data`, copier renders into a temporary sibling of the destination, the
new repo gets its first commit there, and only then is it moved into place.
An error or Ctrl-C at any point leaves the destination as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import __version__, catalog
from scaffold.errors import LambdaNewError, UsageError

# Where `lambda-new update` finds the bundled template again: recorded in the
# generated repo's .copier-answers.yml instead of the temporary folder it was
# rendered from (which would be a machine path, and gone).
TEMPLATE_URL = "https://github.com/lambda-new/lambda-new.git"

# The files and folders that make up the template (besides what copier.yml includes).
TEMPLATE_PARTS = ("copier.yml", "templates", "catalog", "triggers")

# What copier calls each question, as the user knows it.
QUESTION_LABELS = {
    "function_name": "function name",
    "runtime": "--runtime",
    "runtime_version": "--runtime-version",
    "trigger": "--trigger",
    "region": "--region",
    "architecture": "--arch",
    "description": "--description",
}


@dataclass(frozen=True)
class NewProject:
    """What the user asked for. None means: ask (interactive) or use the default."""

    name: str
    output_dir: Path = Path()
    runtime: str | None = None
    runtime_version: str | None = None
    architecture: str | None = None
    trigger: str | None = None
    region: str | None = None
    description: str | None = None
    interactive: bool = False
    git: bool = True

    @property
    def destination(self) -> Path:
        return self.output_dir / self.name

    def data(self) -> dict[str, Any]:
        """The answers given, checked against the catalog, as copier data.

        The function name and description are checked by copier.yml's own
        validators (one rule for the CLI and for plain copier alike).
        """
        facts = catalog.load()
        data: dict[str, Any] = {"function_name": self.name}
        runtime = self.runtime
        if runtime is not None:
            data["runtime"] = facts.runtime(runtime).name
        elif not self.interactive:
            runtime = facts.default_runtime
        if self.runtime_version is not None:
            if runtime is not None:
                facts.version(runtime, self.runtime_version)
            data["runtime_version"] = self.runtime_version
        if self.architecture is not None:
            data["architecture"] = facts.architecture(self.architecture)
        if self.trigger is not None:
            data["trigger"] = facts.trigger(self.trigger).name
        if self.region is not None:
            data["region"] = self.region
        if self.description is not None:
            data["description"] = self.description
        return data


@dataclass(frozen=True)
class Created:
    """A repository that now exists on disk."""

    path: Path
    answers: dict[str, Any]
    files: list[str]
    git_note: str | None
    warnings: list[str] = field(default_factory=list)


def create(request: NewProject) -> Created:
    """Render a new repository at `request.destination`, atomically."""
    data = request.data()
    destination = request.destination
    if _is_plain_name(request.name):
        _refuse_occupied(destination)
    if request.git and shutil.which("git") is None:
        raise LambdaNewError("git is not installed; install it, or pass --no-git")

    with _staging_area(destination) as staging:
        repo = staging / "repo"
        answers = _render(_stage_template(staging / "template"), repo, data, request.interactive)
        git_note = _git_init(repo, answers) if request.git else None
        files = _list_files(repo)
        _move_into_place(repo, destination)

    version = catalog.load().version(answers["runtime"], answers["runtime_version"])
    warning = catalog.deprecation_warning(version)
    return Created(
        path=destination,
        answers=answers,
        files=files,
        git_note=git_note,
        warnings=[warning] if warning else [],
    )


def _is_plain_name(name: str) -> bool:
    """True when `name` names one directory entry (copier validates the rest)."""
    return bool(name) and name not in {".", ".."} and "/" not in name and os.sep not in name


def _refuse_occupied(destination: Path) -> None:
    if destination.is_dir() and any(destination.iterdir()):
        raise LambdaNewError(
            f"{destination} already exists and is not empty; "
            "choose another name or --output-dir (nothing was written)"
        )
    if destination.exists() and not destination.is_dir():
        raise LambdaNewError(f"{destination} already exists and is a file (nothing was written)")


@contextmanager
def _staging_area(destination: Path) -> Iterator[Path]:
    """A temporary folder on the destination's file system, always removed."""
    anchor = destination.parent.absolute()
    while not anchor.is_dir():
        anchor = anchor.parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=".lambda-new-", dir=anchor))
    except OSError as error:
        raise LambdaNewError(f"cannot write to {anchor}: {error.strerror}") from None
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage_template(target: Path) -> Path:
    """Copy the template to a plain folder.

    copier clones a template that is a git repository root (a source checkout of
    lambda-new is one) and would then ignore uncommitted changes; a plain copy
    renders exactly these files, installed or not.
    """
    root = catalog.template_root()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")
    target.mkdir()
    for part in TEMPLATE_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=ignore)
        else:
            shutil.copy2(source, target / part)
    return target


def _render(template: Path, repo: Path, data: dict[str, Any], interactive: bool) -> dict[str, Any]:
    """Run copier; return every answer, computed ones included."""
    import copier  # deferred: importing copier costs ~0.3 s that --help should not pay
    import jinja2
    from copier.errors import CopierError

    data = {**data, "template_src": TEMPLATE_URL, "template_version": __version__}
    try:
        worker = copier.run_copy(
            str(template),
            repo,
            data=data,
            defaults=not interactive,
            settings=copier.Settings(),
            quiet=True,
            unsafe=False,
        )
    except ValueError as error:
        raise UsageError(_answer_error(str(error), data)) from None
    except jinja2.TemplateError as error:
        raise LambdaNewError(f"the template failed to render: {error}") from None
    except CopierError as error:
        raise LambdaNewError(str(error).strip().splitlines()[0]) from None
    return dict(worker.answers.combined)


def _answer_error(message: str, data: dict[str, Any]) -> str:
    """copier's 'Validation error for question ...' as a one-line CLI message."""
    match = re.match(r"(?:Validation error for question|Invalid choice for) '(\w+)': (.*)", message)
    if not match:
        return message.splitlines()[0]
    question, reason = match[1], " ".join(match[2].split())
    label = QUESTION_LABELS.get(question, question)
    value = data.get(question)
    shown = f" {value!r}" if isinstance(value, str) and len(value) <= 80 else ""
    return f"invalid {label}{shown}: {reason}"


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


def _git_init(repo: Path, answers: dict[str, Any]) -> str:
    """Initialise git with a first commit; without a git identity, stage only."""
    branch = _git(repo, "config", "--get", "init.defaultBranch").stdout.strip() or "main"
    steps = [("init", "--quiet", f"--initial-branch={branch}"), ("add", "--all")]
    for step in steps:
        result = _git(repo, *step)
        if result.returncode != 0:
            raise LambdaNewError(f"git {step[0]} failed: {_last_line(result.stderr)}")
    if _git(repo, "var", "GIT_AUTHOR_IDENT").returncode != 0:
        return (
            "git: initialised and staged, not committed: git has no identity. Run "
            "`git config --global user.name NAME`, `git config --global user.email EMAIL`, "
            "then `git commit -m 'Initial commit'`"
        )
    message = f"Create {answers['function_name']} from the lambda-new {__version__} template"
    result = _git(repo, "commit", "--quiet", "--message", message)
    if result.returncode != 0:
        return f"git: initialised and staged; the first commit failed: {_last_line(result.stderr)}"
    return f"git: initialised on branch {branch}, first commit made"


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _list_files(repo: Path) -> list[str]:
    return sorted(
        path.relative_to(repo).as_posix()
        for path in repo.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(repo).parts[:1]
    )


def _move_into_place(repo: Path, destination: Path) -> None:
    """Rename the finished repo to its destination, creating missing parent folders.

    On failure the folders this created are removed again: nothing is left behind.
    """
    missing = [folder for folder in destination.absolute().parents if not folder.exists()]
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        repo.rename(destination)  # atomic; replaces an empty directory, never a full one
    except OSError as error:
        for folder in missing:  # deepest first
            with suppress(OSError):
                folder.rmdir()
        raise LambdaNewError(
            f"cannot create {destination}: {error.strerror} (nothing was written)"
        ) from None
