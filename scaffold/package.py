"""The deployment zip: dist/<function>.zip, byte-reproducible, as Lambda runs it.

The function comes from template.yaml (scaffold/repo.py); the zip's root is its
code root (CodeUri), so the same Handler string works for `sam deploy` and for
this zip. Python: `[project] dependencies` of pyproject.toml, installed as
manylinux wheels for the runtime's Python, architecture and glibc (pip
`--only-binary`), beside the code. Node: what `npm pack` would publish, plus
production dependencies (`npm ci --omit=dev`), or one esbuild bundle when the
function opts in with SAM's own `Metadata: BuildMethod: esbuild`.

Reproducible: entries sorted, timestamps fixed, permissions normalised, no
caches or machine paths. The zip is written beside its final name and moved
into place only when complete.

Only the repo ships: a symbolic link that resolves outside the repo, or a
file that is not a regular file (a FIFO, a socket), is refused before any
tool reads it. pip and npm run in a process group of their own with their
temporary files inside ours, so an interruption leaves neither processes
nor files behind.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from scaffold import catalog, repo, safety, signals
from scaffold.errors import LambdaNewError, from_os_error

DIST = "dist"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
UNZIPPED_LIMIT = 262_144_000  # Lambda's limit on a function's unzipped size, in bytes
# Never shipped from the code root: caches, virtualenvs, VCS and build output.
EXCLUDED = (
    "__pycache__",
    "*.pyc",
    "*.pyo",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "*.egg-info",
    ".venv",
    ".git",
    ".aws-sam",
    DIST,
    ".DS_Store",
)


@dataclass(frozen=True)
class Built:
    path: Path
    size: int
    sha256: str
    files: int


def build(start: Path, function_id: str | None = None) -> Built:
    """Build the function's zip into <repo>/dist/<name>.zip."""
    found = repo.find(start)
    function = found.function(function_id)
    runtime = function.runtime
    with signals.scratch("lambda-new-package-") as stage:
        if runtime.runtime == "python":
            files = _python_tree(found, function, stage)
        else:
            files = _node_tree(found, function, stage)
        _check_handler(function, files)
        target = found.root / DIST / f"{function.name}.zip"
        return _write_zip(files, target)


# ---- Python -------------------------------------------------------------------


def _python_tree(found: repo.Repo, function: repo.Function, stage: Path) -> dict[str, Path]:
    files = _code_files(function.code_root, found.root)
    dependencies = _python_dependencies(found.root)
    if dependencies:
        target = stage / "site"
        _pip_install(dependencies, function, target, stage)
        shutil.rmtree(target / "bin", ignore_errors=True)  # scripts name the build machine
        for name, path in _walk(target, within=stage).items():
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
    result = _run_tool([*command, *options, "-r", str(requirements)], stage, stage)
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


# ---- Node -----------------------------------------------------------------------


def _node_tree(found: repo.Repo, function: repo.Function, stage: Path) -> dict[str, Path]:
    root = function.code_root
    manifest = root / "package.json"
    if not manifest.is_file() and function.build_method != "esbuild":
        return _code_files(root, found.root)
    # Checked before npm or esbuild reads anything: they follow links and block on a FIFO.
    _code_files(root, found.root, skip=(*EXCLUDED, "node_modules"))
    if function.build_method == "esbuild":
        return _esbuild_tree(function, stage)
    files = {name: root / name for name in _npm_pack_files(root, stage)}
    repo_root = found.root.resolve()
    for name, path in files.items():
        _check_file(path, name, repo_root)
    if _production_dependencies(manifest):
        copy = stage / "app"
        for name in ("package.json", "package-lock.json", "npm-shrinkwrap.json"):
            if (root / name).is_file():
                copy.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / name, copy / name)
        locked = (copy / "package-lock.json").is_file() or (copy / "npm-shrinkwrap.json").is_file()
        cpu = catalog.load().npm_cpus[function.architecture]
        _npm(
            [
                "ci" if locked else "install",
                "--omit=dev",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--os=linux",
                f"--cpu={cpu}",
            ],
            copy,
            stage,
        )
        for name, path in _walk(copy / "node_modules", within=stage).items():
            if name != ".package-lock.json":
                files[f"node_modules/{name}"] = path
    return files


