"""Records made ready for the importer: cleaned, checked, one per arXiv id, in batches. No ORM.

``prepare`` cleans a batch (``normalise`` each record) and keeps one record per arXiv id;
what cannot be imported is counted in the batch's ``ImportResult`` with its reason.

``prepared_in_process`` does that for a JSONL file in a Python process of its own, which
imports only this module and the JSONL reader, never Django. Reading, parsing and cleaning are
pure Python, so in a thread they took turns with the importer's own Python, and SQLite's,
under the GIL: a SQLite import used one core of two (71,728 papers: 41 s, 30 s with the
process). On PostgreSQL the importer keeps a thread: there the second core is the server's,
which a reading process only took time from (median of three runs: 44.0 s in a thread, 50.3 s
in a process, 2 cores). The batches
come back pickled through a pipe, whose buffer keeps memory bounded (the process waits while
it is full), and a bad line's error comes back with its batch for ``on_error``.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import paperboy
from paperboy.ingest import jsonl
from paperboy.ingest.jsonl import JsonlError, JsonlSource, read_records
from paperboy.ingest.records import PaperRecord
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.lib.text import clean_text
from paperboy.lib.weblinks import BadLink, clean_link

# Reasons kept for the report; the count goes on past this.
MAX_FAILURES_KEPT = 1000
# A file at least this large is read in a process of its own (starting one takes ~0.1 s).
PROCESS_MIN_BYTES = 1 << 20


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    paper_ids: list[int] = field(default_factory=list, repr=False)  # created or changed

    def __str__(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed"
        )

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.failed

    def fail(self, arxiv_id: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append((arxiv_id, reason))

    def add(self, other: ImportResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed
        room = MAX_FAILURES_KEPT - len(self.failures)
        self.failures += other.failures[: max(room, 0)]


class RecordError(ValueError):
    """A record that cannot be imported; the message says why."""


def _check_unicode(record: PaperRecord) -> None:
    """Text a database can store: JSON may carry lone surrogates (``"\\ud800"``), UTF-8 cannot."""
    for name in ("title", "abstract", "comment", "project_page", "github_repo", "organization"):
        value = getattr(record, name, "") or ""
        if not isinstance(value, str):
            raise RecordError(f"{name} is not text")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise RecordError(f"{name} is not valid Unicode (a lone surrogate)") from None
    for name in ("authors", "categories"):
        for value in getattr(record, name):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise RecordError(f"{name}: {value!r} is not valid Unicode") from None


def normalise(record: PaperRecord) -> PaperRecord:
    """Clean the text fields in place; raise RecordError for what cannot be stored."""
    try:
        record.arxiv_id = parse_arxiv_id(record.arxiv_id).base
    except InvalidArxivId as e:
        raise RecordError(str(e)) from None
    _check_unicode(record)
    record.title = clean_text(record.title)[:1000]
    if not record.title:
        raise RecordError("title is empty")
    record.abstract = clean_text(record.abstract, keep_newlines=True)
    record.comment = clean_text(record.comment or "")
    record.authors = list(
        dict.fromkeys(a for a in (clean_text(a)[:300] for a in record.authors) if a)
    )
    record.categories = list(dict.fromkeys(c.strip()[:32] for c in record.categories if c.strip()))
    if not isinstance(record.published_at, datetime):
        raise RecordError("no arXiv date")
    if not isinstance(record.version, int) or not 1 <= record.version <= 32767:
        raise RecordError(f"version {record.version!r} is not a positive integer")
    for name in ("project_page", "github_repo"):
        try:
            setattr(record, name, clean_link(getattr(record, name), field=name))
        except BadLink as e:
            raise RecordError(str(e)) from None
    stars = record.github_stars
    if stars is not None and (not isinstance(stars, int) or stars < 0):
        raise RecordError(f"github_stars {stars!r} is not a count")
    return record


def batches(records: Iterable[PaperRecord], size: int) -> Iterator[list[PaperRecord]]:
    batch: list[PaperRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Prepared:
    size: int  # records in the batch as read
    records: list[PaperRecord]  # normalised, one per arXiv id
    result: ImportResult  # failures and in-batch duplicates so far
    # Search documents computed ahead by arXiv id (PostgreSQL, read ahead), else None.
    documents: dict[str, bytes] | None = None


def prepare(batch: list[PaperRecord]) -> Prepared:
    """Normalise a batch and keep one record per id (the newest version; the later on a tie)."""
    result = ImportResult()
    by_id: dict[str, PaperRecord] = {}
    for record in batch:
        try:
            normalise(record)
        except RecordError as e:
            result.fail(str(record.arxiv_id), str(e))
            continue
        seen = by_id.get(record.arxiv_id)
        if seen is not None:
            result.unchanged += 1
            if seen.version > record.version:
                continue
        by_id[record.arxiv_id] = record
    return Prepared(len(batch), list(by_id.values()), result)


def in_process(records: Iterable[PaperRecord]) -> bool:
    """Whether ``records`` are a file large enough to be read in a process of its own."""
    return isinstance(records, JsonlSource) and records.size() >= PROCESS_MIN_BYTES


def prepared_in_process(source: JsonlSource, batch_size: int) -> Iterator[Prepared]:
    """The prepared batches of ``source``, read and prepared in another Python process. A bad
    line goes to ``source.on_error`` (without one it is raised, as ``read_records`` does); an
    error of the reading process (the file cannot be opened, say) is raised here, and its end
    without a last word as a ``ChildProcessError`` (an ``OSError``)."""
    # The limit in force in this process, not the other's own copy of the module default.
    max_line_bytes = jsonl.MAX_LINE_BYTES
    package_root = Path(paperboy.__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package_root), env.get("PYTHONPATH")]))
    child = subprocess.Popen(
        [sys.executable, "-c", _SERVE, source.path, str(batch_size), str(max_line_bytes)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None
    try:
        while True:
            try:
                kind, payload, errors = pickle.load(child.stdout)
            except EOFError:
                code = child.wait()
                how = f"was killed by signal {-code}" if code < 0 else f"ended with code {code}"
                raise ChildProcessError(f"its reading process {how}") from None
            for line, message in errors:
                error = JsonlError(line, message)
                if source.on_error is None:
                    raise error
                source.on_error(error)
            if kind == "end":
                return
            if kind == "raise":
                raise payload
            yield payload
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
        child.wait()


# Run with ``python -c``, not ``-m``: under ``-m`` this module would be ``__main__`` and its
# classes would be pickled under that name, which the importing process cannot load.
_SERVE = "import sys; from paperboy.ingest.prepare import serve; sys.exit(serve(sys.argv[1:]))"


def serve(argv: list[str]) -> int:
    """The reading process: writes pickled ``("batch", Prepared, errors)`` for each batch, then
    ``("end", None, errors)``, or ``("raise", exception, [])`` when reading fails, to stdout;
    errors are (line, message)."""
    path, batch_size, max_line_bytes = argv[0], int(argv[1]), int(argv[2])
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # the pipe carries nothing else

    def send(message: tuple) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    errors: list[tuple[int, str]] = []
    try:
        records = read_records(
            path,
            on_error=lambda e: errors.append((e.line, e.message)),
            max_line_bytes=max_line_bytes,
        )
        for batch in batches(records, batch_size):
            send(("batch", prepare(batch), errors))
            errors = []
        send(("end", None, errors))
    except (KeyboardInterrupt, BrokenPipeError):
        return 1  # the importer stopped: it says why
    except Exception as e:
        try:
            pickle.dumps(e)
        except Exception:
            e = ChildProcessError(f"reading failed: {type(e).__name__}: {e}")
        send(("raise", e, []))
    return 0
