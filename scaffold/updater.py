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
- the template is rendered once on its own first and refused if it writes a
  `.git` or links out of the repo (scaffold/safety.py);
- copier merges in a scratch clone of the repo, never in the repo itself. The
  result is then written into the repo in one step that a signal cannot cut
  short and an error undoes (`_apply`), so an interrupted or failed update
  leaves the repo, `.git` included, byte for byte as it was; `--pretend`
  simply skips that step;
- a file the template would write where the user has an untracked or ignored
  one is never overwritten: it is a conflict, and the template's version goes
  beside it as `<name>.template-new`.
"""

from __future__ import annotations

import os
import shutil
import stat
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import Version

from scaffold import __version__, history, questions, repo, safety, signals, vcs
from scaffold.answers import ANSWERS_FILE, TEMPLATE_URL, recorded
from scaffold.answers import read as read_answers
from scaffold.errors import LambdaNewError, UsageError, from_os_error, last_line
from scaffold.rendering import copier_errors

_git = vcs.run
# Beside a user's untracked file, the template's version of it.
TEMPLATE_NEW_SUFFIX = ".template-new"

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
    # Untracked or ignored files of the user's the template would have replaced:
    # (path, where the template's version went, or None when that name is taken).
    kept: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return self.old == self.new and not self.changes


def update(request: UpdateRequest) -> Updated:
    found = recorded(request.path)
    root, answers, source, old = found.root, found.answers, found.source, found.version
    bundled = found.bundled
    label = f"lambda-new's template (lambda-new {__version__})" if bundled else source
    if found.is_current(request.to):  # at the installed version already: nothing to merge
        return Updated(root, label, old, old, [], [], request.pretend)
    top, dirty = _require_clean_git(root, allow_dirty=request.pretend)

    with ExitStack() as stack:
        scratch = stack.enter_context(signals.scratch("lambda-new-"))
        data: dict[str, Any] = {}
        target = request.to
        redirect: tuple[list[tuple[str, str]], dict[str, str]] = ([], {})
        if bundled:
            git_dir = history.template_repo(scratch)
            target = _bundled_target(old, request.to, history.released_versions(git_dir))
            redirect = history.redirect(git_dir, scratch / "copier-cache")
            data = {"template_src": TEMPLATE_URL, "template_version": target}
        stack.enter_context(vcs.for_copier(*redirect))
        if target is not None:
            _refuse_downgrade(old, target)
            if target == old:
                return Updated(root, label, old, old, [], [], request.pretend)
        recorded_answers = {k: v for k, v in answers.items() if not str(k).startswith("_")}
        with copier_errors(label, data):
            _render_alone(source, scratch / "probe", {**recorded_answers, **data}, target, request)
        safety.check_tree(scratch / "probe", label)
        isolated = vcs.isolated_config(scratch, identity_from=top)
        clone = _clone(top, scratch / "clone", isolated)
        prefix = root.relative_to(top)
        destination = clone / prefix
        with copier_errors(label, data) as warnings:
            _run_copier(destination, data, target, request)
            # The functions in functions/ (`lambda-new add`): the same template, their own
            # answers, merged in the same clone (root first: copier's clean-tree check is
            # the folder's own, and the root's changes are outside theirs).
            for member in repo.members(root, answers):
                folder = destination / repo.MEMBERS_FOLDER / member.name
                version = read_answers(folder / ANSWERS_FILE).get("_commit")
                if target is None or str(version) != target:
                    if target is not None and version is not None:
                        _refuse_downgrade(str(version), target)
                    _run_copier(folder, data, target, request)
        if dirty:  # --pretend writes nothing, so it runs; the merge is with the last commit
            warnings.append(
                f"the preview merges with the last commit: uncommitted changes ({dirty}) are "
                "not part of it, and `lambda-new update` itself needs them committed"
            )
        new = str(read_answers(destination / ANSWERS_FILE).get("_commit", old))
        changes, conflicts, kept = _merged(destination, top, prefix, isolated, label)
        if not request.pretend:
            _apply(clone, top, prefix, changes, dict(kept), _unmerged(clone, isolated))
    return Updated(root, label, old, new, changes, conflicts, request.pretend, warnings, kept)


@dataclass(frozen=True)
class AddRequest:
    """`lambda-new add NAME`: None means the repo's own value (its language, version and
    architecture, its powertools switch) or the template's default."""

    name: str
    path: Path = Path()
    runtime: str | None = None
    runtime_version: str | None = None
    architecture: str | None = None
    trigger: str | None = None
    description: str | None = None
    powertools: bool | None = None
    trust: bool = False
    defaults: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Added:
    root: Path
    name: str
    answers: dict[str, Any]  # the new function's
    changes: list[tuple[str, str]]  # as Updated's
    conflicts: list[str]
    warnings: list[str] = field(default_factory=list)


