"""The word index at scale (``wordindex``): a Tantivy copy of titles and abstracts per host.

Transactional tests: the importer logs its papers once their transaction commits."""

import threading

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from paperboy.search import engine, lexical, wordindex
from paperboy.search.models import WordIndexChange
from paperboy.testing import make_paper


@pytest.fixture
def words(settings, tmp_path):
    """The word index always in use, in a directory of this test's own."""
    settings.SEARCH_WORD_INDEX = "on"
    settings.SEARCH_WORD_INDEX_DIR = str(tmp_path / "words")
    wordindex.forget()
    yield
    wordindex.forget()


def found(query: str) -> list[int]:
    return [pk for pk, _ in wordindex.candidates(lexical.parse(query).terms) or []]


def test_a_built_index_finds_papers_by_stemmed_words_title_first(transactional_db, words):
    in_title = make_paper(title="Grasping Robots", abstract="Hands and objects.")
    in_abstract = make_paper(title="Hands", abstract="Robots grasp objects with hands.")
    make_paper(title="Protein folding", abstract="Amino acids.")
    assert wordindex.build() == 3
    assert found("robot grasps") == [in_title.pk, in_abstract.pk]
    assert found("amino OR robots")[-1] != in_title.pk  # any word matches (an OR query)
    assert found("origami") == []


def test_sync_applies_edits_new_papers_and_deletions(transactional_db, words):
    paper = make_paper(title="Origami robots")
    gone = make_paper(title="Kirigami robots")
    wordindex.build()
    paper.title = "Folding satellites"
    paper.save()
    gone_pk = gone.pk
    gone.delete()
    new = make_paper(title="Origami satellites")
    # Three ids on PostgreSQL; two on SQLite, which gives the deleted newest id to the new paper.
    assert wordindex.sync() == len({paper.pk, gone_pk, new.pk})
    assert found("satellites") and set(found("satellites")) == {paper.pk, new.pk}
    assert found("kirigami") == []
    assert found("origami") == [new.pk]
    assert wordindex.sync() == 0  # nothing new: nothing written


def test_a_search_keeps_the_index_in_step_in_the_background(transactional_db, words):
    paper = make_paper(title="Origami robots")
    wordindex.build()
    paper.title = "Folding satellites"
    paper.save()
    engine.search("satellites")  # starts the sync; this search may not see the edit yet
    wordindex._sync_thread[0].join(30)
    assert found("satellites") == [paper.pk]
    assert found("origami") == []


def test_a_save_that_leaves_the_words_alone_is_not_logged(transactional_db, words):
    paper = make_paper(title="Origami robots")
    before = WordIndexChange.objects.count()
    paper.upvotes_count = 5
    paper.save(update_fields=["upvotes_count"])
    assert WordIndexChange.objects.count() == before


def test_imported_papers_are_logged_and_synced(transactional_db, words):
    from datetime import UTC, datetime

    from paperboy.ingest.importer import import_records
    from paperboy.ingest.records import PaperRecord

    wordindex.build()
    record = PaperRecord(
        arxiv_id="2601.00001",
        title="Tensor sketches",
        abstract="Sketching tensors.",
        authors=["Ada Lovelace"],
        published_at=datetime(2025, 1, 2, tzinfo=UTC),
    )
    result = import_records([record])
    assert result.new == 1
    assert wordindex.sync() == 1
    assert len(found("tensor sketches")) == 1


def test_a_change_committed_late_is_picked_up_by_a_later_sync(transactional_db, words):
    wordindex.build()
    early = make_paper(title="Origami robots")
    late = make_paper(title="Kirigami robots")
    newest = make_paper(title="Papercraft robots")
    # As if the middle change's transaction were still open when the sync ran.
    row = WordIndexChange.objects.get(paper_id=late.pk)
    row_id = row.pk
    row.delete()
    wordindex.sync()
    assert found("kirigami") == []
    assert found("origami") == [early.pk] and found("papercraft") == [newest.pk]
    WordIndexChange.objects.create(id=row_id, paper_id=late.pk)
    assert wordindex.sync() == 1
    assert found("kirigami") == [late.pk]


def test_an_index_behind_a_pruned_log_is_rebuilt(transactional_db, words):
    from datetime import timedelta

    from django.utils import timezone

    make_paper(title="Origami robots")
    wordindex.build()
    late = make_paper(title="Kirigami robots")
    WordIndexChange.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert wordindex.prune_log() == 2
    assert WordIndexChange.objects.count() == 0
    assert wordindex.sync() == 2  # the change it never read is gone: a rebuild of every paper
    assert found("kirigami") == [late.pk]
    assert wordindex.sync() == 0


def test_a_second_process_syncing_is_not_waited_for(transactional_db, words):
    make_paper(title="Origami robots")
    wordindex.build()
    with wordindex._lock(wait=True):
        result: list = []
        thread = threading.Thread(target=lambda: result.append(wordindex.sync(wait=False)))
        thread.start()
        thread.join(10)
    assert result == [None]


