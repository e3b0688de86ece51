"""Whole-process time of `lambda-new x --defaults` next to a plain `copier copy`.

Run: python benchmarks/generate.py [--runs N]. Prints the median and range of N runs
(default 7) for each command, each run in a fresh temporary directory. Both render
the same template files; `lambda-new` also validates, moves the repo into place
atomically and (unless --no-git) makes the first git commit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scaffold import history

BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Seconds one whole process of `command` takes (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(name: str, make_command: Callable[[Path], list[str]], runs: int) -> None:
    times = []
    for _ in range(runs):
        work = Path(tempfile.mkdtemp(prefix="lambda-new-bench-"))
        try:
            times.append(timed(make_command(work), work))
        finally:
            shutil.rmtree(work)
    print(
        f"{name:<44} median {statistics.median(times):6.3f} s   "
        f"(min {min(times):.3f}, max {max(times):.3f}, {runs} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    os.environ.setdefault("GIT_AUTHOR_NAME", "bench")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "bench@example.com")
    os.environ.setdefault("GIT_COMMITTER_NAME", "bench")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "bench@example.com")

    template = history.stage_template(Path(tempfile.mkdtemp(prefix="lambda-new-tpl-")) / "t")
    lambda_new = str(BIN / "lambda-new")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    measure("lambda-new x --defaults", lambda w: [lambda_new, "x", "--defaults"], runs)
    measure(
        "lambda-new x --defaults --no-git",
        lambda w: [lambda_new, "x", "--defaults", "--no-git"],
        runs,
    )
    measure(
        "copier copy --defaults (same template)",
        lambda w: (
            [
                str(BIN / "copier"),
                "copy",
                "--defaults",
                "--quiet",
                "--data",
                "function_name=x",
                str(template),
                str(w / "x"),
            ]
        ),
        runs,
    )
    measure("lambda-new --help", lambda w: [lambda_new, "--help"], runs)
    measure("lambda-new --version", lambda w: [lambda_new, "--version"], runs)
    shutil.rmtree(template.parent)


if __name__ == "__main__":
    main()
