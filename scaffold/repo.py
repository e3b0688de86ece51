"""A function repository as `invoke` and `package` see it: template.yaml's functions.

The SAM template is the one truth about how a function runs (runtime, handler,
code root, memory, timeout, environment, log format), for `sam deploy` and for
lambda-new alike. This module finds the repo, reads its functions (SAM
`Globals` merged in, CloudFormation tags such as `!Ref` understood), and
resolves what a local run can know: parameter defaults and pseudo parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffold import catalog, partitions, safety
from scaffold.answers import ANSWERS_FILE, SafeLoader, first_line, root_of
from scaffold.answers import read as read_answers
from scaffold.errors import LambdaNewError, UsageError

TEMPLATE_FILE = "template.yaml"
FUNCTION_TYPE = "AWS::Serverless::Function"


@dataclass(frozen=True)
class Function:
    """One AWS::Serverless::Function, with SAM's Globals applied."""

    logical_id: str
    name: str  # AWS_LAMBDA_FUNCTION_NAME for a local run
    runtime: catalog.RuntimeVersion
    handler: str
    code_root: Path  # CodeUri, absolute: LAMBDA_TASK_ROOT for a local run
    memory_size: int
    timeout: float
    architecture: str
    log_format: str  # "Text" or "JSON"
    application_log_level: str | None
    environment: dict[str, str] = field(default_factory=dict)
    build_method: str | None = None  # SAM's Metadata.BuildMethod ("esbuild", "makefile")
    build_properties: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # LoggingConfig.LogGroup's name where the template says it, else Lambda's default.
    log_group: str | None = None
    # The whole template.yaml as parsed (CloudFormation tags kept as _Tagged), for readers
    # of the resources around the function: its API, URL or load balancer (integrations.py).
    template: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def log_group_name(self) -> str:
        """AWS_LAMBDA_LOG_GROUP_NAME: the log group the function writes to."""
        return self.log_group or f"/aws/lambda/{self.name}"


@dataclass(frozen=True)
class Repo:
    root: Path
    answers: dict[str, Any]
    region: str
    functions: dict[str, Function]

    @property
    def trigger(self) -> str | None:
        value = self.answers.get("trigger")
        return value if isinstance(value, str) else None

    @property
    def members(self) -> list[Member]:
        """The functions `lambda-new add` put in functions/<name>/ (the answers' `functions`)."""
        return members(self.root, self.answers)

    def function(self, logical_id: str | None = None) -> Function:
        """The function called `logical_id` (or, for the only one, its name); without one,
        the template's only function."""
        if logical_id is not None:
            if logical_id not in self.functions:
                named = self.answers.get("function_name")
                if logical_id == named and len(self.functions) == 1:
                    return next(iter(self.functions.values()))
                known = [*self.functions, *(member.name for member in self.members)]
                raise UsageError(
                    f"--function {logical_id}: no such function here; "
                    f"the repo's functions: {', '.join(known)}"
                )
            return self.functions[logical_id]
        if len(self.functions) > 1:
            raise UsageError(
                f"{TEMPLATE_FILE} has {len(self.functions)} functions; "
                f"choose one with --function ({', '.join(self.functions)})"
            )
        return next(iter(self.functions.values()))


MEMBERS_FOLDER = "functions"
# A function's name: AWS Lambda's rule, as copier.yml's validator words it.
FUNCTION_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")


@dataclass(frozen=True)
class Member:
    """A function `lambda-new add` made: a project of its own in functions/<name>/."""

    name: str
    logical_id_prefix: str
    path: Path


def members(root: Path, answers: dict[str, Any]) -> list[Member]:
    """The answers' `functions`, each checked: an edited answers file names no folder
    outside functions/ and no link."""
    listed = answers.get("functions") or []
    if not isinstance(listed, list):
        raise UsageError(f"{ANSWERS_FILE}: functions is not a list (fix the answers file)")
    found = []
    for entry in listed:
        name = entry.get("name") if isinstance(entry, dict) else None
        prefix = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not FUNCTION_NAME.fullmatch(name):
            raise UsageError(f"{ANSWERS_FILE}: functions: {entry!r} names no function")
        if not isinstance(prefix, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,63}", prefix):
            raise UsageError(f"{ANSWERS_FILE}: functions: {name} has no logical id prefix (id)")
        path = root / MEMBERS_FOLDER / name
        if path.is_symlink() or (root / MEMBERS_FOLDER).is_symlink():
            raise UsageError(f"{path} is a symbolic link; a function's folder must be a folder")
        found.append(Member(name, prefix, path))
    return found


