"""Where one search spends its time: per-phase timings of single ``search()`` calls, in-process.

    nice -n 19 .venv/bin/python bench/search_phases.py --data-dir /work/bench-data/lat100k-sqlite
    nice -n 19 .venv/bin/python bench/search_phases.py --db postgres --data-dir DIR [--queries 50]

Uses a data dir built by ``bench/search_latency.py`` (nothing is built here). Each query runs
through the real ``engine.search()`` with the query-vector cache cleared (a first-time query);
the engine's phases are timed by wrapping the module functions it calls:

- ``embed``: the query's vector (the ONNX model call);
- ``lexical``: typo correction + the full-text candidates (``engine._lexical``);
- ``dense``: nearest vectors (``vectors.nearest``);
- ``texts``: titles/abstracts of the best lexical hits (confidence, exact-title pins);
- ``fuzzy``: close titles when the lexical side found little;
- ``fusion``: ``fusion.fuse``;
- ``filter``: visibility/filters/sort over the fused ids (``engine._apply_filters``);
- ``hydrate``: the page of papers for the cards.

Prints p50/p95/max per phase and for the whole call: wall time, and CPU time (per phase the
CPU of the thread that ran it: the query embedding runs in its own thread, overlapping the
lexical phase, on one ONNX thread; for the whole call, the process's CPU; PostgreSQL's own work
is in neither), and the load average: on a busy machine (or under ``nice``) wall times stretch,
CPU times much less. With the overlap, "other" (the total minus the phases) can be negative.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_latency  # noqa: E402  (bench/search_latency.py: setup, DATA)

PHASES = ("embed", "lexical", "dense", "texts", "fuzzy", "fusion", "filter", "hydrate")


def instrument(current: dict[str, float]) -> None:
    """Wrap the engine's phase functions so that each call adds its time to ``current``."""
    from paperboy.papers.models import PaperQuerySet
    from paperboy.search import engine, fusion, lexical, vectors

    def timed(phase, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                current[phase] += (time.perf_counter() - started) * 1000
                current[phase + ":cpu"] += (time.thread_time() - cpu) * 1000

        return wrapper

    engine.query_vector = timed("embed", engine.query_vector)
    engine._lexical = timed("lexical", engine._lexical)
    vectors.nearest = timed("dense", vectors.nearest)
    engine._Rows.read = timed("texts", engine._Rows.read)
    lexical.fuzzy_titles = timed("fuzzy", lexical.fuzzy_titles)
    fusion.fuse = timed("fusion", fusion.fuse)
    engine._apply_filters = timed("filter", engine._apply_filters)
    PaperQuerySet.in_bulk = timed("hydrate", PaperQuerySet.in_bulk)


def summary(samples: list[float]) -> str:
    qs = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else []
    p50, p95 = (qs[49], qs[94]) if qs else (samples[0], samples[0])
    return f"p50 {p50:7.1f}  p95 {p95:7.1f}  max {max(samples):7.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--cached", action="store_true", help="keep the query-vector cache")
    args = parser.parse_args()
    server = search_latency.setup(args.db, Path(args.data_dir).resolve())
    try:
        from paperboy.search import engine

        current: dict[str, float] = defaultdict(float)
        instrument(current)
        lines = (search_latency.DATA / "queries-dev" / "queries.jsonl").read_text().splitlines()
        queries = [json.loads(line)["query"] for line in lines][: args.queries]
        started = time.perf_counter()
        for q in queries[:5]:  # warm up: the model, the vector index, caches
            engine.search(q, limit=20)
        warm = time.perf_counter() - started
        print(f"warm-up (5 queries, loads the model and index) {warm:.1f} s")
        per_phase: dict[str, list[float]] = defaultdict(list)
        totals, cpu_totals = [], []
        load = os.getloadavg()[0]
        for q in queries:
            if not args.cached:
                engine._query_vector.cache_clear()
            current.clear()
            t0, cpu = time.perf_counter(), time.process_time()
            results = engine.search(q, limit=20)
            totals.append((time.perf_counter() - t0) * 1000)
            cpu_totals.append((time.process_time() - cpu) * 1000)
            assert results.mode == "hybrid", results.mode
            for phase in PHASES:
                per_phase[phase].append(current.get(phase, 0.0))
                per_phase[phase + ":cpu"].append(current.get(phase + ":cpu", 0.0))
        after = os.getloadavg()[0]
        print(f"{args.db} {args.data_dir}: {len(queries)} queries, load {load:.1f}→{after:.1f}")
        print(f"  {'ms':<8} {'wall':<38} CPU")
        for phase in PHASES:
            cpu = summary(per_phase[phase + ":cpu"])
            print(f"  {phase:<8} {summary(per_phase[phase])}   {cpu}")
        other = [t - sum(per_phase[p][i] for p in PHASES) for i, t in enumerate(totals)]
        other_cpu = [
            t - sum(per_phase[p + ":cpu"][i] for p in PHASES) for i, t in enumerate(cpu_totals)
        ]
        print(f"  {'other':<8} {summary(other)}   {summary(other_cpu)}")
        print(f"  {'TOTAL':<8} {summary(totals)}   {summary(cpu_totals)}")
    finally:
        if server is not None:
            from django.db import connections

            connections.close_all()
            server.cleanup() if hasattr(server, "cleanup") else None
    return 0


if __name__ == "__main__":
    sys.exit(main())
