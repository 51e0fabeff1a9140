"""A deterministic benchmark corpus of any size, streamed from the real arXiv sample.

    .venv/bin/python bench/corpus.py --papers 100000 --data-dir /tmp/pb-100k   # build a database

Shared by the benchmarks: ``generate(n)`` yields ``CorpusPaper`` items (a ``PaperRecord`` plus
where it sits on the daily list, its upvotes and organization); ``load(n)`` writes them into the
configured database through ``paperboy.ingest.importer.import_records`` and bulk-creates the
daily entries. Both run in constant memory with respect to ``n`` (1M works the same as 100k).

What the corpus is
------------------
- The first papers are the real ones of ``/work/shared/data/arxiv-cs.jsonl.gz`` (71,728), with
  their real ids, titles, abstracts, authors, categories and arXiv dates, in file order.
- Beyond that, the file is replayed: every further paper derives from a real "seed" paper (same
  title and primary category; ``CorpusPaper.seed_id`` names it, e.g. to reuse its vector plus
  noise) with an abstract of 5-9 sentences sampled from abstracts of the same primary category,
  the seed's number of authors drawn from the real author pool (Zipf: frequent authors are
  drawn more often), and its arXiv date = the day it entered the daily list.
- Synthetic ids live in a reserved range that real arXiv will not reach for years:
  ``YYMM.NNNNN`` from ``3001.00001`` (January 2030) on, 99,999 per month, month after month
  (``3001.00001`` ... ``3001.99999``, ``3002.00001`` ...; 1M papers end in ``3010``). They are
  valid new-style ids, so every page and parser accepts them. ``is_synthetic_id()`` tells them.
- The daily list: every paper gets a ``DailyEntry`` on a weekday; each weekday holds 700-1,000
  papers and the last day is ``end`` (today by default), so 100k papers span ~120 weekdays and
  1M ~1,180. Papers fill the days oldest first, in corpus order.
- Upvotes are heavy-tailed (Pareto, most papers 0-3, ~1% above 100, capped at 5,000).
  ~30% of entries are tagged with one of ``ORGANIZATIONS`` (Zipf-weighted).

Everything but the calendar is a pure function of ``seed``; the calendar also depends on ``end``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paperboy.ingest.records import PaperRecord  # noqa: E402

SOURCE = Path(os.environ.get("PAPERBOY_BENCH_SOURCE", "/work/shared/data/arxiv-cs.jsonl.gz"))

SYNTHETIC_FIRST_YEAR = 30  # 2030: ids 3001.00001 onwards
SYNTHETIC_PER_MONTH = 99_999
DAY_MIN, DAY_MAX = 700, 1000
ORG_SHARE = 0.30
UPVOTES_CAP = 5000
# Sentences kept per primary category for synthetic abstracts (bounds memory for any n).
SENTENCES_PER_CATEGORY = 30_000
AUTHOR_POOL_MAX = 200_000

ORGANIZATIONS = [
    ("deepmind", "Google DeepMind"),
    ("meta-ai", "Meta AI"),
    ("openai", "OpenAI"),
    ("msr", "Microsoft Research"),
    ("allenai", "Allen Institute for AI"),
    ("nvidia", "NVIDIA"),
    ("mila", "Mila"),
    ("stanford-nlp", "Stanford NLP"),
    ("tsinghua-keg", "Tsinghua KEG"),
    ("eth-zurich", "ETH Zürich"),
    ("hf-community", "Hugging Face Community"),
    ("kaist-ai", "KAIST AI"),
]


def synthetic_id(k: int) -> str:
    """The k-th (0-based) synthetic arXiv id: 3001.00001, 3001.00002, …, 3002.00001, …"""
    month_index, num = divmod(k, SYNTHETIC_PER_MONTH)
    year = SYNTHETIC_FIRST_YEAR + month_index // 12
    if year > 99:
        raise ValueError("synthetic id range exhausted")
    return f"{year:02d}{month_index % 12 + 1:02d}.{num + 1:05d}"


def is_synthetic_id(arxiv_id: str) -> bool:
    head = arxiv_id.split(".", 1)[0]
    return len(head) == 4 and head.isdigit() and int(head[:2]) >= SYNTHETIC_FIRST_YEAR


@dataclass
class CorpusPaper:
    record: PaperRecord
    seed_id: str  # the real paper this one is (or derives from)
    synthetic: bool
    day: date  # the day it entered the daily list
    submitted_at: datetime
    upvotes: int
    organization: str = ""  # an ORGANIZATIONS slug, or ""


def day_plan(n: int, *, end: date | None = None, seed: int = 0) -> list[tuple[date, int]]:
    """Weekdays ending at ``end`` (or the last weekday before it), oldest first, with how many
    papers each holds: 700-1,000 each, the oldest day takes the remainder. Sums to ``n``."""
    rng = random.Random(f"days-{seed}")
    day = end or datetime.now(UTC).date()
    plan: list[tuple[date, int]] = []
    left = n
    while left > 0:
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        count = min(rng.randint(DAY_MIN, DAY_MAX), left)
        plan.append((day, count))
        left -= count
        day -= timedelta(days=1)
    plan.reverse()
    return plan


def _read_source(source: Path) -> Iterator[dict]:
    with gzip.open(source, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\\$])")


def _sentences(abstract: str) -> list[str]:
    text = " ".join(abstract.split())
    return [s for s in _SENTENCE_END.split(text) if len(s) > 20]


@dataclass
class _Pools:
    """Per-category sentence reservoirs and the author pool, most frequent author first."""

    sentences: dict[str, list[str]] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, source: Path, seed: int) -> _Pools:
        rng = random.Random(f"pools-{seed}")
        pools = cls()
        seen: dict[str, int] = {}
        counts: Counter[str] = Counter()
        for row in _read_source(source):
            cat = (row.get("categories") or ["cs.XX"])[0]
            bucket = pools.sentences.setdefault(cat, [])
            for s in _sentences(row.get("abstract") or ""):
                k = seen.get(cat, 0)
                seen[cat] = k + 1
                if len(bucket) < SENTENCES_PER_CATEGORY:
                    bucket.append(s)
                else:  # reservoir sampling keeps a uniform sample in bounded memory
                    j = rng.randrange(k + 1)
                    if j < SENTENCES_PER_CATEGORY:
                        bucket[j] = s
            counts.update(row.get("authors") or [])
        pools.authors = [a for a, _ in counts.most_common(AUTHOR_POOL_MAX)]
        return pools

    def zipf_author(self, rng: random.Random) -> str:
        # Log-uniform rank: P(rank r) ∝ 1/r (Zipf, s = 1).
        rank = int(math.exp(rng.random() * math.log(len(self.authors)))) - 1
        return self.authors[min(rank, len(self.authors) - 1)]


def _upvotes(rng: random.Random) -> int:
    return min(int(3 * (rng.paretovariate(1.3) - 1)), UPVOTES_CAP)


_ORG_WEIGHTS = [1 / (i + 1) for i in range(len(ORGANIZATIONS))]


def _organization(rng: random.Random) -> str:
    if rng.random() >= ORG_SHARE:
        return ""
    return rng.choices(ORGANIZATIONS, weights=_ORG_WEIGHTS)[0][0]


def _parse_day(value: str | None) -> datetime:
    d = date.fromisoformat(value) if value else date(2026, 1, 1)
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _texts(n: int, *, seed: int, source: Path) -> Iterator[tuple[PaperRecord, str, bool]]:
    """(record, seed id, synthetic?) for n papers: the real ones, then replays."""
    produced = 0
    for row in _read_source(source):
        if produced >= n:
            return
        record = PaperRecord(
            arxiv_id=row["id"],
            title=row["title"],
            abstract=row["abstract"],
            authors=list(row.get("authors") or []),
            categories=list(row.get("categories") or []),
            comment=row.get("comment") or "",
            published_at=_parse_day(row.get("announced")),
        )
        yield record, row["id"], False
        produced += 1
    if produced >= n or produced == 0:
        return
    pools = _Pools.build(source, seed)
    rng = random.Random(f"text-{seed}")
    k = 0
    while produced < n:
        for row in _read_source(source):
            if produced >= n:
                return
            cats = list(row.get("categories") or ["cs.XX"])
            bucket = pools.sentences.get(cats[0]) or [row["title"] + "."]
            abstract = " ".join(rng.choice(bucket) for _ in range(rng.randint(5, 9)))
            n_authors = max(1, min(len(row.get("authors") or []), 30))
            authors = list(dict.fromkeys(pools.zipf_author(rng) for _ in range(n_authors)))
            record = PaperRecord(
                arxiv_id=synthetic_id(k),
                title=row["title"],
                abstract=abstract,
                authors=authors,
                categories=cats,
                comment=row.get("comment") or "",
                published_at=_parse_day(None),  # replaced by the list day in generate()
            )
            yield record, row["id"], True
            k += 1
            produced += 1


def generate(
    n: int, *, seed: int = 0, end: date | None = None, source: Path = SOURCE
) -> Iterator[CorpusPaper]:
    """Stream n corpus papers, oldest daily-list day first. Constant memory in n."""
    plan = day_plan(n, end=end, seed=seed)
    now = datetime.now(UTC)
    rng = random.Random(f"feed-{seed}")
    texts = _texts(n, seed=seed, source=source)
    for day, count in plan:
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        # Submissions spread over the day, never in the future for today's list.
        span = min(86_399, max(int((now - midnight).total_seconds()), 1))
        for record, seed_id, synthetic in islice(texts, count):
            if synthetic:
                record.published_at = midnight
            yield CorpusPaper(
                record=record,
                seed_id=seed_id,
                synthetic=synthetic,
                day=day,
                submitted_at=midnight + timedelta(seconds=rng.randrange(span)),
                upvotes=_upvotes(rng),
                organization=_organization(rng),
            )


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


@dataclass
class LoadStats:
    papers: int = 0
    days: int = 0
    generate_s: float = 0.0
    import_s: float = 0.0
    entries_s: float = 0.0
    trending_s: float = 0.0
    bulk: bool = False
    index_s: float = 0.0  # bulk only: search documents + GIN indexes after the data
    analyze_s: float = 0.0

    @property
    def import_rate(self) -> float:
        return self.papers / self.import_s if self.import_s else 0.0

    def lines(self) -> list[str]:
        total = (
            self.generate_s + self.import_s + self.entries_s + self.trending_s + self.index_s
        ) + self.analyze_s
        if self.bulk:
            middle = [
                f"COPY (bulk)     {self.import_s:8.1f} s  ({self.import_rate:,.0f} papers/s: "
                "papers, authors, categories, daily entries)",
                f"search index    {self.index_s:8.1f} s  (search_document + GIN tsvector/trigram)",
            ]
        else:
            middle = [
                f"import_records  {self.import_s:8.1f} s  ({self.import_rate:,.0f} papers/s)",
                f"daily entries   {self.entries_s:8.1f} s  (+ upvotes, organizations)",
            ]
        return [
            f"generate        {self.generate_s:8.1f} s",
            *middle,
            f"trending        {self.trending_s:8.1f} s  (recompute_all_trending)",
            f"analyze         {self.analyze_s:8.1f} s",
            f"total           {total:8.1f} s  for {self.papers:,} papers over {self.days} days",
        ]


def load(
    n: int,
    *,
    seed: int = 0,
    end: date | None = None,
    source: Path = SOURCE,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = print,
    bulk: bool = False,
) -> LoadStats:
    """Write the corpus into the configured database (Django must be set up and migrated).

    ``bulk=True`` (PostgreSQL only) writes the same rows with ``COPY`` instead of the importer:
    a build shortcut for the latency benchmark, see ``load_bulk``.
    """
    if bulk:
        return load_bulk(n, seed=seed, end=end, source=source, progress=progress)
    from django.db import connection, transaction

    from paperboy.accounts.models import Organization
    from paperboy.feed.models import DailyEntry
    from paperboy.feed.votes import recompute_all_trending
    from paperboy.ingest.importer import import_records
    from paperboy.papers.models import Paper

    stats = LoadStats(days=len(day_plan(n, end=end, seed=seed)))
    for slug, name in ORGANIZATIONS:
        Organization.objects.get_or_create(slug=slug, defaults={"name": name})
    orgs = dict(Organization.objects.values_list("slug", "pk"))
    paper_table = Paper._meta.db_table
    update_sql = (
        f"UPDATE {paper_table} SET imported_upvotes = %s, upvotes_count = %s, "
        "organization_id = %s WHERE id = %s"
    )
    stream = generate(n, seed=seed, end=end, source=source)
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        chunk = list(islice(stream, batch_size))
        stats.generate_s += time.perf_counter() - t0
        if not chunk:
            break
        t0 = time.perf_counter()
        import_records([p.record for p in chunk], batch_size=batch_size)
        stats.import_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction.atomic():
            pks = dict(
                Paper.objects.filter(arxiv_id__in=[p.record.arxiv_id for p in chunk]).values_list(
                    "arxiv_id", "pk"
                )
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    update_sql,
                    [
                        (p.upvotes, p.upvotes, orgs.get(p.organization), pks[p.record.arxiv_id])
                        for p in chunk
                    ],
                )
            DailyEntry.objects.bulk_create(
                [
                    DailyEntry(
                        paper_id=pks[p.record.arxiv_id],
                        day=p.day,
                        submitted_at=p.submitted_at,
                        organization_id=orgs.get(p.organization),
                        upvotes_count=p.upvotes,
                    )
                    for p in chunk
                ],
                batch_size=batch_size,
                ignore_conflicts=True,
            )
        stats.entries_s += time.perf_counter() - t0
        stats.papers += len(chunk)
        if progress and (stats.papers % 20_000 < batch_size or stats.papers == n):
            elapsed = time.perf_counter() - started
            progress(f"  {stats.papers:>9,} / {n:,} papers  ({stats.papers / elapsed:,.0f}/s)")
    t0 = time.perf_counter()
    recompute_all_trending()
    stats.trending_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics for the planner (SQLite and PostgreSQL)
    stats.analyze_s = time.perf_counter() - t0
    return stats


# The search index objects that make row-by-row writes slow; ``load_bulk`` drops them and
# ``paperboy.search.schema.install`` re-creates them (and fills ``search_document``) afterwards.
_BULK_DROP = [
    "DROP TRIGGER IF EXISTS search_document_sync ON papers_paper",
    "DROP INDEX IF EXISTS search_document_tsv",
    "DROP INDEX IF EXISTS search_title_trgm",
    "DROP INDEX IF EXISTS search_embedding_hnsw",
]


def _copy_rows(model, objs: list, *, with_pk: bool) -> tuple[str, list[tuple]]:
    """The COPY statement and rows for model instances, prepared the way ``bulk_create``
    prepares them (``pre_save`` fills ``auto_now`` dates, ``get_db_prep_save`` adapts)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    qn = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    )
    rows = [
        tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields) for obj in objs
    ]
    return sql, rows


