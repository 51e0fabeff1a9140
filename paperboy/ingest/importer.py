"""Upsert parsed paper records into the catalog. Idempotent: the same record twice changes nothing.

A record with a newer arXiv version replaces the stored metadata (and its version number); an
older version leaves it alone, an equal one refreshes it. Each record is either written whole
(paper, ordered authors, categories) or reported in ``ImportResult.failures`` with its reason:
a bad record never costs the rest of its batch. A batch is one transaction; when the database
refuses it, its records are retried one by one (each in a savepoint) to single out the culprit.

Speed: comparisons read plain values (no model instances), and the link tables (authors,
categories) are written with one ``executemany`` each, which is what makes 70k papers a
matter of seconds rather than minutes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from paperboy.accounts.models import Organization
from paperboy.ingest.records import PaperRecord
from paperboy.ingest.signals import papers_imported
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.lib.text import clean_text
from paperboy.papers.models import Author, Category, Paper, PaperAuthor

log = logging.getLogger(__name__)

# Reasons kept for the report; the count goes on past this.
MAX_FAILURES_KEPT = 1000


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    paper_ids: list[int] = field(default_factory=list, repr=False)  # created or changed

    def __str__(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.failed

    def fail(self, arxiv_id: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append((arxiv_id, reason))

    def add(self, other: ImportResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed
        room = MAX_FAILURES_KEPT - len(self.failures)
        self.failures += other.failures[: max(room, 0)]


_FIELDS = ("title", "abstract", "comment", "published_at", "updated_at", "version")
_LINK_FIELDS = ("project_page", "github_repo", "github_stars", "organization_id")
_COLUMNS = (*_FIELDS, "num_authors", "primary_category", *_LINK_FIELDS)
_MAX_LENGTHS = {"title": 1000, "project_page": 500, "github_repo": 500}


class RecordError(ValueError):
    """A record that cannot be imported; the message says why."""


def _check_unicode(record: PaperRecord) -> None:
    """Text a database can store: JSON may carry lone surrogates (``"\\ud800"``), UTF-8 cannot."""
    for name in ("title", "abstract", "comment", "project_page", "github_repo", "organization"):
        value = getattr(record, name, "") or ""
        if not isinstance(value, str):
            raise RecordError(f"{name} is not text")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise RecordError(f"{name} is not valid Unicode (a lone surrogate)") from None
    for name in ("authors", "categories"):
        for value in getattr(record, name):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise RecordError(f"{name}: {value!r} is not valid Unicode") from None


def _normalise(record: PaperRecord) -> PaperRecord:
    """Clean the text fields in place; raise RecordError for what cannot be stored."""
    try:
        record.arxiv_id = parse_arxiv_id(record.arxiv_id).base
    except InvalidArxivId as e:
        raise RecordError(str(e)) from None
    _check_unicode(record)
    record.title = clean_text(record.title)[:1000]
    if not record.title:
        raise RecordError("title is empty")
    record.abstract = clean_text(record.abstract, keep_newlines=True)
    record.comment = clean_text(record.comment or "")
    record.authors = list(
        dict.fromkeys(a for a in (clean_text(a)[:300] for a in record.authors) if a)
    )
    record.categories = list(dict.fromkeys(c.strip()[:32] for c in record.categories if c.strip()))
    if not isinstance(record.published_at, datetime):
        raise RecordError("no arXiv date")
    if not isinstance(record.version, int) or not 1 <= record.version <= 32767:
        raise RecordError(f"version {record.version!r} is not a positive integer")
    for name in ("project_page", "github_repo"):
        value = (getattr(record, name) or "").strip()
        if value and (not value.startswith(("http://", "https://")) or len(value) > 500):
            raise RecordError(f"{name} {value[:80]!r} is not a URL")
        setattr(record, name, value)
    stars = record.github_stars
    if stars is not None and (not isinstance(stars, int) or stars < 0):
        raise RecordError(f"github_stars {stars!r} is not a count")
    return record


def import_records(
    records: Iterable[PaperRecord],
    *,
    batch_size: int = 1000,
    on_batch: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Write records in batches; each batch is one transaction.

    ``on_batch`` receives each batch's own result after it committed (progress bars).
    """
    result = ImportResult()
    batch: list[PaperRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            result.add(_import_batch(batch, on_batch))
            batch = []
    if batch:
        result.add(_import_batch(batch, on_batch))
    return result


def import_record(record: PaperRecord) -> Paper:
    result = import_records([record])
    if result.failures:
        raise RecordError(result.failures[0][1])
    return Paper.objects.get(arxiv_id=record.arxiv_id)


def _import_batch(batch: list[PaperRecord], on_batch) -> ImportResult:
    result = ImportResult()
    by_id: dict[str, PaperRecord] = {}
    for record in batch:
        try:
            _normalise(record)
        except RecordError as e:
            result.fail(str(record.arxiv_id), str(e))
            continue
        # A batch holding one id twice keeps the newest version (the later one on a tie).
        seen = by_id.get(record.arxiv_id)
        if seen is not None:
            result.unchanged += 1
            if seen.version > record.version:
                continue
        by_id[record.arxiv_id] = record
    records = list(by_id.values())
    try:
        with transaction.atomic():
            _write(records, result)
    except DatabaseError as e:
        log.warning("batch of %d refused (%s); retrying record by record", len(records), e)
        result = ImportResult(failed=result.failed, failures=result.failures)
        result.unchanged += len(batch) - len(records) - result.failed
        for record in records:
            one = ImportResult()
            try:
                with transaction.atomic():
                    _write([record], one)
            except DatabaseError as err:
                result.fail(record.arxiv_id, f"database refused it: {err}".strip())
            else:
                result.add(one)
                result.paper_ids += one.paper_ids
    if result.paper_ids:
        changed = list(result.paper_ids)
        transaction.on_commit(lambda: papers_imported.send(sender=ImportResult, paper_ids=changed))
    if on_batch is not None:
        on_batch(result)
    return result


def _write(records: list[PaperRecord], result: ImportResult) -> None:
    if not records:
        return
    existing = {
        row["arxiv_id"]: row
        for row in Paper.objects.filter(arxiv_id__in=[r.arxiv_id for r in records]).values(
            "pk", "arxiv_id", *_COLUMNS
        )
    }
    authors_of: dict[int, list[str]] = {}
    categories_of: dict[int, set[str]] = {}
    if existing:
        pks = [row["pk"] for row in existing.values()]
        for paper_id, name in (
            PaperAuthor.objects.filter(paper_id__in=pks)
            .order_by("paper_id", "position")
            .values_list("paper_id", "author__name")
        ):
            authors_of.setdefault(paper_id, []).append(name)
        for paper_id, code in Paper.categories.through.objects.filter(paper_id__in=pks).values_list(
            "paper_id", "category_id"
        ):
            categories_of.setdefault(paper_id, set()).add(code)
    orgs = _organizations(records)

    to_create: list[Paper] = []
    to_update: list[Paper] = []
    relink: list[tuple[str, PaperRecord]] = []
    for r in records:
        values = _values(r, orgs)
        row = existing.get(r.arxiv_id)
        if row is None:
            to_create.append(Paper(arxiv_id=r.arxiv_id, **values))
            relink.append((r.arxiv_id, r))
            continue
        if r.version < row["version"]:
            result.unchanged += 1
            continue
        # Links, stars and organization from a source that knows them; a record that lacks
        # them (arXiv never has them) keeps what Hugging Face or GitHub told us.
        for name in _LINK_FIELDS:
            if values[name] in ("", None):
                values[name] = row[name]
        pk = row["pk"]
        metadata_changed = any(values[c] != row[c] for c in _COLUMNS)
        links_changed = authors_of.get(pk, []) != r.authors or categories_of.get(pk, set()) != set(
            r.categories
        )
        if not metadata_changed and not links_changed:
            result.unchanged += 1
            continue
        if metadata_changed:
            to_update.append(Paper(pk=pk, arxiv_id=r.arxiv_id, **values))
        if links_changed:
            relink.append((r.arxiv_id, r))
        result.updated += 1
        result.paper_ids.append(pk)

    if to_create:
        _insert_papers(to_create)
        result.new += len(to_create)
    if to_update:
        Paper.objects.bulk_update(to_update, list(_COLUMNS), batch_size=200)
    pk_of = {a: row["pk"] for a, row in existing.items()}
    if to_create:
        created = dict(
            Paper.objects.filter(arxiv_id__in=[p.arxiv_id for p in to_create]).values_list(
                "arxiv_id", "pk"
            )
        )
        pk_of.update(created)
        result.paper_ids += [created[p.arxiv_id] for p in to_create]
    _relink([(pk_of[a], r) for a, r in relink])


def _insert_papers(papers: list[Paper]) -> None:
    """``bulk_create`` without its per-value overhead: one ``executemany`` of prepared rows."""
    fields = [f for f in Paper._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    adapters = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateTimeField":
            adapters.append(connection.ops.adapt_datetimefield_value)
        elif kind == "JSONField":
            adapters.append(lambda value, f=f: f.get_db_prep_save(value, connection))
        else:
            adapters.append(None)
    rows = []
    for paper in papers:
        paper.created_at = paper.modified_at = now
        rows.append(
            tuple(
                adapt(getattr(paper, f.attname)) if adapt else getattr(paper, f.attname)
                for f, adapt in zip(fields, adapters, strict=True)
            )
        )
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(Paper._meta.db_table)} ({columns}) VALUES ({marks})", rows
        )


