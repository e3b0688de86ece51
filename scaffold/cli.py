"""The lambda-new command line: parse, call one function, print. No logic here.

`lambda-new NAME ...` is `lambda-new new NAME ...`: a first argument that is not
a command name is taken as the name of a new function.
"""

# No `from __future__ import annotations`: typer would evaluate every annotation
# again (twice) when it builds the commands, on every run.

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from scaffold import coercion, signals
from scaffold.entry import PROG, version_line
from scaffold.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    LambdaNewError,
    UsageError,
    from_os_error,
)

if TYPE_CHECKING:
    from scaffold.catalog import Catalog


class _Command(TyperCommand):
    """A command whose option values are converted without pydantic (scaffold/coercion.py)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        coercion.install(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """The usage line as Unix tools write it: NAME when required, [NAME] when not
        (typer writes {NAME}, and wraps a bracketed metavar again: [[EVENT]])."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name != "argument":
                continue
            name = str(param.metavar or (param.name or "").upper())
            name = name if param.required else f"[{name}]"
            pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces


class _Group(TyperGroup):
    """A group of commands (`events`, `config`), its options converted like a command's."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:  # bare `lambda-new events`: its help, exit 0
            typer.echo(ctx.get_help())
            ctx.exit(0)
        coercion.install(self.get_params(ctx))
        return super().parse_args(ctx, args)


class _NewIsTheDefault(_Group):
    """A group whose default command is `new`, and whose errors are one line."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:  # bare `lambda-new`: the help, a friendly start
            typer.echo(ctx.get_help())
            ctx.exit(0)
        group_options = {opt for param in self.get_params(ctx) for opt in param.opts}
        if args and args[0] not in self.commands and args[0] not in group_options:
            args = ["new", *args]
        return super().parse_args(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        signals.reset()
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except LambdaNewError as error:
            _fail(str(error), error.exit_code)
        except typer.TyperException as error:  # the command line itself was wrong
            ctx = getattr(error, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            _fail(f"{error.format_message()}{hint}", error.exit_code)
        except typer.Abort:
            _fail("aborted", EXIT_INTERRUPTED)
        except OSError as error:  # the machine's problem (disk full, read-only...), not a bug
            _fail(str(from_os_error(error)), EXIT_FAILED)
        if code == EXIT_INTERRUPTED or signals.lost():  # KeyboardInterrupt (any handled signal)
            _fail(signals.interrupted_message(), signals.exit_code())
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str, code: int) -> None:
    typer.echo(f"{PROG}: error: {message}", err=True)
    sys.exit(code)


app = typer.Typer(
    cls=_NewIsTheDefault,
    name=PROG,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:  # plain `lambda-new --version` never gets here: scaffold/entry.py answers it
        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Generate AWS Lambda function repositories in Python, JavaScript or TypeScript.

    lambda-new NAME [OPTIONS] is short for lambda-new new NAME [OPTIONS].
    """


# ---- shell completion: values from the catalog, read only when the shell asks ----------


def _complete_runtimes(incomplete: str) -> list[str]:
    from scaffold import catalog

    return [name for name in catalog.load().runtimes if name.startswith(incomplete)]


def _complete_versions(ctx: typer.Context, incomplete: str) -> list[str]:
    from scaffold import catalog

    facts = catalog.load()
    family = facts.runtimes.get(str(ctx.params.get("runtime") or facts.default_runtime))
    versions = list(family.versions) if family is not None else []
    return [version for version in versions if version.startswith(incomplete)]


def _complete_triggers(incomplete: str) -> list[str]:
    from scaffold import catalog

    return [name for name in catalog.load().triggers if name.startswith(incomplete)]


def _complete_arches(incomplete: str) -> list[str]:
    from scaffold import catalog

    return [name for name in catalog.load().machines if name.startswith(incomplete)]


def _complete_ci(incomplete: str) -> list[str]:
    return [name for name in ("github", "none") if name.startswith(incomplete)]


def _complete_events(incomplete: str) -> list[str]:
    from scaffold import events

    return [name for name in events.load() if name.startswith(incomplete)]


def _one_of(choices: list[str], default: str) -> str:
    return f"One of: {', '.join(choices)} (default {default})."


def _catalog_help(facts: "Catalog") -> dict[str, str]:
    """The help of `new`'s options that list the catalog's choices and defaults."""
    versions = "; ".join(
        f"{name}: {', '.join(family.current_versions())} (default {family.default_version})"
        for name, family in facts.runtimes.items()
    )
    return {
        "runtime": _one_of(list(facts.runtimes), facts.default_runtime),
        "runtime_version": f"Runtime version ({versions}). "
        "Older versions work with a deprecation warning.",
        "arch": _one_of(facts.architectures, facts.default_architecture),
        "trigger": _one_of(list(facts.triggers), facts.default_trigger)
        + " 'none' means invoked directly (no event source).",
        "region": f"AWS region to deploy to (default {facts.default_region}).",
        "ci": _one_of(facts.ci, facts.default_ci)
        + " github: a workflow (lint, test, package, validate; deploy once a role is set) "
        "and renovate.json.",
    }


class _NewCommand(_Command):
    """`new`: the catalog (YAML) is read for its help only when that help is shown."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from scaffold import catalog

        texts = _catalog_help(catalog.load())
        for param in self.params:
            if isinstance(param, TyperOption) and param.name in texts:
                param.help = texts[param.name]
        super().format_help(ctx, formatter)


Trust = Annotated[
    bool | None,
    typer.Option(
        "--trust/--no-trust",
        help="Allow a template that runs code on this machine (copier _tasks, migrations, "
        "Jinja extensions).",
        show_default=False,
    ),
]


@app.command(cls=_NewCommand)
def new(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Function name: 1-64 letters, digits, - or _.")
    ],
    runtime: Annotated[
        str | None,
        typer.Option(
            "--runtime", "-r", metavar="RUNTIME", autocompletion=_complete_runtimes
        ),  # help: _catalog_help
    ] = None,
    runtime_version: Annotated[
        str | None,
        typer.Option("--runtime-version", metavar="VERSION", autocompletion=_complete_versions),
        # help: _catalog_help
    ] = None,
    arch: Annotated[
        str | None,
        typer.Option("--arch", metavar="ARCH", autocompletion=_complete_arches),
        # help: _catalog_help
    ] = None,
    trigger: Annotated[
        str | None,
        typer.Option("--trigger", "-t", metavar="TRIGGER", autocompletion=_complete_triggers),
        # help: _catalog_help
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", metavar="REGION")  # help: _catalog_help
    ] = None,
    description: Annotated[
        str | None,
        typer.Option("--description", "-d", metavar="TEXT", help="One-line description."),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", metavar="TEXT", help="`owner` tag on the function (cost allocation)."
        ),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option(
            "--team", metavar="TEXT", help="`team` tag on the function (cost allocation)."
        ),
    ] = None,
    ci: Annotated[
        str | None,
        typer.Option("--ci", metavar="CI", autocompletion=_complete_ci),  # help: _catalog_help
    ] = None,
    powertools: Annotated[
        bool | None,
        typer.Option(
            "--powertools/--no-powertools",
            help="Handlers use Powertools for AWS Lambda: Logger, Tracer (X-Ray), Metrics, "
            "the batch processor, the HTTP event handler.",
            show_default=False,
        ),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            metavar="SRC",
            help="Your team's copier template (local path or git URL) instead of the bundled one.",
        ),
    ] = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            "--vcs-ref", metavar="REF", help="Template version (git tag) to use (default: latest)."
        ),
    ] = None,
    trust: Trust = None,
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output-dir",
            "-o",
            metavar="DIR",
            help="Where to create the repo (it goes to DIR/NAME).",
        ),
    ] = Path(),
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Ask nothing: use defaults for what is not given.")
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Do not git init or commit the new repo.")
    ] = False,
) -> None:
    """Create a new function repository at OUTPUT_DIR/NAME.

    With a terminal attached, asks for any option not given (Enter keeps the
    default); without one, or with --defaults, asks nothing.
    """
    from scaffold import config, project, report

    interactive = not defaults and sys.stdin.isatty() and sys.stdout.isatty()
    settings = config.effective(
        {
            **{"runtime": runtime, "arch": arch, "trigger": trigger, "region": region},
            **{"owner": owner, "team": team, "template": template, "vcs_ref": vcs_ref},
            **{"ci": ci, "trust": trust, "powertools": powertools},
        }
    )
    created = project.create(
        project.NewProject(
            name=name,
            output_dir=output_dir,
            runtime=runtime,
            runtime_version=runtime_version,
            architecture=arch,
            trigger=trigger,
            region=region,
            description=description,
            owner=owner,
            team=team,
            ci=ci,
            powertools=powertools,
            template=settings["template"].value,
            vcs_ref=settings["vcs_ref"].value,
            trust=bool(settings["trust"].value),
            defaults=config.team_defaults(settings, interactive),
            interactive=interactive,
            git=not no_git,
        )
    )
    _warn(created.warnings)
    typer.echo(report.summary(created))


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        typer.echo(f"{PROG}: warning: {warning}", err=True)


