"""A large JSONL file is read and prepared in a process of its own, with the same batches,
failures and line errors as in a thread."""

import gzip
import json

import pytest

from paperboy.ingest import importer, prepare
from paperboy.ingest.jsonl import JsonlError, JsonlSource, read_records
from paperboy.ingest.prepare import batches, prepared_in_process
from paperboy.papers.models import Paper


def _line(n: int, **kw) -> str:
    return json.dumps(
        {
            "id": f"2504.{n:05d}",
            "title": f"Paper  {n} <b>bold</b>",
            "abstract": f"Line one of {n}\nline two.",
            "authors": [f"Author {n}", "Shared Person"],
            "categories": ["cs.LG"],
            "announced": "2025-04-01",
            **kw,
        }
    )


@pytest.fixture
def papers(tmp_path):
    lines = [_line(n) for n in range(1, 9)]
    lines.insert(2, "{not json")
    lines.insert(5, _line(99, title="<b></b>"))  # the importer refuses it: no title left
    lines.append(_line(4, version=3))  # the same paper again, newer
    path = tmp_path / "papers.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def _summary(prepared) -> list[tuple]:
    return [
        (
            p.size,
            [(r.arxiv_id, r.title, r.abstract, r.version, r.authors) for r in p.records],
            str(p.result),
            p.result.failures,
        )
        for p in prepared
    ]


def test_a_process_prepares_the_same_batches_and_errors_as_a_thread(papers):
    here, there = [], []
    expected = _summary(
        prepare.prepare(b) for b in batches(read_records(papers, on_error=here.append), 3)
    )
    got = _summary(prepared_in_process(JsonlSource(str(papers), on_error=there.append), 3))
    assert got == expected
    assert [str(e) for e in there] == [str(e) for e in here]
    assert [e.line for e in there] == [3]
    titles = [title for batch in got for _, title, *_ in batch[1]]
    assert "Paper 1 bold" in titles  # cleaned over there
    assert expected[1][3] == [("2504.00099", "title is empty")]


def test_without_on_error_a_bad_line_is_raised(papers):
    with pytest.raises(JsonlError, match="line 3: not valid JSON"):
        list(prepared_in_process(JsonlSource(str(papers)), 3))


def test_a_file_that_cannot_be_opened_raises_its_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(prepared_in_process(JsonlSource(str(tmp_path / "gone.jsonl")), 3))


def test_a_cut_off_file_keeps_what_came_before(papers, tmp_path):
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(papers.read_bytes()[:-40])
    errors = []
    prepared = list(prepared_in_process(JsonlSource(str(cut), on_error=errors.append), 100))
    assert sum(len(p.records) for p in prepared) >= 1
    assert "cannot be read from here on" in str(errors[-1])


def test_a_file_source_is_imported_through_a_process_on_sqlite(papers, db, monkeypatch):
    """On PostgreSQL a thread reads it: the server's processes want the other core."""
    from django.db import connection

    used = []

    def spy(source, size):
        used.append(size)
        return prepared_in_process(source, size)

    monkeypatch.setattr(prepare, "PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(importer, "prepared_in_process", spy)
    errors = []
    result = importer.import_records(
        JsonlSource(str(papers), on_error=errors.append), batch_size=4, bulk=True
    )
    assert used == ([4] if connection.vendor == "sqlite" else [])
    assert (result.new, result.updated, result.failed) == (8, 1, 1)
    assert [e.line for e in errors] == [3]
    assert Paper.objects.get(arxiv_id="2504.00004").version == 3
    assert Paper.objects.get(arxiv_id="2504.00001").title == "Paper 1 bold"


def test_a_small_file_is_read_in_a_thread(papers, db, monkeypatch):
    monkeypatch.setattr(importer, "prepared_in_process", None)  # would fail if called
    result = importer.import_records(JsonlSource(str(papers), on_error=list().append), bulk=True)
    assert result.new == 8


def test_a_reading_process_that_dies_is_an_error_not_a_hang(papers, monkeypatch):
    monkeypatch.setattr(prepare, "_SERVE", "import sys; sys.exit(3)")
    with pytest.raises(ChildProcessError, match="its reading process ended with code 3"):
        list(prepared_in_process(JsonlSource(str(papers)), 3))


def test_the_cli_reports_a_dead_reading_process_in_one_line(papers, db, monkeypatch, capsys):
    from django.db import connection

    from paperboy.cli import main

    monkeypatch.setattr(prepare, "PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(
        prepare, "_SERVE", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    )
    code = main(["import", "papers", str(papers)])
    err = capsys.readouterr().err.strip().splitlines()
    if connection.vendor == "sqlite":
        assert code == 2
        assert err[-1].endswith("cannot read it (its reading process was killed by signal 9)")
        assert not Paper.objects.exists()
    else:  # read in a thread: no process to lose
        assert code == 1 and Paper.objects.count() == 8
