"""The catalog's write rules for imported papers: which record changes which paper, and how.

A record with a newer arXiv version replaces the stored metadata (and its version number); an
older version leaves it alone, an equal one refreshes it; the same record twice changes nothing.
Links, stars and organization come only from a source that knows them. A paper is written whole:
its row, its authors in order, its categories; organizations by name through
``Organization.objects.ensure``. Comparisons read plain values, rows are written without model
instances (``bulkload``), and ``Known`` remembers the authors and categories earlier batches of
the same import committed, so most names need no statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from paperboy.ingest.bulkload import COPY_ESCAPES, adapter, copy_or_executemany, pks_by
from paperboy.ingest.records import ImportResult, PaperRecord
from paperboy.lib.pgcursor import binding_cursor
from paperboy.papers.models import (
    Author,
    Category,
    Organization,
    Paper,
    PaperAuthor,
    organization_slug,
)

# Author ids an import remembers by name (~200 bytes each); past this it starts over.
MAX_KNOWN_AUTHORS = 250_000


_FIELDS = ("title", "abstract", "comment", "published_at", "updated_at", "version")
_LINK_FIELDS = ("project_page", "github_repo", "github_stars", "organization_id")
_COLUMNS = (*_FIELDS, "num_authors", "primary_category", *_LINK_FIELDS)


@dataclass
class Known:
    """Rows an import has seen committed, so later batches neither insert nor look them up:
    author ids by name, category codes. Most names of a batch appeared in an earlier one:
    without this, each was inserted (as a conflict) and looked up again. Filled only from
    committed batches; a refused batch empties it, in case an author it holds was merged away
    meanwhile."""

    authors: dict[str, int] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)

    def learn(self, other: Known) -> None:
        if len(self.authors) + len(other.authors) > MAX_KNOWN_AUTHORS:
            self.authors.clear()
        self.authors.update(other.authors)
        self.categories |= other.categories

    def forget(self) -> None:
        self.authors.clear()
        self.categories.clear()


def write(
    records: list[PaperRecord],
    result: ImportResult,
    known: Known | None = None,
    learned: Known | None = None,
) -> list[tuple[int, str]]:
    """Write a batch (inside a transaction), counting what it did in ``result``. Returns (pk,
    arXiv id) of the papers whose title or abstract it wrote (their search documents change).
    Authors and categories in ``known`` are taken as they are; those this batch inserts or
    looks up are added to ``learned``."""
    if not records:
        return []
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

    new_rows: list[dict] = []
    to_update: list[Paper] = []
    relink: set[str] = set()
    retext: list[tuple[int, str]] = []  # (pk, arXiv id) of papers with a new title or abstract
    for r in records:
        values = _values(r, orgs)
        row = existing.get(r.arxiv_id)
        if row is None:
            values["arxiv_id"] = r.arxiv_id
            new_rows.append(values)
            relink.add(r.arxiv_id)
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
            if values["title"] != row["title"] or values["abstract"] != row["abstract"]:
                retext.append((pk, r.arxiv_id))
        if links_changed:
            relink.add(r.arxiv_id)
        result.updated += 1
        result.paper_ids.append(pk)

    if to_update:
        Paper.objects.bulk_update(to_update, list(_COLUMNS), batch_size=200)
    pk_of = {a: row["pk"] for a, row in existing.items()}
    # Existing papers lose their old links first; new ones have none.
    _unlink([pk_of[a] for a in relink if a in pk_of])
    if new_rows:
        created = _insert_papers(new_rows)
        result.new += len(new_rows)
        pk_of.update(created)
        result.paper_ids += [created[v["arxiv_id"]] for v in new_rows]
        retext += [(created[v["arxiv_id"]], v["arxiv_id"]) for v in new_rows]
    _link(
        [(pk_of[r.arxiv_id], r) for r in records if r.arxiv_id in relink],
        known or Known(),
        learned if learned is not None else Known(),
    )
    return retext


_PAPER_FIELDS = [f for f in Paper._meta.concrete_fields if not f.primary_key]


def _insert_papers(new_rows: list[dict]) -> dict[str, int]:
    """Insert papers from ``_values`` dicts (plus ``arxiv_id``), every other column at its
    model default, without building model instances: ``COPY`` on PostgreSQL, one
    ``executemany`` elsewhere. Returns their pks by arXiv id."""
    now = timezone.now()
    given = new_rows[0].keys()
    # (attname, adapter) for the columns the rows give; the constant others are adapted once.
    spec: list[tuple[str | None, Callable | None, object]] = []
    for f in _PAPER_FIELDS:
        adapt = adapter(f)
        if f.attname in given:
            spec.append((f.attname, adapt, None))
        else:
            value = now if f.attname in ("created_at", "modified_at") else f.get_default()
            spec.append((None, None, adapt(value) if adapt else value))
    rows = [
        tuple(
            constant if name is None else adapt(values[name]) if adapt else values[name]
            for name, adapt, constant in spec
        )
        for values in new_rows
    ]
    qn = connection.ops.quote_name
    table = qn(Paper._meta.db_table)
    columns = ", ".join(qn(f.column) for f in _PAPER_FIELDS)
    copy_or_executemany(table, columns, rows)
    ids = [v["arxiv_id"] for v in new_rows]
    return pks_by(table, "arxiv_id", "id", ids)


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
    """Organization pks by the name records give (a slug or "Some Lab"; created when missing,
    through the catalog's one rule for organizations)."""
    names = {n for r in records if (n := (getattr(r, "organization", "") or "").strip())}
    if not names:
        return {}
    slugs = {name: organization_slug(name) for name in names}
    found = dict(
        Organization.objects.filter(slug__in=set(slugs.values())).values_list("slug", "pk")
    )
    return {
        name: found[slug] if slug in found else Organization.objects.ensure(name).pk
        for name, slug in slugs.items()
    }


def _unlink(pks: list[int]) -> None:
    """Remove the authors and categories of these papers (before they are linked anew)."""
    if pks:
        PaperAuthor.objects.filter(paper_id__in=pks).delete()
        Paper.categories.through.objects.filter(paper_id__in=pks).delete()


def _link(items: list[tuple[int, PaperRecord]], known: Known, learned: Known) -> None:
    """Link papers that have no links to their authors (in order) and categories, creating the
    missing authors and categories; a few statements per batch, not per paper. Names and codes
    in ``known`` need no statement; the others go to ``learned``."""
    if not items:
        return
    names = sorted({n for _, r in items for n in r.authors if n not in known.authors})
    codes = sorted({c for _, r in items for c in r.categories if c not in known.categories})
    qn = connection.ops.quote_name
    author_table = qn(Author._meta.db_table)
    if names:
        learned.authors.update(_author_ids(author_table, names))
    if codes:
        with connection.cursor() as cursor:
            table = qn(Category._meta.db_table)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"INSERT INTO {table} (code) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
                    [codes],
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {table} (code) VALUES (%s) ON CONFLICT DO NOTHING",
                    [(c,) for c in codes],
                )
        learned.categories.update(codes)
    new, old = learned.authors.get, known.authors
    copy_or_executemany(
        qn(PaperAuthor._meta.db_table),
        "paper_id, author_id, position",
        [(pk, new(n) or old[n], i) for pk, r in items for i, n in enumerate(r.authors)],
        line="%d\t%d\t%d\n".__mod__,
    )
    escaped = {c: c.translate(COPY_ESCAPES) for _, r in items for c in r.categories}
    copy_or_executemany(
        qn(Paper.categories.through._meta.db_table),
        "paper_id, category_id",
        [(pk, code) for pk, r in items for code in r.categories],
        line=lambda row: f"{row[0]}\t{escaped[row[1]]}\n",
    )


def _author_ids(table: str, names: list[str]) -> dict[str, int]:
    """The ids of these authors by name, inserting those not there yet. On PostgreSQL the
    insert returns the new ones' ids, so only names that were already there are looked up;
    the names go as one binary array (quoting each as text cost more than the insert)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (name) VALUES (%s) ON CONFLICT DO NOTHING",
                [(n,) for n in names],
            )
        return pks_by(table, "name", "id", names)
    with binding_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name) SELECT unnest(%b::text[]) ON CONFLICT DO NOTHING "
            "RETURNING name, id",
            [names],
        )
        found = dict(cursor.fetchall())
        there = [n for n in names if n not in found]
        if there:
            cursor.execute(f"SELECT name, id FROM {table} WHERE name = ANY(%b::text[])", [there])
            found.update(cursor.fetchall())
    return found
