"""The runtime seam: everything lambda-new does that depends on the language.

One module per language, named as the runtime is in catalog/runtimes.yml
(`python` -> scaffold/runtimes/python.py), each exposing `LANGUAGE`, an
instance of `Language`. The verbs ask it, never the runtime's name:

- `invoke` (scaffold/invoker.py): the command that starts the function's runtime
  client, how many parts of the local interpreter's version Lambda's version
  names, and whether the code must be built before it runs (an esbuild bundle);
- `package` (scaffold/packager.py): the zip's files (code and dependencies), and
  the files a Handler string may name.

The template side of a language is `languages/<name>/parts.jinja` (its parts of
the shared Makefile, README, .gitignore and template.yaml) and `files` in
catalog/runtimes.yml (its own files under templates/). `catalog.load()` refuses a
catalog runtime without a module here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from abc import ABC, abstractmethod
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.errors import UsageError

if TYPE_CHECKING:
    from scaffold import catalog, repo

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"  # the runtime clients


class Language(ABC):
    """What one language does for lambda-new. Subclasses set the class attributes."""

    name: str  # its catalog name
    # The runtime client `invoke` starts (scaffold/runtime/), standard library only.
    bootstrap: str
    # How many parts of the local interpreter's version name a Lambda version:
    # Python 3.13.1 -> "3.13" (2), Node.js 22.11.0 -> "22" (1).
    version_parts: int
    # Lambda's runtime identifiers of this language; group 1 is the version
    # (python3.13 -> 3.13), so a version a team's fork adds still runs and packages.
    identifier_pattern: str
    # Its lockfiles and the command that rewrites one from the manifest: a lockfile is
    # re-locked, not merged by hand, when an update conflicts in it.
    lockfiles: tuple[tuple[str, str], ...] = ()

    def version_of(self, identifier: str) -> str | None:
        """The version a Lambda runtime identifier of this language names, else None."""
        match = re.fullmatch(self.identifier_pattern, identifier)
        return match[1] if match else None

    @abstractmethod
    def handler_files(self, handler: str) -> list[str]:
        """The files (relative to the code root) any one of which makes `handler` resolve."""

    @abstractmethod
    def interpreter(self, root: Path, runtime: catalog.RuntimeVersion) -> str:
        """The program that runs the function's code locally (repo at `root`)."""

    @abstractmethod
    def zip_tree(
        self, found: repo.Repo, function: repo.Function, stage: Path, warnings: list[str]
    ) -> dict[str, Path]:
        """The deployment zip's files, by entry name; `stage` is a scratch folder.

        What the user should know about them (an unlocked dependency) goes in `warnings`.
        """

    def needs_build(self, function: repo.Function) -> bool:
        """True when the code runs only once built (then `build` makes it)."""
        return False

    def build(self, function: repo.Function, stage: Path) -> Path:
        """Build the code in `stage`; return the folder Lambda would run it from."""
        return function.code_root

    def command(self, root: Path, runtime: catalog.RuntimeVersion) -> list[str]:
        """How `invoke` starts the runtime client for a function of the repo at `root`."""
        return [self.interpreter(root, runtime), str(RUNTIME_DIR / self.bootstrap)]

    def official_command(
        self, root: Path, runtime: catalog.RuntimeVersion, handler: str
    ) -> list[str]:
        """How `invoke --official-client` starts AWS's runtime client for this language."""
        raise UsageError(f"--official-client: no official runtime client is known for {self.name}")

    def environment(self, function: repo.Function) -> dict[str, str]:
        """Variables Lambda's runtime of this language sets beyond the common ones."""
        return {}

    def local_version(self, reported: str) -> str:
        """The interpreter's version as Lambda names it ("3.13.1" -> "3.13")."""
        return ".".join(reported.removeprefix("v").split(".")[: self.version_parts])


def relock_command(path: str) -> str | None:
    """The command that rewrites the lockfile at `path` (a repo path), if it is one."""
    name = path.rpartition("/")[2]
    for language in known():
        for lockfile, command in get(language).lockfiles:
            if name == lockfile:
                return command
    return None


def known() -> list[str]:
    """The languages this lambda-new has a module for."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not info.name.startswith("_")
    )


@cache
def get(name: str) -> Language:
    """The language module registered as `name` (its catalog name)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name not in known():
        raise KeyError(name)
    language: Language = importlib.import_module(f"{__name__}.{name}").LANGUAGE
    return language
