"""The importer: versions, idempotence, and bad records reported without costing the batch."""

from datetime import UTC, datetime

from paperboy.ingest.importer import import_records
from paperboy.ingest.records import PaperRecord
from paperboy.papers.models import Author, Paper


def record(arxiv_id="2501.00001", **kw) -> PaperRecord:
    fields = {
        "title": "A title",
        "abstract": "An abstract with $\\alpha$ and \\emph{emphasis}.",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "published_at": datetime(2025, 1, 2, tzinfo=UTC),
        "categories": ["cs.CL", "cs.LG"],
        **kw,
    }
    return PaperRecord(arxiv_id=arxiv_id, **fields)


def test_it_imports_papers_with_ordered_authors_and_categories(db):
    result = import_records([record(), record("2501.00002", authors=["Zoë Ångström"])])
    assert (result.new, result.failed) == (2, 0)
    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert paper.author_names() == ["Ada Lovelace", "Alan Turing"]
    assert paper.category_codes() == ["cs.CL", "cs.LG"]
    assert paper.primary_category == "cs.CL"
    assert paper.abstract == "An abstract with $\\alpha$ and \\emph{emphasis}."
    assert Paper.objects.get(arxiv_id="2501.00002").author_names() == ["Zoë Ångström"]


def test_running_it_twice_changes_nothing(db):
    import_records([record(), record("2501.00002")])
    before = list(Paper.objects.order_by("pk").values())
    again = import_records([record(), record("2501.00002")])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Paper.objects.order_by("pk").values()) == before


def test_a_newer_version_replaces_the_metadata_and_an_older_one_does_not(db):
    import_records([record(version=2, title="Second")])
    newer = import_records([record(version=3, title="Third", authors=["Grace Hopper"])])
    older = import_records([record(version=1, title="First")])
    assert (newer.updated, older.unchanged) == (1, 1)
    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert (paper.version, paper.title) == (3, "Third")
    assert paper.author_names() == ["Grace Hopper"]


def test_html_in_titles_is_stripped_and_entities_unescaped(db):
    import_records([record(title="<b>Bold</b> claims &amp; H<sub>2</sub>O")])
    assert Paper.objects.get().title == "Bold claims & H2O"


def test_bad_records_are_reported_and_the_good_ones_imported(db):
    result = import_records(
        [
            record("2501.00001"),
            record("2501.00002", title="  <i></i> "),
            record("not-an-id"),
            record("2501.00003", github_repo="javascript:alert(1)"),
            record("2501.00004", version=0),
            record("2501.00005"),
        ]
    )
    assert (result.new, result.failed) == (2, 4)
    reasons = dict(result.failures)
    assert reasons["2501.00002"] == "title is empty"
    assert "not-an-id" in reasons
    assert "is not a URL" in reasons["2501.00003"]
    assert "version" in reasons["2501.00004"]
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2501.00001", "2501.00005"}


def test_duplicate_ids_in_one_batch_keep_the_newest_version(db):
    result = import_records(
        [record(version=2, title="Two"), record(version=1, title="One"), record("2501.00009")]
    )
    assert (result.new, result.unchanged) == (2, 1)
    assert Paper.objects.get(arxiv_id="2501.00001").title == "Two"


def test_a_record_the_database_refuses_fails_alone(db):
    # An author name over the column's length is cut by the importer; a category code with a
    # NUL byte is refused by PostgreSQL and stored by SQLite: either way the others go in.
    result = import_records([record("2501.00001"), record("2501.00002", categories=["cs\x00X"])])
    assert result.new + result.failed == 2
    assert Paper.objects.filter(arxiv_id="2501.00001").exists()
    if result.failed:
        assert not Paper.objects.filter(arxiv_id="2501.00002").exists()
    assert Author.objects.filter(name="Ada Lovelace").count() == 1


def test_version_suffixes_in_ids_are_dropped(db):
    import_records([record("2501.00001v4", version=4)])
    assert Paper.objects.get().arxiv_id == "2501.00001"


def test_text_with_a_lone_surrogate_is_refused_with_its_reason(db):
    result = import_records(
        [
            record("2501.00001", title="Half an emoji \ud83d"),
            record("2501.00002", authors=["Ada \udc00 Lovelace"]),
            record("2501.00003"),
        ]
    )
    assert (result.new, result.failed) == (1, 2)
    reasons = dict(result.failures)
    assert reasons["2501.00001"] == "title is not valid Unicode (a lone surrogate)"
    assert reasons["2501.00002"].startswith("authors: ")
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == ["2501.00003"]