def _command_group(name: str, help: str, short_help: str | None = None) -> typer.Typer:
    """A `lambda-new NAME ...` group of subcommands, added to the app."""
    group = typer.Typer(
        cls=_Group,
        name=name,
        help=help,
        short_help=short_help,
        no_args_is_help=True,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.add_typer(group)
    return group


events_app = _command_group("events", "Sample events exactly as AWS sends them (offline catalog).")


@events_app.command("list", cls=_Command)
def events_list(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON list of {name, source, description}.")
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="SOURCE",
            help="Only this source's events (sqs; apigateway takes every apigateway-*).",
        ),
    ] = None,
) -> None:
    """List every event in the catalog, with its source and what it is."""
    from scaffold import events, report

    listed = list(events.load().values())
    if source is not None:
        sources = sorted({event.source for event in listed})
        listed = [e for e in listed if e.source == source or e.source.startswith(f"{source}-")]
        if not listed:
            raise UsageError(f"--source {source}: no such source; one of {', '.join(sources)}")
    typer.echo(report.events_table(listed, as_json=as_json))


@events_app.command(
    "show", cls=_Command, short_help="Print event NAME as JSON, with this repo's names and region."
)
def events_show(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="An event name from 'events list'.",
            autocompletion=_complete_events,
        ),
    ],
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            "-s",
            metavar="KEY=VALUE",
            help="Set a parameter (repeatable); derived fields follow it.",
        ),
    ] = None,
    params: Annotated[
        bool, typer.Option("--params", help="List the event's parameters and their values.")
    ] = False,
    output_format: Annotated[
        str,
        typer.Option("--format", metavar="json|yaml", help="The event as JSON (default) or YAML."),
    ] = "json",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the event to FILE."),
    ] = None,
) -> None:
    """Print event NAME as JSON (inside a generated repo, with its function name and region)."""
    from scaffold import events, report

    if output_format not in ("json", "yaml"):
        raise UsageError(f"--format {output_format}: use json or yaml")
    event = events.get(name)
    context = events.repo_context(Path.cwd())
    values = events.parse_settings(settings or [])
    if params:
        current = {**events.defaults(event, {**context, **values}), **values}
        typer.echo(report.params_table(event, current))
        return
    text = events.render(event, context, values)
    if output_format == "yaml":
        text = events.as_yaml(text)
    if output is None:
        typer.echo(text, nl=False)
    else:
        events.write(output, text)