def add(request: AddRequest) -> Added:
    """Add a function in functions/<name>/: render it from the repo's own template at the
    repo's version, give the repo's answers the new `functions` entry (copier's update at
    the same version: template.yaml, Makefile, README and CI gain it, the owner's edits
    kept), and write both into the repo at once, as `update` does."""
    found = recorded(request.path)
    root, answers, source, old = found.root, found.answers, found.source, found.version
    if answers.get("part_of"):
        raise UsageError(
            f"{root} is a function of the repository {root.parent.parent}: "
            "run `lambda-new add` there (nothing was changed)"
        )
    if found.bundled and not found.is_current():
        raise LambdaNewError(
            f"this repo is at template {old}; run `lambda-new update` first (it brings the "
            f"repo to {__version__}, which can add functions), commit, then add (nothing "
            "was changed)"
        )
    prefix = _check_new_member(root, answers, request.name)
    label = f"lambda-new's template (lambda-new {__version__})" if found.bundled else source
    top, _ = _require_clean_git(root)

    with ExitStack() as stack:
        scratch = stack.enter_context(signals.scratch("lambda-new-"))
        data: dict[str, Any] = {}
        redirect: tuple[list[tuple[str, str]], dict[str, str]] = ([], {})
        if found.bundled:
            git_dir = history.template_repo(scratch)
            redirect = history.redirect(git_dir, scratch / "copier-cache")
            data = {"template_src": TEMPLATE_URL, "template_version": old}
        stack.enter_context(vcs.for_copier(*redirect))
        member = scratch / "member"
        member_data = {**_member_data(request, answers, prefix), **data}
        with copier_errors(label, member_data) as warnings:
            made = _render_alone(source, member, member_data, old, request)
        safety.check_tree(member, label)
        entry = {
            "name": request.name,
            "id": prefix,
            "trigger": made.get("trigger"),
            "runtime": made.get("runtime"),
            "runtime_version": made.get("runtime_version"),
        }
        listed = [*(answers.get("functions") or []), entry]
        isolated = vcs.isolated_config(scratch, identity_from=top)
        clone = _clone(top, scratch / "clone", isolated)
        where = root.relative_to(top)
        destination = clone / where
        update = UpdateRequest(trust=request.trust, defaults=request.defaults)
        with copier_errors(label, data) as more:
            _run_copier(destination, {**data, "functions": listed}, old, update)
        warnings += more
        if f"{prefix}App:" not in (destination / repo.TEMPLATE_FILE).read_text("utf-8"):
            raise LambdaNewError(
                f"{label} at {old} does not add functions to template.yaml (it has no "
                "`functions` question): nothing was changed"
            )
        shutil.copytree(member, destination / repo.MEMBERS_FOLDER / request.name, symlinks=True)
        changes, conflicts, kept = _merged(destination, top, where, isolated, label)
        _apply(clone, top, where, changes, dict(kept), _unmerged(clone, isolated))
    return Added(root, request.name, made, changes, conflicts, warnings)