def select(start: Path, name: str | None = None) -> tuple[Repo, Function]:
    """The repo and function `--function NAME` means: a function of the template.yaml at
    or above `start` (by logical id or name), or a function in functions/ (by name or
    logical id), read from its own folder."""
    found = find(start)
    if name is not None and name not in found.functions:
        for member in found.members:
            if name in (member.name, f"{member.logical_id_prefix}Function"):
                inner = read(member.path)
                return inner, inner.function()
    return found, found.function(name)


@dataclass(frozen=True)
class Listed:
    """A line of `lambda-new list`."""

    name: str
    runtime: str
    trigger: str
    handler: str
    code_root: str  # relative to the repo's root


def listing(start: Path) -> list[Listed]:
    """Every function of the repo at or above `start`: template.yaml's, then functions/'s."""
    found = find(start)
    repos = [found, *(read(member.path) for member in found.members)]
    rows = []
    for each in repos:
        for function in each.functions.values():
            name = each.answers.get("function_name") if len(each.functions) == 1 else None
            rows.append(
                Listed(
                    name=str(name or function.logical_id),
                    runtime=function.runtime.identifier,
                    trigger=str(each.trigger or "-"),
                    handler=function.handler,
                    code_root=function.code_root.relative_to(found.root).as_posix() + "/",
                )
            )
    return rows


def find(start: Path) -> Repo:
    """The repo at or above `start`: the nearest folder holding template.yaml."""
    hint = "run this in a repo made by lambda-new, or pass --path"
    return read(root_of(start, TEMPLATE_FILE, "not inside a function repo", hint))


def read(root: Path) -> Repo:
    answers = read_answers(root / ANSWERS_FILE)
    template_path = root / TEMPLATE_FILE
    text = _read_text(template_path, TEMPLATE_FILE)
    try:
        template = yaml.load(text, Loader=_CfnLoader)
    except (yaml.YAMLError, RecursionError) as error:
        raise LambdaNewError(f"cannot read {template_path}: {first_line(error)}") from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise LambdaNewError(f"{template_path} has no Resources")
    facts = catalog.load()
    region = checked_answer(answers, "region") if "region" in answers else facts.default_region
    context = _Context(template, region, facts.sample_account, answers)
    functions = {
        logical_id: _function(root, logical_id, resource, context)
        for logical_id, resource in template["Resources"].items()
        if isinstance(resource, dict) and resource.get("Type") == FUNCTION_TYPE
    }
    if not functions:
        raise LambdaNewError(f"{template_path} defines no {FUNCTION_TYPE}")
    return Repo(root=root, answers=answers, region=region, functions=functions)


def _read_text(path: Path, what: str) -> str:
    text = safety.read_text(path, what, LambdaNewError)
    if text is None:
        raise LambdaNewError(f"cannot read {what} {path}: it does not exist")
    return text


def checked_answer(answers: dict[str, Any], key: str) -> str:
    """An answer lambda-new reads from the answers file, checked by its rule (params.yml)."""
    value = answers[key]
    if problem := catalog.problem(key, value) or (None if isinstance(value, str) else "use text"):
        raise UsageError(f"{ANSWERS_FILE}: {key} {value!r}: {problem} (fix the answers file)")
    return str(value)


@dataclass(frozen=True)
class _Tagged:
    """A CloudFormation short-form function such as `!Ref Name`."""

    tag: str
    value: Any


class _CfnLoader(SafeLoader):  # type: ignore[misc,valid-type]
    """YAML with CloudFormation's `!Ref`, `!Sub`, `!GetAtt`... kept as `_Tagged`."""


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return _Tagged(suffix, value)


_CfnLoader.add_multi_constructor("!", _construct_tagged)


class _Unresolved(Exception):
    """A value only CloudFormation can know (a resource attribute, an import)."""


