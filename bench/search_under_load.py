"""Search under batch load: does a bulk embedding starve the web? (issue 14.9)

    .venv/bin/python bench/search_under_load.py [--duration 30] [--connections 64] [--papers 3000]

1. A fresh data directory: the demo corpus (with its vectors) to search, then ``--papers`` more
   papers through ``paperboy import papers``, which queues their embedding tasks (the bulk
   embedding that loads the machine).
2. gunicorn as ``paperboy up`` runs it (2 gthread workers × 4 threads), list caches off.
3. ``/papers/search?q=transformer`` over ``--connections`` connections for ``--duration`` s
   (closed-loop httpx clients as in bench/feed.py, no request cut off): idle; with the batch
   worker as ``paperboy up`` runs it (``run_worker --nice 10 --threads 1``); with a worker as
   it ran before (no nice, ONNX Runtime on every core: ``--nice 0 --threads 0``).
4. Prints p50/p99/req/s per run, the CPU the worker still got (batch work goes on, slower),
   and PASS when the loaded p99 is within 2x of idle.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from feed import Result, free_port, start_gunicorn, stop  # noqa: E402

GOAL_RATIO = 2.0
DEMO = ROOT / "paperboy" / "demo" / "papers.jsonl.gz"


def cli(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "paperboy.cli", *args], env=env, cwd=ROOT, check=True)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(url: str, duration: int, connections: int) -> Result:
    """bench/feed.py's closed-loop clients, with a timeout long enough that no request of a
    slow run is cut off (a cut-off request would cap the p99)."""
    import httpx

    async def main() -> tuple[list[float], int, float]:
        latencies: list[float] = []
        errors = 0
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(limits=limits, timeout=300) as client:
            end = time.perf_counter() + duration

            async def one() -> None:
                nonlocal errors
                while time.perf_counter() < end:
                    t0 = time.perf_counter()
                    try:
                        r = await client.get(url)
                        errors += r.status_code >= 400
                    except httpx.HTTPError:
                        errors += 1
                    latencies.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(connections)))
            return latencies, errors, time.perf_counter() - t0

    latencies, errors, elapsed = asyncio.run(main())
    latencies.sort()
    pct = lambda q: latencies[min(int(q * len(latencies)), len(latencies) - 1)] * 1000  # noqa: E731
    return Result("", url, len(latencies) / elapsed, pct(0.5), pct(0.99), errors, "httpx")


def queue_embeddings(env: dict, tmp: Path, papers: int) -> None:
    """``papers`` demo records under new ids: imported without vectors, so each is embedded."""
    path = tmp / "more.jsonl"
    with gzip.open(DEMO, "rt") as demo, path.open("w") as out:
        lines = demo.readlines()
        for n in range(papers):
            record = json.loads(lines[n % len(lines)])
            record["id"] = f"2912.{n:05d}"
            out.write(json.dumps(record) + "\n")
    cli(env, "import", "papers", str(path))


def measure(url: str, args, label: str, worker: list[str] | None, env: dict):
    proc = None
    if worker:
        proc = subprocess.Popen(
            [sys.executable, "-m", "paperboy.cli", "manage", "run_worker", "--no-startup-delay",
             "--queue-name", "default", *worker],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        time.sleep(10)  # the model loaded, embedding under way
    cpu0, t0 = (cpu_seconds(proc.pid) if proc else 0.0), time.monotonic()
    result = load(url, args.duration, args.connections)
    share = ((cpu_seconds(proc.pid) if proc else 0.0) - cpu0) / (time.monotonic() - t0)
    stop(proc)
    print(
        f"{label:<44} p50 {result.p50_ms:7.0f} ms  p99 {result.p99_ms:7.0f} ms  "
        f"{result.rps:6.1f} req/s  errors {result.errors}  worker used {share:4.2f} cores",
        flush=True,
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--papers", type=int, default=3000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="pb-load-"))
    data_dir = tmp / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERBOY_", "DATABASE_URL"))}
    env |= {"PAPERBOY_DATA_DIR": str(data_dir), "PAPERBOY_LIST_CACHE_SECONDS": "0"}
    env |= {"PAPERBOY_LOG_LEVEL": "WARNING"}
    web = None
    try:
        cli(env, "manage", "migrate", "--verbosity", "0")
        cli(env, "manage", "collectstatic", "--noinput", "--verbosity", "0")
        cli(env, "manage", "seed_demo")
        queue_embeddings(env, tmp, args.papers)
        port = free_port()
        with (tmp / "gunicorn.log").open("w") as log:
            web = start_gunicorn(env, port, "gthread", workers=2, threads=4, logf=log)
        url = f"http://127.0.0.1:{port}/papers/search?q=transformer"
        load(url, 5, 8)  # warm up: the query model loaded in both web workers
        print(f"{args.connections} connections, {args.duration} s each, {os.cpu_count()} cores")
        idle = measure(url, args, "idle", None, env)
        now = measure(url, args, "bulk embedding, worker --nice 10 --threads 1", [], env)
        before = ["--nice", "0", "--threads", "0"]  # as the worker ran before issue 14.9
        label = "bulk embedding, worker --nice 0 --threads 0"
        old = measure(url, args, label, before, env)
    finally:
        stop(web)
        shutil.rmtree(tmp, ignore_errors=True)
    ratio = now.p99_ms / idle.p99_ms
    was = old.p99_ms / idle.p99_ms
    print(f"p99 with the batch worker / idle: {ratio:.2f} (with the worker as before: {was:.2f})")
    ok = ratio <= GOAL_RATIO
    print(f"{'PASS' if ok else 'FAIL'}: loaded p99 within {GOAL_RATIO:g}x of idle")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
