"""The catalog keeps the indexes its queries read and none that only slow its writes."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from paperboy.papers.models import Author, Paper

TABLES = ("papers_paper", "papers_author", "papers_paper_categories")


def _indexes() -> dict[tuple[str, str], tuple[str, ...]]:
    """Every index on the catalog's tables: (table, name) -> (table, *columns)."""
    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            for name, info in connection.introspection.get_constraints(cursor, table).items():
                if info["index"] or info["unique"]:
                    found[table, name] = (table, *info["columns"])
    return found


def _redundant(indexes: dict[tuple[str, str], tuple[str, ...]]) -> set[tuple[str, str]]:
    return {
        key
        for key, columns in indexes.items()
        if key[1].endswith("_like") or columns == ("papers_paper_categories", "paper_id")
    }


def test_the_catalog_has_no_index_that_no_query_reads(db):
    indexes = _indexes()
    assert _redundant(indexes) == set()
    # What the queries need is there: ids, names and links stay unique, categories filter.
    kept = set(indexes.values())
    assert ("papers_paper", "arxiv_id") in kept
    assert ("papers_author", "name") in kept
    assert ("papers_paper", "primary_category") in kept
    assert ("papers_paper_categories", "paper_id", "category_id") in kept
    assert ("papers_paper_categories", "category_id") in kept


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_and_forth():
    executor = MigrationExecutor(connection)
    # Every app's leaf: going back unapplies the apps that depend on papers (library, for you…),
    # and they must come back too, or later tests find their tables gone.
    leaf = executor.loader.graph.leaf_nodes()
    executor.migrate([("papers", "0004_paperauthor_paper_no_index")])
    back = _redundant(_indexes())
    assert ("papers_paper_categories", "paper_id") in {_indexes()[n] for n in back}
    if connection.vendor == "postgresql":  # Django's pattern indexes, as it made them
        assert {_indexes()[key][:2] for key in back if key[1].endswith("_like")} == {
            ("papers_paper", "arxiv_id"),
            ("papers_paper", "primary_category"),
            ("papers_author", "name"),
            ("papers_paper_categories", "category_id"),
        }
    executor = MigrationExecutor(connection)
    executor.migrate(leaf)
    assert _redundant(_indexes()) == set()
    # The catalog still works as before.
    author = Author.objects.create(name="Ada Lovelace")
    assert Author.objects.get(name="Ada Lovelace") == author
    assert not Paper.objects.filter(arxiv_id="2501.00001").exists()
