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
import subprocess
import sys
import tempfile
from pathlib import Path

from generate import measure  # benchmarks/generate.py: the same timing and output

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

        def fresh_copy(work: Path) -> str:  # made before the clock starts
            shutil.copytree(base / "fn", work / "fn", symlinks=True)
            return str(work / "fn")

        lambda_new, copier = str(BIN / "lambda-new"), str(BIN / "copier")
        measure(
            "lambda-new update (1.0.0 -> 2.0.0)",
            lambda work: [lambda_new, "update", fresh_copy(work)],
            runs,
        )
        plain = [copier, "update", "--defaults", "--quiet", "--vcs-ref", "2.0.0"]
        measure("copier update --defaults (the same)", lambda w: [*plain, fresh_copy(w)], runs)
    finally:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