# Options of the commands that work inside a function repo (invoke, package).
RepoPath = Annotated[
    Path, typer.Option("--path", "-p", metavar="DIR", help="The function repo (default: here).")
]
FunctionId = Annotated[
    str | None,
    typer.Option(
        "--function",
        "-f",
        metavar="NAME",
        help="Which function: its name or logical id (a repo of several: see 'lambda-new list').",
    ),
]


@app.command(cls=_Command)
def invoke(
    event: Annotated[
        str | None,
        typer.Argument(
            metavar="EVENT",
            help="A JSON file, a catalog event name (see 'events list'), or - for stdin. "
            "Default: the repo's first sample event.",
            autocompletion=_complete_events,
        ),
    ] = None,
    path: RepoPath = Path(),
    handler: Annotated[
        str | None,
        typer.Option("--handler", metavar="HANDLER", help="Handler string, as in template.yaml."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", metavar="SECONDS", help="Override the template's Timeout."),
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", "-e", metavar="KEY=VALUE", help="Set an environment variable."),
    ] = None,
    function: FunctionId = None,
    official_client: Annotated[
        bool,
        typer.Option(
            "--official-client",
            help="Run AWS's runtime client (awslambdaric / aws-lambda-ric, installed in the "
            "repo) instead of lambda-new's.",
        ),
    ] = False,
) -> None:
    """Invoke the handler once, locally, as Lambda would: no Docker.

    The result (or Lambda's error document) goes to stdout; the function's logs,
    framed by START, END and REPORT lines, go to stderr. Exit 1 if the function
    failed or timed out.
    """
    from scaffold import invoker

    plan = invoker.prepare(
        invoker.Request(
            path=path,
            event=event,
            handler=handler,
            timeout=timeout,
            env=tuple(env or ()),
            function=function,
            official=official_client,
        )
    )
    outcome = invoker.run(plan, stream=sys.stdout.buffer)
    sys.stdout.buffer.write((b"" if outcome.streamed else outcome.payload) + b"\n")
    sys.stdout.flush()
    if not outcome.ok:
        raise typer.Exit(EXIT_FAILED)


@app.command(cls=_Command, short_help="Serve an HTTP function locally: warm, reloading on change.")
def serve(
    path: RepoPath = Path(),
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="Port on 127.0.0.1 (0: any free one).")
    ] = 3000,
    watch: Annotated[
        bool,
        typer.Option("--watch/--no-watch", help="Restart the function when its code changes."),
    ] = True,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            metavar="N",
            help="Most execution environments at once (each runs one request at a time).",
        ),
    ] = 4,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", "-e", metavar="KEY=VALUE", help="Set an environment variable."),
    ] = None,
    function: FunctionId = None,
) -> None:
    """Serve an HTTP function locally: warm, reloading on change, no Docker.

    Each request becomes exactly the event the function's integration sends (API
    Gateway REST or HTTP API, function URL, ALB), routed by template.yaml; the
    handler's answer becomes the HTTP response as that integration would return it.
    Logs, with START, END and REPORT per request, go to stderr. Ctrl-C stops.
    """
    from scaffold import server

    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: use a port from 1 to 65535 (0: any free one)")
    try:
        server.serve(
            server.Options(
                path=path,
                port=port,
                watch=watch,
                function=function,
                concurrency=concurrency,
                env=tuple(env or ()),
            )
        )
    except KeyboardInterrupt:
        # Ctrl-C is how a server is stopped, not an error: say so, and exit as shells
        # report a command a signal stopped (130 for SIGINT).
        typer.echo(f"{PROG}: stopped ({signals.received_name()})", err=True)
        raise SystemExit(signals.exit_code()) from None


