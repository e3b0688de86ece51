"""Latency and throughput of `lambda-new serve`: warm requests through the whole front door.

Run: python benchmarks/serve.py [--requests N]. Generates an HTTP API repo per runtime
(Python, Node.js) in a temporary directory, starts `lambda-new serve --no-watch
--concurrency 8` in it, and sends N requests (default 1,000) to GET /hello from a Python
client with keep-alive connections, at concurrency 1 and 8 (after 50 warm-up requests,
so every environment has done its init). Prints p50/p99 client latency, requests per
second, the handler's own time (REPORT Duration, median) and the added latency: the
median client latency minus that. With `wrk` on PATH (Debian: apt install wrk), the same
is measured with it too (a C client: less of the 2 cores spent on the load itself).
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scaffold import project

BIN = Path(sys.executable).parent
LAMBDA_NEW = shutil.which("lambda-new", path=str(BIN)) or "lambda-new"


def load(port: int, requests: int, concurrency: int) -> tuple[list[float], float]:
    """Per-request latencies (ms) and the wall time (s) of `requests` at `concurrency`."""
    share = [requests // concurrency] * concurrency
    share[0] += requests - sum(share)

    def worker(count: int) -> list[float]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        times = []
        for _ in range(count):
            start = time.perf_counter()
            connection.request("GET", "/hello?name=bench")
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            times.append((time.perf_counter() - start) * 1000)
        connection.close()
        return times

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(worker, share))
    return [t for part in results for t in part], time.perf_counter() - start


def handler_time(log: list[str], since: int) -> float:
    """The median REPORT Duration of the requests logged after line `since`."""
    time.sleep(0.2)
    durations = [
        float(m[1])
        for line in log[since:]
        if (m := re.search(r"^REPORT .*?\tDuration: ([\d.]+) ms", line))
    ]
    return statistics.median(durations) if durations else float("nan")


def wrk(port: int, concurrency: int) -> tuple[float, float, float]:
    """p50 and p99 (ms) and requests per second, as wrk measures them."""
    output = subprocess.run(
        ["wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}", "-d2s", "--latency",
         f"http://127.0.0.1:{port}/hello?name=bench"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def ms(label: str) -> float:
        value = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output)
        assert value, output
        return float(value[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[value[2]]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return ms("50%"), ms("99%"), float(rate[1]) if rate else float("nan")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lambda-new-bench-serve-"))
    try:
        for runtime in ("python", "node"):
            repo = project.create(
                project.NewProject(
                    name=f"serve-{runtime}",
                    output_dir=work,
                    runtime=runtime,
                    trigger="http-api",
                    git=False,
                )
            ).path
            process = subprocess.Popen(
                [LAMBDA_NEW, "serve", "--port", "0", "--no-watch", "--concurrency", "8"],
                cwd=repo,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert process.stderr is not None
            port = int(re.search(r":(\d+) ", process.stderr.readline())[1])  # type: ignore[index]
            log: list[str] = []
            reader = threading.Thread(target=log.extend, args=(process.stderr,), daemon=True)
            reader.start()
            try:
                load(port, 50, 8)  # warm-up: every environment inits
                print(f"{runtime} (HTTP API, {args.requests} requests each):")
                for concurrency in (1, 8):
                    before = len(log)
                    latencies, wall = load(port, args.requests, concurrency)
                    handler = handler_time(log, before)
                    median = statistics.median(latencies)
                    print(
                        f"  concurrency {concurrency}: p50 {median:.2f} ms, "
                        f"p99 {percentile(latencies, 0.99):.2f} ms, "
                        f"{args.requests / wall:,.0f} req/s; handler (REPORT Duration) "
                        f"{handler:.2f} ms; added {median - handler:.2f} ms"
                    )
                    if shutil.which("wrk"):
                        before = len(log)
                        p50, p99, rate = wrk(port, concurrency)
                        handler = handler_time(log, before)
                        print(
                            f"    wrk, 2 s: p50 {p50:.2f} ms, p99 {p99:.2f} ms, {rate:,.0f} req/s; "
                            f"handler {handler:.2f} ms; added {p50 - handler:.2f} ms"
                        )
            finally:
                process.send_signal(signal.SIGINT)
                process.wait(15)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
