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
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

from scaffold import __version__, catalog, history, questions, safety, signals, vcs
from scaffold.errors import LambdaNewError, UsageError, last_line
from scaffold.rendering import copier_errors

# The answers lambda-new itself reads after rendering (summary, first commit).
NEEDED_ANSWERS = ("function_name", "lambda_runtime", "architecture")


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
    owner: str | None = None
    team: str | None = None
    ci: str | None = None
    powertools: bool | None = None
    # A team's own copier template (local path or git URL) instead of the bundled one.
    template: str | None = None
    vcs_ref: str | None = None
    trust: bool = False
    # Team defaults (environment, config file), by question: copier's user_defaults.
    defaults: dict[str, Any] = field(default_factory=dict)
    interactive: bool = False
    git: bool = True

    @property
    def destination(self) -> Path:
        return self.output_dir / self.name

    def data(self) -> dict[str, Any]:
        """The answers given, as copier data, by question name (scaffold/questions.py).

        Choices are checked by `check_choices` for the bundled template, and by copier
        against a team template's own choices; the function name and description by
        copier.yml's validators (one rule for the CLI and for plain copier alike).
        """
        data: dict[str, Any] = {
            "function_name": self.name,
            "logical_id_prefix": questions.logical_id_prefix(self.name),
        }
        for question in questions.ASKED:
            value = getattr(self, question.field)
            if value is not None:
                data[question.name] = value
        return data

    def check_choices(self, facts: catalog.Catalog) -> None:
        """Runtime, version, architecture and trigger: one of the catalog's."""
        runtime = self.runtime
        if runtime is not None:
            facts.runtime(runtime)
        elif not self.interactive:
            runtime = self.defaults.get("runtime", facts.default_runtime)
        if self.runtime_version is not None and runtime is not None:
            facts.version(runtime, self.runtime_version)
        if self.architecture is not None:
            facts.architecture(self.architecture)
        if self.trigger is not None:
            facts.trigger(self.trigger)
        if self.ci is not None:
            facts.ci_provider(self.ci)


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
    if request.template is None:  # checked early; a team template's copier checks its own
        request.check_choices(catalog.load())
    destination = request.destination
    if _is_plain_name(request.name):
        _refuse_occupied(destination)
    if request.git and shutil.which("git") is None:
        raise LambdaNewError("git is not installed; install it, or pass --no-git")

    label = request.template or "lambda-new's template"
    with _staging_area(destination) as staging:
        repo = staging / "repo"
        redirect: tuple[list[tuple[str, str]], dict[str, str]] = ([], {})
        if request.template is None and request.vcs_ref not in (None, __version__):
            # A recorded release of the bundled template, as `update` renders them.
            source, redirect = _bundled_release(str(request.vcs_ref), staging)
            data |= {"template_src": history.TEMPLATE_URL, "template_version": request.vcs_ref}
            label = f"lambda-new's template {request.vcs_ref}"
        elif request.template is None:
            source = str(history.template_folder(staging / "template"))
            data |= {"template_src": history.TEMPLATE_URL, "template_version": __version__}
        else:
            source = template_source(request.template)
        with copier_errors(label, data) as warnings, vcs.for_copier(*redirect):
            answers = _render(source, repo, data, request)
        safety.check_tree(repo, label)  # before any git command reads the tree
        _check_answers(answers, label)
        git_note = _git_init(repo, answers, staging) if request.git else None
        files = _list_files(repo)
        with signals.committing(f"{destination} was created"):
            _move_into_place(repo, destination)

    if request.template is not None:
        warnings.extend(_updatable(request.template, answers))
        if any(name.endswith("renovate.json") for name in files):
            warnings.extend(_renovate_note(template_source(request.template)))
    with suppress(LambdaNewError, KeyError):  # a team template may name runtimes its own way
        version = catalog.load().version(answers["runtime"], answers["runtime_version"])
        if warning := catalog.deprecation_warning(version):
            warnings.append(warning)
    return Created(
        path=destination, answers=answers, files=files, git_note=git_note, warnings=warnings
    )


def _bundled_release(
    version: str, staging: Path
) -> tuple[str, tuple[list[tuple[str, str]], dict[str, str]]]:
    """The template URL and the git redirect that render release `version` of lambda-new's
    own template from the history bundle (offline); refused when it is not a release."""
    git_dir = history.template_repo(staging / "history")
    versions = history.released_versions(git_dir)
    if version not in versions:
        raise UsageError(
            f"--vcs-ref {version}: lambda-new's template has no such release; its releases "
            f"are {', '.join(versions)} (a team template's tag: --template SOURCE --vcs-ref TAG)"
        )
    return history.TEMPLATE_URL, history.redirect(git_dir, staging / "copier-cache")


