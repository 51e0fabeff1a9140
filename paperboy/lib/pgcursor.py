"""A psycopg cursor that binds parameters on the PostgreSQL server, for the bulk paths (the
importer's author names, the search documents it computes ahead) that send whole arrays."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def binding_cursor() -> Iterator:
    """A psycopg cursor on this thread's PostgreSQL connection (its transaction, Django's
    error wrapping) that binds parameters on the server: Django's cursors bind on the client,
    quoting each element of an array as text and giving no binary results."""
    import psycopg  # PostgreSQL only

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor
