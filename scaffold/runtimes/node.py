"""Node.js functions: handler strings, the local node, the zip's packages or bundle.

Handler `src/handler.handler` names a file under the code root (CodeUri) without
its extension (.js, .mjs, .cjs), as aws-lambda-ric resolves it. The zip holds
what `npm pack` would publish plus production dependencies (`npm ci --omit=dev`),
or one esbuild bundle when the function opts in with SAM's own `Metadata:
BuildMethod: esbuild`; `invoke` runs that bundle, as Lambda would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from scaffold import catalog, repo, safety, tree
from scaffold.errors import LambdaNewError, UsageError
from scaffold.runtimes import RUNTIME_DIR, Language


class Node(Language):
    name = "node"
    bootstrap = "bootstrap.mjs"
    version_parts = 1
    identifier_pattern = r"nodejs(\d+)\.x"
    lockfiles = (("package-lock.json", "npm install"),)

    def handler_files(self, handler: str) -> list[str]:
        folder, _, base = handler.rpartition("/")
        module = (f"{folder}/" if folder else "") + base.split(".", 1)[0]
        return [module, f"{module}.js", f"{module}.mjs", f"{module}.cjs"]

    def interpreter(self, root: Path, runtime: catalog.RuntimeVersion) -> str:
        node = shutil.which("node")
        if node is None:
            raise LambdaNewError(f"node is not on PATH; {runtime.identifier} needs Node.js")
        return node

    def zip_tree(
        self, found: repo.Repo, function: repo.Function, stage: Path, warnings: list[str]
    ) -> dict[str, Path]:
        return _node_tree(found, function, stage, warnings)

    def environment(self, function: repo.Function) -> dict[str, str]:
        """NODE_PATH as Lambda's Node.js runtime sets it: layers' folders (/opt), the
        runtime's own modules, then the code root."""
        major = function.runtime.version
        folders = [
            f"/opt/nodejs/node{major}/node_modules",
            "/opt/nodejs/node_modules",
            f"{RUNTIME_DIR}/node_modules",
            str(RUNTIME_DIR),
            str(function.code_root),
        ]
        return {"NODE_PATH": ":".join(folders)}

    def official_command(
        self, root: Path, runtime: catalog.RuntimeVersion, handler: str
    ) -> list[str]:
        node = self.interpreter(root, runtime)
        for folder in (root / "node_modules" / ".bin",):
            client = folder / "aws-lambda-ric"
            if client.is_file():
                return [node, str(client.resolve()), handler]
        on_path = shutil.which("aws-lambda-ric")
        if on_path:
            return [node, str(Path(on_path).resolve()), handler]
        major = 4 if int(runtime.version) >= 24 else 3
        raise UsageError(
            f"--official-client needs aws-lambda-ric (its {major}.x for {runtime.identifier}): "
            f"npm install --save-dev aws-lambda-ric@{major}"
        )

    def needs_build(self, function: repo.Function) -> bool:
        return function.build_method == "esbuild"

    def build(self, function: repo.Function, stage: Path) -> Path:
        return bundle(function, stage)


LANGUAGE = Node()


LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json")


def _node_tree(
    found: repo.Repo, function: repo.Function, stage: Path, warnings: list[str]
) -> dict[str, Path]:
    root = function.code_root
    manifest = root / "package.json"
    if not manifest.is_file() and function.build_method != "esbuild":
        return tree.code_files(root, found.root)
    # Checked before npm or esbuild reads anything: they follow links and block on a FIFO.
    code = tree.code_files(root, found.root, skip=(*tree.EXCLUDED, "node_modules"))
    if function.build_method == "esbuild":
        return _esbuild_tree(function, code, stage, warnings)
    files = {name: root / name for name in _npm_pack_files(root, stage)}
    repo_root = found.root.resolve()
    for name, path in files.items():
        tree.check_file(path, name, repo_root)
    if _production_dependencies(manifest):
        copy = stage / "app"
        copy.mkdir()
        _install_production(function, copy, stage, warnings)
        for name, path in tree.walk(copy / "node_modules", within=stage).items():
            if name != ".package-lock.json":
                files[f"node_modules/{name}"] = path
    return files


