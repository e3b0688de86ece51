"""What the CLI prints: the new repository's tree and next commands; event tables."""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scaffold.config import Setting
    from scaffold.events import Event
    from scaffold.packager import Built
    from scaffold.project import Created
    from scaffold.repo import Listed
    from scaffold.updater import Added, Updated


def tree(root_name: str, files: list[str]) -> list[str]:
    """An indented tree of `files` (sorted POSIX paths), directories first."""
    lines = [f"{root_name}/"]
    nested: dict[str, list[str]] = {}
    leaves: list[str] = []
    for path in files:
        head, _, rest = path.partition("/")
        if rest:
            nested.setdefault(head, []).append(rest)
        else:
            leaves.append(head)
    for directory in sorted(nested):
        lines.extend("  " + line for line in tree(directory, nested[directory]))
    lines.extend("  " + leaf for leaf in leaves)
    return lines


def summary(created: Created, cwd: Path | None = None) -> str:
    answers = created.answers
    where = os.path.relpath(created.path.absolute(), (cwd or Path.cwd()).absolute())
    lines = [
        f"Created {where}: {answers['lambda_runtime']} on {answers['architecture']}, "
        f"{len(created.files)} files",
        "",
        *tree(created.path.name, created.files),
    ]
    if created.git_note:
        lines += ["", created.git_note]
    lines += ["", "Next:", f"  cd {shlex.quote(where)}", "  make test"]
    return "\n".join(lines)


def built(zip_file: Built, cwd: Path | None = None) -> str:
    """The zip `lambda-new package` wrote: where, how big, its digest."""
    where = os.path.relpath(zip_file.path, (cwd or Path.cwd()).absolute())
    return f"{where}  {zip_file.size:,} bytes, {zip_file.files} files\nsha256 {zip_file.sha256}"


def up_to_date(repo_name: str, version: str) -> str:
    return f"Already up to date: {repo_name} is at template {version}."


def updated(result: Updated) -> str:
    """What `lambda-new update` did (or, with --pretend, would do)."""
    if result.up_to_date:
        return up_to_date(result.root.name, result.old)
    verb = "Would update" if result.pretend else "Updated"
    move = f"{result.old} to {result.new}" if result.old != result.new else f"at {result.new}"
    counts = {kind: sum(1 for k, _ in result.changes if k == kind) for kind in "MAD"}
    lines = [
        f"{verb} {result.root.name} from {result.source}, {move}: "
        f"{counts['M']} changed, {counts['A']} added, {counts['D']} removed.",
        *(f"  {'C' if path in result.conflicts else kind} {path}" for kind, path in result.changes),
    ]
    if result.pretend:
        lines.append("Nothing was written (--pretend).")
    elif not result.conflicts:
        lines += [
            "Review the changes with `git diff`, then commit them:",
            f"  git commit -am 'Update to template {result.new}'",
        ]
    return "\n".join(lines)


def conflicts(result: Updated) -> str:
    """How to finish an update that left conflicts (printed to stderr)."""
    files = " ".join(shlex.quote(path) for path in result.conflicts)
    n = len(result.conflicts)
    kept = dict(result.kept)
    notes = [
        f"{path} is not tracked by git (untracked or ignored), so it stays as it is; "
        + (
            f"the template's version {'would go' if result.pretend else 'is'} in {beside}"
            if beside
            else "the template's version is left out (its .template-new name is taken)"
        )
        for path, beside in result.kept
    ]
    from scaffold import runtimes

    for path in result.conflicts:
        command = runtimes.relock_command(path)
        if command and path not in kept:
            notes.append(
                f"{path} is a lockfile: rather than merging it by hand, take the template's "
                f"and re-lock it with your dependencies: git checkout --theirs {shlex.quote(path)}"
                f" && {command}"
            )
    if result.pretend:
        return "\n".join(
            [f"lambda-new: error: the update would conflict in {n} file(s): {files}", *notes]
        )
    marked = " ".join(shlex.quote(path) for path in result.conflicts if path not in kept)
    lines = [f"lambda-new: error: the update conflicts in {n} file(s): {files}", *notes]
    if marked:
        lines += [
            "Both sides are kept in each file, between <<<<<<< (yours) and >>>>>>> (the "
            "template's) markers. To finish:",
            "  1. edit each file: keep what you want, delete the markers",
            f"  2. git add {marked}",
            f"  3. git commit -am 'Update to template {result.new}'",
        ]
    lines.append("To undo the whole update instead: git reset --hard HEAD && git clean -fd")
    return "\n".join(lines)


def settings_table(settings: dict[str, Setting], config_file: Path) -> str:
    """`lambda-new config show`: each setting, its value and where it came from."""
    found = "" if config_file.is_file() else " (not found)"
    rows = [
        (name, _shown(setting.value, _UNSET.get(name, "-")), setting.source)
        for name, setting in settings.items()
    ]
    return "\n".join(
        [f"config file: {config_file}{found}", "", _table(rows, ("KEY", "VALUE", "SOURCE"))]
    )


# What an unset setting means.
_UNSET = {
    "template": "(lambda-new's own)",
    "vcs_ref": "(latest tag)",
    "owner": "(none)",
    "team": "(none)",
}


def _shown(value: object, unset: str) -> str:
    if value is None:
        return unset
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def events_table(events: list[Event], as_json: bool = False) -> str:
    """The catalog: name, source and description of each event."""
    if as_json:
        rows = [{"name": e.name, "source": e.source, "description": e.description} for e in events]
        return json.dumps(rows, indent=2)
    return _table(
        [(e.name, e.source, e.description) for e in events], ("NAME", "SOURCE", "DESCRIPTION")
    )


def params_table(event: Event, values: dict[str, str]) -> str:
    """An event's parameters, each with its current value and what it sets."""
    from scaffold.events import COMMON_PARAMS

    helps = {**COMMON_PARAMS, **event.params}
    rows = [(name, _one_line(values[name]), helps[name]) for name in helps]
    return _table(rows, ("PARAMETER", "VALUE", "WHAT IT SETS"))


def _one_line(value: str, width: int = 40) -> str:
    text = json.dumps(value)[1:-1] if "\n" in value else value
    return text if len(text) <= width else text[: width - 3] + "..."


def _table(rows: Sequence[tuple[str, ...]], heading: tuple[str, ...]) -> str:
    """Columns two spaces apart; the last one as long as it is."""
    widths = [max(len(row[i]) for row in [heading, *rows]) for i in range(len(heading) - 1)]
    return "\n".join(
        "  ".join([*(f"{row[i]:<{width}}" for i, width in enumerate(widths)), row[-1]]).rstrip()
        for row in [heading, *rows]
    )


def functions_table(listed: list[Listed], as_json: bool = False) -> str:
    """`lambda-new list`: each function of the repo."""
    if as_json:
        return json.dumps([vars(row) for row in listed], indent=2)
    return _table(
        [(f.name, f.runtime, f.trigger, f.handler, f.code_root) for f in listed],
        ("NAME", "RUNTIME", "TRIGGER", "HANDLER", "CODE ROOT"),
    )


def added(result: Added) -> str:
    """What `lambda-new add` did."""
    folder = f"functions/{result.name}/"
    made = sum(1 for kind, path in result.changes if path.startswith(folder))
    changed = [path for _, path in result.changes if not path.startswith(folder)]
    runtime = result.answers.get("lambda_runtime", result.answers.get("runtime"))
    lines = [
        f"Added {result.name} ({runtime}, trigger {result.answers.get('trigger')}) in "
        f"{folder}: {made} files; the repo's {', '.join(changed) or 'files'} now include it.",
    ]
    if result.conflicts:
        return "\n".join(lines)
    return "\n".join(
        [
            *lines,
            "Next:",
            "  make test                                   # every function's tests",
            f"  lambda-new invoke --function {result.name}",
            f"  git add -A && git commit -m 'Add the {result.name} function'",
        ]
    )
