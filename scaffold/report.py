"""What the CLI prints after creating a repository: a tree and the next commands."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from scaffold.project import Created


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
