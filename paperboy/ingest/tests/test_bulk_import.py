"""A bulk import (what ``paperboy import papers`` runs): search documents written beside their
papers, on PostgreSQL the text index rebuilt once instead of row by row, and a bulk import
killed on the way leaves search working after the next one."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from paperboy.ingest import bulkload, pgload, pipeline
from paperboy.ingest.importer import import_records
from paperboy.ingest.jsonl import read_records
from paperboy.ingest.models import HeldForeignKey
from paperboy.ingest.prepare import prepare
from paperboy.papers.models import Paper, PaperAuthor
from paperboy.search import lexical, schema


def _line(n: int, **kw) -> dict:
    return {
        "id": f"2503.{n:05d}",
        "title": f"Bulk paper number{n} on axolotl{n}",
        "abstract": f"We measure narwhal{n} populations.\n  A second paragraph.",
        "authors": [f"Author {n}", "Shared Person"],
        "categories": ["cs.CL"],
        "comment": None,
        "announced": "2025-03-03",
        **kw,
    }


def _write(tmp_path, lines: list[dict], name: str = "papers.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _bulk(path, batch_size: int = 3):
    return import_records(read_records(path), batch_size=batch_size, bulk=True)


def _found(word: str) -> set[str]:
    ids = [pk for pk, _ in lexical.candidates(lexical.parse(word))]
    return set(Paper.objects.filter(pk__in=ids).values_list("arxiv_id", flat=True))


def _text_index_exists() -> bool:
    return schema.text_index_exists(connection)


def _stale_documents() -> int:
    """Papers whose search document is missing or differs from what the trigger would write
    (PostgreSQL); on SQLite, papers missing from the FTS5 index."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM papers_paper p "
                "LEFT JOIN search_document d ON d.paper_id = p.id "
                f"WHERE d.tsv IS DISTINCT FROM ({schema.PG_TSV.format(p='p')})"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM papers_paper p "
                "WHERE p.id NOT IN (SELECT rowid FROM search_fts)"
            )
        return cursor.fetchone()[0]


@pytest.fixture
def rebuilds(monkeypatch):
    """A low rebuild threshold (4 documents) and a log of the index drops and builds."""
    calls: list[str] = []
    drop, create = schema.drop_text_index, schema.create_text_index

    def logged_drop(conn):
        calls.append("drop")
        return drop(conn)

    def logged_create(conn):
        calls.append("create")
        create(conn)

    monkeypatch.setattr(bulkload, "INDEX_REBUILD_MIN", 4)
    monkeypatch.setattr(schema, "drop_text_index", logged_drop)
    monkeypatch.setattr(schema, "create_text_index", logged_create)
    yield calls
    create(connection)  # whatever a failing test left behind


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_rebuilds_the_text_index_once_and_search_finds_every_paper(
    tmp_path, rebuilds
):
    result = _bulk(_write(tmp_path, [_line(n) for n in range(1, 12)]))
    assert (result.new, result.failed) == (11, 0)
    assert rebuilds == ["drop", "create"]
    assert _text_index_exists()
    assert _stale_documents() == 0
    assert _found("axolotl7") == {"2503.00007"}
    assert _found("narwhal11") == {"2503.00011"}


@pytest.mark.django_db(transaction=True)
def test_a_second_bulk_import_changes_nothing_and_a_retitled_paper_gets_a_new_document(
    tmp_path, rebuilds
):
    lines = [_line(n) for n in range(1, 10)]
    path = _write(tmp_path, lines)
    _bulk(path)
    papers = list(Paper.objects.order_by("pk").values())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM papers_paperauthor")
        links = cursor.fetchone()[0]
    rebuilds.clear()

    again = _bulk(path)
    assert (again.new, again.updated, again.unchanged, again.failed) == (0, 0, 9, 0)
    assert list(Paper.objects.order_by("pk").values()) == papers
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM papers_paperauthor")
        assert cursor.fetchone()[0] == links
    assert rebuilds == []  # nothing written, the index left alone
    assert _stale_documents() == 0

    lines[3] = _line(4, title="Renamed to capybara")
    if connection.vendor == "postgresql":
        # Computed ahead: only the paper whose stored text differs.
        records = list(read_records(_write(tmp_path, lines, "changed.jsonl")))
        documents = pipeline.with_documents(prepare(records)).documents
        assert set(documents.by_arxiv_id) == {"2503.00004"}
    changed = _bulk(_write(tmp_path, lines, "changed.jsonl"))
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 8)
    assert _stale_documents() == 0
    assert _found("capybara") == {"2503.00004"}
    assert _found("axolotl4") == set()
    assert _found("axolotl5") == {"2503.00005"}


