"""Keyphrases (``Paper.ai_keywords``) are searchable words on every backend: FTS5, the
PostgreSQL document and the word index; the migration that adds them rebuilds in place."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from paperboy.papers.models import Paper
from paperboy.search import lexical, schema, wordindex
from paperboy.search.engine import search
from paperboy.testing import make_paper


def lexical_ids(query: str) -> list[int]:
    return [pk for pk, _ in lexical.candidates(lexical.parse(query))]


def test_a_paper_is_found_by_a_word_only_its_keyphrases_hold(db):
    paper = make_paper(title="Folding robots", abstract="Paper cranes.", ai_keywords=["origami"])
    titled = make_paper(title="Origami", abstract="Cranes.")
    make_paper(title="Protein folding", abstract="Amino acids.")
    assert lexical_ids("origami") == [titled.pk, paper.pk]  # the title still ranks first
    assert [h.paper for h in search("origami").hits][-1] == paper
    # The summaries build writes keyphrases with an update: the index follows, old words go.
    Paper.objects.filter(pk=paper.pk).update(ai_keywords=["Schrödinger bridges", "kirigami"])
    assert lexical_ids("origami") == [titled.pk]
    assert lexical_ids("kirigami") == [paper.pk]
    assert lexical_ids("Schrödinger") == [paper.pk]
    paper.delete()
    assert lexical_ids("kirigami") == []


@pytest.fixture
def words(settings, tmp_path):
    settings.SEARCH_WORD_INDEX = "on"
    settings.SEARCH_WORD_INDEX_DIR = str(tmp_path / "words")
    wordindex.forget()
    yield
    wordindex.forget()


def found(query: str) -> list[int]:
    return [pk for pk, _ in wordindex.candidates(lexical.parse(query).terms) or []]


def test_the_word_index_holds_keyphrases_and_follows_their_changes(transactional_db, words):
    paper = make_paper(title="Folding robots", abstract="Paper cranes.", ai_keywords=["origami"])
    titled = make_paper(title="Origami", abstract="Cranes.")
    assert wordindex.build() == 2
    assert found("origami") == [titled.pk, paper.pk]
    # As the summaries build writes them (an update, no model save): it logs the change.
    Paper.objects.filter(pk=paper.pk).update(ai_keywords=["kirigami"])
    wordindex.log_changes([paper.pk])
    assert wordindex.sync() == 1
    assert found("kirigami") == [paper.pk]
    assert found("origami") == [titled.pk]
    paper.ai_keywords = ["tessellation"]
    paper.save(update_fields=["ai_keywords"])  # a model save of the keyphrases is logged
    assert wordindex.sync() == 1
    assert found("tessellation") == [paper.pk]


OLD_SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(title, abstract, content='papers_paper',
        content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
OLD_PG_TSV = (
    "setweight(to_tsvector('english', coalesce(p.title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(p.abstract, '')), 'B')"
)


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_the_keyphrases_of_papers_already_there():
    paper = make_paper(title="Folding robots", abstract="Paper cranes.", ai_keywords=["origami"])
    # The index as it was before keyphrases: no keyphrase column / documents without them.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in [*schema.SQLITE_DROP, *OLD_SQLITE]:
                cursor.execute(sql)
        else:
            cursor.execute(
                f"UPDATE search_document d SET tsv = {OLD_PG_TSV} FROM papers_paper p "
                "WHERE d.paper_id = p.id"
            )
    assert lexical_ids("origami") == []
    executor = MigrationExecutor(connection)
    leaf = executor.loader.graph.leaf_nodes()  # every app's: any that depend on search come back
    executor.migrate([("search", "0002_word_index_change")])
    executor = MigrationExecutor(connection)
    executor.migrate(leaf)
    assert lexical_ids("origami") == [paper.pk]
    assert lexical_ids("cranes") == [paper.pk]
