"""Round-trip time of `lambda-new invoke`, next to AWS's official runtime clients.

Run: python benchmarks/invoke.py [--runs N]. Generates one repo per runtime (trigger
none) in a temporary directory and times N runs (default 15) of:

- `lambda-new invoke`: the whole command as a user runs it (CLI start, template.yaml,
  a fresh runtime process with lambda-new's client, init, the invocation, REPORT);
- `lambda-new invoke --official-client`: the same command with AWS's client
  (awslambdaric; aws-lambda-ric 3.x from tests/node-ric) against the same Runtime API;
- the execution environment alone (scaffold/sandbox.py: start, init, one invocation,
  stop), without the CLI, for both clients.

Prints medians and the ratio ours / official (the target: 1.0 or less). Both clients do
the same work: as on Lambda, whose /var/task is read-only, neither reads a __pycache__ of
the function's code (lambda-new's client compiles it from source at each init; the
official one gets PYTHONDONTWRITEBYTECODE=1 and a code root without caches). The Python repo
runs on this interpreter (its .venv is pointed here: awslambdaric must be installed in it,
as `pip install -e '.[test]'` does); without tests/node-ric installed the Node official
rows are skipped.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scaffold import invoker, project, sandbox

BIN = Path(sys.executable).parent
LAMBDA_NEW = shutil.which("lambda-new", path=str(BIN)) or "lambda-new"
NODE_RIC = Path(__file__).resolve().parent.parent / "tests" / "node-ric" / "node_modules"
NODE_CLIENT = NODE_RIC / "aws-lambda-ric-3" / "bin" / "index.mjs"


def timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm the OS caches once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


NO_CACHE = "PYTHONDONTWRITEBYTECODE=1"


def command(repo: Path, *extra: str) -> Callable[[], object]:
    official = "--official-client" in extra
    arguments = [LAMBDA_NEW, "invoke", *extra, *(["--env", NO_CACHE] if official else [])]

    def run() -> object:
        return subprocess.run(arguments, cwd=repo, capture_output=True, check=True)

    return run


def environment(repo: Path, official: bool) -> Callable[[], object]:
    plan = invoker.prepare(
        invoker.Request(path=repo, official=official, env=(NO_CACHE,) if official else ())
    )

    def run() -> object:
        spec = invoker.spec_of(plan, plan.function.code_root)
        env = sandbox.Environment(spec, sandbox.LogSink(io.BytesIO()))
        try:
            if env.start() is None:
                result = env.invoke(invoker.invocation(plan, plan.event))
                assert result.ok, result.payload
        finally:
            env.stop()
        return None

    return run


def make_repo(work: Path, runtime: str) -> Path:
    repo = project.create(
        project.NewProject(name=f"bench-{runtime}", output_dir=work, runtime=runtime, git=False)
    ).path
    if runtime == "python":  # this interpreter, which has awslambdaric
        for cache in sorted((repo / "src").rglob("__pycache__")):
            shutil.rmtree(cache)
        venv_python = repo / ".venv" / "bin" / "python"
        venv_python.parent.mkdir(parents=True)
        venv_python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        venv_python.chmod(0o755)
    elif NODE_CLIENT.is_file():  # as `npm install --save-dev aws-lambda-ric@3` would
        (repo / "node_modules" / ".bin").mkdir(parents=True)
        (repo / "node_modules" / ".bin" / "aws-lambda-ric").symlink_to(NODE_CLIENT)
    return repo


def line(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"  {label:44} median {median:6.0f} ms (min {min(times):.0f}, max {max(times):.0f})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lambda-new-bench-"))
    try:
        for runtime in ("python", "node", "typescript"):
            repo = make_repo(work, runtime)
            print(f"{runtime} ({args.runs} runs each):")
            if runtime == "typescript":  # its esbuild, from the lock; each invoke bundles
                subprocess.run(["make", "install"], cwd=repo, check=True, capture_output=True)
                line("lambda-new invoke (bundles first)", timed(command(repo), args.runs))
                continue
            ours = line("lambda-new invoke", timed(command(repo), args.runs))
            env_ours = line("environment only, lambda-new's client", timed(
                environment(repo, False), args.runs
            ))  # fmt: skip
            if runtime == "node" and not NODE_CLIENT.is_file():
                print("  (official client: npm ci --prefix tests/node-ric)")
                continue
            theirs = line(
                "lambda-new invoke --official-client",
                timed(command(repo, "--official-client"), args.runs),
            )
            env_theirs = line(
                "environment only, official client", timed(environment(repo, True), args.runs)
            )
            print(
                f"  ratio ours/official: whole command {ours / theirs:.2f}, "
                f"environment {env_ours / env_theirs:.2f}"
            )
            init = re.search(
                r"Init Duration: ([\d.]+)",
                subprocess.run(
                    [LAMBDA_NEW, "invoke"], cwd=repo, capture_output=True, text=True
                ).stderr,
            )
            print(f"  lambda-new client's Init Duration: {init[1] if init else '?'} ms")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
