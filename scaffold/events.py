"""The sample-event catalog: list events, show their parameters, render them.

Each event is one Jinja file in catalog/events/ (format: catalog/events/README.md):
a YAML header (source, description, schemas, parameters) and the event's JSON.
copier renders the same files into a new repo's events/; this module renders
them for `lambda-new events`, in a Jinja environment set up the way copier's
is, so `events show NAME` inside a repo prints that repo's events/NAME.json.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold import answers, catalog, repo
from scaffold.errors import LambdaNewError, UsageError

if TYPE_CHECKING:
    from jinja2 import Environment

EVENTS_DIR = "catalog/events"
SUFFIX = ".json.jinja"

# Set for every event: the function's identity. In a generated repo, its answers.
COMMON_PARAMS = {
    "function_name": "Function name (in a generated repo: its own)",
    "region": "AWS region (in a generated repo: its own)",
    "account": "AWS account id",
}
SAMPLE_FUNCTION_NAME = "my-function"

_HEADER = re.compile(r"\A\{#-?\s*lambda-new event\s*\n(?P<yaml>.*?)-?#\}", re.DOTALL)


@dataclass(frozen=True)
class Event:
    name: str
    source: str
    description: str
    params: dict[str, str]  # parameter -> one-line help, in the header's order
    schemas: dict[str, Any]

    @property
    def template(self) -> str:
        """The Jinja loader name of the event's file."""
        return f"{EVENTS_DIR}/{self.name}{SUFFIX}"


@cache
def load() -> dict[str, Event]:
    """Every event of the catalog by name, sorted by source then name."""
    folder = catalog.template_root() / EVENTS_DIR
    events = [_read(path) for path in folder.glob(f"*{SUFFIX}")]
    return {event.name: event for event in sorted(events, key=lambda e: (e.source, e.name))}


def _read(path: Path) -> Event:
    name = path.name.removesuffix(SUFFIX)
    match = _HEADER.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise LambdaNewError(f"{path}: no 'lambda-new event' header")
    header: dict[str, Any] = answers.parse_yaml(match["yaml"])
    return Event(
        name=name,
        source=str(header["source"]),
        description=str(header["description"]),
        params={str(k): str(v) for k, v in (header.get("params") or {}).items()},
        schemas=dict(header.get("schemas") or {}),
    )


def get(name: str) -> Event:
    """The event called `name`, or a usage error naming the valid choices."""
    events = load()
    if name in events:
        return events[name]
    close = difflib.get_close_matches(name, events, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(f"unknown event {name!r}; {hint}choose one of: {', '.join(events)}")


def repo_context(start: Path) -> dict[str, str]:
    """Common parameters: those of the generated repo at or above `start`, else samples."""
    root = answers.nearest(start, answers.ANSWERS_FILE)
    return context_of(answers.read(root / answers.ANSWERS_FILE) if root else {})


def context_of(answers: dict[str, Any]) -> dict[str, str]:
    """Common parameters from a repo's answers (function name, region), else samples."""
    facts = catalog.load()
    context = {
        "function_name": SAMPLE_FUNCTION_NAME,
        "region": facts.default_region,
        "account": facts.sample_account,
    }
    for key in ("function_name", "region"):
        if key in answers:
            context[key] = repo.checked_answer(answers, key)
    return context


def parse_settings(settings: Iterable[str], option: str = "--set") -> dict[str, str]:
    """`OPTION key=value` options as a dict; a malformed one is a usage error."""
    values: dict[str, str] = {}
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} {setting!r}: use {option} KEY=VALUE")
        values[key.strip()] = value
    return values


def render(event: Event, context: dict[str, str], settings: dict[str, str]) -> str:
    """The event's JSON text, with `settings` overriding its parameters."""
    allowed = [*COMMON_PARAMS, *event.params]
    unknown = [key for key in settings if key not in allowed]
    if unknown:
        raise UsageError(
            f"event {event.name!r} has no parameter {unknown[0]!r}; "
            f"its parameters: {', '.join(allowed)}"
        )
    for key, value in settings.items():
        if problem := catalog.problem(key, value, event.source):
            raise UsageError(f"event {event.name!r}: --set {key}={value!r}: {problem}")
    from jinja2 import TemplateError

    try:
        data = {"partitions": [_partitions()], **context, **settings}
        text = _environment().get_template(event.template).render(data)
    except RecursionError:
        raise UsageError(f"event {event.name!r}: a --set value is nested too deeply") from None
    except (TemplateError, ValueError, TypeError) as error:
        if not settings:  # a catalog bug, not the user's
            raise LambdaNewError(f"event {event.name!r} failed to render: {error}") from None
        keys = ", ".join(f"--set {key}" for key in settings)
        if isinstance(error, json.JSONDecodeError):
            raise UsageError(f"event {event.name!r}: {keys}: expected JSON ({error})") from None
        raise UsageError(f"event {event.name!r}: {keys}: {error}") from None
    try:
        json.loads(text)
    except ValueError as error:  # a catalog bug, not the user's
        raise LambdaNewError(f"event {event.name!r} rendered invalid JSON: {error}") from None
    return text


def defaults(event: Event, context: dict[str, str]) -> dict[str, str]:
    """Every parameter's effective value: the common ones, then the event's own defaults."""
    data = {"partitions": [_partitions()], **context}
    module = _environment().get_template(event.template).make_module(data)
    values = dict(context)
    for name in event.params:
        value = getattr(module, name, None)
        values[name] = value if isinstance(value, str) else json.dumps(value)
    return values


@cache
def _partitions() -> Any:
    """catalog/partitions.yml, as copier.yml's `partitions` gives it (catalog/events/_aws.jinja)."""
    return catalog.read_yaml("partitions.yml")


@cache
def _environment() -> Environment:
    """A Jinja environment like the one copier renders templates with."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader(catalog.template_root()),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )


def as_yaml(text: str) -> str:
    """An event's JSON as YAML (the same data; keys in the event's order)."""
    import yaml

    return str(yaml.safe_dump(json.loads(text), sort_keys=False, allow_unicode=True, width=100))


def write(path: Path, text: str) -> None:
    """Write an event to `path`: whole or not at all (a temporary file renamed into place)."""
    import os
    import tempfile

    if path.is_dir():
        raise UsageError(f"--output {path} is a folder; name a file")
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise UsageError(f"--output {path}: the folder {folder} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