def test_in_auto_mode_small_catalogs_keep_the_database_full_text(
    transactional_db, settings, tmp_path
):
    settings.SEARCH_WORD_INDEX = "auto"
    settings.SEARCH_WORD_INDEX_DIR = str(tmp_path / "words")
    wordindex.forget()
    make_paper(title="Origami robots")
    assert wordindex.sync() is None  # not built below MIN_PAPERS
    assert wordindex.candidates(["origami"]) is None
    assert "none yet" in wordindex.status()


def test_in_auto_mode_a_large_catalog_builds_and_uses_it(
    transactional_db, settings, tmp_path, monkeypatch
):
    settings.SEARCH_WORD_INDEX = "auto"
    settings.SEARCH_WORD_INDEX_DIR = str(tmp_path / "words")
    monkeypatch.setattr(wordindex, "MIN_PAPERS", 2)
    wordindex.forget()
    papers = [make_paper(title="Origami robots"), make_paper(title="Kirigami robots")]
    assert wordindex.sync() == 2
    assert wordindex.candidates(["kirigami"]) == [(papers[1].pk, pytest.approx(1, abs=100))]
    assert "in use" in wordindex.status()


def test_off_means_never(transactional_db, settings, tmp_path):
    settings.SEARCH_WORD_INDEX = "off"
    settings.SEARCH_WORD_INDEX_DIR = str(tmp_path / "words")
    make_paper(title="Origami robots")
    assert wordindex.sync() is None
    assert wordindex.candidates(["origami"]) is None
    assert not (tmp_path / "words").exists()


def test_search_reads_the_word_index_when_it_is_in_use(transactional_db, words, monkeypatch):
    paper = make_paper(title="Origami robots", abstract="Folding paper into machines.")
    wordindex.build()
    monkeypatch.setattr(
        engine.bounded, "candidates", lambda *a, **k: pytest.fail("used the database's index")
    )
    assert [h.paper.pk for h in engine.search("origami machines").hits] == [paper.pk]


def test_misspelt_words_are_corrected_from_the_index_vocabulary(transactional_db, words):
    paper = make_paper(title="Origami robots", abstract="Folding paper into machines.")
    make_paper(title="Protein folding", abstract="Amino acids.")
    wordindex.build()
    assert wordindex.corrected_terms(["origani", "robots"]) == ["origami*", "robots"]
    assert wordindex.corrected_terms(["zzzzqx"]) == ["zzzzqx"]  # nothing close: left alone
    results = engine.search("origani machnes")
    assert [h.paper.pk for h in results.hits][:1] == [paper.pk]
    assert results.corrected == "origami machines"


def test_a_copy_written_by_another_version_is_rebuilt(transactional_db, words):
    paper = make_paper(title="Origami robots")
    wordindex.build()
    path = wordindex._current()
    wordindex._write_state(path, {"schema": 1, "watermark": 10**6})
    wordindex.forget()
    assert wordindex.candidates(["origami"]) is None  # never read
    assert wordindex.sync() == 1
    assert found("origami") == [paper.pk]


def test_a_broken_index_falls_back_to_the_database(transactional_db, words, tmp_path):
    paper = make_paper(title="Origami robots")
    wordindex.build()
    for f in wordindex._current().iterdir():
        if f.name.endswith(".idx"):
            f.write_bytes(b"garbage")
    wordindex.forget()
    assert [h.paper.pk for h in engine.search("origami").hits] == [paper.pk]


@hsettings(max_examples=60)
@given(st.text(max_size=300))
def test_whatever_a_person_types_is_never_query_syntax(text):
    with override_settings(SEARCH_WORD_INDEX="on", SEARCH_WORD_INDEX_DIR=_SHARED["root"]):
        found = wordindex.candidates(lexical.parse(text).terms)
    assert isinstance(found, list)


_SHARED: dict = {}


@pytest.fixture(autouse=True, scope="module")
def _shared_index(tmp_path_factory):
    """An index on disk as ``build`` lays it out, of one paper full of query syntax."""
    import tantivy

    root = tmp_path_factory.mktemp("shared-words")
    (root / "g1").mkdir()
    index = tantivy.Index(wordindex.schema(), path=str(root / "g1"))
    writer = index.writer(15_000_000, 1)
    writer.add_document(wordindex._document(1, 'Title: "quoted" AND (NOT) *', "x -y [a TO b]"))
    writer.commit()
    writer.wait_merging_threads()
    wordindex._write_state(root / "g1", {"schema": wordindex.SCHEMA_VERSION, "watermark": 0})
    (root / "CURRENT").write_text("g1")
    _SHARED["root"] = str(root)
    wordindex.forget()
    yield
    wordindex.forget()