@app.command(cls=_Command, short_help="Build the deployment zips, dist/<function>.zip.")
def package(
    path: RepoPath = Path(),
    function: FunctionId = None,
) -> None:
    """Build the deployment zip, dist/<function>.zip: byte-reproducible, ready for Lambda.

    In a repo of several functions: every function's (each in its own folder's dist/),
    or the one --function names.

    Python: the code root plus pyproject.toml's dependencies as manylinux wheels for
    the function's Python and architecture. Node.js: the files npm pack would publish
    plus production dependencies, or an esbuild bundle (Metadata: BuildMethod: esbuild:
    TypeScript repos), with source maps naming the repo's files.
    """
    from scaffold import packager, report

    for built in packager.build_all(path, function):
        _warn(list(built.warnings))
        typer.echo(report.built(built))


@app.command(cls=_Command, short_help="Add a function to this repo (functions/NAME).")
def add(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Function name: 1-64 letters, digits, - or _.")
    ],
    runtime: Annotated[
        str | None,
        typer.Option(
            "--runtime",
            "-r",
            metavar="RUNTIME",
            autocompletion=_complete_runtimes,
            help="python, node or typescript (default: the repo's).",
        ),
    ] = None,
    runtime_version: Annotated[
        str | None,
        typer.Option(
            "--runtime-version",
            metavar="VERSION",
            autocompletion=_complete_versions,
            help="The runtime's version (default: the repo's, for its language).",
        ),
    ] = None,
    arch: Annotated[
        str | None,
        typer.Option(
            "--arch",
            metavar="ARCH",
            autocompletion=_complete_arches,
            help="x86_64 or arm64 (default: the repo's).",
        ),
    ] = None,
    trigger: Annotated[
        str | None,
        typer.Option(
            "--trigger",
            "-t",
            metavar="TRIGGER",
            autocompletion=_complete_triggers,
            help="Event source (default: none).",
        ),
    ] = None,
    description: Annotated[
        str | None,
        typer.Option("--description", "-d", metavar="TEXT", help="One-line description."),
    ] = None,
    powertools: Annotated[
        bool | None,
        typer.Option(
            "--powertools/--no-powertools",
            help="Powertools for AWS Lambda (default: as the repo).",
            show_default=False,
        ),
    ] = None,
    path: RepoPath = Path(),
    trust: Trust = None,
) -> None:
    """Add a function to the repo: functions/NAME/, with its handler, tests, sample events
    and template.yaml, deployed with the rest as a nested application.

    The repo's template.yaml, Makefile, README and CI gain it; each function keeps its own
    runtime, version and architecture. Needs a clean git work tree; the changes are
    left uncommitted for review. `lambda-new update` keeps every function up to date.
    """
    from scaffold import catalog, config, report, updater

    facts = catalog.load()
    if runtime is not None:
        facts.runtime(runtime)
        if runtime_version is not None:
            facts.version(runtime, runtime_version)
    if arch is not None:
        facts.architecture(arch)
    if trigger is not None:
        facts.trigger(trigger)
    settings = config.effective({"trust": trust})
    added = updater.add(
        updater.AddRequest(
            name=name,
            path=path,
            runtime=runtime,
            runtime_version=runtime_version,
            architecture=arch,
            trigger=trigger,
            description=description,
            powertools=powertools,
            trust=bool(settings["trust"].value),
        )
    )
    _warn(added.warnings)
    typer.echo(report.added(added))
    if added.conflicts:
        typer.echo(
            f"{PROG}: error: adding {name} conflicts in {len(added.conflicts)} file(s): "
            f"{' '.join(added.conflicts)}; resolve the <<<<<<< >>>>>>> markers, then commit",
            err=True,
        )
        raise typer.Exit(EXIT_FAILED)


