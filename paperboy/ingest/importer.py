"""Importing papers: the one writer of parsed records into the catalog (``import_records``,
``import_record``) and of what a source knows about papers already there (``import_extras``:
Hugging Face's links, summary, upvotes and organization, GitHub's stars). Idempotent: the same
record twice changes nothing.

This module owns the order of things: records go in batches (``prepare``), each batch in one
transaction; when the database refuses a batch, its records are retried one by one (each in a
savepoint) so a bad record never costs the rest; ``papers_imported`` is sent inside each
batch's transaction. The rest lives beside it: what a record changes in the catalog in
``upsert``, the row-writing engine and what a bulk import sets aside in ``bulkload`` (and
``pgload``), the read-ahead threads in ``pipeline``, the PostgreSQL search documents in
``paperboy.search.documents``, the plain types in ``records``. Measurements in bench/README.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import DatabaseError, connection, transaction

from paperboy.ingest import pipeline, upsert
from paperboy.ingest.bulkload import BulkLoad
from paperboy.ingest.prepare import batches, in_process, prepare, prepared_in_process
from paperboy.ingest.records import ImportResult, PaperRecord, Prepared, RecordError
from paperboy.ingest.upsert import Known
from paperboy.papers.models import Paper
from paperboy.papers.signals import papers_imported
from paperboy.search import wordindex
from paperboy.search.documents import AheadDocuments

__all__ = ["ImportResult", "RecordError", "import_extras", "import_record", "import_records"]

log = logging.getLogger(__name__)


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
    own connections (``pipeline.documents_ahead``), which each batch's transaction writes itself
    instead of the trigger; those transactions commit with ``synchronous_commit`` off (a server
    crash can lose the last few, which a re-run imports again).

    ``bulk`` implies ``read_ahead`` and lets a large import (outside a transaction) set the
    text indexes and, on PostgreSQL, the link tables' foreign keys aside once it has written
    enough, and put them back once at the end (``bulkload.BulkLoad``).
    """
    result = ImportResult()
    read_ahead = read_ahead or bulk
    # SQLite runs in this process, under its GIL; PostgreSQL's server wants the other core.
    if read_ahead and connection.vendor == "sqlite" and in_process(records):
        prepared: Iterator[Prepared] = prepared_in_process(records, batch_size)
    else:
        prepared = (prepare(b) for b in batches(records, batch_size))
        if read_ahead:
            prepared = pipeline.read_ahead(prepared)
    if read_ahead and connection.vendor == "postgresql":
        # Computing the next batch's documents while the current one is written.
        prepared = pipeline.documents_ahead(prepared)
    index = BulkLoad() if bulk and not connection.in_atomic_block else None
    known = Known()
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


def import_record(record: PaperRecord) -> Paper:
    result = import_records([record])
    if result.failures:
        raise RecordError(result.failures[0][1])
    return Paper.objects.get(arxiv_id=record.arxiv_id)


def import_extras(paper_ids: Iterable[int], **extras: Any) -> list[int]:
    """Write what a source knows about papers already in the catalog, in one transaction (a
    savepoint inside the caller's); returns the pks of the papers whose row changed. The
    fields and their rules are ``upsert.write_extras``'s: a value the catalog refuses raises
    RecordError and writes nothing. What the change means for the daily list (counters,
    trending) is the caller's. Keyphrases are searchable words: the papers are logged for the
    word index (FTS5 and PostgreSQL's documents follow by trigger)."""
    with transaction.atomic():
        changed = upsert.write_extras(list(paper_ids), **extras)
        if extras.get("ai_keywords"):
            wordindex.log_changes(changed)
        return changed


def _store(
    prepared: Prepared, on_batch, known: Known | None = None, *, bulk: bool = False
) -> ImportResult:
    records, result = prepared.records, prepared.result
    known = known if known is not None else Known()
    learned = Known()
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
    documents: AheadDocuments | None = None,
    known: Known | None = None,
    learned: Known | None = None,
) -> None:
    """Write a batch (inside its transaction): ``upsert.write``, and with ``documents``
    (PostgreSQL, computed ahead) the search documents of the papers whose title or abstract
    it wrote, instead of the trigger, in a transaction that does not wait for the disk."""
    if not records:
        return
    if documents is None:
        upsert.write(records, result, known, learned)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('synchronous_commit', 'off', true)")
    with documents.writing() as written:
        written += upsert.write(records, result, known, learned)
