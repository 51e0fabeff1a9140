"""Upsert parsed paper records into the catalog. Idempotent: the same record twice changes nothing.

A record with a newer arXiv version replaces the stored metadata (and its version number); an
older version leaves it alone, an equal one refreshes it. Each record is either written whole
(paper, ordered authors, categories) or reported in ``ImportResult.failures`` with its reason:
a bad record never costs the rest of its batch. A batch is one transaction; when the database
refuses it, its records are retried one by one (each in a savepoint) to single out the culprit.

Speed: comparisons read plain values (no model instances); new papers and the link tables
(authors in order, categories) are written without model instances, with ``COPY`` on
PostgreSQL (a statement per row was most of an import's time there) and one ``executemany``
per table on SQLite; links are only deleted for papers that had them. Authors and categories
a committed batch wrote or found are remembered for the rest of the import (``_Known``). The
search documents follow by the search app's triggers, as for any other write. ``read_ahead``
(the JSONL command) reads and cleans the next batches (``paperboy.ingest.prepare``) in another
process on SQLite, in a thread on PostgreSQL, while the database writes the current one.

On PostgreSQL most of a new paper's cost is its search document (``to_tsvector`` of title and
abstract, then the GIN index). With ``read_ahead`` two threads also compute the next
batches' documents, each on its own connection (only for papers whose title or abstract is not
already stored), so other server processes do that work beside the writes of the current
batch; the batch's transaction then writes them itself, beside its papers, and tells the
trigger to leave them alone (``paperboy.search_documents``). Those transactions commit with
``synchronous_commit`` off: a server crash can lose the last few of them, which a re-run
imports again. ``bulk`` (the JSONL command) adds to that: once an import has written a quarter
as many documents as were indexed when it started (at least ``INDEX_REBUILD_MIN``), the text
indexes (documents, title trigrams) and the link tables' foreign keys are dropped and put back
once at the end, which costs a fraction of keeping them row by row (see
``paperboy.search.schema`` and ``paperboy.ingest.pgload`` for what happens when such an import
is killed). On SQLite, ``bulk`` stops FTS5's row-by-row indexing once an import has written
half as many papers as the catalog had, and rebuilds ``search_fts`` once at the end.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from paperboy.ingest import pgload, recovery
from paperboy.ingest.prepare import (
    ImportResult,
    Prepared,
    RecordError,
    batches,
    in_process,
    prepare,
    prepared_in_process,
)
from paperboy.ingest.records import PaperRecord
from paperboy.papers.models import (
    Author,
    Category,
    Organization,
    Paper,
    PaperAuthor,
    organization_slug,
)
from paperboy.papers.signals import papers_imported
from paperboy.search import schema

log = logging.getLogger(__name__)

# A bulk import rebuilds the search documents' GIN index once it has written this many
# documents, or a quarter of those indexed when it started if that is more.
INDEX_REBUILD_MIN = 5000
# Author ids an import remembers by name (~200 bytes each); past this it starts over.
MAX_KNOWN_AUTHORS = 250_000


_FIELDS = ("title", "abstract", "comment", "published_at", "updated_at", "version")
_LINK_FIELDS = ("project_page", "github_repo", "github_stars", "organization_id")
_COLUMNS = (*_FIELDS, "num_authors", "primary_category", *_LINK_FIELDS)


@dataclass
class _Known:
    """Rows an import has seen committed, so later batches neither insert nor look them up:
    author ids by name, category codes. Most names of a batch appeared in an earlier one
    (204,313 of the 373,613 per-batch names of the shared corpus): without this, each was
    inserted (as a conflict) and looked up again. Filled only from committed batches; a
    refused batch empties it, in case an author it holds was merged away meanwhile."""

    authors: dict[str, int] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)

    def learn(self, other: _Known) -> None:
        if len(self.authors) + len(other.authors) > MAX_KNOWN_AUTHORS:
            self.authors.clear()
        self.authors.update(other.authors)
        self.categories |= other.categories

    def forget(self) -> None:
        self.authors.clear()
        self.categories.clear()


def import_records(
    records: Iterable[PaperRecord],
    *,
    batch_size: int = 1000,
    on_batch: Callable[[ImportResult], None] | None = None,
    read_ahead: bool = False,
    bulk: bool = False,
) -> ImportResult:
    """Write records in batches; each batch is one transaction.

    ``on_batch`` receives each batch's own result after it committed (progress bars).

    With ``read_ahead``, the next batches are read and normalised while this thread waits for
    the database to write the current one, so on two cores the Python work and the database's
    work overlap: on SQLite a large JSONL file (a ``jsonl.JsonlSource``) in a process of its
    own (``prepare.prepared_in_process``), other records in a second thread (only for
    ``records`` that do not use the database themselves: they are consumed in that thread).
    On PostgreSQL two more threads compute the search documents of the next batches on their
    own connections (``_documents_ahead``). ``bulk`` implies ``read_ahead`` and lets a large
    import rebuild the search index once instead of row by row (outside a transaction; see the
    module docstring).
    """
    result = ImportResult()
    read_ahead = read_ahead or bulk
    # SQLite runs in this process, under its GIL; PostgreSQL's server wants the other core.
    if read_ahead and connection.vendor == "sqlite" and in_process(records):
        prepared: Iterator[Prepared] = prepared_in_process(records, batch_size)
    else:
        prepared = (prepare(b) for b in batches(records, batch_size))
        if read_ahead:
            prepared = _read_ahead(prepared)
    if read_ahead and connection.vendor == "postgresql":
        # Computing the next batch's documents while the current one is written.
        prepared = _documents_ahead(prepared)
    index = _BulkLoad() if bulk and not connection.in_atomic_block else None
    known = _Known()
    try:
        for batch in prepared:
            stored = _store(batch, on_batch, known, bulk=bulk)
            result.add(stored)
            if index is not None and index.written(stored.new + stored.updated):
                # No foreign key checks the links from here on: ids remembered before (of
                # authors a moderator may have merged away since) are looked up again.
                known.forget()
    except BaseException:
        if index is not None:
            index.finish(quietly=True)
        raise
    if index is not None:
        index.finish()
    return result


class _BulkLoad:
    """What a bulk import sets aside once it has written enough, and puts back once at the
    end: the word index's row-by-row upkeep (``search.schema.drop_text_index``) and, on
    PostgreSQL, the link tables' foreign keys (``ingest.pgload``). Each is tried once; what a
    killed import left down is put back by this one."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        table = "search_document" if self.postgres else Paper._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            indexed = cursor.fetchone()[0]
        # SQLite rebuilds its whole index at the end, PostgreSQL only the GIN structure.
        self.threshold = max(INDEX_REBUILD_MIN, indexed // (4 if self.postgres else 2))
        self.count = 0
        self.tried = False
        # Down when a bulk import was killed while they were: this one restores them.
        self.dropped = not schema.text_index_exists(connection)
        self.held = self.postgres and pgload.held(connection)
        self.autocheckpoint: int | None = None
        if not self.postgres:
            # This connection only, for the import: the WAL is copied back into the database
            # every ~200 MB instead of every 4 MB (each copy rewrites the same pages again;
            # 43.5 -> 41.6 s at 71,728 papers). A larger page cache saved 1 s more for 190 MB
            # of memory: not taken.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint")
                self.autocheckpoint = int(cursor.fetchone()[0])
                cursor.execute("PRAGMA wal_autocheckpoint = 50000")
        # Tells ``recovery.repair`` (run by every other start) that this import is alive.
        self.live = recovery.bulk_loading(connection)
        self.live.__enter__()

    def written(self, documents: int) -> bool:
        """Count papers written; True when this set the link tables' foreign keys aside."""
        self.count += documents
        if self.tried or self.count < self.threshold:
            return False
        self.tried = True
        self.dropped = schema.drop_text_index(connection) or self.dropped
        if not self.postgres or not pgload.drop_link_keys(connection):
            return False
        self.held = True
        return True

    def finish(self, quietly: bool = False) -> None:
        try:
            if self.dropped:
                schema.create_text_index(connection)
            if self.held:
                pgload.restore_link_keys(connection)
        except DatabaseError:
            if not quietly:
                raise
            log.exception("indexes or keys not put back; the next bulk import or migrate will")
        finally:
            if self.autocheckpoint is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA wal_autocheckpoint = {self.autocheckpoint}")
            self.live.__exit__(None, None, None)


def import_record(record: PaperRecord) -> Paper:
    result = import_records([record])
    if result.failures:
        raise RecordError(result.failures[0][1])
    return Paper.objects.get(arxiv_id=record.arxiv_id)


def _read_ahead[T](items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield ``items`` as produced by a background thread that keeps up to ``depth`` ready
    (memory stays bounded). An exception raised while producing is raised here."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
        except BaseException as e:  # handed to the consumer, raised there
            put((end, e))
        else:
            put((end, None))

    def run() -> None:
        try:
            produce()
        finally:
            connections.close_all()  # this thread's own (search documents computed ahead)

    thread = threading.Thread(target=run, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = ready.get()
            if item is end:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def _documents_ahead(prepared: Iterator[Prepared], lanes: int = 2) -> Iterator[Prepared]:
    """``prepared`` with their search documents, computed ahead on ``lanes`` threads, each on
    its own connection (so each by a server process of its own), up to ``lanes + 1`` batches
    ahead, in order. One lane was the import's critical path: ``to_tsvector`` is ~0.4 s of
    server CPU per thousand papers, more than writing them."""
    pool = ThreadPoolExecutor(lanes, thread_name_prefix="import-documents")
    ahead: deque[Future[Prepared]] = deque()
    failed: BaseException | None = None
    source = iter(prepared)
    try:
        while True:
            try:
                batch = next(source)
            except StopIteration:
                break
            except BaseException as e:  # a bad line, say: the batches read before it go first
                failed = e
                break
            ahead.append(pool.submit(_with_documents, batch))
            if len(ahead) > lanes:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
        if failed is not None:
            raise failed
    finally:
        for future in ahead:
            future.cancel()
        # Each lane closes its own connection: one task per thread, held by a barrier.
        barrier = threading.Barrier(lanes)

        def close() -> None:
            barrier.wait(timeout=30)
            connections.close_all()

        closing = [pool.submit(close) for _ in range(lanes)]
        pool.shutdown(wait=True)
        for future in closing:
            future.exception()  # a broken barrier only leaves a connection to the GC


def _with_documents(prepared: Prepared) -> Prepared:
    prepared.documents = _documents(prepared.records)
    return prepared


def _documents(records: list[PaperRecord]) -> dict[str, bytes]:
    """The search documents of these records by arXiv id, for those whose title or abstract
    differs from the stored paper's, computed by the search trigger's own expression on this
    thread's connection. Binary both ways (tsvectors in PostgreSQL's binary form, as
    ``schema.pg_write_documents`` takes them): text would cost both sides more. Empty when the
    database refuses: the batch then computes them from its rows."""
    sql = (
        f"SELECT t.arxiv_id, {schema.PG_TSV.format(p='t')} "
        "FROM unnest(%b::text[], %b::text[], %b::text[]) AS t(arxiv_id, title, abstract) "
        # A scalar subquery, one index probe per record: as NOT EXISTS the planner may turn it
        # into a hash anti-join that reads the whole table for every batch.
        "WHERE (SELECT p.title = t.title AND p.abstract = t.abstract "
        f"FROM {Paper._meta.db_table} p WHERE p.arxiv_id = t.arxiv_id) IS NOT TRUE"
    )
    params = [[r.arxiv_id for r in records], [r.title for r in records]]
    params.append([r.abstract for r in records])
    try:
        with _binding_cursor() as cursor:
            cursor.execute(sql, params, binary=True)
            return dict(cursor.fetchall())
    except DatabaseError as e:
        log.warning("search documents of a batch not computed ahead (%s)", e)
        return {}


@contextmanager
def _binding_cursor() -> Iterator:
    """A psycopg cursor on this thread's PostgreSQL connection (its transaction, Django's
    error wrapping) that binds parameters on the server: Django's cursors bind on the client,
    quoting each element of an array as text and giving no binary results."""
    import psycopg  # PostgreSQL only

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def _store(
    prepared: Prepared, on_batch, known: _Known | None = None, *, bulk: bool = False
) -> ImportResult:
    records, result = prepared.records, prepared.result
    known = known if known is not None else _Known()
    learned = _Known()
    try:
        with transaction.atomic():
            _write(records, result, prepared.documents, known, learned)
            _announce(result.paper_ids, bulk)
    except DatabaseError as e:
        log.warning("batch of %d refused (%s); retrying record by record", len(records), e)
        known.forget()
        result = ImportResult(failed=result.failed, failures=result.failures)
        result.unchanged += prepared.size - len(records) - result.failed
        for record in records:
            one = ImportResult()
            try:
                with transaction.atomic():
                    _write([record], one, prepared.documents)
                    _announce(one.paper_ids, bulk)
            except DatabaseError as err:
                result.fail(record.arxiv_id, f"database refused it: {err}".strip())
            else:
                result.add(one)
                result.paper_ids += one.paper_ids
    else:
        known.learn(learned)
    if on_batch is not None:
        on_batch(result)
    return result


def _announce(paper_ids: list[int], bulk: bool) -> None:
    """Send ``papers_imported`` inside the batch's transaction: what listeners write (the word
    index's change log, shipped vectors) commits with the papers, or not at all, in one commit
    instead of one each (a commit that waits for the disk costs more than the rows)."""
    if paper_ids:
        papers_imported.send(sender=ImportResult, paper_ids=list(paper_ids), bulk=bulk)


def _write(
    records: list[PaperRecord],
    result: ImportResult,
    documents: dict[str, bytes] | None = None,
    known: _Known | None = None,
    learned: _Known | None = None,
) -> None:
    """Write a batch (inside a transaction). With ``documents`` (PostgreSQL, computed ahead),
    also the search documents of the papers whose title or abstract changed, instead of the
    trigger. Authors and categories in ``known`` are taken as they are; those this batch
    inserts or looks up are added to ``learned``."""
    if not records:
        return
    if documents is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, 'importer', true), "
                "set_config('synchronous_commit', 'off', true)",
                [schema.PG_WRITER_SETTING],
            )
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
        known or _Known(),
        learned if learned is not None else _Known(),
    )
    if documents is not None:
        _write_documents(retext, documents)


