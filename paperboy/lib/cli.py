"""What every ``paperboy`` subcommand shares, whichever app defines it: ``CliError`` (a problem
told in one line), Django set up for a command (``setup_django``: settings, the schema brought
up to date one process at a time, then each app's ``repair``). The top-level ``paperboy/cli.py``
finds the apps' subcommands and runs ``up``; the apps' ``cli.py`` modules import only this.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path


class CliError(Exception):
    """A problem to report to the user in one line."""


def setup_django(args: argparse.Namespace | None = None) -> None:
    """Configure Django for a command (honouring ``--data-dir``), bring the database schema up
    to date (as ``paperboy up`` does, so any command works on a fresh data directory) and let
    the apps repair what a killed process left behind (``repair``)."""
    configure_django(getattr(args, "data_dir", None))
    migrate()
    repair()


def repair() -> None:
    """Call ``repair()`` on every app config that has one (ingest: an import killed with its
    word index down, ``ingest/recovery.py``). Through the app registry, so this layer names no
    app above it."""
    from django.apps import apps

    for config in apps.get_app_configs():
        hook = getattr(config, "repair", None)
        if callable(hook):
            hook()


def configure_django(data_dir: str | None = None) -> None:
    """Settings and app registry only: no database touched."""
    if data_dir:
        os.environ["PAPERBOY_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
    import django

    django.setup()


def migrate() -> bool:
    """Apply pending migrations, one process at a time; True when there were any.

    Two commands started together on a fresh data directory would otherwise both create the
    tables; the second one waits for the first (a file lock beside the SQLite database, an
    advisory lock on PostgreSQL) and then finds nothing to do."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if not _pending(connection):
        return False
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    with _schema_lock(connection):
        if not _pending(connection):
            return False
        where = connection.settings_dict.get("NAME") or "the database"
        print(f"paperboy: setting up the database schema in {where}", file=sys.stderr, flush=True)
        call_command("migrate", interactive=False, verbosity=0)
    return True


def _pending(connection) -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@contextlib.contextmanager
def _schema_lock(connection):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_PG_MIGRATE_LOCK])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_PG_MIGRATE_LOCK])
        return
    import fcntl

    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        yield
        return
    with open(f"{name}.migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


_PG_MIGRATE_LOCK = 0x70617065_726D6967  # "papermig"
