"""Python functions: handler strings, the local interpreter, the zip's wheels.

Handler `package.module.function` names a module under the code root (CodeUri),
as awslambdaric resolves it. The zip is the code root plus `[project]
dependencies` of pyproject.toml, installed as manylinux wheels for the runtime's
Python, architecture and glibc (pip `--only-binary`, or uv), beside the code.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from scaffold import catalog, repo, safety, tree
from scaffold.errors import LambdaNewError
from scaffold.runtimes import Language


class Python(Language):
    name = "python"
    bootstrap = "bootstrap.py"
    version_parts = 2
    identifier_pattern = r"python(3\.\d+)"

    def handler_files(self, handler: str) -> list[str]:
        module = handler.rsplit(".", 1)[0].replace(".", "/")
        return [f"{module}.py", f"{module}/__init__.py"]

    def interpreter(self, root: Path, runtime: catalog.RuntimeVersion) -> str:
        """The repo's .venv (it has the function's dependencies), else pythonX.Y, else ours."""
        venv = root / ".venv" / "bin" / "python"
        if venv.is_file():
            return str(venv)
        exact = shutil.which(f"python{runtime.version}")
        # A version manager's shim can exist without the version behind it: ask it.
        if exact and subprocess.run([exact, "-c", ""], capture_output=True).returncode == 0:
            return exact
        return sys.executable

    def zip_tree(self, found: repo.Repo, function: repo.Function, stage: Path) -> dict[str, Path]:
        return _python_tree(found, function, stage)


LANGUAGE = Python()


def _python_tree(found: repo.Repo, function: repo.Function, stage: Path) -> dict[str, Path]:
    files = tree.code_files(function.code_root, found.root)
    dependencies = _python_dependencies(found.root)
    if dependencies:
        target = stage / "site"
        _pip_install(dependencies, function, target, stage)
        shutil.rmtree(target / "bin", ignore_errors=True)  # scripts name the build machine
        for name, path in tree.walk(target, within=stage).items():
            files.setdefault(name, path)
    return files


def _python_dependencies(root: Path) -> list[str]:
    pyproject = root / "pyproject.toml"
    text = safety.read_text(pyproject, "pyproject.toml", LambdaNewError)
    if text is None:
        return []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LambdaNewError(f"cannot read {pyproject}: {error}") from None
    dependencies = data.get("project", {}).get("dependencies", [])
    if not isinstance(dependencies, list):
        raise LambdaNewError(f"{pyproject}: [project] dependencies must be a list of strings")
    return [_requirement(pyproject, item) for item in dependencies]


def _requirement(pyproject: Path, item: object) -> str:
    """A PEP 508 requirement, checked: nothing pip could take for an option or a file."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        if not isinstance(item, str):
            raise InvalidRequirement("not a string")
        return str(Requirement(item))
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0]
        raise LambdaNewError(
            f"{pyproject}: dependency {item!r} is not a PEP 508 requirement "
            f"(such as 'requests>=2.32'): {reason}"
        ) from None


def platform_tags(function: repo.Function) -> list[str]:
    """Every manylinux tag Lambda can load for this function, newest first.

    pip does not widen `--platform manylinux_2_34_x86_64` to older glibc
    versions, so each one is named (with the legacy aliases of 2.17, 2.12, 2.5).
    """
    machine = catalog.load().machines[function.architecture]
    newest = int(function.runtime.glibc.split(".")[1])
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    tags = []
    for minor in range(newest, 4, -1):
        tags.append(f"manylinux_2_{minor}_{machine}")
        if minor in legacy and (minor == 17 or machine == "x86_64"):
            tags.append(f"{legacy[minor]}_{machine}")
    return tags


def _pip_install(
    dependencies: list[str], function: repo.Function, target: Path, stage: Path
) -> None:
    # A requirements file, one checked requirement a line: none can become an option.
    requirements = stage / "requirements.txt"
    requirements.write_text("".join(f"{line}\n" for line in dependencies), encoding="utf-8")
    version = function.runtime.version
    tags = platform_tags(function)
    platform = tags[0]
    options = [
        "--target",
        str(target),
        *(option for tag in tags for option in ("--platform", tag)),
        "--implementation",
        "cp",
        "--python-version",
        version,
        "--only-binary=:all:",
        "--no-compile",
    ]
    if _has_pip():
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    elif shutil.which("uv"):
        machine = catalog.load().machines[function.architecture]
        glibc = function.runtime.glibc.replace(".", "_")
        command = [str(shutil.which("uv")), "pip", "install", "--quiet"]
        options = [
            *("--target", str(target), "--python-version", version, "--no-compile"),
            *("--python-platform", f"{machine}-manylinux_{glibc}", "--only-binary", ":all:"),
        ]
    else:
        raise LambdaNewError(
            "packaging Python dependencies needs pip (python -m ensurepip) or uv on PATH"
        )
    result = tree.run_tool([*command, *options, "-r", str(requirements)], stage, stage)
    if result.returncode != 0:
        raise LambdaNewError(
            f"installing {', '.join(dependencies)} for {function.runtime.identifier} on "
            f"{platform} failed: {_pip_reason(result.stderr)}"
        )


def _has_pip() -> bool:
    import importlib.util

    return importlib.util.find_spec("pip") is not None


def _pip_reason(stderr: str) -> str:
    """pip's own explanation, in one line; a missing wheel said plainly."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR:")]
    for line in errors:
        if line.startswith("No matching distribution found for"):
            name = line.removeprefix("No matching distribution found for").strip()
            return (
                f"no wheel of {name} for Lambda's platform (it is not on the index, or has no "
                "release built for it: only a source distribution, which Lambda cannot compile)"
            )
    return errors[-1] if errors else (lines[-1] if lines else "pip failed")