def _install_production(
    function: repo.Function, copy: Path, stage: Path, warnings: list[str]
) -> None:
    """Production dependencies in copy/node_modules, as Lambda's Linux and CPU need them.

    Exactly the locked versions (`npm ci --omit=dev`) when the repo has a lockfile;
    else the newest its package.json allows, with a warning.
    """
    root = function.code_root
    for name in ("package.json", *LOCKFILES):
        if (root / name).is_file():
            shutil.copy2(root / name, copy / name)
    locked = any((copy / name).is_file() for name in LOCKFILES)
    if not locked:
        warnings.append(
            "package.json has dependencies but the repo has no package-lock.json: the zip "
            "gets the newest versions they allow; `npm install` writes the lock"
        )
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


def _production_dependencies(manifest: Path) -> dict[str, str]:
    dependencies = _manifest(manifest).get("dependencies") or {}
    return dependencies if isinstance(dependencies, dict) else {}


def _manifest(manifest: Path) -> dict[str, Any]:
    """package.json as an object ({} when it is something else)."""
    text = safety.read_text(manifest, "package.json", LambdaNewError)
    try:
        data = json.loads(text or "{}")
    except (ValueError, RecursionError) as error:
        raise LambdaNewError(f"cannot read {manifest}: {error}") from None
    return data if isinstance(data, dict) else {}


