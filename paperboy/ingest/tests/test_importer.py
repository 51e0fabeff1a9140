"""The importer: versions, idempotence, and bad records reported without costing the batch."""

import json
from datetime import UTC, datetime

import pytest

from paperboy.ingest.importer import import_records
from paperboy.ingest.jsonl import JsonlError, read_records
from paperboy.ingest.records import PaperRecord
from paperboy.papers.models import Author, Paper
from paperboy.search import lexical


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


@pytest.mark.parametrize("bulk", [False, True])
def test_codes_and_names_with_copy_escapes_are_stored_as_they_are(transactional_db, bulk):
    """The link tables are written in COPY's text format on PostgreSQL: what it escapes."""
    odd = ["back\\slash", "tab\there", "new\nline", "cr\rhere", "\\N"]
    result = import_records(
        [record(categories=odd, authors=["O\\Brien"]), record("2501.00002")], bulk=bulk
    )
    assert (result.new, result.failed) == (2, 0)
    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert paper.category_codes() == sorted(odd)
    assert paper.author_names() == ["O\\Brien"]
    assert Paper.objects.get(arxiv_id="2501.00002").category_codes() == ["cs.CL", "cs.LG"]


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
    assert "is not an http(s) URL" in reasons["2501.00003"]
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


# --- A file's records in many batches, read ahead by a second thread (what the CLI does) ----


def _line(n: int, **kw) -> dict:
    return {
        "id": f"2502.{n:05d}",
        "title": f"Paper number{n} on zebrafish{n}",
        "abstract": f"We study quokka{n} &amp; friends.\n  A second paragraph.",
        "authors": [f"Author {n} A", f"Author {n} B", "Shared Person"],
        "categories": ["cs.CL", f"cs.{'LG' if n % 2 else 'AI'}"],
        "comment": None,
        "announced": "2025-02-03",
        **kw,
    }


def _import_lines(tmp_path, lines: list[dict]):
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return import_records(read_records(path), batch_size=4, read_ahead=True)


def _found(word: str) -> set[str]:
    ids = [pk for pk, _ in lexical.candidates(lexical.parse(word))]
    return set(Paper.objects.filter(pk__in=ids).values_list("arxiv_id", flat=True))


def test_a_file_read_ahead_in_batches_gives_each_paper_its_authors_categories_and_search_document(
    db, tmp_path
):
    lines = [_line(n) for n in range(1, 12)]
    result = _import_lines(tmp_path, lines)
    assert (result.new, result.updated, result.unchanged, result.failed) == (11, 0, 0, 0)
    for line in lines:
        paper = Paper.objects.get(arxiv_id=line["id"])
        assert paper.author_names() == line["authors"]
        assert paper.num_authors == 3
        assert paper.category_codes() == sorted(line["categories"])
        assert paper.primary_category == "cs.CL"
        assert paper.abstract.startswith(f"We study quokka{line['id'][-2:].lstrip('0')} & friends.")
    assert Author.objects.filter(name="Shared Person").count() == 1
    assert _found("zebrafish7") == {"2502.00007"}
    assert _found("quokka11") == {"2502.00011"}


def test_a_second_read_ahead_import_changes_nothing_and_a_changed_line_is_an_update(db, tmp_path):
    lines = [_line(n) for n in range(1, 10)]
    _import_lines(tmp_path, lines)
    before = list(Paper.objects.order_by("pk").values())
    again = _import_lines(tmp_path, lines)
    assert (again.new, again.updated, again.unchanged, again.failed) == (0, 0, 9, 0)
    assert list(Paper.objects.order_by("pk").values()) == before

    lines[4] = _line(5, title="Renamed to platypus", authors=["Zed Last", "Author 5 A"])
    lines[6] = _line(7, categories=["cs.RO"])
    lines.append(_line(10))  # new, in the same batch as changed and unchanged papers
    changed = _import_lines(tmp_path, lines)
    assert (changed.new, changed.updated, changed.unchanged) == (1, 2, 7)
    five = Paper.objects.get(arxiv_id="2502.00005")
    assert five.author_names() == ["Zed Last", "Author 5 A"]
    assert five.num_authors == 2
    assert Paper.objects.get(arxiv_id="2502.00007").category_codes() == ["cs.RO"]
    assert Paper.objects.get(arxiv_id="2502.00010").author_names() == _line(10)["authors"]
    assert Paper.objects.get(arxiv_id="2502.00004").author_names() == _line(4)["authors"]
    assert _found("platypus") == {"2502.00005"}
    assert _found("zebrafish5") == set()
    assert _found("zebrafish10") == {"2502.00010"}


def test_a_bad_line_met_while_reading_ahead_is_raised_after_the_batches_before_it(db, tmp_path):
    path = tmp_path / "papers.jsonl"
    good = "".join(json.dumps(_line(n)) + "\n" for n in range(1, 6))
    path.write_text(good + "{not json\n" + json.dumps(_line(9)) + "\n", encoding="utf-8")
    with pytest.raises(JsonlError, match="line 6"):
        import_records(read_records(path), batch_size=2, read_ahead=True)
    assert Paper.objects.count() == 4  # the two full batches before the bad line