def _production_dependencies(manifest: Path) -> dict[str, str]:
    text = safety.read_text(manifest, "package.json", LambdaNewError)
    try:
        data = json.loads(text or "{}")
    except (ValueError, RecursionError) as error:
        raise LambdaNewError(f"cannot read {manifest}: {error}") from None
    dependencies = data.get("dependencies") or {}
    return dependencies if isinstance(dependencies, dict) else {}


def _npm_pack_files(root: Path, stage: Path) -> list[str]:
    """What `npm pack` would publish (package.json "files", .npmignore)."""
    output = _npm(["pack", "--dry-run", "--json", "--ignore-scripts"], root, stage)
    try:
        listing = json.loads(output)
        return sorted(entry["path"] for entry in listing[0]["files"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise LambdaNewError("npm pack --dry-run printed something unexpected") from None


def _esbuild_tree(function: repo.Function, stage: Path) -> dict[str, Path]:
    return _walk(bundle(function, stage), within=stage)


def bundle(function: repo.Function, stage: Path) -> Path:
    """The esbuild bundle SAM's `BuildMethod: esbuild` makes, in stage/bundle."""
    root = function.code_root
    properties = function.build_properties
    entry_points = [str(p) for p in properties.get("EntryPoints") or []]
    if not entry_points:
        raise LambdaNewError(
            f"{function.logical_id}: BuildMethod esbuild needs BuildProperties.EntryPoints"
        )
    esbuild = _repo_tool(root, "esbuild")
    out = stage / "bundle"
    arguments = [
        esbuild,
        *entry_points,
        "--bundle",
        "--platform=node",
        f"--outdir={out}",
        f"--target={properties.get('Target') or 'node' + function.runtime.version}",
        f"--format={properties.get('Format') or 'cjs'}",
        "--log-level=error",
    ]
    if _truthy(properties.get("Minify")):
        arguments.append("--minify")
    if _truthy(properties.get("Sourcemap")):
        arguments.append("--sourcemap")
    for name in properties.get("External") or []:
        arguments.append(f"--external:{name}")
    for extension in properties.get("OutExtension") or []:
        arguments.append(f"--out-extension:{extension}")
    result = _run_tool(arguments, root, stage)
    if result.returncode != 0:
        raise LambdaNewError(f"esbuild failed: {_last_line(result.stderr)}")
    return out


def _repo_tool(root: Path, name: str) -> str:
    local = root / "node_modules" / ".bin" / name
    if local.is_file():
        return str(local)
    raise LambdaNewError(
        f"BuildMethod esbuild needs {name} in the repo: npm install --save-dev {name}"
    )


def _npm(arguments: list[str], cwd: Path, stage: Path) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise LambdaNewError("npm is not on PATH; packaging a Node.js function needs it")
    result = _run_tool([npm, *arguments], cwd, stage)
    if result.returncode != 0:
        raise LambdaNewError(f"npm {arguments[0]} failed: {_npm_reason(result.stderr)}")
    return result.stdout


def _npm_reason(stderr: str) -> str:
    """npm's own message and code (not the pointer to its debug log)."""
    lines = [line.strip() for line in stderr.splitlines() if line.startswith("npm error")]
    code = next((line.split()[-1] for line in lines if line.startswith("npm error code ")), "")
    messages = [
        line.removeprefix("npm error").strip()
        for line in lines
        if not line.startswith("npm error code ") and "complete log" not in line
    ]
    message = next((m for m in messages if m), _last_line(stderr))
    return f"{message} ({code})" if code else message


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "ERR" in line or "error" in line.lower()]
    return (errors or lines or ["no output"])[-1]


def _truthy(value: object) -> bool:
    return str(value).lower() in {"true", "1", "yes"}


# ---- shared -----------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _run_tool(command: list[str], cwd: Path, stage: Path) -> subprocess.CompletedProcess[str]:
    """Run pip, npm or esbuild in a process group of its own, its temporary files in `stage`.

    On any interruption the whole group is killed before the stage is removed.
    """
    signals.checkpoint()
    (stage / "tmp").mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(stage / "tmp")}
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate()
        except BaseException:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _code_files(root: Path, repo_root: Path, skip: tuple[str, ...] = EXCLUDED) -> dict[str, Path]:
    return _walk(root, skip=skip, within=repo_root)


