"""Upsert parsed paper records into the catalog. Idempotent: the same record twice changes nothing.

A record with a newer arXiv version replaces the stored metadata; an older or equal version
leaves it alone unless the stored paper is missing fields the record has.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from paperboy.ingest.records import PaperRecord
from paperboy.ingest.signals import papers_imported
from paperboy.lib.text import clean_text
from paperboy.papers.models import Author, Category, Paper, PaperAuthor


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged"


_FIELDS = ("title", "abstract", "comment", "published_at", "updated_at", "version")


def _normalise(record: PaperRecord) -> PaperRecord:
    record.title = clean_text(record.title)[:1000]
    record.abstract = clean_text(record.abstract, keep_newlines=True)
    record.authors = [clean_text(a)[:300] for a in record.authors if clean_text(a)]
    record.categories = [c.strip()[:32] for c in record.categories if c.strip()]
    return record


def import_records(records: Iterable[PaperRecord], *, batch_size: int = 500) -> ImportResult:
    """Write records in batches; each batch is one transaction."""
    result = ImportResult()
    batch: list[PaperRecord] = []
    for record in records:
        batch.append(_normalise(record))
        if len(batch) >= batch_size:
            _import_batch(batch, result)
            batch = []
    if batch:
        _import_batch(batch, result)
    return result


def import_record(record: PaperRecord) -> Paper:
    import_records([record])
    return Paper.objects.get(arxiv_id=record.arxiv_id)


def _import_batch(batch: list[PaperRecord], result: ImportResult) -> None:
    # The last record wins when one batch holds the same id twice.
    by_id = {r.arxiv_id: r for r in batch}
    with transaction.atomic():
        existing = {
            p.arxiv_id: p
            for p in Paper.objects.filter(arxiv_id__in=list(by_id)).prefetch_related(
                "authorships__author", "categories"
            )
        }
        author_names = {name for r in by_id.values() for name in r.authors}
        Author.objects.bulk_create(
            [Author(name=n) for n in author_names], ignore_conflicts=True, batch_size=500
        )
        authors = dict(Author.objects.filter(name__in=list(author_names)).values_list("name", "pk"))
        codes = {c for r in by_id.values() for c in r.categories}
        Category.objects.bulk_create([Category(code=c) for c in codes], ignore_conflicts=True)

        to_create, to_update, relink = [], [], []
        for arxiv_id, r in by_id.items():
            paper = existing.get(arxiv_id)
            if paper is None:
                paper = Paper(arxiv_id=arxiv_id)
                _apply(paper, r)
                to_create.append(paper)
                relink.append((paper, r))
                continue
            if r.version < paper.version:
                result.unchanged += 1
                continue
            before = _snapshot(paper)
            _apply(paper, r)
            if _snapshot(paper) != before:
                to_update.append(paper)
                relink.append((paper, r))
            else:
                result.unchanged += 1
        Paper.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            Paper.objects.bulk_update(
                to_update,
                [
                    *_FIELDS,
                    "num_authors",
                    "primary_category",
                    "project_page",
                    "github_repo",
                    "github_stars",
                ],
                batch_size=500,
            )
        result.new += len(to_create)
        result.updated += len(to_update)
        if to_create:
            # bulk_create sets pks on PostgreSQL and SQLite 3.35+; fetch to be safe elsewhere.
            ids = dict(
                Paper.objects.filter(arxiv_id__in=[p.arxiv_id for p in to_create]).values_list(
                    "arxiv_id", "pk"
                )
            )
            for p in to_create:
                p.pk = ids[p.arxiv_id]
        _relink(relink, authors)
        changed = [p.pk for p, _ in relink]
        if changed:
            transaction.on_commit(
                lambda: papers_imported.send(sender=ImportResult, paper_ids=changed)
            )


def _apply(paper: Paper, r: PaperRecord) -> None:
    paper.title = r.title
    paper.abstract = r.abstract
    paper.comment = r.comment or ""
    paper.published_at = r.published_at
    paper.updated_at = r.updated_at
    paper.version = r.version
    paper.num_authors = len(r.authors)
    paper.primary_category = r.categories[0] if r.categories else ""
    # Links and stars from a source that knows them; an arXiv record (which never has
    # them) must not erase what Hugging Face or GitHub told us.
    if r.project_page:
        paper.project_page = r.project_page
    if r.github_repo:
        paper.github_repo = r.github_repo
    if r.github_stars is not None:
        paper.github_stars = r.github_stars
    paper._authors = r.authors
    paper._categories = r.categories


def _snapshot(paper: Paper) -> tuple:
    return (
        *(getattr(paper, f) for f in _FIELDS),
        paper.project_page,
        paper.github_repo,
        paper.github_stars,
        tuple(paper._authors if hasattr(paper, "_authors") else paper.author_names()),
        tuple(
            sorted(set(paper._categories))
            if hasattr(paper, "_categories")
            else paper.category_codes()
        ),
    )


def _relink(items: list[tuple[Paper, PaperRecord]], authors: dict[str, int]) -> None:
    if not items:
        return
    pks = [p.pk for p, _ in items]
    PaperAuthor.objects.filter(paper_id__in=pks).delete()
    Paper.categories.through.objects.filter(paper_id__in=pks).delete()
    PaperAuthor.objects.bulk_create(
        [
            PaperAuthor(paper_id=p.pk, author_id=authors[name], position=i)
            for p, r in items
            for i, name in enumerate(r.authors)
        ],
        batch_size=1000,
    )
    Paper.categories.through.objects.bulk_create(
        [
            Paper.categories.through(paper_id=p.pk, category_id=code)
            for p, r in items
            for code in dict.fromkeys(r.categories)
        ],
        batch_size=1000,
    )
