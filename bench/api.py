"""API benchmark: /api/daily_papers?date= and /api/papers/search under load, at 100k papers.

    .venv/bin/python bench/api.py [--papers 100000] [--duration 30] [--connections 64] [--keep DIR]

Reuses bench/feed.py: the same fresh SQLite corpus (bench/corpus.py through the real importer),
the same gunicorn server (``paperboy.wsgi:application``, 2 workers, DEBUG off) and the same load
generator (``wrk``, or a Python asyncio/httpx fallback). Loads, each for ``--duration`` seconds
over ``--connections`` connections: /health (the baseline), the busiest day's
``/api/daily_papers?date=`` (limit 50, HF's default), a trending page, one paper, and two
searches (keywords, and a sentence). Prints req/s, p50, p99 and errors per URL.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import feed as page_bench  # noqa: E402  (bench/feed.py)

page_bench.MARKER = "bench-api.json"

SEARCHES = {
    "search (keywords)": "diffusion transformer",
    "search (sentence)": "how to make language models reason step by step",
}


def pick_targets() -> dict[str, str]:
    from django.db.models import Count

    from paperboy.feed.models import DailyEntry

    day, n = (
        DailyEntry.objects.values("day")
        .annotate(n=Count("id"))
        .order_by("-n", "-day")
        .values_list("day", "n")
        .first()
    )
    top = DailyEntry.objects.filter(day=day).order_by("-upvotes_count", "pk").first().paper
    page_bench.log(f"Busiest day {day} ({n} papers); top paper {top.arxiv_id}")
    targets = {
        "trivial (/health)": "/health",
        "daily_papers?date=": f"/api/daily_papers?date={day.isoformat()}",
        "daily_papers trending": "/api/daily_papers?sort=trending&limit=50",
        "papers/<id>": f"/api/papers/{top.arxiv_id}",
    }
    for name, q in SEARCHES.items():
        targets[name] = f"/api/papers/search?q={quote(q)}&limit=20"
    return targets


def check(targets: dict[str, str]) -> dict[str, int]:
    """Status and SQL queries per URL, in-process, before the load."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    status = {}
    page_bench.log("")
    page_bench.log(f"{'URL':<64} {'status':>6} {'queries':>7} {'items':>5} {'ms':>7}")
    for name, url in targets.items():
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            ms = (time.perf_counter() - t0) * 1000
        items = ""
        if url.startswith("/api/") and response.status_code == 200:
            data = json.loads(response.content)
            items = str(len(data)) if isinstance(data, list) else "1"
        status[name] = response.status_code
        page_bench.log(
            f"{url[:64]:<64} {response.status_code:>6} {len(ctx.captured_queries):>7} "
            f"{items:>5} {ms:>7.1f}"
        )
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default=page_bench.DEFAULT_WORKER_CLASS)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--keep", default="", help="Keep (and reuse) the database in this DIR.")
    args = parser.parse_args(argv)

    if args.keep:
        data_dir = Path(args.keep).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="paperboy-bench-api-"))
    env = {k: v for k, v in os.environ.items() if k not in ("PAPERBOY_DEBUG", "DATABASE_URL")}
    env.update(
        PAPERBOY_DATA_DIR=str(data_dir),
        PAPERBOY_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PAPERBOY_DEMO="false",
        PAPERBOY_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="paperboy.settings",
    )
    for key in ("PAPERBOY_DEBUG", "DATABASE_URL"):
        os.environ.pop(key, None)
    os.environ.update(env)
    proc = None
    try:
        import django

        django.setup()
        page_bench.prepare(data_dir, args.papers, env)
        targets = pick_targets()
        status = check(targets)
        from django.db import connections

        connections.close_all()
        lua = data_dir / "bench-api.lua"
        lua.write_text(page_bench.WRK_LUA)
        port = page_bench.free_port()
        base = f"http://127.0.0.1:{port}"
        label = f"{args.worker_class}"
        page_bench.log("")
        page_bench.log(
            f"gunicorn {args.workers} workers ({label}, {args.threads} threads) on {base}; "
            f"{args.connections} connections x {args.duration} s per URL; "
            f"load average {os.getloadavg()[0]:.2f} (2 cores, shared)"
        )
        with open(data_dir / "gunicorn-api.log", "w") as logf:
            proc = page_bench.start_gunicorn(
                env, port, args.worker_class, args.workers, args.threads, logf
            )
            results = page_bench.load_all(targets, status, base, args, lua, label)
        page_bench.table(
            results,
            f"{args.papers:,} papers, gunicorn {args.workers} x {label}, "
            f"{args.connections} connections, {args.duration} s per URL, "
            f"load average after: {os.getloadavg()[0]:.2f}",
        )
        return 0
    finally:
        if proc is not None:
            page_bench.stop(proc)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
