"""The schema: every model change has a migration, and the suite runs on the chosen database."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit:
        pytest.fail(f"Models changed without a migration; run `manage.py makemigrations`:\n{out}")


@pytest.mark.django_db
def test_it_runs_on_the_database_chosen_by_the_db_option(request):
    expected = {"sqlite": "sqlite", "postgres": "postgresql"}[request.config.getoption("--db")]
    assert connection.vendor == expected
    if connection.vendor == "postgresql":
        # The search backend needs pgvector; the embedded server ships it.
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
            cursor.execute(
                "SELECT '[3,4]'::vector <-> '[0,0]'::vector,"
                " current_setting('server_version_num')::int"
            )
            distance, version = cursor.fetchone()
        assert distance == 5.0
        assert version >= 180000


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_and_waits_for_locks():
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"  # nothing SQLite-specific to check there
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        (mode,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout")
        (timeout,) = cursor.fetchone()
    assert mode == "wal"
    assert timeout >= 5000
