"""What a killed bulk import leaves behind, and the repair every start runs.

A bulk import (``bulkload.BulkLoad``) sets aside the word index's row-by-row upkeep (SQLite:
FTS5's insert trigger, so new papers are not found by words until ``search_fts`` is rebuilt;
PostgreSQL: the text indexes) and, on PostgreSQL, the link tables' foreign keys
(``pgload``). Killed on the way (``kill -9``, OOM), it leaves them down. ``repair`` puts them
back; ``paperboy`` runs it at the start of every command, ``paperboy up`` and every task worker
(``run_worker``), so nothing waits for the next import or ``migrate``.

A live import must not be "repaired" under its feet (rebuilding the index it is about to
rebuild once costs minutes): while it has things set aside it holds a shared *bulk-load lock*
that the kernel or the server drops when its process dies — a ``flock`` on a file beside the
SQLite database, a session advisory lock on PostgreSQL. ``repair`` only acts when it can take
that lock exclusively, i.e. when no import is running.

The check is cheap (a ``sqlite_master`` count, or two ``to_regclass`` and one ``EXISTS``).
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection as default_connection
from django.db.migrations.recorder import MigrationRecorder

from paperboy.ingest import pgload
from paperboy.search import schema

log = logging.getLogger(__name__)

# "paperbulk": the session advisory lock a live bulk import holds (shared) on PostgreSQL.
PG_BULK_LOAD_LOCK = 0x70617065_7262756C


def _lock_path(connection) -> str | None:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        return None  # no other process can see this database
    return f"{name}.bulk-import.lock"


@contextmanager
def bulk_loading(connection=default_connection) -> Iterator[None]:
    """Held by a bulk import while it has indexes or keys set aside (shared: imports may run
    side by side)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock_shared(%s)", [PG_BULK_LOAD_LOCK])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [PG_BULK_LOAD_LOCK])
        return
    path = _lock_path(connection)
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def _no_import_running(connection) -> Iterator[bool]:
    """Yields True with the bulk-load lock held exclusively, False when an import holds it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [PG_BULK_LOAD_LOCK])
            got = cursor.fetchone()[0]
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [PG_BULK_LOAD_LOCK])
        return
    path = _lock_path(connection)
    if path is None:
        yield True
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(fd)


def needs_repair(connection=default_connection) -> bool:
    """Whether a bulk import left the word index or the link tables' keys down."""
    if not schema.text_index_exists(connection):
        return True
    return connection.vendor == "postgresql" and pgload.held(connection)


def repair(connection=default_connection) -> bool:
    """Put back what a killed bulk import left down, unless an import is running; True when
    something was repaired. Does nothing before the search and ingest tables exist."""
    applied = MigrationRecorder(connection).applied_migrations()
    if ("search", "0001_initial") not in applied or (
        "ingest",
        "0002_heldforeignkey",
    ) not in applied:
        return False
    if not needs_repair(connection):
        return False
    with _no_import_running(connection) as idle:
        if not idle:
            return False
        if not schema.text_index_exists(connection):
            log.warning("the word index was left incomplete by a killed import: rebuilding it")
            schema.create_text_index(connection)
        if connection.vendor == "postgresql":
            pgload.restore_link_keys(connection)
    return True
