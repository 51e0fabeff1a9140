"""The PostgreSQL search documents a bulk import computes ahead and writes beside its papers.

``compute_ahead`` is the one door: on a connection of its own, a thread of the importer turns
the next batch's titles and abstracts (with the stored papers' keyphrases) into documents
(``schema.PG_TSV``, the trigger's own expression), so another server process does that work
while the current batch is written. The
``AheadDocuments`` it returns then write themselves inside that batch's transaction
(``writing``), and the trigger (``schema.PG_WRITER_SETTING``) leaves those rows alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection

from paperboy.lib.pgcursor import binding_cursor
from paperboy.papers.models import Paper
from paperboy.search import schema

log = logging.getLogger(__name__)


@dataclass
class AheadDocuments:
    """Documents (tsvectors in PostgreSQL's binary form) by arXiv id, of the papers whose title
    or abstract differed from the stored paper's when they were computed."""

    by_arxiv_id: dict[str, bytes]

    @contextmanager
    def writing(self) -> Iterator[list[tuple[int, str]]]:
        """Inside a write transaction: the trigger leaves documents to this. The caller adds
        (pk, arXiv id) of each paper whose title or abstract it wrote; on leaving, those
        computed ahead are stored as they are, the others (the text changed after they were
        computed) from their rows, and the trigger takes its job back for the rest of the
        transaction. Nothing is written when the block raises (its transaction rolls back)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'importer', true)", [schema.PG_WRITER_SETTING])
        written: list[tuple[int, str]] = []
        yield written
        documents = self.by_arxiv_id
        ahead = [(pk, documents[arxiv_id]) for pk, arxiv_id in written if arxiv_id in documents]
        with connection.cursor() as cursor:
            schema.pg_write_documents(cursor, [pk for pk, _ in ahead], [doc for _, doc in ahead])
            schema.pg_fill_documents(cursor, [pk for pk, a in written if a not in documents])
            cursor.execute("SELECT set_config(%s, '', true)", [schema.PG_WRITER_SETTING])


def compute_ahead(papers: Sequence[tuple[str, str, str]]) -> AheadDocuments:
    """The documents of ``papers`` ((arXiv id, title, abstract)) whose title or abstract
    differs from the stored paper's, computed on this thread's connection. Binary both ways
    (``schema.pg_write_documents`` takes them as they come): text would cost both sides more.
    Empty when the database refuses: ``writing`` then computes them from the rows."""
    sql = (
        f"SELECT t.arxiv_id, {schema.PG_TSV.format(p='t')} "
        # A record brings no keyphrases: the document keeps the stored paper's.
        f"FROM (SELECT u.*, (SELECT p.ai_keywords FROM {Paper._meta.db_table} p "
        "WHERE p.arxiv_id = u.arxiv_id) AS ai_keywords "
        "FROM unnest(%b::text[], %b::text[], %b::text[]) AS u(arxiv_id, title, abstract)) t "
        # A scalar subquery, one index probe per record: as NOT EXISTS the planner may turn it
        # into a hash anti-join that reads the whole table for every batch.
        "WHERE (SELECT p.title = t.title AND p.abstract = t.abstract "
        f"FROM {Paper._meta.db_table} p WHERE p.arxiv_id = t.arxiv_id) IS NOT TRUE"
    )
    params = [[p[0] for p in papers], [p[1] for p in papers], [p[2] for p in papers]]
    try:
        with binding_cursor() as cursor:
            cursor.execute(sql, params, binary=True)
            return AheadDocuments(dict(cursor.fetchall()))
    except DatabaseError as e:
        log.warning("search documents of a batch not computed ahead (%s)", e)
        return AheadDocuments({})