def load_bulk(
    n: int,
    *,
    seed: int = 0,
    end: date | None = None,
    source: Path = SOURCE,
    chunk_size: int = 20_000,
    progress: Callable[[str], None] | None = print,
) -> LoadStats:
    """The corpus of ``load`` written with PostgreSQL ``COPY``: a build shortcut for the search
    latency benchmark (1M papers in minutes instead of hours), not an importer measurement.

    Same ``generate()`` stream, and each record goes through the importer's own normalisation
    (``_normalise``/``_values``), so the rows are those ``load`` writes: papers in stream order
    (ids ascending), ordered authors, categories, daily entries with upvotes and organizations.
    The search trigger and the GIN/HNSW indexes are dropped for the load; afterwards
    ``schema.install`` re-creates them and fills ``search_document`` with the same expression
    the trigger uses. Needs an empty corpus (a partial one is flushed first).
    """
    from django.core.management import call_command
    from django.db import connection, transaction

    from paperboy.accounts.models import Organization
    from paperboy.feed.models import DailyEntry
    from paperboy.feed.votes import recompute_all_trending
    from paperboy.ingest.prepare import normalise as _normalise
    from paperboy.ingest.records import RecordError
    from paperboy.ingest.upsert import _values
    from paperboy.papers.models import Author, Category, Paper, PaperAuthor
    from paperboy.search import schema

    if connection.vendor != "postgresql":
        raise ValueError("the bulk corpus path is PostgreSQL only (COPY)")
    if Paper.objects.exists():
        if progress:
            progress("  a partial corpus is in the way: flushing the database first")
        call_command("flush", interactive=False, verbosity=0)
    stats = LoadStats(days=len(day_plan(n, end=end, seed=seed)), bulk=True)
    for slug, name in ORGANIZATIONS:
        Organization.objects.get_or_create(slug=slug, defaults={"name": name})
    orgs = dict(Organization.objects.values_list("slug", "pk"))
    qn = connection.ops.quote_name
    through = Paper.categories.through
    through_sql = "COPY {} ({}, {}) FROM STDIN".format(
        qn(through._meta.db_table),
        qn(through._meta.get_field("paper").column),
        qn(through._meta.get_field("category").column),
    )
    link_sql = f"COPY {qn(PaperAuthor._meta.db_table)} (paper_id, author_id, position) FROM STDIN"
    with connection.cursor() as cursor:
        for sql in _BULK_DROP:
            cursor.execute(sql)
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {qn(Paper._meta.db_table)}")
        next_paper = cursor.fetchone()[0] + 1
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {qn(Author._meta.db_table)}")
        next_author = cursor.fetchone()[0] + 1
    author_pk = dict(Author.objects.values_list("name", "pk"))
    known_codes = set(Category.objects.values_list("code", flat=True))

    stream = generate(n, seed=seed, end=end, source=source)
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        chunk = list(islice(stream, chunk_size))
        papers, entries, links, cats = [], [], [], []
        new_authors: list[tuple[int, str]] = []
        new_codes: set[str] = set()
        for p in chunk:
            try:
                r = _normalise(p.record)
            except RecordError as e:  # the importer would skip it too; the corpus has none
                raise ValueError(f"{p.record.arxiv_id}: {e}") from None
            values = _values(r, orgs)
            org = orgs.get(p.organization)
            values.update(organization_id=org)
            pk = next_paper
            next_paper += 1
            papers.append(
                Paper(
                    pk=pk,
                    arxiv_id=r.arxiv_id,
                    imported_upvotes=p.upvotes,
                    upvotes_count=p.upvotes,
                    **values,
                )
            )
            for position, name in enumerate(r.authors):
                a = author_pk.get(name)
                if a is None:
                    a = author_pk[name] = next_author
                    next_author += 1
                    new_authors.append((a, name))
                links.append((pk, a, position))
            for code in r.categories:
                if code not in known_codes:
                    known_codes.add(code)
                    new_codes.add(code)
                cats.append((pk, code))
            entries.append(
                DailyEntry(
                    paper_id=pk,
                    day=p.day,
                    submitted_at=p.submitted_at,
                    organization_id=org,
                    upvotes_count=p.upvotes,
                )
            )
        paper_copy = _copy_rows(Paper, papers, with_pk=True) if papers else None
        entry_copy = _copy_rows(DailyEntry, entries, with_pk=False) if entries else None
        stats.generate_s += time.perf_counter() - t0
        if not chunk:
            break
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            if new_codes:
                cursor.executemany(
                    f"INSERT INTO {qn(Category._meta.db_table)} (code) VALUES (%s) "
                    "ON CONFLICT DO NOTHING",
                    [(c,) for c in sorted(new_codes)],
                )
            if new_authors:
                with raw.copy(f"COPY {qn(Author._meta.db_table)} (id, name) FROM STDIN") as copy:
                    for row in new_authors:
                        copy.write_row(row)
            for sql, rows in (paper_copy, (link_sql, links), (through_sql, cats), entry_copy):
                with raw.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
        stats.import_s += time.perf_counter() - t0
        stats.papers += len(chunk)
        if progress:
            elapsed = time.perf_counter() - started
            progress(f"  {stats.papers:>9,} / {n:,} papers  ({stats.papers / elapsed:,.0f}/s)")
    with connection.cursor() as cursor:
        # Explicit ids went past the identity sequences: move them on, as inserts would have.
        for model in (Paper, Author):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {qn(table)}))",
                [table],
            )
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
    # Trigger back, search_document filled (same PG_TSV expression), GIN indexes built.
    schema.install(connection)
    stats.index_s = time.perf_counter() - t0
    if progress:
        progress(f"  search index rebuilt in {stats.index_s:,.0f} s")
    t0 = time.perf_counter()
    recompute_all_trending()
    stats.trending_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    stats.analyze_s = time.perf_counter() - t0
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", help="PAPERBOY_DATA_DIR for the new database (required)")
    parser.add_argument(
        "--jsonl", help="instead of a database, write the records as paper JSONL to this path"
    )
    parser.add_argument(
        "--bulk",
        action="store_true",
        help="PostgreSQL only: write with COPY instead of the importer (a build shortcut)",
    )
    parser.add_argument(
        "--database-url", help="load into this database instead of the data dir's SQLite"
    )
    parser.add_argument("--end", type=date.fromisoformat, help="last list day (default today)")
    args = parser.parse_args(argv)
    if args.jsonl:
        with open(args.jsonl, "w", encoding="utf-8") as out:
            for p in generate(args.papers, seed=args.seed):
                r = p.record
                row = {
                    "id": r.arxiv_id,
                    "title": r.title,
                    "abstract": r.abstract,
                    "authors": r.authors,
                    "categories": r.categories,
                    "comment": r.comment or None,
                    "announced": r.published_at.date().isoformat(),
                    "organization": p.organization,
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return 0
    if not args.data_dir:
        parser.error("--data-dir or --jsonl is required")
    os.environ["PAPERBOY_DATA_DIR"] = str(Path(args.data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    if args.bulk:
        from django.db import connection

        if connection.vendor != "postgresql":
            parser.error("--bulk needs PostgreSQL (--database-url postgresql://…)")
    stats = load(args.papers, seed=args.seed, end=args.end, bulk=args.bulk)
    print("\n".join(stats.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
