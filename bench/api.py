"""API benchmark: /api/daily_papers?date= and /api/papers/search under load, at 100k papers.

    .venv/bin/python bench/api.py [--papers 100000] [--duration 30] [--connections 64] [--keep DIR]
        [--only health,search]

Reuses bench/feed.py: the same fresh SQLite corpus (bench/corpus.py through the real importer),
the same gunicorn server (``paperboy.wsgi:application``, 2 workers, DEBUG off) and the same load
generator (``wrk``, or a Python asyncio/httpx fallback). Search runs as it does in production:
the shipped embedding model (MiniLM int8 ONNX) with a vector for every paper (as in
bench/search_latency.py: a real MiniLM vector of a demo paper plus noise, since embedding 100k
abstracts would take hours here) and the word index (Tantivy) built. Loads, each for
``--duration`` seconds over ``--connections`` connections: /health (the baseline), the busiest
day's ``/api/daily_papers?date=`` (limit 50, HF's default), a trending page, one paper, and
three searches (limit 20):

- ``search (keywords)``: every request a different keyword query, none seen before by the
  server (the 100 keyword queries of queries-dev, then 2-3 words of a corpus paper's title);
- ``search (sentence)``: every request a different sentence (the 400 paraphrase and lay
  queries of queries-dev, then a sentence of a corpus paper's abstract, up to 16 words);
- ``search (repeats)``: the 500 queries of queries-dev over and over (popular queries: what
  the query-vector and response caches are for).

A query list is walked in order by every wrk thread from its own offset; the table says how
many requests each list got and how many distinct queries it holds (when requests exceed the
distinct queries, the rest were repeats). Prints req/s, p50, p99 and errors per URL.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import feed as page_bench  # noqa: E402  (bench/feed.py)

page_bench.MARKER = "bench-api.json"

DATA = Path(os.environ.get("PAPERBOY_BENCH_DATA", "/work/shared/data"))
DISTINCT = 3000  # queries per list: more than a 30 s run at the goal's rate asks for
QUERY_LIMIT = 20
WARM_SECONDS = 8  # warm-up per search row, on 200 queries of its own
SEARCH_LISTS = ("search (keywords)", "search (sentence)", "search (repeats)")
# Issue 18: req/s, p99 ms at 100k papers, 64 connections, 2 cores, 0 errors.
SEARCH_GOALS = {SEARCH_LISTS[0]: (60, 1000), SEARCH_LISTS[1]: (30, 1000)}


def search_queries(seed: int = 0) -> dict[str, list[str]]:
    """The three query lists (see the module docstring), deterministic for ``seed``."""
    import random
    import re

    from paperboy.papers.models import Paper

    labelled = [
        json.loads(line)
        for line in (DATA / "queries-dev" / "queries.jsonl").read_text().splitlines()
    ]
    keywords = [q["query"] for q in labelled if q["kind"] == "keyword"]
    sentences = [q["query"] for q in labelled if q["kind"] != "keyword"]
    rng = random.Random(seed)
    ids = list(Paper.objects.order_by("pk").values_list("pk", flat=True))
    picked = rng.sample(ids, min(len(ids), 2 * DISTINCT))
    rows = dict(Paper.objects.filter(pk__in=picked).values_list("pk", "title"))
    abstracts = dict(Paper.objects.filter(pk__in=picked).values_list("pk", "abstract"))
    seen_k, seen_s = set(keywords), set(sentences)
    for pk in picked:
        title = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9-]{3,}", rows[pk])]
        if len(title) >= 2 and len(keywords) < DISTINCT:
            n = rng.choice((2, 2, 3))
            at = rng.randrange(0, max(1, len(title) - n + 1))
            q = " ".join(title[at : at + n]).lower()
            if q not in seen_k:
                seen_k.add(q)
                keywords.append(q)
        parts = [x for x in re.split(r"(?<=[.!?])\s+", abstracts[pk] or "") if len(x) > 40]
        if parts and len(sentences) < DISTINCT:
            q = " ".join(rng.choice(parts).split()[:16]).rstrip(".,;:")
            if q not in seen_s:
                seen_s.add(q)
                sentences.append(q)
    repeats = [q["query"] for q in labelled]
    rng.shuffle(repeats)
    return {SEARCH_LISTS[0]: keywords, SEARCH_LISTS[1]: sentences, SEARCH_LISTS[2]: repeats}


def search_path(q: str) -> str:
    return f"/api/papers/search?q={quote(q)}&limit={QUERY_LIMIT}"


def pick_targets() -> tuple[dict[str, str], dict[str, list[str]]]:
    """One URL per page, and the searches' query lists (their first query as the URL)."""
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
    lists = search_queries()
    for name, queries in lists.items():
        targets[name] = search_path(queries[-1])  # a warm-up query (run_paths)
    return targets, lists


def prepare_search() -> None:
    """A vector for every paper from the shipped model (bench/search_latency.py's), and the
    word index: what a 100k-paper site has once its background jobs have run."""
    import search_latency  # bench/search_latency.py

    from paperboy.papers.signals import papers_imported
    from paperboy.search import engine, wordindex

    papers_imported.disconnect(dispatch_uid="search.papers_imported")
    t0 = time.perf_counter()
    written = search_latency.write_vectors()
    synced = wordindex.sync()
    page_bench.log(
        f"search: {written:,} vectors written, word index {synced or 0:,} papers written "
        f"({time.perf_counter() - t0:.1f} s); mode {engine.current_mode()}"
    )
    if engine.current_mode() != "hybrid":
        raise RuntimeError(f"search is {engine.current_mode()}, not hybrid")


