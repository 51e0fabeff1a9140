"""How the importer writes many rows fast, and what a bulk import sets aside while it loads.

Rows go in without model instances: ``COPY`` on PostgreSQL, one ``executemany`` elsewhere
(``copy_or_executemany``, with ``adapter`` and ``COPY_ESCAPES`` to render values). ``BulkLoad``
is what ``import_records(bulk=True)`` sets aside once it has written enough, and puts back once
at the end: the word index's row-by-row upkeep (``search.schema.drop_text_index``), SQLite's
WAL checkpoints, and on PostgreSQL the link tables' foreign keys (``pgload``, kept apart because
every start's ``recovery`` and a moderator's author merge need those rules without this engine).
What each saved is in bench/README.md (``bench/ingest.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.db import DatabaseError, connection

from paperboy.ingest import pgload, recovery
from paperboy.papers.models import Paper
from paperboy.search import schema

log = logging.getLogger(__name__)

# A bulk import sets the word index aside once it has written this many papers, or a quarter
# (PostgreSQL: the GIN index) or half (SQLite: all of FTS5) of those indexed when it started
# if that is more.
INDEX_REBUILD_MIN = 5000

# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class BulkLoad:
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
            # every ~200 MB instead of every 4 MB (each copy rewrites the same pages again). A
            # larger page cache was not worth its memory (bench/README.md).
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


def adapter(field) -> Callable | None:
    """How a field's value becomes what the database takes in a row written here, or None."""
    kind = field.get_internal_type()
    if kind == "DateTimeField" and connection.vendor != "postgresql":
        return connection.ops.adapt_datetimefield_value
    if kind == "JSONField":
        # As JSON text, which SQLite stores as it is and PostgreSQL's COPY parses: what Django
        # writes on SQLite, and a string instead of a Jsonb object to dump again row by row.
        return lambda value: json.dumps(value, cls=field.encoder)
    return None


def copy_or_executemany(
    table: str, columns: str, rows: list[tuple], line: Callable[[tuple], str] | None = None
) -> None:
    """Append ``rows`` to ``table``: ``COPY`` on PostgreSQL (one stream instead of a statement
    per row), ``executemany`` elsewhere. ``line`` renders a row in COPY's text format (escaped,
    newline included): for rows of ids and codes, a format string costs a fraction of psycopg's
    ``write_row`` in Python."""
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


def pks_by(table: str, key: str, pk: str, values: list) -> dict:
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
