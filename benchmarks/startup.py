"""Whole-process start-up time of lambda-new's commands, next to `import typer`.

Run: python benchmarks/startup.py [--runs N] [--source DIR ...]. Prints the median
and range of N runs (default 15) of each command, each run in a fresh temporary
directory, with no config file and no LAMBDA_NEW_* variables.

--source DIR runs lambda-new from DIR instead of this environment's install: a source
tree (e.g. `git archive` of an older commit, for a before/after table) or a folder a
wheel was installed into with `pip install --no-deps --target DIR` (the template in
`scaffold/_template/`, as users have it). DIR goes first on PYTHONPATH; the
dependencies stay this environment's. Given more than once, the sources take turns
run by run, so that a busy machine slows them alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import generate  # benchmarks/generate.py: the same whole-process timing

BIN = Path(sys.executable).parent
LAMBDA_NEW = str(BIN / "lambda-new")

# (label, arguments of lambda-new, run inside the generated repo)
COMMANDS = [
    ("lambda-new --help", ["--help"], False),
    ("lambda-new --version", ["--version"], False),
    ("lambda-new events list", ["events", "list"], False),
    ("lambda-new config show", ["config", "show"], False),
    ("lambda-new invoke (python repo)", ["invoke"], True),
    ("lambda-new update (repo up to date)", ["update"], True),
    ("lambda-new new x --defaults --no-git", ["new", "x", "--defaults", "--no-git"], False),
]
TYPER = "python -c 'import typer'"


def environment(source: Path | None, config_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDA_NEW_")}
    env["XDG_CONFIG_HOME"] = str(config_home)  # empty: no config file
    env.pop("PYTHONPATH", None)
    if source is not None:
        env["PYTHONPATH"] = str(source.resolve())
    return env


def timed(command: list[str], cwd: Path | None, env: dict[str, str]) -> float:
    """benchmarks/generate.py's timing, in `cwd` or else a fresh temporary folder."""
    work = Path(tempfile.mkdtemp(prefix="lambda-new-bench-"))
    try:
        return generate.timed(command, cwd or work, env)
    finally:
        shutil.rmtree(work)


def summary(times: list[float]) -> str:
    return (
        f"{statistics.median(times) * 1000:5.0f} ms "
        f"({min(times) * 1000:.0f}-{max(times) * 1000:.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--source", type=Path, action="append", default=[])
    args = parser.parse_args()
    sources: list[Path | None] = args.source or [None]

    scratch = Path(tempfile.mkdtemp(prefix="lambda-new-bench-home-"))
    try:
        envs = [environment(source, scratch / "config") for source in sources]
        repos = []
        for i, env in enumerate(envs):
            # A function repo for `invoke` (its sample event, lambda-new's own Python).
            subprocess.run(
                [LAMBDA_NEW, f"fn{i}", "--runtime", "python", "--defaults", "--no-git"],
                cwd=scratch,
                env=env,
                check=True,
                capture_output=True,
            )
            repos.append(scratch / f"fn{i}")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} runs each")
        for i, env in enumerate(envs):
            origin = subprocess.run(
                [sys.executable, "-c", "import scaffold; print(scaffold.__file__)"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            print(f"  [{i}] scaffold from {origin}")

        typer: list[float] = []
        times: dict[tuple[str, int], list[float]] = {}
        for _ in range(args.runs):
            typer.append(timed([sys.executable, "-c", "import typer"], None, envs[0]))
            for label, argv, in_repo in COMMANDS:
                for i, env in enumerate(envs):
                    cwd = repos[i] if in_repo else None
                    times.setdefault((label, i), []).append(timed([LAMBDA_NEW, *argv], cwd, env))

        print(f"{TYPER:<40} {summary(typer)}")
        for label, _argv, _in_repo in COMMANDS:
            cells = []
            for i in range(len(envs)):
                cell = f"[{i}] {summary(times[label, i])}"
                if label in ("lambda-new --help", "lambda-new --version"):
                    ratio = statistics.median(times[label, i]) / statistics.median(typer)
                    cell += f" = {ratio:.2f}x import typer"
                cells.append(f"{cell:<46}")
            print(f"{label:<40} {'  '.join(cells).rstrip()}")
    finally:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