def _npm_pack_files(root: Path, stage: Path) -> list[str]:
    """What `npm pack` would publish (package.json "files", .npmignore)."""
    output = _npm(["pack", "--dry-run", "--json", "--ignore-scripts"], root, stage)
    try:
        listing = json.loads(output)
        return sorted(entry["path"] for entry in listing[0]["files"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise LambdaNewError("npm pack --dry-run printed something unexpected") from None


def _esbuild_tree(
    function: repo.Function, code: dict[str, Path], stage: Path, warnings: list[str]
) -> dict[str, Path]:
    """The bundle, built as `sam build` builds it: from a copy of the code beside the
    production dependencies alone (`npm ci --omit=dev`), so it holds the locked versions
    whatever node_modules/ holds here."""
    source = function.code_root
    if _production_dependencies(source / "package.json"):
        source = stage / "app"
        for name, path in code.items():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, source / name)
        _install_production(function, source, stage, warnings)
    out = bundle(function, stage, source)
    for source_map in sorted(out.rglob("*.map")):
        _portable_source_map(source_map, out, source)
    return tree.walk(out, within=stage)


def _portable_source_map(source_map: Path, out: Path, root: Path) -> None:
    """Name the sources as the repo has them (src/handler.ts), beside the bundle.

    esbuild names them relative to the map, here a scratch folder: the zip would
    change with the repo's location. In the zip (/var/task), src/handler.ts is what
    a stack trace then shows; the sources' text stays in the map (sourcesContent).
    """
    data = json.loads(source_map.read_text(encoding="utf-8"))
    folder = source_map.parent
    in_zip = os.path.relpath(folder, out)  # the map's folder in the zip: "." at its root
    in_repo = [os.path.relpath(os.path.join(folder, s), root) for s in data.get("sources") or []]
    data["sources"] = [Path(os.path.relpath(path, in_zip)).as_posix() for path in in_repo]
    source_map.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


# BuildProperties that `sam build` turns into esbuild options, the same way here:
# SAM's names in snake case (KeepNames -> keep_names -> --keep-names). Only options
# that name no file: a repo is untrusted input, and Metafile, Outfile, Inject or
# Tsconfig would let its template.yaml write or read outside it.
ESBUILD_OPTIONS = frozenset(
    [
        "target",
        "format",
        "minify",
        "sourcemap",
        "external",
        "out_extension",
        "loader",
        "main_fields",
        "banner",
        "footer",
        "keep_names",
        "define",
        "charset",
        "legal_comments",
        "tree_shaking",
        "sources_content",
        "resolve_extensions",
        "conditions",
        "drop",
        "pure",
        "ignore_annotations",
        "jsx",
        "jsx_factory",
        "jsx_fragment",
        "line_limit",
        "log_override",
        "supported",
    ]
)
SAM_ONLY = frozenset({"entry_points", "use_npm_ci"})  # for SAM itself, not esbuild


def bundle(function: repo.Function, stage: Path, source: Path | None = None) -> Path:
    """The esbuild bundle SAM's `BuildMethod: esbuild` makes, in stage/bundle.

    The options are aws-lambda-builders': BuildProperties converted as it converts them
    (true: `--name`, a string: `--name=value`, a list: `--name:item` for each), and its
    defaults for what they leave out: minified, target es2020, format cjs. It builds
    the code at `source` (default: the code root), with the code root's esbuild.
    """
    root = source or function.code_root
    properties = {_snake(str(key)): value for key, value in function.build_properties.items()}
    entry_points = [str(p) for p in properties.get("entry_points") or []]
    if not entry_points:
        raise LambdaNewError(
            f"{function.logical_id}: BuildMethod esbuild needs BuildProperties.EntryPoints"
        )
    options = []
    for name, value in properties.items():
        if name in SAM_ONLY:
            continue
        if name not in ESBUILD_OPTIONS:
            raise LambdaNewError(
                f"{function.logical_id}: BuildProperties {_pascal(name)} is not an esbuild "
                f"option lambda-new passes on (it may name a file outside the repo); it "
                f"passes {', '.join(sorted(_pascal(o) for o in ESBUILD_OPTIONS))}"
            )
        options += _esbuild_option(function.logical_id, name, value)
    esbuild = _repo_tool(function.code_root, "esbuild")
    out = stage / "bundle"
    defaults = [
        *([] if "target" in properties else ["--target=es2020"]),
        *([] if "format" in properties else ["--format=cjs"]),
        *([] if "minify" in properties else ["--minify"]),
    ]
    arguments = [
        esbuild,
        *entry_points,
        "--bundle",
        "--platform=node",
        f"--outdir={out}",
        *defaults,
        *options,
        "--log-level=error",
    ]
    result = tree.run_tool(arguments, root, stage)
    if result.returncode != 0:
        raise LambdaNewError(f"esbuild failed: {_last_line(result.stderr)}")
    return out


def _esbuild_option(logical_id: str, name: str, value: object) -> list[str]:
    flag = "--" + name.replace("_", "-")
    if isinstance(value, bool):
        return [flag] if value else []
    if isinstance(value, str):
        return [f"{flag}={value}"]
    if isinstance(value, list):
        return [f"{flag}:{item}" for item in value]
    raise LambdaNewError(
        f"{logical_id}: BuildProperties {_pascal(name)} must be true/false, a string or a "
        f"list (as sam build reads it), not {value!r}"
    )


def _snake(name: str) -> str:
    """SAM's key normalisation: OutExtension -> out_extension."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _repo_tool(root: Path, name: str) -> str:
    local = root / "node_modules" / ".bin" / name
    if local.is_file():
        return str(local)
    manifest = root / "package.json"
    if manifest.is_file() and name in (_manifest(manifest).get("devDependencies") or {}):
        raise LambdaNewError(
            f"BuildMethod esbuild needs {name}, which package.json lists but is not installed: "
            "run `make install` (npm ci) first"
        )
    raise LambdaNewError(
        f"BuildMethod esbuild needs {name} in the repo: npm install --save-dev {name}"
    )


def _npm(arguments: list[str], cwd: Path, stage: Path) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise LambdaNewError("npm is not on PATH; packaging a Node.js function needs it")
    result = tree.run_tool([npm, *arguments], cwd, stage)
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
