import gzip
import io
import json
import tracemalloc
import zlib
from datetime import UTC, datetime

import pytest

from paperboy.ingest.jsonl import (
    JsonlError,
    JsonlRecord,
    is_arxiv_category,
    read_records,
    record_to_json,
    write_records,
)
from paperboy.testing import make_paper

LINE = {
    "id": "2606.30776",
    "title": "Mixing Mechanisms",
    "abstract": "We study how language\nmodels bind entities.",
    "authors": ["Ann Smith", "Bo Li"],
    "categories": ["cs.CL", "cs.LG", "stat.ML", "68T45, 62H30", "I.5.3; I.2.10"],
    "comment": None,
    "announced": "2026-07-01",
}


def _write(path, rows, *, gz=False):
    text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_it_reads_the_shared_format(tmp_path):
    [record] = read_records(_write(tmp_path / "p.jsonl", [LINE]))
    assert record.arxiv_id == "2606.30776"
    assert record.title == "Mixing Mechanisms"
    assert record.authors == ["Ann Smith", "Bo Li"]
    assert record.comment == ""
    assert record.version == 1
    assert record.published_at == datetime(2026, 7, 1, tzinfo=UTC)


def test_it_reads_gzip_from_a_path_and_from_an_open_file(tmp_path):
    path = _write(tmp_path / "p.jsonl.gz", [LINE, {**LINE, "id": "2606.30777"}], gz=True)
    assert [r.arxiv_id for r in read_records(path)] == ["2606.30776", "2606.30777"]
    with open(path, "rb") as f:
        assert len(list(read_records(f))) == 2
    assert len(list(read_records(io.StringIO(json.dumps(LINE))))) == 1


def test_it_keeps_only_arxiv_categories(tmp_path):
    [record] = read_records(_write(tmp_path / "p.jsonl", [LINE]))
    assert record.categories == ["cs.CL", "cs.LG", "stat.ML"]
    for code in ("cs.CV", "hep-th", "math.GT", "q-bio.NC", "physics.comp-ph", "cond-mat.stat-mech"):
        assert is_arxiv_category(code), code
    for junk in ("68T50", "I.2.7", "na", "F.2.2; I.2.7", "cs", ""):
        assert not is_arxiv_category(junk), junk


def test_it_reports_bad_lines_with_their_number_and_goes_on(tmp_path):
    rows = [
        LINE,
        "{not json",
        {**LINE, "id": "2606.30777", "title": ""},
        "",
        {**LINE, "id": "not-an-id"},
        {**LINE, "id": "2606.30778", "announced": "July 1st"},
        {**LINE, "id": "2606.30779"},
    ]
    errors: list[JsonlError] = []
    records = list(read_records(_write(tmp_path / "p.jsonl", rows), on_error=errors.append))
    assert [r.arxiv_id for r in records] == ["2606.30776", "2606.30779"]
    assert [e.line for e in errors] == [2, 3, 5, 6]
    assert str(errors[0]).startswith("line 2: not valid JSON")
    assert "title is empty" in str(errors[1])
    assert "not a YYYY-MM-DD date" in str(errors[3])


def test_it_raises_on_a_bad_line_without_an_error_handler(tmp_path):
    path = _write(tmp_path / "p.jsonl", [LINE, "[1, 2]"])
    with pytest.raises(JsonlError, match="line 2: expected a JSON object"):
        list(read_records(path))


def test_a_versioned_id_sets_the_version(tmp_path):
    [record] = read_records(_write(tmp_path / "p.jsonl", [{**LINE, "id": "2606.30776v3"}]))
    assert (record.arxiv_id, record.version) == ("2606.30776", 3)


def test_records_round_trip_with_optional_fields(tmp_path):
    record = JsonlRecord(
        arxiv_id="2606.30776",
        title="Mixing Mechanisms",
        abstract="An abstract.",
        authors=["Ann Smith"],
        published_at=datetime(2026, 7, 1, 9, 10, 11, tzinfo=UTC),
        version=2,
        updated_at=datetime(2026, 7, 3, tzinfo=UTC),
        categories=["cs.CL"],
        comment="12 pages",
        project_page="https://example.org/mm",
        github_repo="https://github.com/example/mm",
        github_stars=9,
        organization="tau",
    )
    path = tmp_path / "out.jsonl.gz"
    assert write_records([record], path) == 1
    assert list(read_records(path)) == [record]
    data = record_to_json(record)
    assert data["announced"] == "2026-07-01"
    assert data["published_at"] == "2026-07-01T09:10:11+00:00"


def test_minimal_records_round_trip_to_the_shared_format(tmp_path):
    [record] = read_records(_write(tmp_path / "p.jsonl", [LINE]))
    assert record_to_json(record) == {**LINE, "categories": ["cs.CL", "cs.LG", "stat.ML"]}


def test_writing_twice_gives_the_same_bytes(tmp_path):
    [record] = read_records(_write(tmp_path / "p.jsonl", [LINE]))
    write_records([record], tmp_path / "a.jsonl.gz")
    write_records([record], tmp_path / "b.jsonl.gz")
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()