SEARCH_LUA = r"""
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  i = 0
end
function request()
  local k = (tid + i * THREADS) % #paths + 1
  i = i + 1
  return wrk.format("GET", paths[k])
end
"""


def search_lua(paths: list[str], threads: int) -> str:
    """wrk script: thread t sends paths t, t + threads, t + 2 * threads, … (no repeats until
    the list is used up), plus bench/feed.py's summary line."""
    table = ",\n".join(json.dumps(p) for p in paths)  # JSON strings are valid Lua strings here
    return f"paths = {{\n{table}\n}}\nTHREADS = {threads}\n" + SEARCH_LUA + page_bench.WRK_LUA


def run_paths(base: str, paths: list[str], args, data_dir: Path, name: str, master: int):
    """Load ``paths`` in turn (wrk, else httpx), after a warm-up on other queries.
    Returns the result, the distinct paths and the server's CPU ms per request."""
    import shutil as _shutil

    warm, paths = paths[-200:], paths[:-200] if len(paths) > 400 else paths
    if _shutil.which("wrk"):
        script = data_dir / f"bench-api-{name.split()[1].strip('()')}.lua"
        warm_script = script.with_suffix(".warm.lua")
        warm_script.write_text(search_lua(warm, args.wrk_threads))
        script.write_text(search_lua(paths, args.wrk_threads))
        url = base + paths[0]
        # Long enough for both workers to load the model and the vector index (~3-5 s of CPU
        # each at 100k papers), which would otherwise land in the first row's figures.
        page_bench.run_wrk(
            url, WARM_SECONDS, min(args.connections, 8), args.wrk_threads, warm_script, {}
        )
        page_bench.drain(base)
        cpu0 = page_bench.server_cpu(master)
        r = page_bench.run_wrk(url, args.duration, args.connections, args.wrk_threads, script, {})
    else:
        cpu0 = page_bench.server_cpu(master)
        r = page_bench.run_httpx(base, args.duration, args.connections, {}, paths=paths)
    page_bench.drain(base)  # the backlog's CPU belongs to this run too
    requests = max(1.0, r.rps * args.duration)
    return r, len(paths), (page_bench.server_cpu(master) - cpu0) * 1000 / requests


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
    parser.add_argument(
        "--only", help="comma-separated first words of the rows to load (e.g. trivial,search)"
    )
    args = parser.parse_args(argv)

    data_dir, env = page_bench.site_env(args.keep, "api")
    proc = None
    try:
        import django

        django.setup()
        page_bench.prepare(data_dir, args.papers, env)
        prepare_search()
        targets, lists = pick_targets()
        if args.only:
            wanted = {w.strip() for w in args.only.split(",")} | {"trivial"}
            targets = {k: v for k, v in targets.items() if k.split()[0] in wanted}
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
        pages = {k: v for k, v in targets.items() if k not in lists}
        with open(data_dir / "gunicorn-api.log", "w") as logf:
            proc = page_bench.start_gunicorn(
                env, port, args.worker_class, args.workers, args.threads, logf
            )
            results = page_bench.load_all(pages, status, base, args, lua, label)
            for name in (k for k in targets if k in lists):
                if status.get(name) != 200:
                    page_bench.log(f"  skip {name}: answers HTTP {status.get(name)} in-process")
                    continue
                page_bench.drain(base)
                r, distinct, cpu_ms = run_paths(
                    base, [search_path(q) for q in lists[name]], args, data_dir, name, proc.pid
                )
                r.name, r.url = name, f"/api/papers/search ({distinct:,} queries)"
                sent = round(r.rps * args.duration)
                results.append(r)
                page_bench.log(
                    f"  [{label}] {name:<20} {r.rps:8.0f} req/s  p50 {r.p50_ms:6.1f} ms  "
                    f"p99 {r.p99_ms:6.1f} ms  errors {r.errors} ({r.error_detail}); "
                    f"~{sent:,} requests over {distinct:,} distinct queries; "
                    f"server CPU {cpu_ms:.1f} ms a request"
                )
        page_bench.table(
            results,
            f"{args.papers:,} papers, gunicorn {args.workers} x {label}, "
            f"{args.connections} connections, {args.duration} s per URL, "
            f"load average after: {os.getloadavg()[0]:.2f}",
        )
        for r in results:
            if r.name in SEARCH_GOALS:
                rps, p99 = SEARCH_GOALS[r.name]
                ok = r.rps >= rps and r.p99_ms <= p99 and r.errors == 0
                page_bench.log(
                    f"{r.name}: {r.rps:.0f} req/s, p99 {r.p99_ms:.0f} ms, {r.errors} errors; "
                    f"goal >= {rps} req/s, p99 <= {p99} ms, 0 errors: {'PASS' if ok else 'FAIL'}"
                )
        return 0
    finally:
        if proc is not None:
            page_bench.stop(proc)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