@pytest.mark.django_db(transaction=True)
def test_a_paper_met_twice_in_one_file_keeps_the_document_of_its_last_version(tmp_path, rebuilds):
    lines = [_line(n) for n in range(1, 8)]
    lines.append(_line(2, id="2503.00002v2", title="Second version about wombats"))
    result = _bulk(_write(tmp_path, lines), batch_size=2)
    assert (result.new, result.updated) == (7, 1)
    assert Paper.objects.get(arxiv_id="2503.00002").version == 2
    assert _stale_documents() == 0
    assert _found("wombats") == {"2503.00002"}
    assert _found("axolotl2") == set()


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_stopped_half_way_leaves_its_batches_searchable_and_the_index_built(
    tmp_path, rebuilds
):
    def stopped(records):
        for i, record in enumerate(records):
            if i == 9:
                raise KeyboardInterrupt  # Ctrl-C after three batches of three
            yield record

    with pytest.raises(KeyboardInterrupt):
        import_records(
            stopped(read_records(_write(tmp_path, [_line(n) for n in range(1, 20)]))),
            batch_size=3,
            bulk=True,
        )
    assert Paper.objects.count() == 9
    assert rebuilds == ["drop", "create"]
    assert _text_index_exists()
    assert _stale_documents() == 0
    assert _found("axolotl9") == {"2503.00009"}


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_with_the_index_down_leaves_search_working_after_the_next_import(
    tmp_path, rebuilds
):
    _bulk(_write(tmp_path, [_line(n) for n in range(1, 6)]))
    # What ``kill -9`` during a bulk import leaves: the index dropped, never rebuilt.
    assert schema.drop_text_index(connection)
    assert not _text_index_exists()
    assert _found("axolotl3") == {"2503.00003"}  # slower without the index, still right
    rebuilds.clear()

    _bulk(_write(tmp_path, [_line(6)], "one.jsonl"))  # far below the rebuild threshold
    assert rebuilds == ["create"]
    assert _text_index_exists()
    assert _stale_documents() == 0
    assert _found("axolotl3") == {"2503.00003"}
    assert _found("axolotl6") == {"2503.00006"}


@pytest.mark.django_db(transaction=True)
def test_migrate_rebuilds_a_text_index_a_killed_import_left_dropped(tmp_path, rebuilds):
    _bulk(_write(tmp_path, [_line(1)]))
    assert schema.drop_text_index(connection)
    import_records(read_records(_write(tmp_path, [_line(2)], "two.jsonl")))  # while it is down
    schema.install(connection)  # what every migrate runs (post_migrate)
    assert _text_index_exists()
    assert _stale_documents() == 0
    assert _found("axolotl2") == {"2503.00002"}


def test_ordinary_writes_keep_their_search_documents_by_trigger(db):
    import_records([next(iter(read_records_from([_line(1)])))])
    Paper.objects.filter(arxiv_id="2503.00001").update(title="Now about quolls")
    assert _stale_documents() == 0
    assert _found("quolls") == {"2503.00001"}


def read_records_from(lines: list[dict]):
    import io

    return read_records(io.StringIO("".join(json.dumps(line) + "\n" for line in lines)))


