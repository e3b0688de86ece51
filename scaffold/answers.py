"""A generated repo's answers file (.copier-answers.yml): where it is, what it records.

Kept light on purpose (PyYAML and the standard library): `lambda-new update` in a repo
already at the installed lambda-new version reads it and stops there, at about the cost
of `--help`. YAML is parsed here for every reader (catalog, event headers, answers,
template.yaml): safely, with libyaml when PyYAML has it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scaffold import __version__, safety
from scaffold.errors import LambdaNewError, UsageError

ANSWERS_FILE = ".copier-answers.yml"

# Where repos of the bundled template say it comes from (`_src_path`): the project's
# public repository, whose release tags match scaffold/template-history.bundle.
TEMPLATE_URL = "https://github.com/lambda-new/lambda-new.git"

# libyaml's loader when PyYAML was built with it (about 8x faster), else the pure one.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """YAML text, parsed safely (no Python objects), with libyaml where it is present."""
    return yaml.load(text, Loader=SafeLoader)


def first_line(error: BaseException) -> str:
    """A YAML (or nesting) error in one line."""
    if isinstance(error, RecursionError):
        return "nested too deeply"
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def nearest(start: Path, marker: str) -> Path | None:
    """The nearest folder at or above `start` that holds the file `marker`, if any."""
    start = start.resolve()
    if not start.is_dir():
        raise UsageError(f"{start} is not a directory")
    return next((d for d in (start, *start.parents) if (d / marker).is_file()), None)


def root_of(start: Path, marker: str, not_a: str, hint: str) -> Path:
    """The nearest folder at or above `start` holding `marker`; else a usage error that
    says what `start` is not and what to do."""
    root = nearest(start, marker)
    if root is None:
        raise UsageError(f"{not_a}: no {marker} in {start.resolve()} or above it ({hint})")
    return root


def read(path: Path) -> dict[str, Any]:
    """A repo's .copier-answers.yml as a dict ({} when there is none)."""
    if not os.path.lexists(path):
        return {}
    text = safety.read_text(path, ANSWERS_FILE, LambdaNewError)
    if text is None:
        raise LambdaNewError(f"cannot read {ANSWERS_FILE} {path}: it does not exist")
    try:
        answers = parse_yaml(text)
    except (yaml.YAMLError, RecursionError) as error:
        raise LambdaNewError(f"cannot read {path}: {first_line(error)}") from None
    return answers if isinstance(answers, dict) else {}


@dataclass(frozen=True)
class Recorded:
    """The repo a template was applied to, and which template at which version."""

    root: Path
    answers: dict[str, Any]
    source: str  # _src_path
    version: str  # _commit

    @property
    def bundled(self) -> bool:
        """Made from lambda-new's own template (not a team's)."""
        return self.source == TEMPLATE_URL

    def is_current(self, to: str | None = None) -> bool:
        """Made from the bundled template at this lambda-new's version (and `to` agrees)."""
        return self.bundled and self.version == __version__ and to in (None, self.version)


def recorded(start: Path) -> Recorded:
    """The generated repo at or above `start`, and the template source and version it records."""
    hint = "run this in a repo made by lambda-new or copier, or pass its path"
    root = root_of(start, ANSWERS_FILE, "not a generated repo", hint)
    answers = read(root / ANSWERS_FILE)
    source, version = answers.get("_src_path"), answers.get("_commit")
    if not source or not version:
        raise LambdaNewError(
            f"{root / ANSWERS_FILE} does not record the template's source and version "
            "(_src_path, _commit), so there is nothing to update from"
        )
    return Recorded(root, answers, str(source), str(version))
