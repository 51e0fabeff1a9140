"""The link tables' foreign keys during a bulk import on PostgreSQL: dropped, then put back once.

PostgreSQL checks a foreign key row by row: each new link (a paper's authors, its categories)
queues a check that runs at COMMIT, two per row. Adding the constraint back checks every row in
one join instead, which is what the manual advises for a bulk load ("Populating a Database":
remove foreign key constraints, load, re-create them; what it saved is in bench/README.md).
``bulkload.BulkLoad`` decides when; the search app's text indexes are set aside the same way
(``paperboy.search.schema.pg_drop_text_index``). Kept apart from ``bulkload``: every start's
``recovery`` and a moderator's author merge (``loading``) need these rules, not the engine.

Each dropped constraint is first written to ``HeldForeignKey`` (name, columns, and its
definition as ``pg_get_constraintdef`` gives it) in the same transaction, so a bulk import
killed with ``kill -9`` loses nothing: the next bulk import or any ``migrate`` (``paperboy up``
runs one) puts it back. Putting back first deletes links whose paper, author or category
disappeared meanwhile (what ``on_delete=CASCADE`` would have done), then adds the constraint,
which checks every row. Links written while the constraints are down come from ids the
importer read in the same transaction, so there is nothing else to clean up.
"""

from __future__ import annotations

import logging

from django.db import OperationalError, transaction

from paperboy.ingest.models import HeldForeignKey
from paperboy.papers.models import Paper, PaperAuthor
from paperboy.search.schema import PG_TEXT_INDEX_LOCK

log = logging.getLogger(__name__)


def link_tables() -> list[str]:
    """The tables whose foreign keys a bulk import sets aside: paper ↔ author, paper ↔ category."""
    return [PaperAuthor._meta.db_table, Paper.categories.through._meta.db_table]


def held(connection) -> bool:
    """Whether foreign keys are set aside (an import is loading, or one was killed)."""
    return HeldForeignKey.objects.using(connection.alias).exists()


def loading(connection) -> bool:
    """Inside a transaction: whether a bulk import has the keys set aside, waiting for one
    that is setting them aside right now. Deleting authors (a merge) must wait until it is not:
    an import links to authors by the ids it read, and no key would stop a link to a deleted
    one. Once this returned False, no import sets the keys aside before the transaction ends.
    Always False on other databases (their keys stay)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_TEXT_INDEX_LOCK])
    return held(connection)


def drop_link_keys(connection) -> bool:
    """Drop the link tables' single-column foreign keys, remembering each, in one transaction.

    False (nothing dropped) when the tables stay locked for two seconds (dropping a foreign
    key locks both its table and the one it refers to): the import then goes on with them.
    """
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_TEXT_INDEX_LOCK])
            cursor.execute(
                "SELECT c.conname, c.conrelid::regclass::text, a.attname, "
                "c.confrelid::regclass::text, fa.attname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
                "WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 "
                "AND c.conrelid = ANY(%s::regclass[]) ORDER BY c.conname",
                [link_tables()],
            )
            keys = cursor.fetchall()
            for name, table, column, target_table, target_column, definition in keys:
                HeldForeignKey.objects.using(connection.alias).create(
                    name=name,
                    table=table,
                    column=column,
                    target_table=target_table,
                    target_column=target_column,
                    definition=definition,
                )
                cursor.execute(
                    f"ALTER TABLE {_q(connection, table)} DROP CONSTRAINT {_q(connection, name)}"
                )
    except OperationalError:
        return False
    return bool(keys)


def restore_link_keys(connection) -> int:
    """Put back every foreign key a bulk import set aside; returns how many.

    Each in a transaction of its own: lock both tables against writes, delete the links whose
    target is gone, add the constraint (PostgreSQL checks all rows in one pass)."""
    restored = 0
    for key in HeldForeignKey.objects.using(connection.alias).order_by("name"):
        table, target = _q(connection, key.table), _q(connection, key.target_table)
        column, target_column = _q(connection, key.column), _q(connection, key.target_column)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PG_TEXT_INDEX_LOCK])
            if not HeldForeignKey.objects.using(connection.alias).filter(pk=key.pk).exists():
                continue  # another import put it back meanwhile
            cursor.execute(f"LOCK TABLE {table}, {target} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                f"DELETE FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
            )
            if cursor.rowcount:
                log.warning(
                    "%s: %d rows referred to rows deleted during a bulk import; removed",
                    key.table,
                    cursor.rowcount,
                )
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {_q(connection, key.name)} {key.definition}"
            )
            key.delete()
        restored += 1
    return restored


def _q(connection, name: str) -> str:
    """A table or column name as SQL: regclass text may already be quoted."""
    return name if name.startswith('"') else connection.ops.quote_name(name)
