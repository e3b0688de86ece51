"""uv.lock, read as `uv export --frozen --no-dev --no-emit-project` reads it.

A Python repo's uv.lock pins every package for every platform (a universal lock).
The zip needs the project's runtime dependencies for one platform: Lambda's
Linux, architecture and Python. This module walks the lock from the project's
`dependencies` (never its dev groups), evaluates each edge's marker for that
platform, and returns one pinned, hashed requirement per package, so pip and uv
install exactly the locked versions (`--no-deps --require-hashes`), whichever of
the two the machine has. Reading the file ourselves keeps the two paths equal and
runs nothing from the repo (uv's own `export` may build the project to learn its
metadata).

A lock older than pyproject.toml is refused: uv records the dependencies it locked
(`[package.metadata] requires-dist`), and they must name the same packages,
extras and version ranges as `[project] dependencies`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from scaffold import safety
from scaffold.errors import LambdaNewError

LOCKFILE = "uv.lock"
LOCK_LIMIT = 64 * 1024 * 1024  # a lock of many platforms' wheels is large, never this large
DEFAULT_INDEX = "https://pypi.org/simple"
RELOCK = "run `make lock` (uv lock)"


@dataclass(frozen=True)
class Locked:
    """What the lock pins for one platform: requirement lines and their indexes."""

    requirements: list[str]  # `name==version --hash=sha256:...`, one per package
    indexes: list[str]  # the registries those packages come from, default first


def read(root: Path, dependencies: list[Requirement], python: str, machine: str) -> Locked | None:
    """The locked runtime dependencies for Lambda (Linux, `machine`, Python `python`).

    None when the repo has no uv.lock.
    """
    path = root / LOCKFILE
    text = safety.read_text(path, LOCKFILE, LambdaNewError, LOCK_LIMIT)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LambdaNewError(f"cannot read {path}: {error}") from None
    if data.get("version") != 1:
        raise LambdaNewError(
            f"{path}: lock format version {data.get('version')!r} is not one lambda-new "
            "reads (1); update lambda-new"
        )
    _check_python(path, data, python)
    packages = [p for p in data.get("package") or [] if isinstance(p, dict)]
    project = _project(path, packages, root)
    _check_current(path, project, dependencies)
    environment = _environment(python, machine)
    chosen: dict[str, dict[str, Any]] = {}
    pending = _edges(project.get("dependencies"))
    while pending:
        edge = pending.pop()
        if not _applies(path, edge, environment):
            continue
        package = _resolve(path, packages, edge)
        key = f"{canonicalize_name(str(package['name']))}=={package.get('version')}"
        extras = [str(extra) for extra in edge.get("extra") or []]
        seen = key in chosen
        chosen[key] = package
        groups = package.get("optional-dependencies") or {}
        if not seen:
            pending += _edges(package.get("dependencies"))
        for extra in extras:
            pending += _edges(groups.get(extra))
    indexes: list[str] = []
    lines = []
    for key in sorted(chosen):
        line, index = _pinned(path, chosen[key])
        lines.append(line)
        if index and index not in indexes:
            indexes.append(index)
    indexes.sort(key=lambda url: url != DEFAULT_INDEX)
    return Locked(lines, indexes)


def _check_python(path: Path, data: dict[str, Any], python: str) -> None:
    wanted = data.get("requires-python")
    if not isinstance(wanted, str):
        return
    try:
        allowed = SpecifierSet(wanted)
    except InvalidSpecifier:
        raise LambdaNewError(f"{path}: requires-python {wanted!r} is not a version range") from None
    if not allowed.contains(Version(python), prereleases=True):
        raise LambdaNewError(
            f"{path} is locked for Python {wanted}, which excludes Lambda's python{python}: "
            "change requires-python in pyproject.toml, then " + RELOCK
        )


def _project(path: Path, packages: list[dict[str, Any]], root: Path) -> dict[str, Any]:
    """The lock's entry for the repo itself (source editable or virtual ".")."""
    for package in packages:
        source = package.get("source")
        if isinstance(source, dict) and "." in (source.get("editable"), source.get("virtual")):
            return package
    raise LambdaNewError(f"{path} has no entry for the project at {root}: " + RELOCK)


def _check_current(path: Path, project: dict[str, Any], dependencies: list[Requirement]) -> None:
    """pyproject.toml's dependencies must be the ones the lock was made from."""
    metadata = project.get("metadata") or {}
    recorded = {_locked_key(path, item) for item in metadata.get("requires-dist") or []}
    wanted = {(canonicalize_name(r.name), frozenset(r.extras), r.specifier) for r in dependencies}
    if recorded != wanted:
        names = sorted({key[0] for key in recorded ^ wanted})
        raise LambdaNewError(
            f"{path} is out of date with pyproject.toml's dependencies "
            f"({', '.join(names)}): " + RELOCK
        )


def _locked_key(path: Path, item: object) -> tuple[str, frozenset[str], SpecifierSet]:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise LambdaNewError(f"{path}: a requires-dist entry is not a table with a name")
    try:
        specifier = SpecifierSet(str(item.get("specifier") or ""))
    except InvalidSpecifier:
        raise LambdaNewError(f"{path}: {item['name']} has an invalid specifier") from None
    extras = frozenset(str(extra) for extra in item.get("extras") or [])
    return canonicalize_name(item["name"]), extras, specifier


def _environment(python: str, machine: str) -> dict[str, str]:
    """PEP 508 marker values on Lambda (Amazon Linux, CPython `python`, `machine`)."""
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "os_name": "posix",
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{python}.0",
        "python_version": python,
        "sys_platform": "linux",
        "extra": "",
    }


def _edges(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [edge for edge in value if isinstance(edge, dict)]


def _applies(path: Path, edge: dict[str, Any], environment: dict[str, str]) -> bool:
    marker = edge.get("marker")
    if not marker:
        return True
    try:
        return Marker(str(marker)).evaluate(environment)
    except InvalidMarker:
        raise LambdaNewError(f"{path}: {edge.get('name')}: invalid marker {marker!r}") from None


def _resolve(path: Path, packages: list[dict[str, Any]], edge: dict[str, Any]) -> dict[str, Any]:
    """The package an edge names: by name, and by version and source where the lock forked."""
    name = canonicalize_name(str(edge.get("name")))
    found = [p for p in packages if canonicalize_name(str(p.get("name"))) == name]
    if "version" in edge:
        found = [p for p in found if p.get("version") == edge["version"]]
    if "source" in edge:
        found = [p for p in found if p.get("source") == edge["source"]]
    if len(found) != 1:
        raise LambdaNewError(f"{path}: cannot tell which locked {name} is meant: " + RELOCK)
    return found[0]


def _pinned(path: Path, package: dict[str, Any]) -> tuple[str, str | None]:
    """`name==version --hash=...` for a package's wheels, and its index."""
    name = str(package["name"])
    version = str(package.get("version"))
    try:
        Version(version)
    except InvalidVersion:
        raise LambdaNewError(f"{path}: {name} has an invalid version {version!r}") from None
    source = package.get("source") or {}
    wheels = [w for w in package.get("wheels") or [] if isinstance(w, dict)]
    hashes = sorted({str(w["hash"]) for w in wheels if isinstance(w.get("hash"), str)})
    kind = next(iter(source), "unknown") if isinstance(source, dict) else "unknown"
    if kind not in ("registry", "url"):
        raise LambdaNewError(
            f"{path}: {name} comes from a {kind} source; the zip takes locked wheels from a "
            "package index or a wheel URL only (Lambda cannot build it)"
        )
    if not hashes:
        raise LambdaNewError(
            f"{path}: {name} {version} has no wheel in the lock (only a source "
            "distribution, which Lambda cannot compile)"
        )
    options = " ".join(f"--hash={digest}" for digest in hashes)
    if kind == "url":
        return f"{name} @ {source['url']} {options}", None
    return f"{name}=={version} {options}", str(source["registry"])
