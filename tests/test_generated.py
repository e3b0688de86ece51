"""End to end: generated repos pass their OWN tests and lint, and their SAM template is valid.

These run real copier, git, pip (or uv), npm and node, as a new user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from scaffold import __version__, catalog, history

from .conftest import REPO_ROOT, Run, files_of, node_test_counts, npm_languages, pip, run_in

pytestmark = pytest.mark.e2e

FACTS = catalog.load()
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")
DEFAULTS = [(name, family.default_version) for name, family in FACTS.runtimes.items()]
# One non-default, still-supported version of each runtime.
OTHERS = [
    (name, next(v for v in reversed(family.current_versions()) if v != family.default_version))
    for name, family in FACTS.runtimes.items()
]


@pytest.fixture
def generate(cli: Callable[..., Run]) -> Callable[..., Path]:
    """Create repo `name` in folder `where` with the CLI; return its path."""

    def make(where: Path, name: str, *args: str) -> Path:
        result = cli(name, "--defaults", "-o", str(where), *args)
        assert result.exit_code == 0, result.stderr
        return where / name

    return make


@pytest.mark.parametrize(("runtime", "version"), DEFAULTS + OTHERS)
def test_generated_repo_passes_its_own_tests_and_lint(tmp_path, generate, runtime, version):
    repo = generate(tmp_path, "my-func", "--runtime", runtime, "--runtime-version", version)

    tested = run_in(repo, "make", "test")
    run_in(repo, "make", "lint")

    summary = tested.stdout + tested.stderr
    if runtime == "python":
        assert "4 passed" in summary
    else:
        assert node_test_counts(summary) == (4, 0)
    run_in(repo, CFN_LINT, "template.yaml")
    # Nothing the commands produced shows up as work to commit (the .gitignore covers it;
    # Node and TypeScript repos come with their package-lock.json, which npm ci keeps).
    assert run_in(repo, "git", "status", "--porcelain", "--untracked-files=all").stdout == ""


@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_awkward_names_and_text_still_test_and_lint(tmp_path, generate, runtime):
    """The longest valid name (mixed case, trailing `-`) and a hostile description."""
    name = "Json_" + "x" * 58 + "-"
    description = 'A "quoted" \\ description\nwith {{ braces }} and ünïcødé 🚀'
    repo = generate(tmp_path, name, "--runtime", runtime, "--description", description)

    run_in(repo, "make", "test")
    run_in(repo, "make", "lint")
    run_in(repo, CFN_LINT, "template.yaml")


def test_same_answers_give_identical_bytes(tmp_path, generate):
    first = generate(tmp_path / "a", "fn", "--arch", "arm64")
    second = generate(tmp_path / "b", "fn", "--arch", "arm64")

    assert files_of(first) == files_of(second)
    for content in files_of(first).values():
        assert str(tmp_path).encode() not in content
        assert str(REPO_ROOT).encode() not in content


@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_plain_copier_copy_gives_the_same_repo(tmp_path, generate, runtime):
    """`copier copy` of this repo (no --trust) equals the CLI, but for where the answers say
    the template came from: the CLI records its release, plain copier the path it was given.
    The CLI answers logical_id_prefix from the function name (fn -> Fn); with plain copier
    it is a question like the others."""
    template = history.stage_template(tmp_path / "template")
    copied = tmp_path / "copied"
    subprocess.run(
        [
            *(sys.executable, "-m", "copier", "copy", "--defaults", "--quiet"),
            *("--data", "function_name=fn", "--data", f"runtime={runtime}"),
            *("--data", "logical_id_prefix=Fn"),
            *(str(template), str(copied)),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "COPIER_SETTINGS_PATH": str(tmp_path / "no-settings.yml")},
    )
    made = generate(tmp_path / "cli", "fn", "--runtime", runtime, "--no-git")

    plain, ours = files_of(copied), files_of(made)
    plain_answers = yaml.safe_load(plain.pop(".copier-answers.yml"))
    our_answers = yaml.safe_load(ours.pop(".copier-answers.yml"))
    assert plain == ours
    assert plain_answers.pop("_src_path") == str(template)
    assert our_answers.pop("_src_path") == history.TEMPLATE_URL
    assert our_answers.pop("_commit") == __version__
    assert plain_answers == our_answers


def test_installed_wheel_renders_without_the_source_tree(tmp_path):
    """A non-editable install carries copier.yml, templates/ and catalog/ in the wheel."""
    wheels = tmp_path / "wheels"
    pip("wheel", "--no-deps", "-w", str(wheels), str(REPO_ROOT))
    site = tmp_path / "site"
    (wheel,) = wheels.glob("lambda_new-*.whl")
    pip("install", "--no-deps", "--target", str(site), str(wheel))
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "fn", "--defaults", "--runtime", "node"],
        cwd=work,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (site / "scaffold/_template/copier.yml").is_file()
    assert (work / "fn/src/handler.mjs").is_file()
    run_in(work / "fn", "make", "test")


@pytest.mark.parametrize("runtime", npm_languages())
def test_a_dependency_the_owner_adds_is_installed_by_make_test_on_a_fresh_clone(
    tmp_path, generate, runtime
):
    """`npm install zod` in the repo, commit; a fresh clone's `make test` installs it first
    (before, a clone failed: Cannot find package 'zod')."""
    repo = generate(tmp_path, "fn", "--runtime", runtime)
    run_in(repo, "npm", "install", "--save", "--no-audit", "--no-fund", "zod@4")
    extension = "ts" if runtime == "typescript" else "mjs"
    (repo / "test" / f"dependency.test.{extension}").write_text(
        'import assert from "node:assert/strict";\n'
        'import { test } from "node:test";\n'
        'import { z } from "zod";\n\n'
        'test("zod is installed", () => {\n'
        '  assert.equal(z.string().parse("a"), "a");\n'
        "});\n",
        encoding="utf-8",
    )
    run_in(repo, "git", "add", "-A")
    run_in(repo, "git", "commit", "-qm", "zod")
    clone = tmp_path / "clone"
    run_in(tmp_path, "git", "clone", "-q", str(repo), str(clone))

    tested = run_in(clone, "make", "test")

    assert node_test_counts(tested.stdout) == (5, 0)
    assert run_in(clone, "git", "status", "--porcelain", "--untracked-files=all").stdout == ""


# ---- Python repos: uv.lock, .python-version, make lock -----------------------------------------

# PATH without this environment's scripts (uv among them), as on a machine without uv.
NO_UV_PATH = os.pathsep.join(
    entry
    for entry in os.environ.get("PATH", "").split(os.pathsep)
    if entry and not (Path(entry) / "uv").exists()
)


def run_without_uv(repo: Path, *command: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command,
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={**os.environ, "PATH": NO_UV_PATH},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_python_dependency_added_by_make_lock_is_installed_on_a_fresh_clone(tmp_path, generate):
    """The owner adds a dependency and runs `make lock`; a fresh clone's `make test` installs
    exactly the locked versions, on a machine without uv too (make puts one in .venv/.uv)."""
    repo = generate(tmp_path, "fn", "--runtime", "python")
    assert (repo / ".python-version").read_text() == f"{FACTS.runtimes['python'].default_version}\n"
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8").replace(
        "\ndependencies = []\n", '\ndependencies = ["six==1.16.0"]\n'
    )
    pyproject.write_text(text, encoding="utf-8")
    run_in(repo, "make", "lock")
    assert 'name = "six"\nversion = "1.16.0"' in (repo / "uv.lock").read_text(encoding="utf-8")
    (repo / "tests" / "test_dependency.py").write_text(
        "import six\n\n\ndef test_six_is_locked():\n    assert six.__version__ == '1.16.0'\n",
        encoding="utf-8",
    )
    run_in(repo, "git", "add", "-A")
    run_in(repo, "git", "commit", "-qm", "six")
    clone = tmp_path / "clone"
    run_in(tmp_path, "git", "clone", "-q", str(repo), str(clone))

    tested = run_without_uv(clone, "make", "test")

    assert "5 passed" in tested.stdout
    assert (clone / ".venv" / ".uv" / "bin" / "uv").is_file()
    assert run_in(clone, "git", "status", "--porcelain", "--untracked-files=all").stdout == ""


def test_python_make_test_refuses_a_stale_lock(tmp_path, generate):
    repo = generate(tmp_path, "fn", "--runtime", "python")
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8").replace(
        "\ndependencies = []\n", '\ndependencies = ["six"]\n'
    )
    pyproject.write_text(text, encoding="utf-8")

    result = subprocess.run(
        ["make", "test"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), NO_UV_PATH])},
    )

    assert result.returncode != 0
    assert "uv lock" in result.stderr  # uv's own words: the lockfile needs to be updated


@pytest.mark.parametrize(("version", "warned"), [("3.14", True), ("3.11", False)])
def test_python_make_test_says_when_it_runs_on_another_python(tmp_path, generate, version, warned):
    """PYTHON=python3.11 stands for a machine without the function's Python."""
    repo = generate(tmp_path, "fn", "--runtime", "python", "--runtime-version", version)

    tested = run_in(repo, "make", "test", "PYTHON=python3.11")

    warning = f"warning: testing on Python 3.11, not Lambda's {version}: install python{version}"
    assert (warning in tested.stderr) is warned, tested.stderr
    assert "4 passed" in tested.stdout


@pytest.mark.parametrize("runtime", list(FACTS.runtimes))
def test_make_targets_that_need_lambda_new_say_how_to_install_it(tmp_path, generate, runtime):
    """A teammate or CI runner without lambda-new gets one line naming the version this
    repo's template was made for, not `lambda-new: not found`."""
    repo = generate(tmp_path, "fn", "--runtime", runtime)
    without = os.pathsep.join(
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not (Path(entry) / "lambda-new").exists()
    )
    makefile = (repo / "Makefile").read_text(encoding="utf-8")
    assert f"LAMBDA_NEW_VERSION := {__version__}\n" in makefile

    for target in ("package", "invoke"):
        result = subprocess.run(
            ["make", target],
            cwd=repo,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PATH": without},
        )
        assert result.returncode == 2
        last = result.stderr.strip().splitlines()[-1]  # after npm ci, for TypeScript
        assert last.endswith(
            f": *** lambda-new is not installed: pipx install lambda-new=={__version__} "
            f"(or: uv tool install lambda-new=={__version__}).  Stop."
        ), result.stderr
