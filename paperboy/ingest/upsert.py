"""The catalog's write rules for imported papers: which record changes which paper, and how.

A record with a newer arXiv version replaces the stored metadata (and its version number); an
older version leaves it alone, an equal one refreshes it; the same record twice changes nothing.
Links, stars and organization come only from a source that knows them. A paper is written whole:
its row, its authors in order, its categories; organizations by name through
``Organization.objects.ensure``. Comparisons read plain values, rows are written without model
instances (``bulkload``), and ``Known`` remembers the authors and categories earlier batches of
the same import committed, so most names need no statement.

What a source knows about papers already in the catalog (Hugging Face's links, summary,
keywords, upvotes and organization; GitHub's stars) goes through ``write_extras``: links through
``lib.weblinks``, counts checked, text through ``lib.text``, organizations through
``ensure_organization``, and the star history (``StarSnapshot``) kept with the count.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone

from paperboy.ingest.bulkload import COPY_ESCAPES, adapter, copy_or_executemany, pks_by
from paperboy.ingest.records import ImportResult, PaperRecord, RecordError, SourceOrganization
from paperboy.lib.pgcursor import binding_cursor
from paperboy.lib.text import clean_text, unstorable
from paperboy.lib.weblinks import BadLink, clean_link
from paperboy.papers.models import (
    Author,
    Category,
    Organization,
    Paper,
    PaperAuthor,
    StarSnapshot,
    organization_slug,
)

# Author ids an import remembers by name (~200 bytes each); past this it starts over.
MAX_KNOWN_AUTHORS = 250_000
# What ``write_extras`` may set, by the name a source gives it.
EXTRAS = (
    "project_page",
    "github_repo",
    "github_stars",
    "imported_upvotes",
    "ai_summary",
    "ai_keywords",
    "organization",
)
MAX_KEYWORDS = 50
MAX_COUNT = 2_147_483_647  # a PositiveIntegerField's ceiling on every database


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


def write_extras(
    paper_ids: Sequence[int],
    *,
    project_page: str = "",
    github_repo: str = "",
    github_stars: int | None = None,
    imported_upvotes: int | None = None,
    ai_summary: str = "",
    ai_keywords: Sequence[str] = (),
    organization: SourceOrganization | str | None = None,
    only_if_missing: Collection[str] = (),
    at: datetime | None = None,
    organizations: dict[str, Organization] | None = None,
) -> list[int]:
    """Set what a source knows about these papers (inside a transaction: the importer's
    ``import_extras``); returns the pks of the papers whose row changed.

    A value the source does not give ("", None, no keywords) leaves the stored one alone, as
    in ``write``. Every value is checked before anything is written, so a bad one raises
    RecordError and writes nothing: links must pass ``lib.weblinks.clean_link``, counts be
    whole numbers from 0 to ``MAX_COUNT``, text (summary, keywords) goes through
    ``lib.text.clean_text`` and must be storable (no lone surrogate). The organization is
    the catalog's through ``ensure_organization`` (``organizations`` caches them by name).
    Names in ``only_if_missing`` are written only to papers that have none (a source that
    knows the value second-hand: Hugging Face's copy of GitHub's stars). Each paper's star
    count, as it stands after the write, goes into its history (``StarSnapshot.record``, at
    ``at``): the first count seen starts it, a changed one extends it, the same adds nothing.
    No ``papers_imported``: only keyphrases are words search reads, and ``import_extras`` logs
    those for the word index.
    """
    unknown = set(only_if_missing) - set(EXTRAS)
    if unknown:
        raise ValueError(f"not an extra: {', '.join(sorted(unknown))}")
    fields: dict[str, object] = {}
    for name, link in (("project_page", project_page), ("github_repo", github_repo)):
        try:
            if cleaned := clean_link(link, field=name):
                fields[name] = cleaned
        except BadLink as e:
            raise RecordError(str(e)) from None
    for name, count in (("github_stars", github_stars), ("imported_upvotes", imported_upvotes)):
        if count is not None:
            fields[name] = _count(count, name)
    if summary := _text(ai_summary, "ai_summary"):
        fields["ai_summary"] = summary
    if isinstance(ai_keywords, str):
        raise RecordError("ai_keywords must be a list")
    if keywords := [k for k in (_text(k, "ai_keywords") for k in ai_keywords) if k]:
        fields["ai_keywords"] = keywords[:MAX_KEYWORDS]
    if organization and (org := ensure_organization(organization, organizations)) is not None:
        fields["organization_id"] = org.pk
    missing_only = {"organization_id" if n == "organization" else n for n in only_if_missing}

    ids = list(paper_ids)
    columns = list(dict.fromkeys([*fields, "github_stars"]))
    writes: dict[tuple[str, ...], list[int]] = {}  # papers by the columns they take
    stars_now: dict[int, list[int]] = {}  # papers by their star count after the write
    for row in Paper.objects.filter(pk__in=ids).values("pk", *columns):
        names = tuple(
            name
            for name, value in fields.items()
            if row[name] != value and not (name in missing_only and row[name] not in _NONE)
        )
        if names:
            writes.setdefault(names, []).append(row["pk"])
        stars = fields["github_stars"] if "github_stars" in names else row["github_stars"]
        if stars is not None:
            stars_now.setdefault(stars, []).append(row["pk"])
    for names, pks in writes.items():
        changes = {n: fields[n] for n in names}
        if "ai_summary" in changes:
            changes["ai_summary_model"] = ""  # a source's summary, no longer one we wrote
        Paper.objects.filter(pk__in=pks).update(**changes)
    for stars, pks in stars_now.items():
        StarSnapshot.record(pks, stars, at=at)
    return [pk for pks in writes.values() for pk in pks]


_NONE = (None, "", [])  # what a paper holds for a value it does not have


def ensure_organization(
    org: SourceOrganization | str, cache: dict[str, Organization] | None = None
) -> Organization | None:
    """The catalog's organization for one a source names (``Organization.objects.ensure``:
    slug from any name, reserved paths refused, created when missing), None for a blank
    name. Names go through ``clean_text``; an avatar that is not a clean link is dropped (the
    picture is optional). ``cache`` maps names to organizations ensured earlier in the same
    transaction."""
    if isinstance(org, str):
        org = SourceOrganization(org)
    if cache is not None and org.name in cache:
        return cache[org.name]
    name = _text(org.name, "organization")
    if not name:
        return None
    try:
        avatar = clean_link(org.avatar, field="avatar")
    except BadLink:
        avatar = ""
    found = Organization.objects.ensure(
        name, display_name=_text(org.display_name, "organization name"), avatar_url=avatar
    )
    if cache is not None:
        cache[org.name] = found
    return found


def _count(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
        raise RecordError(f"{name} {value!r} is not a count")
    return value


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{name} is not text")
    value = clean_text(value)  # drops NUL and the other control characters
    if unstorable(value):
        raise RecordError(f"{name} is not valid Unicode (a lone surrogate)")
    return value