def _write_documents(papers: list[tuple[int, str]], documents: dict[str, bytes]) -> None:
    """Store the search documents of ``papers`` ((pk, arXiv id)): those computed ahead as they
    are, the others (the stored text changed after they were computed) from their rows; then
    hand the trigger back its job for the rest of the transaction."""
    ahead = [(pk, documents[arxiv_id]) for pk, arxiv_id in papers if arxiv_id in documents]
    with connection.cursor() as cursor:
        schema.pg_write_documents(cursor, [pk for pk, _ in ahead], [doc for _, doc in ahead])
        schema.pg_fill_documents(cursor, [pk for pk, a in papers if a not in documents])
        cursor.execute("SELECT set_config(%s, '', true)", [schema.PG_WRITER_SETTING])


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
        adapt = _adapter(f)
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
    _copy_or_executemany(table, columns, rows)
    ids = [v["arxiv_id"] for v in new_rows]
    return _pks_by(table, "arxiv_id", "id", ids)


def _adapter(field) -> Callable | None:
    """How ``_insert_papers`` turns a field's value into what the database takes, or None."""
    kind = field.get_internal_type()
    if kind == "DateTimeField" and connection.vendor != "postgresql":
        return connection.ops.adapt_datetimefield_value
    if kind == "JSONField":
        # As JSON text, which SQLite stores as it is and PostgreSQL's COPY parses: what Django
        # writes on SQLite, and a string instead of a Jsonb object to dump again row by row.
        return lambda value: json.dumps(value, cls=field.encoder)
    return None


# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_or_executemany(
    table: str, columns: str, rows: list[tuple], line: Callable[[tuple], str] | None = None
) -> None:
    """Append ``rows`` to ``table``: ``COPY`` on PostgreSQL (one stream instead of a statement
    per row, which is most of the time an import took there), ``executemany`` elsewhere.
    ``line`` renders a row in COPY's text format (escaped, newline included): for the link
    tables' rows of ids and codes, a format string is a fraction of psycopg's ``write_row``,
    which costs ~5 µs a row in Python (400,000 author links in the shared corpus)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                if line is not None:
                    copy.write("".join(map(line, rows)))
                    return
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _pks_by(table: str, key: str, pk: str, values: list) -> dict:
    """``{key: pk}`` of the rows of ``table`` whose ``key`` is one of ``values``."""
    found: dict = {}
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {qn(key)}, {qn(pk)} FROM {table} WHERE {qn(key)} = ANY(%s)", [values]
            )
            found.update(cursor.fetchall())
            return found
        # Chunks keep the IN list under SQLite's variable limit on old builds.
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {qn(key)}, {qn(pk)} FROM {table} WHERE {qn(key)} IN ({marks})", chunk
            )
            found.update(cursor.fetchall())
    return found


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


def _link(items: list[tuple[int, PaperRecord]], known: _Known, learned: _Known) -> None:
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
    _copy_or_executemany(
        qn(PaperAuthor._meta.db_table),
        "paper_id, author_id, position",
        [(pk, new(n) or old[n], i) for pk, r in items for i, n in enumerate(r.authors)],
        line="%d\t%d\t%d\n".__mod__,
    )
    escaped = {c: c.translate(_COPY_ESCAPES) for _, r in items for c in r.categories}
    _copy_or_executemany(
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
        return _pks_by(table, "name", "id", names)
    with _binding_cursor() as cursor:
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
