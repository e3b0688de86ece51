"""Whole-process time of `lambda-new update` next to a plain `copier update`.

Run: python benchmarks/update.py [--runs N]. A team template (this repo's template
in a git repo) is tagged 1.0.0 and 2.0.0 (2.0.0 adds a file and changes the
Makefile); a repo made at 1.0.0 is copied afresh for each run and updated to
2.0.0. Prints the median and range of N runs (default 5). lambda-new does more
than copier: it renders the target alone and checks it, merges in a scratch clone
and writes the result into the repo in one undoable step.
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
from pathlib import Path

from scaffold import history

BIN = Path(sys.executable).parent


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def team_template(folder: Path) -> Path:
    template = history.stage_template(folder)
    git(template, "init", "--quiet")
    for tag in ("1.0.0", "2.0.0"):
        if tag == "2.0.0":
            (template / "templates/CODEOWNERS").write_text("* @payments\n")
            makefile = template / "templates/Makefile.jinja"
            makefile.write_text(makefile.read_text() + "\n# 2.0.0\n")
        git(template, "add", "--all")
        git(template, "commit", "--quiet", "--message", tag)
        git(template, "tag", tag)
    return template


def measure(name: str, command: list[str], original: Path, runs: int) -> None:
    times = []
    for _ in range(runs):
        work = Path(tempfile.mkdtemp(prefix="lambda-new-bench-"))
        try:
            repo = work / "fn"
            shutil.copytree(original, repo, symlinks=True)
            start = time.perf_counter()
            subprocess.run(command, cwd=repo, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        finally:
            shutil.rmtree(work)
    print(
        f"{name:<44} median {statistics.median(times):6.3f} s   "
        f"(min {min(times):.3f}, max {max(times):.3f}, {runs} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    for key in ("GIT_AUTHOR", "GIT_COMMITTER"):
        os.environ.setdefault(f"{key}_NAME", "bench")
        os.environ.setdefault(f"{key}_EMAIL", "bench@example.com")
    base = Path(tempfile.mkdtemp(prefix="lambda-new-bench-base-"))
    try:
        template = team_template(base / "template")
        make = ["fn", "--template", str(template), "--vcs-ref", "1.0.0", "--defaults"]
        subprocess.run(
            [str(BIN / "lambda-new"), *make],
            cwd=base,
            check=True,
            capture_output=True,
        )
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
        measure(
            "lambda-new update (1.0.0 -> 2.0.0)",
            [str(BIN / "lambda-new"), "update"],
            base / "fn",
            runs,
        )
        measure(
            "copier update --defaults (the same)",
            [str(BIN / "copier"), "update", "--defaults", "--quiet", "--vcs-ref", "2.0.0"],
            base / "fn",
            runs,
        )
    finally:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