@dataclass
class _Context:
    template: dict[str, Any]
    region: str
    account: str
    answers: dict[str, Any]

    def globals(self) -> dict[str, Any]:
        section = self.template.get("Globals") or {}
        value = section.get("Function") if isinstance(section, dict) else None
        return value if isinstance(value, dict) else {}

    def resolve(self, value: Any) -> str:
        """A plain string for `value`, resolving what a local run can know."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        tag, argument = _function_call(value)
        if tag == "Ref" and isinstance(argument, str):
            return self.ref(argument)
        if tag == "Sub" and isinstance(argument, str):
            return self.sub(argument)
        raise _Unresolved

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": partitions.arn_partition(self.region),
            "AWS::URLSuffix": partitions.dns_suffix(self.region),
            "AWS::StackName": str(self.answers.get("function_name") or "local"),
        }
        if name in pseudo:
            return pseudo[name]
        parameter = (self.template.get("Parameters") or {}).get(name)
        if isinstance(parameter, dict) and "Default" in parameter:
            return self.resolve(parameter["Default"])
        raise _Unresolved

    def sub(self, text: str) -> str:
        parts = text.split("${")
        out = [parts[0]]
        for part in parts[1:]:
            name, sep, rest = part.partition("}")
            if not sep or "." in name:
                raise _Unresolved
            out += [self.ref(name), rest]
        return "".join(out)


def _function_call(value: Any) -> tuple[str | None, Any]:
    if isinstance(value, _Tagged):
        return value.tag, value.value
    if isinstance(value, dict) and len(value) == 1:
        (key, argument), *_ = value.items()
        return str(key).removeprefix("Fn::"), argument
    return None, None


def _function(root: Path, logical_id: str, resource: dict[str, Any], ctx: _Context) -> Function:
    facts = catalog.load()
    properties = resource.get("Properties") or {}
    metadata = resource.get("Metadata") or {}
    merged = {**ctx.globals(), **properties}
    where = f"{TEMPLATE_FILE}: {logical_id}"
    runtime_id = merged.get("Runtime")
    runtime = _runtime(runtime_id, where)
    handler = merged.get("Handler")
    if not isinstance(handler, str) or not handler:
        raise LambdaNewError(f"{where} has no Handler")
    code_uri = merged.get("CodeUri", ".")
    if not isinstance(code_uri, str) or code_uri.startswith("s3://"):
        raise LambdaNewError(f"{where}: CodeUri must be a local folder, not {code_uri!r}")
    warnings: list[str] = []
    environment: dict[str, str] = {}
    for source in (ctx.globals(), properties):
        variables = (source.get("Environment") or {}).get("Variables") or {}
        for key, value in variables.items():
            try:
                environment[str(key)] = ctx.resolve(value)
            except _Unresolved:
                environment.pop(str(key), None)
                warnings.append(
                    f"environment variable {key} is only known once deployed; "
                    f"set it with --env {key}=VALUE"
                )
    logging_config = merged.get("LoggingConfig") or {}
    architectures = merged.get("Architectures") or [facts.default_architecture]
    name = merged.get("FunctionName")
    return Function(
        logical_id=logical_id,
        name=_plain(ctx, name) or str(ctx.answers.get("function_name") or logical_id),
        runtime=runtime,
        handler=handler,
        code_root=(root / code_uri).resolve(),
        # Lambda's defaults (catalog/runtimes.yml) for properties the template leaves out.
        memory_size=int(_plain(ctx, merged.get("MemorySize")) or facts.default_memory_mb),
        timeout=float(_plain(ctx, merged.get("Timeout")) or facts.default_timeout_s),
        architecture=str(architectures[0]),
        log_format=str(logging_config.get("LogFormat") or "Text"),
        application_log_level=logging_config.get("ApplicationLogLevel"),
        environment=environment,
        build_method=metadata.get("BuildMethod"),
        build_properties=dict(metadata.get("BuildProperties") or {}),
        warnings=tuple(warnings),
        log_group=_log_group(ctx, logging_config.get("LogGroup")),
        template=ctx.template,
    )


def _log_group(ctx: _Context, value: Any) -> str | None:
    """LoggingConfig.LogGroup as a name: a plain one, or `!Ref` of the template's own
    AWS::Logs::LogGroup with a LogGroupName a local run can resolve; else None."""
    tag, argument = _function_call(value)
    if tag == "Ref" and isinstance(argument, str):
        resource = (ctx.template.get("Resources") or {}).get(argument)
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Logs::LogGroup":
            value = (resource.get("Properties") or {}).get("LogGroupName")
    try:
        return ctx.resolve(value) if value is not None else None
    except _Unresolved:
        return None


def _plain(ctx: _Context, value: Any) -> str | None:
    if value is None:
        return None
    try:
        return ctx.resolve(value)
    except _Unresolved:
        return None


def _runtime(identifier: Any, where: str) -> catalog.RuntimeVersion:
    facts = catalog.load()
    found = facts.runtime_by_identifier(str(identifier))
    if found is not None:
        return found
    known = [v.identifier for family in facts.runtimes.values() for v in family.versions.values()]
    raise LambdaNewError(
        f"{where}: runtime {identifier!r} is not one lambda-new runs; it runs {', '.join(known)}"
    )
