"""The deployment zip: dist/<function>.zip, byte-reproducible, as Lambda runs it.

The function comes from template.yaml (scaffold/repo.py); the zip's root is its
code root (CodeUri), so the same Handler string works for `sam deploy` and for
this zip. What goes in it (code, dependencies, a bundle) is the language's
business (scaffold/runtimes/: `zip_tree`); this module checks that the Handler
resolves inside it and writes the zip.

Reproducible: entries sorted, timestamps fixed, permissions normalised, no
caches or machine paths. The zip is written beside its final name and moved
into place only when complete. Only the repo ships (scaffold/tree.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from scaffold import repo, runtimes, signals, tree
from scaffold.errors import LambdaNewError, from_os_error
from scaffold.tree import DIST

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
UNZIPPED_LIMIT = 262_144_000  # Lambda's limit on a function's unzipped size, in bytes


@dataclass(frozen=True)
class Built:
    path: Path
    size: int
    sha256: str
    files: int
    warnings: tuple[str, ...] = ()


def build_all(start: Path, function_id: str | None = None) -> list[Built]:
    """`lambda-new package`: the function named, or every function of the repo (those in
    functions/ included), each into its own folder's dist/."""
    if function_id is not None:
        return [build(start, function_id)]
    found = repo.find(start)
    return [build(found.root), *(build(member.path) for member in found.members)]


def build(start: Path, function_id: str | None = None) -> Built:
    """Build the function's zip into <repo>/dist/<name>.zip."""
    found, function = repo.select(start, function_id)
    language = runtimes.get(function.runtime.runtime)
    with signals.scratch("lambda-new-package-") as stage:
        warnings: list[str] = []
        files = language.zip_tree(found, function, stage, warnings)
        _check_handler(function, files, language.handler_files(function.handler))
        target = found.root / DIST / f"{function.name}.zip"
        return dataclasses.replace(_write_zip(files, target), warnings=tuple(warnings))


def _check_handler(function: repo.Function, files: dict[str, Path], candidates: list[str]) -> None:
    """The template's Handler must resolve inside the zip, as Lambda will resolve it."""
    handler = function.handler
    if not any(candidate in files for candidate in candidates):
        raise LambdaNewError(
            f"Handler {handler!r} does not resolve inside the zip: none of "
            f"{', '.join(candidates)} is in it (check Handler and CodeUri in template.yaml)"
        )


def _write_zip(files: dict[str, Path], target: Path) -> Built:
    total = sum(path.stat().st_size for path in files.values())
    if total > UNZIPPED_LIMIT:
        raise LambdaNewError(
            f"the function is {total / 1e6:.0f} MB unzipped; Lambda allows "
            f"{UNZIPPED_LIMIT / 1e6:.0f} MB (use a container image or layers)"
        )
    where = f"{DIST}/{target.name}"

    def make() -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.fchmod(handle, 0o666 & ~tree.umask())  # as zip and sam build make it, not mkstemp's 0600
        os.close(handle)
        return Path(name)

    try:
        with signals.created(make, lambda path: path.unlink(missing_ok=True)) as temporary:
            # A signal waits for the entry being written (an entry cut short leaves the
            # archive unclosable), then stops the build between two entries.
            with (
                signals.deferred(),
                zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
            ):
                for name in sorted(files):
                    signals.poll()
                    path = files[name]
                    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
                    info.create_system = 3  # Unix, so the permissions below count
                    mode = 0o755 if os.access(path, os.X_OK) else 0o644
                    info.external_attr = (0o100000 | mode) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with path.open("rb") as source, archive.open(info, "w") as sink:
                        shutil.copyfileobj(source, sink)
            data = temporary.read_bytes()
            with signals.committing(f"{where} was written"):
                os.replace(temporary, target)
    except OSError as error:
        kept = " (the earlier zip is kept)" if target.exists() else ""
        raise from_os_error(error, f"cannot write {where}{kept}") from None
    return Built(
        path=target,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        files=len(files),
    )
