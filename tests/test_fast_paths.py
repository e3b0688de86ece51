"""Start-up shortcuts change no output (issue 12: start-up).

- option values are converted without pydantic (scaffold/coercion.py): same values and
  the same error lines as typer's own conversion, and the everyday commands never
  import pydantic;
- YAML is read with libyaml's loader: every `events show` output is the same as with
  PyYAML's pure-Python loader;
- an installed wheel renders straight from its template folder, not from a copy: the
  same bytes as a source checkout, which renders from a staged copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated

import pytest
import typer
import yaml
from typer.core import TyperCommand
from typer.testing import CliRunner

from scaffold import __version__, answers, coercion, history
from tests.conftest import REPO_ROOT, pip, snapshot

# ---- option values without pydantic ------------------------------------------------------


def _probe_app(plain: bool) -> typer.Typer:
    """Options of every type lambda-new uses; the command prints what it was given."""

    class Command(TyperCommand):
        def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
            if plain:
                coercion.install(self.get_params(ctx))
            return super().parse_args(ctx, args)

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.command(cls=Command)
    def probe(
        text: Annotated[str | None, typer.Option("--text")] = None,
        number: Annotated[float | None, typer.Option("--number")] = None,
        path: Annotated[Path, typer.Option("--path")] = Path(),
        items: Annotated[list[str] | None, typer.Option("--item")] = None,
        flag: Annotated[bool | None, typer.Option("--flag/--no-flag")] = None,
    ) -> None:
        typer.echo(repr((text, number, path, items, flag)))

    return app


NUMBERS = ["1", "1.5", "-0", ".5", "1.", "1e3", "1E+3", "007", " 2", "2\t", "1_000", "inf"]
NUMBERS += ["-Infinity", "nan", "abc", "", "0x10", "1 000", "\u0661", "1e400"]
PATHS = [".", "x", "a/b", "./x", "x/", "a//b", "", "/", "/nonexistent/deep", "-", "na\u00efve"]
TEXTS = ["plain", "", " spaced ", "-", "na\u00efve \u2014 \U0001f680", "\udcff"]


@pytest.mark.parametrize(
    "args",
    [
        [],
        *(["--number", value] for value in NUMBERS),
        *(["--path", value] for value in PATHS),
        *(["--text", value] for value in TEXTS),
        ["--item", "a", "--item", "", "--item", "a=b"],
        ["--flag"],
        ["--no-flag"],
        ["--number"],
    ],
)
def test_plain_conversion_gives_typers_values_and_errors(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").write_text("a file")
    runner = CliRunner()

    typers = runner.invoke(_probe_app(plain=False), args)
    ours = runner.invoke(_probe_app(plain=True), args)

    assert (ours.exit_code, ours.stdout, ours.stderr) == (
        typers.exit_code,
        typers.stdout,
        typers.stderr,
    )
    assert ours.exception is None or isinstance(ours.exception, SystemExit)


def test_everyday_commands_do_not_import_pydantic(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run(
        [sys.executable, "-m", "scaffold", "fn", "--runtime", "python", "--defaults", "--no-git"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    probe = (
        "import sys\nfrom scaffold.entry import run\n"
        "sys.argv = ['lambda-new', *sys.argv[1:]]\n"
        "try:\n    run()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print(sorted(m for m in ('pydantic', 'typer', 'copier') if m in sys.modules))\n"
    )
    imported = {}
    for argv in (
        ["--version"],
        ["--help"],
        ["events", "list"],
        ["events", "show", "sqs-receive", "--set", "queue=jobs"],
        ["config", "show"],
        ["invoke", "--timeout", "30", "--env", "A=b", "--path", "."],
    ):
        result = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            cwd=tmp_path / "fn",
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        imported[argv[0] if argv[0] != "events" else " ".join(argv[:2])] = (
            result.stdout.strip().splitlines()[-1]
        )

    assert imported == {
        "--version": "[]",  # answered before typer is imported
        "--help": "['typer']",
        "events list": "['typer']",
        "events show": "['typer']",
        "config": "['typer']",
        "invoke": "['typer']",
    }


def test_an_up_to_date_update_reads_only_the_answers_file(tmp_path):
    """At the installed version, `update` answers from .copier-answers.yml before loading
    the team defaults, the catalog, git or copier: about the cost of --help."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run(
        [sys.executable, "-m", "scaffold", "fn", "--defaults", "--no-git"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    watched = ("copier", "pydantic", "scaffold.catalog", "scaffold.config", "scaffold.updater")
    probe = (
        "import sys\nfrom scaffold.entry import run\n"
        "sys.argv = ['lambda-new', 'update']\n"
        "try:\n    run()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        f"print(sorted(m for m in {watched!r} if m in sys.modules))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path / "fn", env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "Already up to date: fn is at template " + __version__ + "."
    assert lines[-1] == "[]"


def _version(argv: list[str], stdout: str) -> tuple[int, str, str]:
    """`lambda-new ARGV` printing to a pipe, a full disk, a closed stdout, or a pipe whose
    reader has gone: exit code, stdout, stderr."""
    run = "from scaffold.entry import run; import sys; sys.argv[0] = 'lambda-new'; run()"
    if stdout == "closed":
        run = f"import os; os.close(1); {run}"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with ExitStack() as stack:
        target: int | IO[bytes] = subprocess.PIPE
        if stdout == "full":
            target = stack.enter_context(Path("/dev/full").open("wb"))
        if stdout == "gone":
            reader, target = os.pipe()
            os.close(reader)
            stack.callback(os.close, target)
        result = subprocess.run(
            [sys.executable, "-c", run, *argv], env=env, stdout=target, stderr=subprocess.PIPE
        )
    return result.returncode, (result.stdout or b"").decode(), result.stderr.decode()


@pytest.mark.parametrize("stdout", ["pipe", "full", "closed", "gone"])
def test_version_alone_ends_as_the_clis_own_version_does(stdout):
    """`--version` alone is answered before typer; `--version --version` goes through it."""
    shortcut = _version(["--version"], stdout)

    assert shortcut == _version(["--version", "--version"], stdout)
    assert "Traceback" not in shortcut[2]
    if stdout == "pipe":
        assert shortcut[1].startswith("lambda-new ")


# ---- YAML through libyaml ----------------------------------------------------------------

# Prints every events output (and config show) as JSON; with "pure", PyYAML's pure-Python
# SafeLoader replaces libyaml's before anything is read.
_EVERY_OUTPUT = """
import json, sys
import yaml
from scaffold import answers
if sys.argv[1] == "pure":
    answers.SafeLoader = yaml.SafeLoader
from typer.testing import CliRunner
from scaffold import events
from scaffold.cli import app
runner = CliRunner()
commands = [["events", "list"], ["events", "list", "--json"], ["config", "show"]]
for name in events.load():
    commands += [["events", "show", name], ["events", "show", name, "--params"]]
outputs = {}
for argv in commands:
    result = runner.invoke(app, argv)
    outputs[" ".join(argv)] = [result.exit_code, result.stdout, result.stderr]
print(json.dumps({"loader": answers.SafeLoader.__name__, "outputs": outputs}))
"""


def test_libyaml_and_pure_python_yaml_give_the_same_events_output(tmp_path):
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml here")
    assert answers.SafeLoader is yaml.CSafeLoader  # what events and config read YAML with
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "XDG_CONFIG_HOME": str(tmp_path)}

    def outputs(loader: str) -> dict[str, object]:
        result = subprocess.run(
            [sys.executable, "-c", _EVERY_OUTPUT, loader],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        parsed: dict[str, object] = json.loads(result.stdout)
        return parsed

    fast, pure = outputs("libyaml"), outputs("pure")

    assert (fast["loader"], pure["loader"]) == ("CSafeLoader", "SafeLoader")
    assert isinstance(fast["outputs"], dict)
    assert len(fast["outputs"]) > 60  # every event, shown plain and with --params
    assert all(code == 0 for code, _out, _err in fast["outputs"].values())
    assert fast["outputs"] == pure["outputs"]


# ---- the installed template, not a copy --------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lambda-new as `pip install` leaves it (the template in scaffold/_template/, with
    the __pycache__ pip compiles), from a copy of this tree: a folder for PYTHONPATH."""
    work = tmp_path_factory.mktemp("wheel")
    tree = work / "tree"
    tree.mkdir()
    ignore = shutil.ignore_patterns(*history.LOCAL_LEFTOVERS, "_template")
    for name in ("pyproject.toml", "README.md", "scaffold", *history.TEMPLATE_PARTS):
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=ignore)
        else:
            shutil.copy2(source, tree / name)
    pip("wheel", "--no-deps", "-w", str(work / "dist"), str(tree))
    (wheel,) = (work / "dist").glob("lambda_new-*.whl")
    pip("install", "--no-deps", "--target", str(work / "site"), str(wheel))
    return work / "site"


def _lambda_new(
    pythonpath: Path, cwd: Path, *args: str, code: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = ["-c", code] if code else ["-m", "scaffold"]
    return subprocess.run(
        [sys.executable, *command, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(pythonpath)},
        capture_output=True,
        text=True,
        check=True,
    )


def test_a_wheel_renders_from_its_template_folder_and_a_checkout_from_a_copy(installed, tmp_path):
    where = (
        "import sys\nfrom pathlib import Path\nfrom scaffold import history\n"
        "print(history.template_folder(Path(sys.argv[1])))\n"
    )
    staging = tmp_path / "staging"

    from_wheel = _lambda_new(installed, tmp_path, str(staging), code=where).stdout.strip()
    assert from_wheel == str(installed / "scaffold" / "_template")
    assert not staging.exists()  # nothing copied
    from_checkout = _lambda_new(REPO_ROOT, tmp_path, str(staging), code=where).stdout.strip()
    assert from_checkout == str(staging)
    assert sorted(p.name for p in staging.iterdir()) == sorted(history.TEMPLATE_PARTS)


@pytest.mark.parametrize(
    "args",
    [
        ["--runtime", "python", "--trigger", "sqs"],
        ["--runtime", "node", "--trigger", "http-api", "--arch", "arm64"],
    ],
    ids=["python", "node"],
)
def test_the_installed_template_gives_the_same_bytes_as_a_source_checkout(
    installed, tmp_path, args
):
    template = installed / "scaffold" / "_template"
    assert list(template.rglob("__pycache__"))  # pip compiled the trigger handlers
    before = snapshot(template)
    made = {}
    for label, pythonpath in (("wheel", installed), ("checkout", REPO_ROOT)):
        (tmp_path / label).mkdir()
        _lambda_new(pythonpath, tmp_path / label, "fn", *args, "--defaults", "--no-git")
        made[label] = snapshot(tmp_path / label / "fn")

    assert made["wheel"] == made["checkout"]
    assert len(made["wheel"]) > 10
    assert snapshot(template) == before  # rendering wrote nothing into the installation