def _walk(root: Path, within: Path, skip: tuple[str, ...] = ()) -> dict[str, Path]:
    """Files under `root` by POSIX relative path, leaving out names matching `skip`.

    Linked folders and files ship their content, as sam build copies it, when
    they resolve inside `within`; a link out of it is refused.
    """
    files: dict[str, Path] = {}
    seen: set[Path] = set()
    within = within.resolve()
    for folder, dirs, names in os.walk(root, followlinks=True):
        here = Path(folder)
        real = here.resolve()
        if real in seen:
            raise LambdaNewError(
                f"{here} is a link to a folder that contains it; remove the link (no zip written)"
            )
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not _matches(d, skip))
        for name in dirs:
            _check_link(here / name, (here / name).relative_to(root).as_posix(), within)
        for name in names:
            if _matches(name, skip):
                continue
            path = here / name
            relative = path.relative_to(root).as_posix()
            _check_file(path, relative, within)
            files[relative] = path
    return files


def _check_link(path: Path, name: str, within: Path) -> None:
    """`within` is resolved already (links are judged by where they really lead)."""
    if path.is_symlink():
        resolved = path.resolve()
        if not resolved.is_relative_to(within):
            raise LambdaNewError(
                f"{name} is a link to {resolved}, outside the repo: package ships only the "
                "repo's own files; copy what the function needs into the repo (no zip written)"
            )


def _check_file(path: Path, name: str, within: Path) -> None:
    """A file the zip may hold: a regular file, or a link to one inside `within`."""
    if not os.path.exists(path):
        raise LambdaNewError(f"{path} is a broken symbolic link; fix or remove it")
    _check_link(path, name, within)
    kind = stat.S_IFMT(os.stat(path).st_mode)
    if kind != stat.S_IFREG:
        what = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket"}.get(
            kind, "not a regular file"
        )
        raise LambdaNewError(
            f"{name} is {what}, which a zip cannot hold; remove it or move it out of "
            "the code root (no zip written)"
        )


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def _check_handler(function: repo.Function, files: dict[str, Path]) -> None:
    """The template's Handler must resolve inside the zip, as Lambda will resolve it."""
    handler = function.handler
    if function.runtime.runtime == "python":
        module = handler.rsplit(".", 1)[0].replace(".", "/")
        candidates = [f"{module}.py", f"{module}/__init__.py"]
    else:
        folder, _, base = handler.rpartition("/")
        module = (f"{folder}/" if folder else "") + base.split(".", 1)[0]
        candidates = [module, f"{module}.js", f"{module}.mjs", f"{module}.cjs"]
    if not any(candidate in files for candidate in candidates):
        raise LambdaNewError(
            f"Handler {handler!r} does not resolve inside the zip: none of "
            f"{', '.join(candidates)} is in it (check Handler and CodeUri in template.yaml)"
        )


def _write_zip(files: dict[str, Path], target: Path) -> Built:
    total = sum(path.stat().st_size for path in files.values())
    if total > UNZIPPED_LIMIT:
        raise LambdaNewError(
            f"the function is {total / 1e6:.0f} MB unzipped; Lambda allows "
            f"{UNZIPPED_LIMIT / 1e6:.0f} MB (use a container image or layers)"
        )
    where = f"{DIST}/{target.name}"

    def make() -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.fchmod(handle, 0o666 & ~_umask())  # as zip and sam build make it, not mkstemp's 0600
        os.close(handle)
        return Path(name)

    try:
        with signals.created(make, lambda path: path.unlink(missing_ok=True)) as temporary:
            # A signal waits for the entry being written (an entry cut short leaves the
            # archive unclosable), then stops the build between two entries.
            with (
                signals.deferred(),
                zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
            ):
                for name in sorted(files):
                    signals.poll()
                    path = files[name]
                    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
                    info.create_system = 3  # Unix, so the permissions below count
                    mode = 0o755 if os.access(path, os.X_OK) else 0o644
                    info.external_attr = (0o100000 | mode) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with path.open("rb") as source, archive.open(info, "w") as sink:
                        shutil.copyfileobj(source, sink)
            data = temporary.read_bytes()
            with signals.committing(f"{where} was written"):
                os.replace(temporary, target)
    except OSError as error:
        kept = " (the earlier zip is kept)" if target.exists() else ""
        raise from_os_error(error, f"cannot write {where}{kept}") from None
    return Built(
        path=target,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        files=len(files),
    )