def test_it_exports_a_stored_paper(db, example_lab):
    paper = make_paper()
    paper.organization = example_lab
    paper.save()
    data = record_to_json(paper)
    assert data["id"] == paper.arxiv_id
    assert data["authors"] == paper.author_names()
    assert data["categories"][0] == paper.primary_category
    assert data["organization"] == "example-lab"
    [back] = read_records(io.StringIO(json.dumps(data)))
    assert back.title == paper.title
    assert back.published_at == paper.published_at


@pytest.mark.parametrize("gz", [False, True])
def test_a_line_that_is_not_utf8_is_reported_and_the_others_read(tmp_path, gz):
    good = json.dumps(LINE).encode()
    raw = good.replace(b"Mixing", b"Mi\xffxing") + b"\n" + good + b"\n"
    path = tmp_path / ("p.jsonl.gz" if gz else "p.jsonl")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    errors: list[JsonlError] = []
    records = list(read_records(path, on_error=errors.append))
    assert [r.arxiv_id for r in records] == ["2606.30776"]
    assert [str(e) for e in errors] == ["line 1: not valid UTF-8 (byte 0xff at 33)"]


# --- hostile files: limits on nesting and line length -----------------------------------------


def _record_line(arxiv_id: str, **fields) -> bytes:
    return json.dumps({**LINE, "id": arxiv_id, **fields}).encode() + b"\n"


def test_a_line_nested_too_deep_is_reported_and_the_others_read():
    raw = (
        _record_line("2606.00001")
        + b"[" * 100_000  # Python's JSON parser would raise RecursionError on it
        + b"\n"
        + b'{"id": "2606.00002", "authors": '
        + b"[" * 33
        + b"]" * 33
        + b"}\n"
        # Brackets inside strings are text, not nesting.
        + _record_line("2606.00003", title="[" * 100 + "{" * 100, abstract='"]]]\\"[[[')
    )
    errors: list[JsonlError] = []
    records = list(read_records(io.BytesIO(raw), on_error=errors.append))
    assert [r.arxiv_id for r in records] == ["2606.00001", "2606.00003"]
    assert records[1].title == "[" * 100 + "{" * 100
    assert [str(e) for e in errors] == [
        "line 2: nested deeper than 32 levels",
        "line 3: nested deeper than 32 levels",
    ]


def _peak_bytes(read) -> tuple[object, int]:
    """What ``read()`` returns and the most memory Python held while it ran."""
    tracemalloc.start()
    try:
        return read(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_small_gzip_of_one_huge_line_is_skipped_in_bounded_memory(tmp_path):
    huge = 32 << 20  # 32 MiB of one line, a 32 KB file: a gzip bomb in small
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    parts = [packer.compress(_record_line("2606.00001"))]
    parts += [packer.compress(b"x" * (1 << 20)) for _ in range(huge >> 20)]
    parts += [packer.compress(b"\n" + _record_line("2606.00002")), packer.flush()]
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(b"".join(parts))
    assert path.stat().st_size < 64 << 10

    errors: list[JsonlError] = []
    records, peak = _peak_bytes(
        lambda: list(read_records(path, on_error=errors.append, max_line_bytes=64 << 10))
    )
    assert [r.arxiv_id for r in records] == ["2606.00001", "2606.00002"]
    assert [str(e) for e in errors] == ["line 2: longer than 65,536 bytes, the longest line read"]
    assert peak < 2 << 20  # the line is 32 MiB


class _EndlessLine(io.RawIOBase):
    """A stream of ``size`` bytes of "x" made as it is read (nothing holds them), then a
    newline and ``tail``."""

    def __init__(self, size: int, tail: bytes) -> None:
        self.left, self.tail = size, b"\n" + tail
        self.block = b"x" * (1 << 16)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left:
            n = min(len(buffer), self.left, len(self.block))
            buffer[:n] = self.block[:n]
            self.left -= n
            return n
        n = min(len(buffer), len(self.tail))
        buffer[:n], self.tail = self.tail[:n], self.tail[n:]
        return n


def test_the_default_line_limit_skips_a_huge_line_without_holding_it():
    from paperboy.ingest.jsonl import MAX_LINE_BYTES

    size = 64 * MAX_LINE_BYTES  # 64 MiB
    stream = io.BufferedReader(_EndlessLine(size, _record_line("2606.00002")))
    errors: list[JsonlError] = []
    records, peak = _peak_bytes(lambda: list(read_records(stream, on_error=errors.append)))
    assert [r.arxiv_id for r in records] == ["2606.00002"]
    assert [str(e) for e in errors] == [
        "line 1: longer than 1,048,576 bytes, the longest line read"
    ]
    assert peak < 4 * MAX_LINE_BYTES


def test_a_line_just_within_the_limit_is_read():
    line = _record_line("2606.00001")
    body = line.rstrip(b"\n")
    records = list(read_records(io.BytesIO(line + line), max_line_bytes=len(body)))
    assert len(records) == 2
    with pytest.raises(JsonlError, match="line 1: longer than"):
        list(read_records(io.BytesIO(line), max_line_bytes=len(body) - 1))
