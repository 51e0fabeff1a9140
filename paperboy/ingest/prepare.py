"""Records made ready for the importer: cleaned, checked, one per arXiv id, in batches. No ORM.

``prepare`` cleans a batch (``normalise`` each record) and keeps one record per arXiv id;
what cannot be imported is counted in the batch's ``ImportResult`` with its reason.

``prepared_in_process`` does that for a large JSONL file in a Python process of its own, which
imports only this module, ``records`` and the JSONL reader, never Django. Reading, parsing and
cleaning are pure Python: in a thread they would take turns under the GIL with the importer's
own Python and SQLite's, so a SQLite import reads in a process; on PostgreSQL the second core is
the server's, and the importer keeps a thread (``pipeline.read_ahead``; figures in
bench/README.md). The batches come back pickled through a pipe, whose buffer keeps memory
bounded (the process waits while it is full), and a bad line's error comes back with its batch
for ``on_error``.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

import paperboy
from paperboy.ingest import jsonl
from paperboy.ingest.jsonl import JsonlError, JsonlSource, read_records
from paperboy.ingest.records import ImportResult, PaperRecord, Prepared, RecordError
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.lib.text import clean_text
from paperboy.lib.weblinks import BadLink, clean_link

# A file at least this large is read in a process of its own (starting one takes ~0.1 s).
PROCESS_MIN_BYTES = 1 << 20


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
