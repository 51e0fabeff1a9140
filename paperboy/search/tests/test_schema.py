"""The lexical index survives a rebuild of papers_paper (SQLite drops a table's triggers)."""

from django.db import connection

from paperboy.search import schema
from paperboy.search.engine import search
from paperboy.testing import make_paper


def test_install_is_idempotent_and_restores_lost_triggers(db):
    paper = make_paper(title="Origami Folding Robots")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in ("search_fts_ai", "search_fts_ad", "search_fts_au"):
                cursor.execute(f"DROP TRIGGER {name}")
        other = make_paper(title="Kirigami Cutting Robots")  # unseen by the index
        assert search("kirigami").hits == []
        schema.install(connection)
        schema.install(connection)
    else:
        # PostgreSQL keeps its trigger through ALTER TABLE; install runs in migrations only
        # (DDL cannot run here beside the test transaction's deferred constraint checks).
        other = make_paper(title="Kirigami Cutting Robots")
    assert [h.paper for h in search("kirigami").hits] == [other]
    assert [h.paper for h in search("origami").hits] == [paper]
