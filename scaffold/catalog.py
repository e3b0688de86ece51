"""Runtimes, versions, deprecation dates, architectures and triggers: read from data files.

`catalog/runtimes.yml` and `catalog/triggers.yml` are the single source:
copier.yml includes them (so plain `copier copy` offers the same choices) and
this module reads them for the CLI's choices, defaults and warnings. Nothing
here repeats a value from those files.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from scaffold import __version__
from scaffold.answers import parse_yaml
from scaffold.errors import LambdaNewError, UsageError

PACKAGE_DIR = Path(__file__).resolve().parent


def template_root() -> Path:
    """The folder holding copier.yml, templates/ and catalog/.

    An installed wheel carries them in `scaffold/_template/`; a source checkout
    (or an editable install) has them at the repository root.
    """
    bundled = PACKAGE_DIR / "_template"
    return bundled if (bundled / "copier.yml").is_file() else PACKAGE_DIR.parent


@dataclass(frozen=True)
class RuntimeVersion:
    runtime: str  # "python" or "node"
    version: str  # "3.13", "22"
    identifier: str  # Lambda's runtime identifier: "python3.13", "nodejs22.x"
    deprecation: datetime.date  # AWS stops patching it on this date
    glibc: str = "2.34"  # of the runtime's operating system: which manylinux wheels run

    def is_deprecated(self, today: datetime.date | None = None) -> bool:
        return (today or datetime.date.today()) >= self.deprecation


@dataclass(frozen=True)
class Runtime:
    name: str
    label: str
    default_version: str
    versions: dict[str, RuntimeVersion]

    def current_versions(self, today: datetime.date | None = None) -> list[str]:
        """Versions AWS still supports, oldest first."""
        return sorted(
            (v for v, info in self.versions.items() if not info.is_deprecated(today)),
            key=_version_key,
        )


@dataclass(frozen=True)
class Trigger:
    name: str  # "sqs", "http-api", "none"
    label: str
    events: list[str]  # the catalog events a new repo gets in events/
    http: bool = False  # an HTTP integration: gets the shared API (triggers/_http/)


@dataclass(frozen=True)
class Rule:
    """What a value that names an AWS thing may be (catalog/params.yml)."""

    pattern: re.Pattern[str]
    rule: str  # in words

    def allows(self, value: object) -> bool:
        return isinstance(value, str) and self.pattern.fullmatch(value) is not None


@dataclass(frozen=True)
class Catalog:
    runtimes: dict[str, Runtime]
    architectures: list[str]
    default_architecture: str
    default_runtime: str
    triggers: dict[str, Trigger]
    default_trigger: str
    default_region: str
    sample_account: str  # the account id in sample events and fake contexts
    default_memory_mb: int  # Lambda's defaults for a function that sets neither
    default_timeout_s: int
    machines: dict[str, str] = field(default_factory=dict)  # arch -> wheel tag machine
    npm_cpus: dict[str, str] = field(default_factory=dict)  # arch -> npm --cpu
    ci: list[str] = field(default_factory=lambda: ["none"])  # where a repo's CI runs
    default_ci: str = "none"

    def runtime_by_identifier(self, identifier: str) -> RuntimeVersion | None:
        """python3.13 -> its RuntimeVersion; None if no language of lambda-new's runs it.

        A version the catalog does not list (python3.15, added by a team's fork of the
        template) is known by its language's identifier pattern; it gets the operating
        system of the family's newest listed version and no deprecation date.
        """
        from scaffold import runtimes as languages

        for family in self.runtimes.values():
            for version in family.versions.values():
                if version.identifier == identifier:
                    return version
        for family in self.runtimes.values():
            number = languages.get(family.name).version_of(identifier)
            if number is not None:
                newest = family.versions[by_version(list(family.versions))[-1]]
                return dataclasses.replace(
                    newest, version=number, identifier=identifier, deprecation=datetime.date.max
                )
        return None

    def runtime(self, name: str) -> Runtime:
        if name not in self.runtimes:
            raise UsageError(unknown_choice("runtime", name, list(self.runtimes)))
        return self.runtimes[name]

    def version(self, runtime: str, version: str) -> RuntimeVersion:
        family = self.runtime(runtime)
        if version not in family.versions:
            noun = f"{family.label} version"
            raise UsageError(unknown_choice(noun, version, by_version(list(family.versions))))
        return family.versions[version]

    def architecture(self, name: str) -> str:
        if name not in self.architectures:
            raise UsageError(unknown_choice("architecture", name, self.architectures))
        return name

    def ci_provider(self, name: str) -> str:
        if name not in self.ci:
            raise UsageError(unknown_choice("CI provider", name, self.ci))
        return name

    def trigger(self, name: str) -> Trigger:
        if name not in self.triggers:
            raise UsageError(unknown_choice("trigger", name, list(self.triggers)))
        return self.triggers[name]


def unknown_choice(noun: str, value: str, choices: list[str]) -> str:
    """The one message for a value that is not one of the template's choices."""
    return f"unknown {noun} {value!r}; choose one of: {', '.join(choices)}"