def _check_new_member(root: Path, answers: dict[str, Any], name: str) -> str:
    """The new function's logical id prefix; a name or id the repo has is refused."""
    if not repo.FUNCTION_NAME.fullmatch(name):
        raise UsageError(
            f"function name {name!r}: use 1 to 64 letters, digits, hyphens (-) or "
            "underscores (_), not starting with a hyphen"
        )
    prefix = questions.logical_id_prefix(name)
    existing = repo.members(root, answers)
    names = [str(answers.get("function_name", "")), *(member.name for member in existing)]
    if name.lower() in (taken.lower() for taken in names):
        raise UsageError(
            f"function name {name!r}: the repo has a function of that name "
            f"({', '.join(names)}); nothing was written"
        )
    folder = root / repo.MEMBERS_FOLDER
    if folder.is_dir() and any(entry.name.lower() == name.lower() for entry in folder.iterdir()):
        raise UsageError(f"{folder / name} already exists; choose another name (nothing written)")
    ids = [str(answers.get("logical_id_prefix") or ""), *(m.logical_id_prefix for m in existing)]
    template = next(iter(repo.read(root).functions.values())).template
    used = {
        key
        for section in ("Resources", "Outputs", "Parameters", "Conditions")
        for key in (template.get(section) or {})
    }
    clashes = sorted({f"{prefix}App", f"{prefix}FunctionArn"} & used)
    if prefix in ids or clashes:
        raise UsageError(
            f"function name {name!r}: its logical ids ({prefix}App, {prefix}FunctionArn) would "
            f"collide with template.yaml's {', '.join(clashes) or prefix + '...'}; choose another "
            "name (nothing was written)"
        )
    return prefix


def _member_data(request: AddRequest, answers: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The new function's answers: what was asked, else the repo's (region, tags, language,
    architecture, Powertools); part_of marks it as a function of this repo."""
    same_language = request.runtime in (None, answers.get("runtime"))
    inherited = {
        "runtime": answers.get("runtime"),
        "runtime_version": answers.get("runtime_version") if same_language else None,
        "architecture": answers.get("architecture"),
        "powertools": answers.get("powertools"),
        "region": answers.get("region"),
        "owner": answers.get("owner"),
        "team": answers.get("team"),
    }
    asked = {
        "runtime": request.runtime,
        "runtime_version": request.runtime_version,
        "architecture": request.architecture,
        "trigger": request.trigger,
        "description": request.description,
        "powertools": request.powertools,
    }
    data: dict[str, Any] = {
        "function_name": request.name,
        "logical_id_prefix": prefix,
        "part_of": str(answers.get("function_name", "")),
        "ci": "none",
    }
    for key, value in {**inherited, **{k: v for k, v in asked.items() if v is not None}}.items():
        if value is not None:
            data[key] = value
    return data


def _require_clean_git(root: Path, allow_dirty: bool = False) -> tuple[Path, str]:
    """The work tree's top folder, and the uncommitted paths (shown) when `allow_dirty`;
    without it, a repo with anything uncommitted is refused."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise LambdaNewError(
            f"{root} is not a git repository; update merges through git: "
            "run `git init && git add -A && git commit -m 'Before update'` first"
        )
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        raise LambdaNewError(f"{root} has no commit yet; commit it first (nothing was changed)")
    dirty = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".").stdout
    shown = ""
    if dirty.strip():
        paths = [line[3:] for line in dirty.splitlines()]
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        if not allow_dirty:
            raise LambdaNewError(
                f"{root} has uncommitted changes ({shown}); commit or stash them, "
                "then update again (nothing was changed; --pretend previews anyway)"
            )
    return Path(top.stdout.strip()), shown


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
        exclude=[safety.GIT_EXCLUDE],  # in every render copier makes, old and new
    )


def _render_alone(
    source: str,
    folder: Path,
    data: dict[str, Any],
    target: str | None,
    request: UpdateRequest | AddRequest,
) -> dict[str, Any]:
    """Render the template at `target` on its own into `folder` (update's probe, checked
    before copier merges; add's new function); every answer, computed ones included."""
    import copier

    worker = copier.run_copy(
        source,
        folder,
        data=data,
        user_defaults=request.defaults,
        vcs_ref=target,
        defaults=True,
        settings=copier.Settings(),
        quiet=True,
        unsafe=request.trust,
        skip_tasks=True,  # tasks run once, in the update (with --trust), not here
    )
    return dict(worker.answers.combined)


def _clone(top: Path, clone: Path, isolated: Path) -> Path:
    """A scratch clone of the repo's committed state, for copier to merge in."""
    result = _git(
        top, "clone", "--quiet", "--shared", "--", str(top), str(clone), isolated=isolated
    )
    if result.returncode != 0:
        raise LambdaNewError(f"cannot clone {top} to merge in: {last_line(result.stderr)}")
    return clone


