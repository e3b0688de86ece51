"""Team defaults: a config file and LAMBDA_NEW_* variables, under the command line.

Precedence, highest first: command line > environment (LAMBDA_NEW_RUNTIME...) >
config file (~/.config/lambda-new/config.toml, or the file LAMBDA_NEW_CONFIG
names) > built-in defaults (catalog/runtimes.yml, catalog/triggers.yml). Every
value is checked when it is read, so a bad one is reported with where it came
from, before anything is written.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold import catalog, questions, safety
from scaffold.errors import UsageError

CONFIG_VARIABLE = "LAMBDA_NEW_CONFIG"
ENV_PREFIX = "LAMBDA_NEW_"
BUILT_IN = "built-in"
COMMAND_LINE = "command line"
CONFIG_FILE = "config file"

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Setting:
    key: str
    value: Any  # None: not set (the built-in behaviour applies)
    source: str  # COMMAND_LINE, an environment variable's name, CONFIG_FILE, or BUILT_IN


@dataclass(frozen=True)
class _Key:
    name: str
    help: str
    check: Callable[[Any], str | None]  # an error ("use one of ..."), or None when valid
    default: Any = None
    boolean: bool = False
    # One of the bundled template's catalog choices: checked only when no team template
    # is in effect (a team's fork may offer more; copier checks against its catalog).
    choice: bool = False


def path(environ: Mapping[str, str] | None = None) -> Path:
    """The config file in use (it need not exist)."""
    environ = os.environ if environ is None else environ
    if environ.get(CONFIG_VARIABLE):
        return Path(environ[CONFIG_VARIABLE]).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(base) / "lambda-new" / "config.toml"


def keys() -> dict[str, _Key]:
    """Every setting, in the order `config show` lists them."""
    facts = catalog.load()

    def choice(name: str, help: str, default: str, choices: list[str], *also: str) -> _Key:
        return _Key(name, help, _one_of(choices, also=list(also)), default, choice=True)

    return {
        key.name: key
        for key in [
            _Key("template", "copier template: a local path or git URL", _text),
            _Key("vcs_ref", "template version (git tag) for new repos", _text),
            _Key(
                "trust", "allow templates that run code (_tasks, extensions)", _boolean, False, True
            ),
            choice("runtime", "runtime family", facts.default_runtime, list(facts.runtimes)),
            *(
                choice(
                    f"{name}_version",
                    f"{family.label} version",
                    family.default_version,
                    family.current_versions(),
                    *family.versions,
                )
                for name, family in facts.runtimes.items()
            ),
            choice("arch", "architecture", facts.default_architecture, facts.architectures),
            choice("trigger", "event source", facts.default_trigger, list(facts.triggers)),
            _Key("region", "AWS region", _region, facts.default_region),
            _Key("owner", "the function's `owner` tag", _tag_value),
            _Key("team", "the function's `team` tag", _tag_value),
            choice("ci", "CI provider of new repos", facts.default_ci, facts.ci),
            _Key("powertools", "Powertools for AWS Lambda in new repos", _boolean, False, True),
        ]
    }


def effective(
    command_line: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Setting]:
    """Every setting's value and where it came from. Raises UsageError on a bad value."""
    environ = os.environ if environ is None else environ
    known = keys()
    choices: list[tuple[str, Any, str]] = []  # (key, value, where it was set), checked last
    layers = [
        (_file_values(path(environ), known, choices), CONFIG_FILE),
        (_environment_values(environ, known, choices), "env"),
        ({k: v for k, v in (command_line or {}).items() if v is not None}, COMMAND_LINE),
    ]
    settings = {name: Setting(name, key.default, BUILT_IN) for name, key in known.items()}
    for values, source in layers:
        for name, value in values.items():
            where = f"{ENV_PREFIX}{name.upper()}" if source == "env" else source
            settings[name] = Setting(name, value, where)
    if settings["template"].value is None:  # the bundled template: its catalog's choices
        for name, value, where in choices:
            if problem := known[name].check(value):
                raise UsageError(f"{where}: {problem}")
    return settings


def team_defaults(settings: dict[str, Setting], interactive: bool) -> dict[str, Any]:
    """The values set by environment or config file, as copier's user_defaults.

    They answer the questions the command line did not (or, in a terminal, are the
    suggested answers). The runtime version default follows the runtime; when the
    runtime is still to be asked, the template's own version default is kept.
    """
    chosen = {
        name: setting.value
        for name, setting in settings.items()
        if setting.source not in (COMMAND_LINE, BUILT_IN)
    }
    defaults = {
        questions.BY_SETTING[name].name: value
        for name, value in chosen.items()
        if name in questions.BY_SETTING
    }
    runtime = settings["runtime"]
    version = chosen.get(f"{runtime.value}_version")
    if version is not None and (runtime.source == COMMAND_LINE or not interactive):
        defaults["runtime_version"] = version
    return defaults


def _file_values(
    file: Path, known: dict[str, _Key], choices: list[tuple[str, Any, str]]
) -> dict[str, Any]:
    text = safety.read_text(file, "the config file", UsageError)
    if text is None:
        return {}
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{file}: not valid TOML: {error}") from None
    values = {}
    for name, value in table.items():
        if name not in known:
            raise UsageError(f"{file}: unknown key {name!r}; the keys are: {', '.join(known)}")
        key = known[name]
        if key.boolean and not isinstance(value, bool):
            raise UsageError(f"{file}: {name} = {value!r}: use true or false")
        if not key.boolean and not isinstance(value, str):
            raise UsageError(f"{file}: {name} = {value!r}: use a string, in quotes")
        if key.choice:
            choices.append((name, value, f"{file}: {name} = {value!r}"))
        elif problem := key.check(value):
            raise UsageError(f"{file}: {name} = {value!r}: {problem}")
        values[name] = value
    return values


def _environment_values(
    environ: Mapping[str, str], known: dict[str, _Key], choices: list[tuple[str, Any, str]]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, key in known.items():
        variable = f"{ENV_PREFIX}{name.upper()}"
        if variable not in environ:
            continue
        raw = environ[variable]
        value: Any = raw.strip().lower() in _TRUE if key.boolean else raw
        if key.boolean and raw.strip().lower() not in _TRUE | _FALSE:
            raise UsageError(f"{variable}={raw!r}: use 1 or 0 (true or false)")
        if key.choice:
            choices.append((name, value, f"{variable}={raw!r}"))
        elif problem := key.check(value):
            raise UsageError(f"{variable}={raw!r}: {problem}")
        values[name] = value
    return values


def _text(value: Any) -> str | None:
    return None if str(value).strip() else "use a non-empty value"


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "use true or false"


def _one_of(choices: list[str], also: list[str] | None = None) -> Callable[[Any], str | None]:
    """Valid: one of `choices` (or of `also`, e.g. deprecated versions that still work)."""

    def check(value: Any) -> str | None:
        if value in choices or value in (also or []):
            return None
        return f"use one of: {', '.join(choices)}"

    return check


def _region(value: Any) -> str | None:
    return catalog.problem("region", value)


def _tag_value(value: Any) -> str | None:
    return catalog.problem("tag_value", value)