def by_version(versions: list[str]) -> list[str]:
    """Versions oldest first ("3.9" before "3.10"); any that is not numeric, last."""
    numeric = [v for v in versions if re.fullmatch(r"\d+(\.\d+)*", v)]
    return sorted(numeric, key=_version_key) + [v for v in versions if v not in numeric]


def deprecation_warning(
    version: RuntimeVersion, today: datetime.date | None = None, facts: Catalog | None = None
) -> str | None:
    """A one-line warning for a version past AWS's deprecation date, else None."""
    if not version.is_deprecated(today):
        return None
    family = (facts or load()).runtimes[version.runtime]
    newest = family.current_versions(today)
    advice = f"; prefer {', '.join(newest)}" if newest else ""
    return (
        f"{version.identifier} is deprecated: AWS stopped patching it on "
        f"{version.deprecation.isoformat()} and will block new functions on it{advice}"
    )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def read_yaml(name: str, root: Path | None = None) -> Any:
    """A data file of catalog/ (of the template at `root`; default: the bundled one), parsed."""
    return parse_yaml(((root or template_root()) / "catalog" / name).read_text(encoding="utf-8"))


def load(root: Path | None = None) -> Catalog:
    """The catalog of the template at `root` (default: the bundled template).

    A team's fork of the template may add runtime versions, architectures and
    triggers: `lambda-new new --template` checks choices against that template's
    catalog. A runtime needs a language module (scaffold/runtimes/) to run and
    package; a catalog naming one this lambda-new lacks is refused.
    """
    return _load(root or template_root())


@cache
def _load(root: Path) -> Catalog:
    """Read catalog/runtimes.yml and catalog/triggers.yml once per process and template."""
    from scaffold import runtimes as languages

    data: dict[str, Any] = read_yaml("runtimes.yml", root)
    triggers: dict[str, Any] = read_yaml("triggers.yml", root)
    for name in data["runtimes"]:
        if name not in languages.known():
            raise LambdaNewError(
                f"{root / 'catalog' / 'runtimes.yml'}: runtime {name!r} has no language module "
                f"in lambda-new (scaffold/runtimes/{name}.py), so it could not be run or "
                f"packaged; lambda-new {__version__} runs {', '.join(languages.known())}"
            )
    runtimes = {
        name: Runtime(
            name=name,
            label=family["label"],
            default_version=family["default"],
            versions={
                version: RuntimeVersion(
                    runtime=name,
                    version=version,
                    identifier=info["identifier"],
                    deprecation=datetime.date.fromisoformat(info["deprecation"]),
                    glibc=data["operating_systems"][info["os"]]["glibc"],
                )
                for version, info in family["versions"].items()
            },
        )
        for name, family in data["runtimes"].items()
    }
    return Catalog(
        runtimes=runtimes,
        architectures=list(data["architectures"]),
        default_architecture=data["default_architecture"],
        default_runtime=data["default_runtime"],
        triggers={
            name: Trigger(
                name=name,
                label=info["label"],
                events=list(info["events"]),
                http=bool(info.get("http")),
            )
            for name, info in triggers["triggers"].items()
        },
        default_trigger=triggers["default"],
        default_region=data["function"]["region"],
        sample_account=str(data["function"]["account"]),
        default_memory_mb=int(data["function"]["memory_size"]),
        default_timeout_s=int(data["function"]["timeout"]),
        machines={name: arch["machine"] for name, arch in data["architectures"].items()},
        npm_cpus={name: arch["npm_cpu"] for name, arch in data["architectures"].items()},
        ci=list(data["ci"]),
        default_ci=data["default_ci"],
    )


@cache
def _rules() -> dict[tuple[str, str], Rule]:
    """catalog/params.yml by (parameter, source); source "" is the parameter's own rule.

    Read on first use only: --help and --version never need it.
    """
    params: dict[str, Any] = read_yaml("params.yml")
    rules = {}
    for name, entry in params.items():
        for source, variant in {"": entry, **(entry.get("sources") or {})}.items():
            rules[name, source] = Rule(re.compile(variant["pattern"]), str(variant["rule"]))
    return rules


def problem(name: str, value: object, source: str | None = None) -> str | None:
    """None when `value` is allowed for `name` (in an event of `source`); else what is
    allowed, in words. A name without a rule allows anything."""
    rules = _rules()
    rule = rules.get((name, source or "")) or rules.get((name, ""))
    if rule is not None and not rule.allows(value):
        return f"use {rule.rule}"
    if name == "region" and isinstance(value, str):
        # A region also needs a partition (catalog/partitions.yml): its ARNs and
        # hostnames follow it, so a code no partition lists or matches is refused.
        from scaffold import partitions

        if partitions.of(value) is None:
            return partitions.refusal()
    return None
