"""Python functions: handler strings, the local interpreter, the zip's wheels.

Handler `package.module.function` names a module under the code root (CodeUri),
as awslambdaric resolves it. The zip is the code root plus `[project]
dependencies` of pyproject.toml, installed as manylinux wheels for the runtime's
Python, architecture and glibc (pip `--only-binary`, or uv), beside the code:
exactly the versions uv.lock pins when the repo has one (scaffold/uvlock.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from scaffold import catalog, repo, safety, tree, uvlock
from scaffold.errors import LambdaNewError, UsageError
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
        """The repo's .venv (it has the function's dependencies), else pythonX.Y, else ours.

        An absolute path to the interpreter itself: a version manager's shim (pyenv)
        reads variables such as PYENV_VERSION that the function's environment does not
        have, so a shim is asked once, here, in the user's environment, where it leads.
        """
        venv = root / ".venv" / "bin" / "python"
        if venv.is_file():
            return str(venv)
        exact = shutil.which(f"python{runtime.version}")
        if exact and not _is_script(exact):
            return exact
        if exact and (found := _pyenv_target(exact, root)):
            return found
        if exact:  # another version manager's shim: ask it (one process start)
            probe = subprocess.run(
                [exact, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True
            )
            real = probe.stdout.strip()
            if probe.returncode == 0 and real and Path(real).is_file():
                return real
        return sys.executable

    def official_command(
        self, root: Path, runtime: catalog.RuntimeVersion, handler: str
    ) -> list[str]:
        python = self.interpreter(root, runtime)
        probe = subprocess.run([python, "-c", "import awslambdaric"], capture_output=True)
        if probe.returncode != 0:
            raise UsageError(
                f"--official-client needs awslambdaric in {python}: "
                f"{python} -m pip install awslambdaric"
            )
        return [python, "-m", "awslambdaric", handler]

    def zip_tree(
        self, found: repo.Repo, function: repo.Function, stage: Path, warnings: list[str]
    ) -> dict[str, Path]:
        return _python_tree(found, function, stage, warnings)


LANGUAGE = Python()


def _pyenv_target(shim: str, root: Path) -> str | None:
    """Where a pyenv shim leads, read as pyenv reads it, without starting it: the
    versions PYENV_VERSION names, else the nearest .python-version from the repo up,
    else pyenv's global version file; the first that has the command. None when the
    shim is not pyenv's or no version has it (then it is asked)."""
    shims = Path(shim).parent
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or shims.parent)
    if shims != pyenv_root / "shims":
        return None
    names = os.environ.get("PYENV_VERSION", "")
    if not names:
        for folder in (root.resolve(), *root.resolve().parents):
            if (folder / ".python-version").is_file():
                names = (folder / ".python-version").read_text(errors="replace")
                break
        else:
            version_file = pyenv_root / "version"
            names = version_file.read_text(errors="replace") if version_file.is_file() else ""
    command = Path(shim).name
    versions = pyenv_root / "versions"
    for name in names.replace(":", " ").split():
        if name == "system":
            continue
        folder = versions / name
        if not folder.is_dir():  # a prefix ("3.13"): pyenv takes the newest installed 3.13.x
            newest = sorted(versions.glob(f"{name}.*"), key=lambda p: _version_key(p.name))
            folder = newest[-1] if newest else folder
        candidate = folder / "bin" / command
        if candidate.is_file():
            return str(candidate)
    return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


def _is_script(path: str) -> bool:
    """True for a `#!` script (a version manager's shim), not an interpreter binary."""
    try:
        with open(path, "rb") as file:
            return file.read(2) == b"#!"
    except OSError:
        return False


def _python_tree(
    found: repo.Repo, function: repo.Function, stage: Path, warnings: list[str]
) -> dict[str, Path]:
    files = tree.code_files(function.code_root, found.root)
    dependencies = _python_dependencies(found.root)
    if not dependencies:
        return files
    machine = catalog.load().machines[function.architecture]
    locked = uvlock.read(found.root, dependencies, function.runtime.version, machine)
    if locked is None:
        warnings.append(
            "pyproject.toml has dependencies but the repo has no uv.lock: the zip gets the "
            "newest versions they allow; `make lock` pins them"
        )
        lines, options = [str(r) for r in dependencies], []
    else:
        lines, options = locked.requirements, ["--no-deps", "--require-hashes"]
        for number, index in enumerate(locked.indexes):
            options += ["--index-url" if number == 0 else "--extra-index-url", index]
    target = stage / "site"
    _pip_install(lines, options, function, target, stage)
    shutil.rmtree(target / "bin", ignore_errors=True)  # scripts name the build machine
    for name, path in tree.walk(target, within=stage).items():
        files.setdefault(name, path)
    return files


def _python_dependencies(root: Path) -> list[Requirement]:
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


def _requirement(pyproject: Path, item: object) -> Requirement:
    """A PEP 508 requirement, checked: nothing pip could take for an option or a file."""
    try:
        if not isinstance(item, str):
            raise InvalidRequirement("not a string")
        return Requirement(item)
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


# The manylinux glibc versions uv's --python-platform names (uv 0.9 and later).
UV_GLIBC = (17, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40)


def uv_platform(function: repo.Function) -> str:
    """uv's --python-platform for Lambda: the newest manylinux uv names that the
    runtime's glibc can load (Amazon Linux 2's 2.26 -> manylinux_2_17)."""
    machine = catalog.load().machines[function.architecture]
    glibc = int(function.runtime.glibc.split(".")[1])
    return f"{machine}-manylinux_2_{max(v for v in UV_GLIBC if v <= glibc)}"


def _pip_install(
    lines: list[str], extra: list[str], function: repo.Function, target: Path, stage: Path
) -> None:
    """Install requirement `lines` (checked, or pinned from uv.lock) for Lambda's platform.

    pip and uv get the same lines and `extra` options, so both give the same versions.
    """
    # A requirements file, one checked requirement a line: none can become an option.
    requirements = stage / "requirements.txt"
    requirements.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
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
        command = [str(shutil.which("uv")), "pip", "install", "--quiet"]
        options = [
            *("--target", str(target), "--python-version", version, "--no-compile"),
            *("--python-platform", uv_platform(function), "--only-binary", ":all:"),
        ]
    else:
        raise LambdaNewError(
            "packaging Python dependencies needs pip (python -m ensurepip) or uv on PATH"
        )
    result = tree.run_tool([*command, *options, *extra, "-r", str(requirements)], stage, stage)
    if result.returncode != 0:
        names = ", ".join(line.split(" ", 1)[0] for line in lines)
        raise LambdaNewError(
            f"installing {names} for {function.runtime.identifier} on "
            f"{platform} failed: {_pip_reason(result.stderr)}"
        )


def _has_pip() -> bool:
    import importlib.util

    return importlib.util.find_spec("pip") is not None


def _pip_reason(stderr: str) -> str:
    """pip's own explanation, in one line; a missing wheel said plainly."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [
        line.removeprefix("ERROR: ").removeprefix("error: ")
        for line in lines
        if line.startswith(("ERROR:", "error:"))  # pip's, uv's
    ]
    for line in errors:
        if line.startswith("No matching distribution found for"):
            name = line.removeprefix("No matching distribution found for").strip()
            return (
                f"no wheel of {name} for Lambda's platform (it is not on the index, or has no "
                "release built for it: only a source distribution, which Lambda cannot compile)"
            )
    return errors[-1] if errors else (lines[-1] if lines else "the installer failed")
