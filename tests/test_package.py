"""`lambda-new package`: dist/<function>.zip holds what Lambda needs and nothing else, is
byte-reproducible, and runs under AWS's official runtime clients once unzipped.

Everything is real: generated repos, pip and npm against the public registries,
awslambdaric and aws-lambda-ric 3.x against a local Runtime API (tests/runtime_api.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from scaffold import project
from tests.runtime_api import OfficialResult, node_client, run_official

from .conftest import REPO_ROOT, TOOLS_PATH, run_in

pytestmark = pytest.mark.e2e

# The function runs on this interpreter's Python, so the cp3XX wheels in the zip load here.
PY = f"{sys.version_info.major}.{sys.version_info.minor}"
CPYTHON = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
WHEEL_ABI = f"cp{sys.version_info.major}{sys.version_info.minor}"
EPOCH = (1980, 1, 1, 0, 0, 0)
SDIST_ONLY = "docopt"  # docopt 0.6.2: only a source distribution on PyPI, no wheel at all
NOT_ON_PYPI = "lambda-new-no-such-package-xyz"
NOT_ON_NPM = "lambda-new-no-such-pkg-xyz"

PYTHON_HANDLER = '''\
"""Uses both dependencies, and says where Python found them."""

import markupsafe
import markupsafe._speedups
import six


def handler(event, context):
    return {
        "escaped": str(markupsafe.escape(event["html"])),
        "six": six.__version__,
        "files": [six.__file__, markupsafe.__file__, markupsafe._speedups.__file__],
    }
'''

NODE_HANDLER_WITH_MS = """\
import { createRequire } from "node:module";
import ms from "ms";

const require = createRequire(import.meta.url);

export const handler = async () => ({ twoDays: ms("2 days"), from: require.resolve("ms") });
"""


# ---- helpers ----------------------------------------------------------------------------


def new_repo(root: Path, name: str, runtime: str, **answers: str) -> Path:
    """A function repo made the way `lambda-new NAME` makes it."""
    request = project.NewProject(name=name, output_dir=root, runtime=runtime, **answers)
    return project.create(request).path


def new_python_repo(
    root: Path, name: str, dependencies: list[str], lock: bool = True, **answers: str
) -> Path:
    """A python repo with these runtime dependencies, locked in uv.lock as `make lock` locks
    them (or without uv.lock: `lock=False`)."""
    repo = new_repo(root, name, "python", runtime_version=PY, **answers)
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert "\ndependencies = []\n" in text, text
    text = text.replace("\ndependencies = []\n", f"\ndependencies = {json.dumps(dependencies)}\n")
    pyproject.write_text(text, encoding="utf-8")
    assert tomllib.loads(text)["project"]["dependencies"] == dependencies
    if lock:
        uv_lock(repo)
    else:
        (repo / "uv.lock").unlink()
    return repo


def uv_lock(repo: Path, *options: str) -> None:
    """What `make lock` runs."""
    run_in(repo, "uv", "lock", "--quiet", "--python", sys.executable, *options)


def new_node_repo(root: Path, name: str, dependencies: dict[str, str]) -> Path:
    repo = new_repo(root, name, "node")
    manifest = repo / "package.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["dependencies"] = dependencies
    manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return repo


def package(cwd: Path) -> subprocess.CompletedProcess[str]:
    """`lambda-new package` in `cwd`, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", "package"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PATH": TOOLS_PATH},
    )