def _check_answers(answers: dict[str, Any], label: str) -> None:
    """A template with other questions renders, but lambda-new could not use the result."""
    missing = [key for key in NEEDED_ANSWERS if not isinstance(answers.get(key), str)]
    if missing:
        raise UsageError(
            f"{label} does not answer {', '.join(missing)}, which lambda-new needs "
            "(a lambda-new template asks them in its copier.yml); nothing was written"
        )


def _is_release(commit: str) -> bool:
    return not re.fullmatch(r"[0-9a-f]{7,40}", commit) and history.parse_version(commit) is not None


def template_source(source: str) -> str:
    """A --template value as copier should record it: URLs as given, paths absolute."""
    if re.match(r"^([a-z][a-z0-9+.-]*://|git@|gh:|gl:)", source):
        return source
    path = Path(source).expanduser()
    if not path.is_dir():
        raise UsageError(f"--template {source}: no such directory (give a path or a git URL)")
    return str(path.resolve())


def _updatable(source: str, answers: dict[str, Any]) -> list[str]:
    """Why a repo made from a team template could not be updated later, if it could not."""
    commit = answers.get("_commit")
    if commit is None:
        return [f"{source} is not a git repository: repos made from it cannot be updated"]
    # Untagged, `git describe` gives a commit hash (all digits, now and then: a "version").
    if not _is_release(str(commit)):
        return [
            f"{source} has no release tag at this commit ({commit}): tag releases "
            "(1.0.0, 1.1.0...) so that `lambda-new update` can move repos between them"
        ]
    return []


def _renovate_note(source: str) -> list[str]:
    """Renovate's copier manager reads `_src_path` to find newer template tags: it skips
    a repo whose source it cannot look up (a local path is an "Invalid url"; SSH URLs
    only from Renovate 41.111). Say so when the repo has a renovate.json."""
    if source.startswith("https://"):
        return []
    if re.match(r"^(git@|ssh://)", source):
        return [
            f"renovate.json: Renovate looks up the template at {source} only from Renovate "
            "41.111 on (SSH); an https:// git URL works with every version"
        ]
    return [
        f"renovate.json: Renovate cannot look up the template at {source} (it needs an "
        "https:// git URL in .copier-answers.yml), so it will not propose template "
        "updates; make repos from the template's https:// URL: --template https://..."
    ]


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
    with ExitStack() as stack:
        try:
            staging = stack.enter_context(signals.scratch(".lambda-new-", anchor))
        except OSError as error:
            raise LambdaNewError(f"cannot write to {anchor}: {error.strerror}") from None
        yield staging


def _render(source: str, repo: Path, data: dict[str, Any], request: NewProject) -> dict[str, Any]:
    """Run copier; return every answer, computed ones included."""
    import copier  # deferred: importing copier costs ~0.3 s that --help should not pay

    worker = copier.run_copy(
        source,
        repo,
        data=data,
        vcs_ref=request.vcs_ref,
        user_defaults=request.defaults,
        defaults=not request.interactive,
        settings=copier.Settings(),
        quiet=True,
        unsafe=request.trust,
    )
    return dict(worker.answers.combined)


def _git_init(repo: Path, answers: dict[str, Any], staging: Path) -> str:
    """Initialise git with a first commit; without a git identity, stage only.

    Isolated (scaffold/vcs.py): no hook, template folder or config file of the
    user's or the template's runs; the user's name, email and default branch
    are the only settings carried over.
    """
    branch = vcs.default_branch(repo)
    result = vcs.run(repo, "init", "--quiet", "--template=", f"--initial-branch={branch}")
    if result.returncode != 0:
        raise LambdaNewError(f"git init failed: {last_line(result.stderr)}")
    config = vcs.isolated_config(staging, identity_from=repo)

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return vcs.run(repo, *args, isolated=config)

    result = git("add", "--all")
    if result.returncode != 0:
        raise LambdaNewError(f"git add failed: {last_line(result.stderr)}")
    if git("var", "GIT_AUTHOR_IDENT").returncode != 0:
        return (
            "git: initialised and staged, not committed: git has no identity. Run "
            "`git config --global user.name NAME`, `git config --global user.email EMAIL`, "
            "then `git commit -m 'Initial commit'`"
        )
    release = answers.get("_commit") if answers.get("_src_path") == history.TEMPLATE_URL else None
    message = (
        f"Create {answers['function_name']} from the lambda-new {release or __version__} template"
    )
    result = git("commit", "--quiet", "--no-gpg-sign", "--message", message)
    if result.returncode != 0:
        return f"git: initialised and staged; the first commit failed: {last_line(result.stderr)}"
    return f"git: initialised on branch {branch}, first commit made"


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