def _link_keys() -> set[tuple[str, str, str]]:
    """The link tables' foreign keys as PostgreSQL has them: (table, name, definition)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [pgload.link_tables()],
        )
        return set(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_sets_the_link_keys_aside_and_puts_them_back(tmp_path, rebuilds):
    postgres = connection.vendor == "postgresql"
    before = _link_keys() if postgres else set()
    if postgres:  # paper and author of paper ↔ author, paper and category of paper ↔ category
        assert len(before) == 4
    during: list[tuple[int, int]] = []

    def seen(result):
        held = HeldForeignKey.objects.count()
        during.append((held, len(_link_keys()) if postgres else 0))

    result = import_records(
        read_records(_write(tmp_path, [_line(n) for n in range(1, 13)])),
        batch_size=3,
        bulk=True,
        on_batch=seen,
    )
    assert (result.new, result.failed) == (12, 0)
    if postgres:
        # Set aside once the threshold (4 documents) was passed, i.e. after the second batch
        # (whose own callback still saw the keys).
        assert during == [(0, 4), (0, 4), (4, 0), (4, 0)]
        assert _link_keys() == before
    else:
        assert during == [(0, 0)] * 4
    assert HeldForeignKey.objects.count() == 0
    paper = Paper.objects.get(arxiv_id="2503.00011")
    assert list(paper.authorships.order_by("position").values_list("author__name", flat=True)) == [
        "Author 11",
        "Shared Person",
    ]
    assert list(paper.categories.values_list("code", flat=True)) == ["cs.CL"]


@pytest.mark.django_db(transaction=True)
def test_migrate_puts_back_the_keys_a_killed_import_left_down_without_dangling_links(
    tmp_path, rebuilds
):
    _bulk(_write(tmp_path, [_line(n) for n in range(1, 4)]))
    postgres = connection.vendor == "postgresql"
    before = _link_keys() if postgres else set()
    if postgres:
        # What ``kill -9`` during a bulk import leaves: the keys dropped and remembered…
        assert pgload.drop_link_keys(connection)
        assert _link_keys() == set() and HeldForeignKey.objects.count() == 4
        # …and meanwhile a paper deleted under its links (no key to stop it).
        with connection.cursor() as cursor:
            gone = Paper.objects.get(arxiv_id="2503.00002").pk
            cursor.execute("DELETE FROM papers_paper WHERE id = %s", [gone])
    call_command("migrate", verbosity=0)
    assert HeldForeignKey.objects.count() == 0
    if postgres:
        assert _link_keys() == before
        assert not PaperAuthor.objects.filter(paper_id=gone).exists()  # the dangling links
    assert PaperAuthor.objects.filter(paper__arxiv_id="2503.00001").count() == 2
    assert PaperAuthor.objects.filter(paper__arxiv_id="2503.00003").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_gives_back_the_connection_settings_it_changed(tmp_path, rebuilds):
    def settings() -> tuple:
        if connection.vendor != "sqlite":
            return ()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cursor.fetchone()

    before = settings()
    seen = []
    result = import_records(
        read_records(_write(tmp_path, [_line(n) for n in range(1, 5)])),
        batch_size=2,
        bulk=True,
        on_batch=lambda result: seen.append(settings()),
    )
    assert result.new == 4
    assert settings() == before
    if connection.vendor == "sqlite":
        assert before == (1000,)  # SQLite's default: the WAL is copied back every 4 MB…
        assert seen == [(50000,)] * 2  # …and every ~200 MB while the import writes


def _authors_of(arxiv_id: str) -> list[str]:
    return list(
        PaperAuthor.objects.filter(paper__arxiv_id=arxiv_id)
        .order_by("position")
        .values_list("author__name", flat=True)
    )


@pytest.mark.parametrize("bulk", [False, True])
@pytest.mark.django_db(transaction=True)
def test_an_author_merged_away_during_an_import_is_not_linked_by_a_remembered_id(
    tmp_path, rebuilds, bulk
):
    """The import remembers author ids between batches. A moderator merges "Shared Person"
    away after the first batch; the third and later name them again and must link a live
    author, whether the foreign keys are there (the batch is refused, then retried) or, in a
    bulk import on PostgreSQL, set aside after the second batch (the remembered ids go with
    them: without the keys nothing would refuse a link to the deleted author)."""
    from paperboy.moderation import actions
    from paperboy.papers.models import Author
    from paperboy.testing import make_user

    moderator = make_user("mod", is_staff=True)
    merged = []

    def merge_once(result):
        if not merged:
            keep = Author.objects.create(name="S. Person")
            gone = Author.objects.get(name="Shared Person")
            actions.merge_authors(actor=moderator, keep=keep, duplicates=[gone], reason="t")
            merged.append(gone.pk)

    lines = [_line(n) for n in range(1, 9)]
    for n in (3, 4):  # the second batch does not name them
        lines[n - 1]["authors"] = [f"Author {n}"]
    result = import_records(
        read_records(_write(tmp_path, lines)), batch_size=2, bulk=bulk, on_batch=merge_once
    )
    assert (result.new, result.failed) == (8, 0)
    assert HeldForeignKey.objects.count() == 0
    assert _authors_of("2503.00001") == ["Author 1", "S. Person"]
    for n in range(5, 9):  # imported after the merge: the name is a new author again
        assert _authors_of(f"2503.{n:05d}") == [f"Author {n}", "Shared Person"]
    assert Author.objects.get(name="Shared Person").pk != merged[0]
    assert not PaperAuthor.objects.filter(author_id=merged[0]).exists()


@pytest.mark.django_db(transaction=True)
def test_merging_authors_waits_for_a_bulk_import_holding_the_keys(tmp_path, rebuilds):
    from paperboy.moderation import actions
    from paperboy.papers.models import Author
    from paperboy.testing import make_user

    _bulk(_write(tmp_path, [_line(1), _line(2)]))
    keep, gone = Author.objects.get(name="Author 1"), Author.objects.get(name="Author 2")
    moderator = make_user("mod", is_staff=True)
    if connection.vendor == "postgresql":
        assert pgload.drop_link_keys(connection)  # as a bulk import does while it loads
        with pytest.raises(actions.ModerationError, match="bulk import"):
            actions.merge_authors(actor=moderator, keep=keep, duplicates=[gone], reason="t")
        assert Author.objects.filter(pk=gone.pk).exists()
        pgload.restore_link_keys(connection)
    actions.merge_authors(actor=moderator, keep=keep, duplicates=[gone], reason="t")
    assert _authors_of("2503.00002") == ["Author 1", "Shared Person"]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_leaves_no_connection_of_its_threads_open(tmp_path, rebuilds):
    def backends() -> int:
        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    before = backends()
    result = _bulk(_write(tmp_path, [_line(n) for n in range(1, 12)]), batch_size=2)
    assert result.new == 11
    assert backends() == before