def _merged(
    destination: Path, top: Path, prefix: Path, isolated: Path, label: str
) -> tuple[list[tuple[str, str]], list[str], list[tuple[str, str | None]]]:
    """What copier's merge in the clone changed (checked by safety.py), the conflicts, and
    the user's untracked or ignored files it would replace (conflicts too)."""
    changes = _changes(destination, isolated)
    safety.check_changes(destination, [path for kind, path in changes if kind != "D"], label)
    conflicts = _conflicts(destination, changes, isolated)
    kept = _in_the_way(top, prefix, changes)
    conflicts += [path for path, _ in kept if path not in conflicts]
    return changes, conflicts, kept


def _changes(root: Path, isolated: Path) -> list[tuple[str, str]]:
    """What the update changed below root: (A|M|D, path relative to root), by path.

    Files git ignores count too: in the scratch clone, only copier can have made them.
    """
    prefix = _git(root, "rev-parse", "--show-prefix", isolated=isolated).stdout.strip()
    status = _git(
        root,
        "status",
        "--porcelain",
        "-z",
        "--untracked-files=all",
        "--ignored=matching",
        "--",
        ".",
        isolated=isolated,
    )
    entries: list[tuple[str, str]] = []
    for entry in filter(None, status.stdout.split("\0")):
        code, path = entry[:2], entry[3:].removeprefix(prefix)
        if code == "!!" and path.endswith("/"):  # an ignored folder: each file in it
            folder = root / path
            entries += [
                (code, (Path(d) / name).relative_to(root).as_posix())
                for d, _, names in os.walk(folder)
                for name in names
            ]
        else:
            entries.append((code, path))
    changes = []
    for code, path in entries:
        if code in ("??", "!!") or (code[0] == "A" and code != "AA"):
            changes.append(("A", path))
        elif "D" in code and "U" not in code:
            changes.append(("D", path))
        else:
            changes.append(("M", path))
    return sorted(changes, key=lambda change: change[1])


def _conflicts(root: Path, changes: list[tuple[str, str]], isolated: Path) -> list[str]:
    """Files left with conflict markers (copier reports none of them)."""
    unmerged = _git(
        root,
        "diff",
        "--no-ext-diff",
        "--name-only",
        "--relative",
        "-z",
        "--diff-filter=U",
        isolated=isolated,
    ).stdout
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


def _in_the_way(
    top: Path, prefix: Path, changes: list[tuple[str, str]]
) -> list[tuple[str, str | None]]:
    """Files the update would add where the user has an untracked or ignored file.

    Returns (path, the name the template's version goes to, or None if that is
    taken too). A work tree that passed the clean check has no untracked files
    but ignored ones (`.env`, `.vscode/settings.json`): git cannot bring those back.
    """
    listed = _git(top, "ls-files", "-z").stdout
    tracked = set(filter(None, listed.split("\0")))
    kept: list[tuple[str, str | None]] = []
    for kind, path in changes:
        if kind != "A":  # M and D are tracked paths, which git can always restore
            continue
        relative = (prefix / path).as_posix()
        parents = [p for p in Path(relative).parents if p != Path()]
        blocked = any((top / p).exists() and not (top / p).is_dir() for p in parents)
        if blocked or (os.path.lexists(top / relative) and relative not in tracked):
            beside = path + TEMPLATE_NEW_SUFFIX
            free = not blocked and not os.path.lexists(top / prefix / beside)
            kept.append((path, beside if free else None))
    return kept


def _unmerged(clone: Path, isolated: Path) -> list[str]:
    """The clone's conflict entries (`mode sha stage<TAB>path`), as copier recorded them."""
    listed = _git(clone, "ls-files", "-u", "-z", isolated=isolated).stdout
    return [entry for entry in listed.split("\0") if entry]


def _apply(
    clone: Path,
    top: Path,
    prefix: Path,
    changes: list[tuple[str, str]],
    kept: dict[str, str | None],
    unmerged: list[str],
) -> None:
    """Write the merged result into the repo: all of it, or (on an error) none of it.

    A signal that arrives meanwhile waits until the last file is written.
    """
    journal = _Journal(top)
    with signals.committing("the update was applied; review it with `git status`"):
        try:
            for kind, path in changes:
                relative = prefix / path
                if path in kept:
                    beside = kept[path]
                    if beside is not None:
                        journal.write(top / prefix / beside, clone / relative)
                elif kind == "D":
                    journal.remove(top / relative)
                else:
                    journal.write(top / relative, clone / relative)
            if unmerged:
                journal.record_conflicts(clone, unmerged)
        except BaseException as error:
            journal.undo()  # signals are still held here
            if isinstance(error, OSError):
                raise from_os_error(
                    error, "cannot write the update (nothing was changed)"
                ) from None
            raise


