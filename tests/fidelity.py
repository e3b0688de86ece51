"""Independent checks that an event looks exactly like what AWS sends.

Two schemas maintained outside this project, named by each event's header
(catalog/events/README.md):

- Python: the Pydantic parser models of aws-lambda-powertools, plus building
  its event data class and reading the properties the header lists;
- Node: @types/aws-lambda, with `tsc --strict` checking the event as a typed
  literal (no widening of string literals, so a wrong or missing field fails).

Test-only: lambda-new never imports any of this at run time.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from scaffold.events import Event

TYPECHECK_DIR = Path(__file__).resolve().parent / "typecheck"
TSC = TYPECHECK_DIR / "node_modules" / ".bin" / "tsc"
AWS_LAMBDA_TYPES = TYPECHECK_DIR / "node_modules" / "@types" / "aws-lambda"


def validate_pydantic(event: Event, payload: Any) -> None:
    """Raise pydantic's ValidationError unless the payload fits the Powertools model."""
    name = event.schemas.get("pydantic")
    if name:
        from aws_lambda_powertools.utilities.parser import models

        getattr(models, name).model_validate(payload)


def read_dataclass(event: Event, payload: Any) -> list[Any]:
    """Build the Powertools event data class and read each property the header lists."""
    name = event.schemas.get("dataclass")
    if not name:
        return []
    package = "aws_lambda_powertools.utilities.data_classes"
    module_name, _, class_name = name.rpartition(":")
    module = importlib.import_module(f"{package}.{module_name}" if module_name else package)
    instance = getattr(module, class_name)(payload)
    return [_read_path(instance, path) for path in event.schemas.get("reads") or []]


def _read_path(value: Any, path: str) -> Any:
    for attribute, index in re.findall(r"(\w+)|\[(\d+)\]", path):
        if attribute:
            value = getattr(value, attribute)
        else:
            if not isinstance(value, (list, tuple, dict)):
                value = list(value)
            value = value[int(index)]
    return value


def typescript_type(event: Event) -> str | None:
    value = event.schemas.get("typescript")
    return str(value) if value else None


def typecheck(cases: dict[str, tuple[str, Any]], workdir: Path) -> dict[str, str]:
    """Type-check each case {label: (TypeScript type, payload)} in one tsc run.

    Returns {label: tsc's errors} for the cases that fail; {} when all pass.
    """
    if not TSC.exists():
        raise RuntimeError(
            f"{TSC} is missing: install the type-check tools with "
            "`npm ci --prefix tests/typecheck` (the README's test command does)"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for number, (label, (ts_type, payload)) in enumerate(sorted(cases.items())):
        file_name = f"case{number:04d}.ts"
        files[file_name] = label
        (workdir / file_name).write_text(_typescript_case(ts_type, payload), encoding="utf-8")
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "target": "es2022",
            "module": "esnext",
            "moduleResolution": "bundler",
            "skipLibCheck": False,
            "types": ["node"],  # @types/aws-lambda's handler types use node:stream
            "typeRoots": [str(AWS_LAMBDA_TYPES.parent)],
            "paths": {"aws-lambda": [str(AWS_LAMBDA_TYPES)]},
        },
        "files": sorted(files),
    }
    (workdir / "tsconfig.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    node = shutil.which("node") or "node"
    result = subprocess.run(
        [node, str(TSC), "-p", "tsconfig.json", "--pretty", "false"],
        cwd=workdir,  # so diagnostics name the case files as written
        capture_output=True,
        text=True,
        check=False,
    )
    failures: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        match = re.match(r"(case\d{4}\.ts)\(\d", line)
        if match:
            failures.setdefault(files[match[1]], []).append(line)
        elif line.strip() and failures:  # continuation of the previous diagnostic
            next(reversed(failures.values())).append(line)
        elif line.strip():
            raise RuntimeError(f"tsc failed outside the cases: {result.stdout}")
    if result.returncode not in (0, 2) or (result.returncode == 2 and not failures):
        raise RuntimeError(f"tsc exited {result.returncode}: {result.stdout}{result.stderr}")
    return {label: "\n".join(lines) for label, lines in failures.items()}


def _typescript_case(ts_type: str, payload: Any) -> str:
    without_strings = re.sub(r'"[^"]*"', "", ts_type)
    names = sorted(set(re.findall(r"\b[A-Z]\w*", without_strings)))
    return (
        f'import type {{ {", ".join(names)} }} from "aws-lambda";\n'
        "declare function is<T>(): <U extends T>(value: U) => U;\n"
        f"export const event = is<{ts_type}>()({json.dumps(payload, indent=2)});\n"
    )


def without(payload: Any, path: tuple[str | int, ...]) -> Any:
    """A deep copy of `payload` with the key at `path` removed."""
    copy = json.loads(json.dumps(payload))
    target = copy
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return copy


def removable_keys(payload: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """Top-level keys, and the keys of the first record when there is a record list."""
    paths: list[tuple[str | int, ...]] = [(key,) for key in payload]
    for key in ("Records", "records"):
        records = payload.get(key)
        if isinstance(records, list) and records and isinstance(records[0], dict):
            paths += [(key, 0, inner) for inner in records[0]]
    return paths