def _values(r: PaperRecord, orgs: dict[str, int]) -> dict:
    return {
        "title": r.title,
        "abstract": r.abstract,
        "comment": r.comment or "",
        "published_at": r.published_at,
        "updated_at": r.updated_at,
        "version": r.version,
        "num_authors": len(r.authors),
        "primary_category": r.categories[0] if r.categories else "",
        "project_page": r.project_page or "",
        "github_repo": r.github_repo or "",
        "github_stars": r.github_stars,
        "organization_id": orgs.get(getattr(r, "organization", "") or ""),
    }


def _organizations(records: list[PaperRecord]) -> dict[str, int]:
    """Organization pks by slug for the records that name one (created when missing)."""
    slugs = {s for r in records if (s := getattr(r, "organization", "") or "")}
    if not slugs:
        return {}
    found = dict(Organization.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    for slug in slugs - set(found):
        org, _ = Organization.objects.get_or_create(slug=slug[:64], defaults={"name": slug})
        found[slug] = org.pk
    return found


def _relink(items: list[tuple[int, PaperRecord]]) -> None:
    """Replace the authors and categories of these papers, with one statement per table."""
    if not items:
        return
    names = {name for _, r in items for name in r.authors}
    codes = {code for _, r in items for code in r.categories}
    author_table = connection.ops.quote_name(Author._meta.db_table)
    category_table = connection.ops.quote_name(Category._meta.db_table)
    link_table = connection.ops.quote_name(PaperAuthor._meta.db_table)
    through = Paper.categories.through
    through_table = connection.ops.quote_name(through._meta.db_table)
    pks = [pk for pk, _ in items]
    with connection.cursor() as cursor:
        if names:
            cursor.executemany(
                f"INSERT INTO {author_table} (name) VALUES (%s) ON CONFLICT DO NOTHING",
                [(n,) for n in sorted(names)],
            )
        if codes:
            cursor.executemany(
                f"INSERT INTO {category_table} (code) VALUES (%s) ON CONFLICT DO NOTHING",
                [(c,) for c in sorted(codes)],
            )
    author_pk = _author_pks(names)
    PaperAuthor.objects.filter(paper_id__in=pks).delete()
    through.objects.filter(paper_id__in=pks).delete()
    with connection.cursor() as cursor:
        rows = [(pk, author_pk[name], i) for pk, r in items for i, name in enumerate(r.authors)]
        if rows:
            cursor.executemany(
                f"INSERT INTO {link_table} (paper_id, author_id, position) VALUES (%s, %s, %s)",
                rows,
            )
        rows = [(pk, code) for pk, r in items for code in r.categories]
        if rows:
            cursor.executemany(
                f"INSERT INTO {through_table} (paper_id, category_id) VALUES (%s, %s)", rows
            )


def _author_pks(names: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(names)
    # Chunks keep the IN list under SQLite's variable limit on old builds.
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        found.update(Author.objects.filter(name__in=chunk).values_list("name", "pk"))
    return found