@app.command("list", cls=_Command, short_help="List the repo's functions.")
def list_functions(
    path: RepoPath = Path(),
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print a JSON list of {name, runtime, trigger, handler, code_root}."
        ),
    ] = False,
) -> None:
    """List the repo's functions: name, runtime, trigger, handler and code root."""
    from scaffold import repo, report

    typer.echo(report.functions_table(repo.listing(path), as_json=as_json))


# `lambda-new functions`: the same command, for those who look for it by that name.
app.command("functions", cls=_Command, hidden=True)(list_functions)


@app.command(cls=_Command, short_help="Re-apply a newer template, keeping your changes.")
def update(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="The generated repo (default: here).")
    ] = Path(),
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="VERSION",
            help="Template version to move to (default: this lambda-new's, or the "
            "team template's latest tag).",
        ),
    ] = None,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show what would change; write nothing.")
    ] = False,
    trust: Trust = None,
) -> None:
    """Re-apply a newer template to a generated repo, keeping your own edits (3-way merge).

    Needs a clean git work tree. Changes are left uncommitted for review. Conflicts
    keep both sides between <<<<<<< and >>>>>>> markers, and exit 1.
    """
    from scaffold import answers, report

    found = answers.recorded(path)
    if found.is_current(to):  # read from the answers file alone: no config, no git
        typer.echo(report.up_to_date(found.root.name, found.version))
        return
    from scaffold import config, updater

    settings = config.effective({"trust": trust})
    updated = updater.update(
        updater.UpdateRequest(
            path=path,
            to=to,
            pretend=pretend,
            trust=bool(settings["trust"].value),
            defaults=config.team_defaults(settings, interactive=False),
        )
    )
    _warn(updated.warnings)
    typer.echo(report.updated(updated))
    if updated.conflicts:
        typer.echo(report.conflicts(updated), err=True)
        raise typer.Exit(EXIT_FAILED)


config_app = _command_group(
    "config",
    "Team defaults: LAMBDA_NEW_* variables and ~/.config/lambda-new/config.toml.",
    short_help="Team defaults: LAMBDA_NEW_* variables and a config file.",
)


@config_app.command("show", cls=_Command)
def config_show() -> None:
    """Print every setting's effective value and where it came from.

    Precedence: command line > LAMBDA_NEW_<KEY> > config file > built-in.
    """
    from scaffold import config, report

    typer.echo(report.settings_table(config.effective(), config.path()))
