"""Round-trip time of `lambda-new invoke`, per runtime: the whole command, as a user runs it.

Run: python benchmarks/invoke.py [--runs N]. Generates one repo per runtime (trigger
none) in a temporary directory, then times N runs (default 15) of `lambda-new invoke`
with the repo's sample event: CLI start, reading template.yaml, a fresh child process of
the runtime, init, the invocation and the REPORT line. Prints the median and range, and
the child's own Init Duration as the REPORT line gives it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scaffold import project

BIN = Path(sys.executable).parent
LAMBDA_NEW = shutil.which("lambda-new", path=str(BIN)) or "lambda-new"


def measure(repo: Path, runs: int) -> tuple[list[float], list[float]]:
    totals, inits = [], []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(
            [LAMBDA_NEW, "invoke"], cwd=repo, capture_output=True, text=True, check=True
        )
        totals.append((time.perf_counter() - start) * 1000)
        init = re.search(r"Init Duration: ([\d.]+) ms", result.stderr)
        inits.append(float(init[1]) if init else float("nan"))
    return totals, inits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lambda-new-bench-"))
    try:
        for runtime in ("python", "node", "typescript"):
            created = project.create(
                project.NewProject(
                    name=f"bench-{runtime}", output_dir=work, runtime=runtime, git=False
                )
            )
            if runtime == "typescript":  # its esbuild, from the lock; each invoke bundles
                subprocess.run(["make", "install"], cwd=created.path, check=True)
            measure(created.path, 1)  # warm the OS caches once
            totals, inits = measure(created.path, args.runs)
            print(
                f"{runtime:10} lambda-new invoke: median {statistics.median(totals):6.0f} ms "
                f"(min {min(totals):.0f}, max {max(totals):.0f}, {args.runs} runs); "
                f"child init median {statistics.median(inits):.0f} ms"
            )
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