class _Journal:
    """What `_apply` changed in the repo, to put it back byte for byte on an error."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.saved: list[tuple[Path, tuple[str, bytes, int] | None]] = []
        self.made_dirs: list[Path] = []
        self.removed_dirs: list[Path] = []
        self.objects: list[Path] = []
        index = _git(top, "rev-parse", "--git-path", "index").stdout.strip()
        self.index = top / index
        self.index_bytes = self.index.read_bytes() if self.index.is_file() else None

    def _save(self, path: Path) -> None:
        if path.is_symlink():
            self.saved.append((path, ("link", os.fsencode(os.readlink(path)), 0)))
        elif path.is_file():
            mode = stat.S_IMODE(path.stat().st_mode)
            self.saved.append((path, ("file", path.read_bytes(), mode)))
        else:
            self.saved.append((path, None))

    def write(self, path: Path, source: Path) -> None:
        for parent in reversed(path.parents):
            if not parent.exists() and parent.is_relative_to(self.top):
                parent.mkdir()
                self.made_dirs.append(parent)
        self._save(path)
        temporary = path.with_name(f".{path.name}.lambda-new")
        try:
            if source.is_symlink():
                os.symlink(os.readlink(source), temporary)
            else:
                shutil.copyfile(source, temporary)
                os.chmod(temporary, stat.S_IMODE(source.stat().st_mode))
            os.replace(temporary, path)
        finally:
            if os.path.lexists(temporary):
                temporary.unlink()

    def remove(self, path: Path) -> None:
        if not os.path.lexists(path):
            return
        self._save(path)
        path.unlink()
        folder = path.parent
        while folder != self.top and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            self.removed_dirs.append(folder)
            folder = folder.parent

    def record_conflicts(self, clone: Path, unmerged: list[str]) -> None:
        """Mark conflicted files unmerged in the repo's index, as copier did in the clone."""
        lines: list[str] = []
        for path in dict.fromkeys(entry.split("\t", 1)[1] for entry in unmerged):
            lines.append(f"0 {'0' * 40}\t{path}")
        for entry in unmerged:
            sha = entry.split()[1]
            if _git(self.top, "cat-file", "-e", sha).returncode != 0:
                blob = vcs.run_bytes(clone, "cat-file", "blob", sha).stdout
                written = vcs.run_bytes(self.top, "hash-object", "-w", "--stdin", input=blob)
                if written.stdout.decode().strip() != sha:
                    raise LambdaNewError(f"cannot copy a conflict's object {sha} into the repo")
                where = _git(self.top, "rev-parse", "--git-path", f"objects/{sha[:2]}/{sha[2:]}")
                self.objects.append(self.top / where.stdout.strip())
            lines.append(entry)
        result = _git(self.top, "update-index", "--index-info", input="\n".join(lines) + "\n")
        if result.returncode != 0:
            raise LambdaNewError(f"cannot record the conflicts: {last_line(result.stderr)}")

    def undo(self) -> None:
        """Put back what was saved, in reverse order; each step on its own."""
        for folder in reversed(self.removed_dirs):
            with suppress(OSError):
                folder.mkdir(exist_ok=True)
        for path, state in reversed(self.saved):
            with suppress(OSError):
                if os.path.lexists(path):
                    path.unlink()
                if state is not None:
                    kind, content, mode = state
                    if kind == "link":
                        os.symlink(os.fsdecode(content), path)
                    else:
                        path.write_bytes(content)
                        os.chmod(path, mode)
        for folder in reversed(self.made_dirs):
            shutil.rmtree(folder, ignore_errors=True)
        for obj in self.objects:
            with suppress(OSError):
                obj.unlink(missing_ok=True)
        if self.index_bytes is not None:
            with suppress(OSError):
                self.index.write_bytes(self.index_bytes)