def built_zip(repo: Path) -> Path:
    """Package `repo`, which must succeed; its dist/<function>.zip."""
    result = package(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    target = repo / "dist" / f"{repo.name}.zip"
    assert target.is_file(), sorted(os.listdir(repo / "dist"))
    return target


def keep(zip_path: Path, where: Path) -> Path:
    """A copy of a zip, safe from later builds in the same repo."""
    where.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(zip_path, where / zip_path.name))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def names_in(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.namelist()


def read_in(zip_path: Path, name: str) -> str:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.read(name).decode("utf-8")


def unzip(zip_path: Path, into: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    return into


def template_handler(repo: Path) -> str:
    """The Handler of template.yaml, read as text (independently of scaffold.repo)."""
    match = re.search(r"^\s+Handler:\s*(\S+)\s*$", (repo / "template.yaml").read_text(), re.M)
    assert match, "template.yaml has no Handler"
    return match[1]


def set_template_handler(repo: Path, handler: str) -> None:
    template = repo / "template.yaml"
    text, count = re.subn(
        r"^(\s+Handler:\s*)\S+", rf"\g<1>{handler}", template.read_text(), flags=re.M
    )
    assert count == 1
    template.write_text(text)


def package_name(repo: Path) -> str:
    """The Python package under src/ (the code root) holding handler.py."""
    return next(path.parent.name for path in (repo / "src").glob("*/handler.py"))


def manylinux_tags(zip_path: Path, project_name: str, machine: str) -> list[str]:
    """The tags in a dependency's dist-info/WHEEL naming this Python, manylinux and `machine`."""
    names = "\n".join(names_in(zip_path))
    wheel = re.search(rf"^{project_name}-[^/]+\.dist-info/WHEEL$", names, re.M)
    assert wheel, names
    tags = re.findall(r"^Tag: (\S+)$", read_in(zip_path, wheel[0]), re.M)
    pattern = rf"{WHEEL_ABI}-{WHEEL_ABI}-manylinux\S*_{machine}"
    return [tag for tag in tags if re.fullmatch(pattern, tag)]


def run_python(task_root: Path, handler: str, event: object) -> OfficialResult:
    return run_official(
        [sys.executable, "-m", "awslambdaric", handler],
        task_root=task_root,
        handler=handler,
        event=json.dumps(event).encode(),
        env={"AWS_EXECUTION_ENV": f"AWS_Lambda_python{PY}"},
    )


def run_node(task_root: Path, handler: str, event: object) -> OfficialResult:
    return run_official(
        ["node", str(node_client(3)), handler],
        task_root=task_root,
        handler=handler,
        event=json.dumps(event).encode(),
        env={"AWS_EXECUTION_ENV": "AWS_Lambda_nodejs22.x"},
    )


def assert_failed(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """One `lambda-new: error:` line on stderr, exit `code`, no traceback; the line."""
    lines = result.stderr.splitlines()
    assert result.returncode == code, result.stdout + result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("lambda-new: error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def dist_listing(repo: Path) -> list[str]:
    """Everything in dist/, hidden temporary files included."""
    return sorted(os.listdir(repo / "dist")) if (repo / "dist").exists() else []


def under(path: str, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


# ---- a Python function with pure, compiled and script-carrying dependencies -----------------


@dataclass(frozen=True)
class PythonBuild:
    repo: Path
    zip: Path  # a copy of the first build
    stdout: str
    names: list[str]


@pytest.fixture(scope="module")
def python_build(tmp_path_factory: pytest.TempPathFactory) -> PythonBuild:
    """A python repo with three dependencies and litter in its code root, built once.

    six is a pure-Python wheel, markupsafe a compiled one, tabulate has a console script
    (pip --target writes it to bin/, with this machine's interpreter in its #! line).
    """
    root = tmp_path_factory.mktemp("python")
    repo = new_python_repo(root, "py-func", ["six", "markupsafe", "tabulate"])
    code_root = repo / "src"
    module = code_root / package_name(repo)
    (module / "handler.py").write_text(PYTHON_HANDLER)
    # Permissions as a umask of 002 or 077 leaves them: the zip normalises them.
    (module / "handler.py").chmod(0o600)
    (module / "__init__.py").chmod(0o664)
    (code_root / "run.sh").write_text("#!/bin/sh\n")
    (code_root / "run.sh").chmod(0o775)
    # What running tests and tools leaves beside the code: none of it may ship.
    run_in(code_root, sys.executable, "-m", "compileall", "-q", ".")
    run_in(code_root, sys.executable, "-m", "venv", "--without-pip", ".venv")
    (code_root / "stray.pyc").write_bytes(b"\0")
    (code_root / ".pytest_cache").mkdir()
    (code_root / ".pytest_cache" / "README.md").write_text("cache")
    assert list(code_root.rglob("__pycache__/*.pyc"))

    result = package(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    kept = keep(repo / "dist" / f"{repo.name}.zip", root / "kept")
    return PythonBuild(repo, kept, result.stdout, names_in(kept))


@pytest.mark.xdist_group("package-python")
def test_package_prints_the_zip_path_size_and_sha256(python_build):
    path_line, digest_line = python_build.stdout.splitlines()

    assert path_line.startswith(f"dist/{python_build.repo.name}.zip  ")
    assert f"{python_build.zip.stat().st_size:,} bytes" in path_line
    assert f"{len(python_build.names)} files" in path_line
    assert digest_line == f"sha256 {sha256(python_build.zip)}"


@pytest.mark.xdist_group("package-python")
def test_python_zip_holds_the_code_and_manylinux_wheels(python_build):
    names = python_build.names
    package = package_name(python_build.repo)

    assert f"{package}/__init__.py" in names
    assert f"{package}/handler.py" in names
    assert "six.py" in names  # a pure-Python wheel
    assert "markupsafe/__init__.py" in names
    assert f"markupsafe/_speedups.{CPYTHON}-x86_64-linux-gnu.so" in names  # a compiled one
    assert "tabulate/__init__.py" in names
    assert manylinux_tags(python_build.zip, "markupsafe", "x86_64")


@pytest.mark.xdist_group("package-python")
def test_python_zip_leaves_out_tests_events_caches_and_scripts(python_build):
    tops = {name.split("/")[0] for name in python_build.names}
    parts = {part for name in python_build.names for part in name.split("/")}

    assert not tops & {"tests", "events", "bin", ".venv", ".pytest_cache", "src", "dist"}
    assert not tops & {"pyproject.toml", "template.yaml", "Makefile", "README.md"}
    assert "__pycache__" not in parts
    assert not [name for name in python_build.names if name.endswith((".pyc", ".pyo"))]


@pytest.mark.xdist_group("package-python")
def test_zip_entries_are_sorted_dated_1980_and_plain_files(python_build):
    with zipfile.ZipFile(python_build.zip) as archive:
        infos = archive.infolist()

    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    for info in infos:
        assert info.date_time == EPOCH, info
        assert info.create_system == 3, info  # Unix, so the mode below is honoured
        assert info.external_attr >> 16 in (0o100644, 0o100755), (info, oct(info.external_attr))
    modes = {i.filename: i.external_attr >> 16 for i in infos}
    package = package_name(python_build.repo)
    assert modes[f"{package}/handler.py"] == 0o100644  # 0600 in the repo
    assert modes[f"{package}/__init__.py"] == 0o100644  # 0664 in the repo
    assert modes["run.sh"] == 0o100755  # 0775 in the repo


@pytest.mark.xdist_group("package-python")
def test_zip_holds_no_path_of_the_build_machine(python_build):
    machine_paths = [
        str(python_build.repo.parent).encode(),  # the repo
        b"lambda-new-package-",  # the staging folder
        sys.executable.encode(),  # the interpreter (pip writes it into scripts' #! lines)
    ]

    with zipfile.ZipFile(python_build.zip) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert not [p for p in machine_paths if p in data], name


@pytest.mark.xdist_group("package-python")
def test_python_zip_runs_under_the_official_client(python_build, tmp_path):
    task_root = unzip(python_build.zip, tmp_path / "task")

    result = run_python(task_root, template_handler(python_build.repo), {"html": "<a>"})

    assert result.kind == "response", result.stderr
    body = json.loads(result.body)
    six_wheel = re.search(r"^six-(.+)\.dist-info/WHEEL$", "\n".join(python_build.names), re.M)
    assert six_wheel, python_build.names
    assert body["escaped"] == "&lt;a&gt;"
    assert body["six"] == six_wheel[1]
    # Not the test venv's copies (it has markupsafe and six too): the zip's.
    assert [f for f in body["files"] if not under(f, task_root)] == []
    assert body["files"][2].endswith(f".{CPYTHON}-x86_64-linux-gnu.so")


@pytest.mark.xdist_group("package-python")
def test_rebuilding_the_same_tree_gives_identical_bytes(python_build):
    again = built_zip(python_build.repo)

    assert sha256(again) == sha256(python_build.zip)
    assert dist_listing(python_build.repo) == [again.name]  # no temporary file left beside it


@pytest.mark.xdist_group("package-python")
def test_file_times_do_not_leak_into_the_zip(python_build):
    for path in python_build.repo.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, (1_000_000_000, 1_000_000_000))  # 2001: all sources "touched"

    again = built_zip(python_build.repo)

    assert sha256(again) == sha256(python_build.zip)


# ---- a Node.js function with a production dependency --------------------------------------


@dataclass(frozen=True)
class NodeBuild:
    repo: Path
    zip: Path  # the template's handler
    zip_importing_ms: Path  # src/handler.mjs importing the dependency


@pytest.fixture(scope="module")
def node_build(tmp_path_factory: pytest.TempPathFactory) -> NodeBuild:
    """A node repo depending on ms, npm-installed (dev dependencies too), built twice."""
    root = tmp_path_factory.mktemp("node")
    repo = new_node_repo(root, "node-func", {"ms": "2.1.3"})
    run_in(repo, "npm", "install", "--no-audit", "--no-fund")
    assert (repo / "node_modules" / "eslint").is_dir()  # the dev dependencies are there locally

    first = keep(built_zip(repo), root / "template-handler")
    (repo / "src" / "handler.mjs").write_text(NODE_HANDLER_WITH_MS)
    second = keep(built_zip(repo), root / "handler-importing-ms")
    return NodeBuild(repo, first, second)


@pytest.mark.xdist_group("package-node")
def test_node_zip_holds_what_npm_publishes_and_production_dependencies(node_build):
    names = names_in(node_build.zip)
    tops = {name.split("/")[0] for name in names}
    modules = {name.split("/")[1] for name in names if name.startswith("node_modules/")}

    assert "package.json" in names
    assert json.loads(read_in(node_build.zip, "package.json"))["type"] == "module"
    assert "src/handler.mjs" in names
    assert "node_modules/ms/package.json" in names
    assert "node_modules/ms/index.js" in names
    assert modules == {"ms"}  # no eslint, @eslint, globals, nor .bin or .package-lock.json
    assert not tops & {"test", "events", "template.yaml", "eslint.config.mjs", "dist"}


@pytest.mark.xdist_group("package-node")
def test_node_zip_runs_under_the_official_client(node_build, tmp_path):
    task_root = unzip(node_build.zip, tmp_path / "task")

    result = run_node(task_root, template_handler(node_build.repo), {"name": "Ada"})

    assert result.kind == "response", result.stderr
    assert json.loads(result.body) == {"message": "Hello, Ada!", "requestId": result.request_id}


@pytest.mark.xdist_group("package-node")
def test_node_dependency_is_imported_from_the_zip(node_build, tmp_path):
    task_root = unzip(node_build.zip_importing_ms, tmp_path / "task")

    result = run_node(task_root, template_handler(node_build.repo), {})

    assert result.kind == "response", result.stderr
    body = json.loads(result.body)
    assert body["twoDays"] == 2 * 24 * 3600 * 1000
    assert under(body["from"], task_root / "node_modules" / "ms"), body["from"]


# ---- arm64 ---------------------------------------------------------------------------------


def test_arm64_function_gets_aarch64_wheels(tmp_path):
    repo = new_python_repo(tmp_path, "arm-func", ["markupsafe"], architecture="arm64")

    names = names_in(built_zip(repo))

    assert f"markupsafe/_speedups.{CPYTHON}-aarch64-linux-gnu.so" in names
    assert not [name for name in names if "x86_64" in name]
    assert manylinux_tags(repo / "dist" / "arm-func.zip", "markupsafe", "aarch64")


# ---- failures: one line, the right exit code, nothing left in dist/ ---------------------------


def test_package_outside_a_repo_is_a_usage_error(tmp_path):
    result = package(tmp_path)

    assert_failed(result, 2, "template.yaml")
    assert os.listdir(tmp_path) == []


def test_dependency_without_a_lambda_wheel_fails_naming_it(tmp_path):
    repo = new_python_repo(tmp_path, "sdist-func", ["six", SDIST_ONLY], lock=False)

    line = assert_failed(package(repo), 1, SDIST_ONLY, "wheel")

    assert "six," not in line.split("failed:")[1]  # the reason names the culprit only
    assert dist_listing(repo) == []


def test_dependency_missing_from_pypi_fails_naming_it(tmp_path):
    repo = new_python_repo(tmp_path, "missing-func", [NOT_ON_PYPI], lock=False)

    assert_failed(package(repo), 1, NOT_ON_PYPI)
    assert dist_listing(repo) == []


def test_npm_failure_fails_the_build_naming_the_package(tmp_path):
    repo = new_node_repo(tmp_path, "npm-func", {NOT_ON_NPM: "1.0.0"})

    assert_failed(package(repo), 1, "npm ci failed", NOT_ON_NPM, "E404")
    assert dist_listing(repo) == []


def test_broken_symlink_is_one_line_not_a_traceback(tmp_path):
    repo = new_python_repo(tmp_path, "link-func", [])
    (repo / "src" / "dangling.py").symlink_to(tmp_path / "nowhere.py")

    assert_failed(package(repo), 1, "dangling.py is a broken symbolic link")
    assert dist_listing(repo) == []


def test_handler_outside_the_zip_fails(tmp_path):
    repo = new_python_repo(tmp_path, "handler-func", [])
    set_template_handler(repo, "nope.handler.handler")

    assert_failed(package(repo), 1, "nope.handler.handler", "nope/handler.py")
    assert dist_listing(repo) == []


@pytest.mark.parametrize("breakage", ["handler", "dependency"])
def test_failed_build_leaves_the_previous_zip_untouched(tmp_path, breakage):
    repo = new_python_repo(tmp_path, "kept-func", ["six"])
    good = built_zip(repo)
    before = good.read_bytes()
    if breakage == "handler":
        set_template_handler(repo, "nope.handler.handler")
    else:
        pyproject = repo / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('"six"', f'"six", "{NOT_ON_PYPI}"'))

    assert_failed(package(repo), 1)
    assert good.read_bytes() == before
    assert dist_listing(repo) == [good.name]


def test_esbuild_opt_in_bundles_and_runs(tmp_path):
    """SAM's own switch, Metadata: BuildMethod: esbuild, makes a one-file bundle."""
    repo = new_node_repo(tmp_path, "bundle-func", {"ms": "2.1.3"})
    (repo / "src" / "handler.mjs").write_text(
        'import ms from "ms";\n\nexport const handler = async () => ({ twoDays: ms("2 days") });\n'
    )
    subprocess.run(
        ["npm", "install", "--save-dev", "esbuild", "--no-audit", "--no-fund"],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    template = repo / "template.yaml"
    text = template.read_text().replace("Handler: src/handler.handler", "Handler: handler.handler")
    text = text.replace(  # the function's Metadata: after its Properties, before its log group
        "\n  BundleFuncLogGroup:",
        "\n    Metadata:\n      BuildMethod: esbuild\n      BuildProperties:\n"
        "        Format: esm\n        EntryPoints: [src/handler.mjs]\n"
        "        OutExtension: [.js=.mjs]\n  BundleFuncLogGroup:",
        1,
    )
    assert "BuildMethod: esbuild" in text
    template.write_text(text)

    assert package(repo).returncode == 0
    zip_path = built_zip(repo)
    assert names_in(zip_path) == ["handler.mjs"]  # ms is inside the bundle
    result = run_node(unzip(zip_path, tmp_path / "task"), "handler.handler", {"name": "Ada"})
    assert result.kind == "response", result.stderr
    assert json.loads(result.body) == {"twoDays": 172800000}
    invoked = subprocess.run(
        [sys.executable, "-m", "scaffold", "invoke", "-"],
        cwd=repo,
        input='{"name": "Ada"}',
        capture_output=True,
        text=True,
        check=False,
    )
    assert invoked.returncode == 0, invoked.stderr
    assert invoked.stdout.encode() == result.body + b"\n"  # lambda-new invoke runs the bundle


# ---- locked dependencies: the zip holds what the lockfile pins, not the newest ---------------


def locked_older(repo: Path) -> None:
    """packaging locked at 24.0 while pyproject.toml allows any newer release, as after
    `make lock` with ==24.0 and a later loosening (uv keeps a locked version it may)."""
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('"packaging==24.0"', '"packaging>=24"'), encoding="utf-8")
    uv_lock(repo)
    assert '"packaging>=24"' in pyproject.read_text(encoding="utf-8")


def dist_infos(zip_path: Path) -> set[str]:
    return {name.split("/")[0] for name in names_in(zip_path) if ".dist-info/" in name}


@pytest.fixture(scope="module")
def uv_tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lambda-new as `uv tool install` installs it: a venv with no pip in it."""
    venv = tmp_path_factory.mktemp("uv-tool") / "venv"
    run_in(REPO_ROOT, "uv", "venv", "--quiet", "--python", sys.executable, str(venv))
    python = str(venv / "bin" / "python")
    run_in(REPO_ROOT, "uv", "pip", "install", "--quiet", "--python", python, ".")
    assert not (venv / "bin" / "pip").exists()
    return venv / "bin" / "lambda-new"


def test_python_zip_holds_the_locked_version_through_pip_and_uv(tmp_path, uv_tool):
    repo = new_python_repo(tmp_path, "locked-func", ["packaging==24.0"])
    locked_older(repo)

    by_pip = keep(built_zip(repo), tmp_path / "pip")
    by_uv = run_in(repo, str(uv_tool), "package")

    assert dist_infos(by_pip) == {"packaging-24.0.dist-info"}  # the newest is 26.x
    assert "warning" not in by_uv.stderr
    assert dist_infos(repo / "dist" / "locked-func.zip") == {"packaging-24.0.dist-info"}


def test_python_lock_older_than_pyproject_is_refused(tmp_path):
    repo = new_python_repo(tmp_path, "stale-func", ["six"])
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"six"', '"six", "packaging"'))

    line = assert_failed(package(repo), 1, "uv.lock is out of date", "packaging", "make lock")

    assert "six" not in line  # only what changed
    assert dist_listing(repo) == []


def test_python_dependencies_without_a_lock_warn(tmp_path):
    repo = new_python_repo(tmp_path, "unlocked-func", ["six"], lock=False)

    result = package(repo)

    assert result.returncode == 0, result.stderr
    assert "warning: pyproject.toml has dependencies but the repo has no uv.lock" in result.stderr
    assert "make lock" in result.stderr


def test_python_lock_markers_are_read_for_lambda_not_this_machine(tmp_path):
    """An edge whose marker is false on Lambda (Windows only) stays out; one that is true only
    on Lambda's architecture goes in, whatever machine builds the zip."""
    repo = new_python_repo(
        tmp_path,
        "marker-func",
        ["six; sys_platform == 'win32'", "packaging; platform_machine == 'aarch64'"],
        architecture="arm64",
    )

    packaging = f"packaging-{locked_version(repo, 'packaging')}.dist-info"
    assert dist_infos(built_zip(repo)) == {packaging}


def locked_version(repo: Path, name: str) -> str:
    lock = tomllib.loads((repo / "uv.lock").read_text(encoding="utf-8"))
    return next(p["version"] for p in lock["package"] if p["name"] == name)


def node_locked_older(repo: Path) -> None:
    """ms locked at 2.1.2 while package.json allows ^2.1.0, and node_modules/ holding 2.1.3:
    the zip must follow the lock, not the range nor what is installed here."""
    npm = ["--no-audit", "--no-fund"]
    run_in(repo, "npm", "install", "--save-exact", "ms@2.1.2", *npm)
    manifest = repo / "package.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["dependencies"]["ms"] = "^2.1.0"
    manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    run_in(repo, "npm", "install", "--package-lock-only", *npm)
    run_in(repo, "npm", "install", "--no-save", "ms@2.1.3", *npm)
    lock = json.loads((repo / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/ms"]["version"] == "2.1.2"
    installed = json.loads((repo / "node_modules" / "ms" / "package.json").read_text())
    assert installed["version"] == "2.1.3"


def test_node_zip_holds_the_locked_version(tmp_path):
    repo = new_repo(tmp_path, "locked-node", "node")
    node_locked_older(repo)

    zip_path = built_zip(repo)

    assert json.loads(read_in(zip_path, "node_modules/ms/package.json"))["version"] == "2.1.2"


def test_typescript_bundle_holds_the_locked_version(tmp_path):
    repo = new_repo(tmp_path, "locked-ts", "typescript")
    run_in(repo, "npm", "ci", "--no-audit", "--no-fund")
    node_locked_older(repo)
    handler = repo / "src" / "handler.ts"
    handler.write_text(
        handler.read_text(encoding="utf-8") + 'import ms from "ms";\nexport const day = ms("1d");\n'
    )

    source_map = json.loads(read_in(built_zip(repo), "handler.mjs.map"))

    sources = dict(zip(source_map["sources"], source_map["sourcesContent"], strict=True))
    assert "module.exports = function(val, options) {" in sources["node_modules/ms/index.js"]
    # 2.1.3, in node_modules/ here, reads `function (val, options)`


def test_node_dependencies_without_a_lockfile_warn(tmp_path):
    repo = new_node_repo(tmp_path, "unlocked-node", {"ms": "2.1.3"})
    (repo / "package-lock.json").unlink()

    result = package(repo)

    assert result.returncode == 0, result.stderr
    assert "warning: package.json has dependencies but the repo has no package-lock.json" in (
        result.stderr
    )
