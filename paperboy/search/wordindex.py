"""The word index at scale: a Tantivy copy of the papers' titles, abstracts and keyphrases.

FTS5 and PostgreSQL full text rank *every* paper that contains one of the query's words: at 1M
papers a typical query matches ~90,000 of them, and FTS5 takes ~45 ms just to list those and
~140 ms to rank them (PostgreSQL: ~470 ms). Tantivy (a Rust search library) keeps BM25 upper
bounds per block of postings and skips blocks that cannot reach the top ``limit`` (block-max
WAND): the same OR query over all the words takes ~7 ms at 1M papers. So above
``MIN_PAPERS`` papers (``PAPERBOY_WORD_INDEX=auto``, the default) the word side of search
reads this index; below it, or while it is being built, FTS5 / PostgreSQL answer as before.

Layout: ``DATA_DIR/search-words/<generation>/`` holds one Tantivy index (the paper id, stored
and indexed; the title ``TITLE_REPEAT`` times, the abstract and the keyphrases (``ai_keywords``)
as one text, with Tantivy's
English stemmer, ranked by BM25) and ``state.json``,
written after each commit: its schema version and how far it has read the change log
(``WordIndexChange``). ``CURRENT`` names the generation in use; a rebuild writes a new
generation and switches ``CURRENT`` when complete.

Keeping up: every write to a paper's title, abstract or keyphrases (the importer's
``papers_imported`` signal, in the batch's own transaction; a model save or delete; the
summaries build and a source's keyphrases call ``log_changes``) appends the paper's id to the
change log in the database;
``sync`` applies the log's new rows (delete the id, add the current text) under a file lock,
so one process per host writes while every process reads. A web process starts a sync in a
background thread at most every ``SYNC_EVERY`` seconds, when a search comes in; the scheduler
runs one every 5 minutes; ``paperboy index build`` runs one in the foreground. An id missing
from the log (a transaction still open when a sync ran) is waited for ``GAP_SECONDS``. Hidden
or deleted papers found here are dropped by the search's own filters, as any candidate is.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import connection, transaction

from paperboy.papers.models import Paper
from paperboy.search import memo
from paperboy.search.models import IndexState, WordIndexChange
from paperboy.search.typos import correct

log = logging.getLogger(__name__)

MIN_PAPERS = 20_000  # below this FTS5 / PostgreSQL full text is fast enough (and exact)
# BM25 over one text: the title TITLE_REPEAT times, then the abstract. Counting the title's
# words twice is what FTS5's column weight does (it multiplies term counts, not scores), and
# one field keeps block-max WAND to one scorer per word. Tuned on SciFact (nDCG@10): 0.693
# (FTS5: 0.691); title once 0.688, three times 0.695; title and abstract as two fields with
# the title's score boosted 10x 0.515, 0.5x 0.683 at best, and twice as slow at 1M papers.
TITLE_REPEAT = 2
SCHEMA_VERSION = 4  # a copy written with another schema is rebuilt (4: keyphrases)
SYNC_EVERY = 30.0  # seconds between a web process's syncs
GAP_SECONDS = 120.0  # how long a hole in the change log is waited for
CHUNK = 5_000  # papers read from the database at a time
WRITER_HEAP = 200_000_000
PRUNED_KEY = "words-pruned"  # IndexState: the highest change-log id pruned so far


def mode() -> str:
    """``auto`` (use the index above MIN_PAPERS papers), ``on`` (always) or ``off``."""
    value = str(getattr(settings, "SEARCH_WORD_INDEX", "auto")).strip().lower()
    return value if value in {"auto", "on", "off"} else "auto"


def root() -> Path:
    configured = getattr(settings, "SEARCH_WORD_INDEX_DIR", "")
    return Path(configured) if configured else settings.DATA_DIR / "search-words"


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("text", tokenizer_name="en_stem", index_option="freq")
    return builder.build()


# --- The change log ---------------------------------------------------------------------------


def log_changes(paper_ids: Iterable[int]) -> None:
    """Record that these papers' words changed (new, edited or deleted papers); search's
    remembered rankings are dropped (``memo``)."""
    from django.db import connection
    from django.utils import timezone

    ids = [int(pk) for pk in paper_ids]
    if not ids:
        return
    # One statement without model instances: an import logs every paper it writes.
    table = connection.ops.quote_name(WordIndexChange._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (paper_id, created_at) SELECT unnest(%s::bigint[]), %s",
                [ids, now],
            )
        else:
            now = connection.ops.adapt_datetimefield_value(now)
            cursor.executemany(
                f"INSERT INTO {table} (paper_id, created_at) VALUES (%s, %s)",
                [(pk, now) for pk in ids],
            )
    # Rankings remembered before the change are dropped: in this process now, in every
    # process once the change is committed (a re-ranking before then would see the old words).
    memo.bump()
    transaction.on_commit(memo.bump)


def prune_log(*, keep_days: int = 7) -> int:
    """Drop change-log rows older than ``keep_days``; an index that had not read them yet is
    rebuilt by its next sync (the highest pruned id is kept in ``IndexState``)."""
    from datetime import timedelta

    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    old = WordIndexChange.objects.filter(created_at__lt=timezone.now() - timedelta(days=keep_days))
    with transaction.atomic():
        upto = old.aggregate(m=Max("id"))["m"]
        if upto is None:
            return 0
        state, _ = IndexState.objects.select_for_update().get_or_create(key=PRUNED_KEY)
        state.version = max(state.version, upto)
        state.save()
        deleted, _ = WordIndexChange.objects.filter(id__lte=upto).delete()
    return deleted


def _pruned_upto() -> int:
    state = IndexState.objects.filter(key=PRUNED_KEY).first()
    return state.version if state else 0


# --- State on disk ----------------------------------------------------------------------------


def _current() -> Path | None:
    try:
        name = (root() / "CURRENT").read_text().strip()
    except OSError:
        return None
    path = root() / name
    if not name or _read_state(path).get("schema") != SCHEMA_VERSION:
        return None  # none yet, or written by another version: the next sync rebuilds it
    return path


def _read_state(path: Path) -> dict:
    try:
        return json.loads((path / "state.json").read_text())
    except (OSError, ValueError):
        return {}


_written = [0.0]  # when this process last wrote a state.json (its readers look again)


def _write_state(path: Path, state: dict) -> None:
    tmp = path / "state.json.tmp"
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path / "state.json")
    _written[0] = time.monotonic()


@contextmanager
def _lock(*, wait: bool):
    """The host-wide writer lock; yields False when another process holds it (``wait=False``)."""
    root().mkdir(parents=True, exist_ok=True)
    with open(root() / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- Building and syncing ---------------------------------------------------------------------


def _papers(ids: list[int] | None = None, *, after: int = 0):
    """(id, title, abstract, ai_keywords) rows: these ids, or every paper by id, ``CHUNK`` at
    a time."""
    if ids is not None:
        for start in range(0, len(ids), CHUNK):
            yield from Paper.objects.filter(pk__in=ids[start : start + CHUNK]).values_list(
                "pk", "title", "abstract", "ai_keywords"
            )
        return
    while True:
        rows = list(
            Paper.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "title", "abstract", "ai_keywords")[:CHUNK]
        )
        if not rows:
            return
        yield from rows
        after = rows[-1][0]


def _document(pk: int, title: str, abstract: str, keywords=None) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_unsigned("id", int(pk))
    # The keyphrases once, as the abstract's words are (never above the title).
    phrases = " ".join(str(k) for k in keywords) if isinstance(keywords, list) else ""
    doc.add_text("text", f"{title or ''}\n" * TITLE_REPEAT + (abstract or "") + "\n" + phrases)
    return doc


def _log_head() -> int:
    from django.db.models import Max

    return WordIndexChange.objects.aggregate(m=Max("id"))["m"] or 0


def build(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Write a new generation from every paper, switch to it; returns how many it holds."""
    with _lock(wait=True):
        return _build(progress=progress, total=Paper.objects.count())


def _build(*, progress, total: int) -> int:
    # Changes after this are applied by the next sync (an emptied log starts past its pruning).
    head = max(_log_head(), _pruned_upto())
    name = f"g{time.time_ns()}"
    path = root() / name
    path.mkdir(parents=True)
    index = tantivy.Index(schema(), path=str(path))
    writer = index.writer(WRITER_HEAP, 2)
    done = 0
    for pk, title, abstract, keywords in _papers():
        writer.add_document(_document(pk, title, abstract, keywords))
        done += 1
        if progress and done % CHUNK == 0:
            progress(done, total)
    writer.commit()
    writer.wait_merging_threads()
    _write_state(path, {"schema": SCHEMA_VERSION, "watermark": head, "gaps": {}})
    tmp = root() / "CURRENT.tmp"
    tmp.write_text(name)
    os.replace(tmp, root() / "CURRENT")
    _remove_old(keep=name)
    if progress:
        progress(done, total)
    return done


def _remove_old(*, keep: str) -> None:
    """Older generations: a process still reading one has its files open (safe on POSIX)."""
    for entry in root().iterdir():
        if entry.is_dir() and entry.name.startswith("g") and entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)


def sync(*, wait: bool = True, build_missing: bool = True) -> int | None:
    """Bring this host's index up to date with the database; returns how many papers were
    re-indexed, or None when it is not in use here or another process is syncing."""
    if mode() == "off":
        return None
    with _lock(wait=wait) as held:
        if not held:
            return None
        path = _current()
        state = _read_state(path) if path else {}
        if path is None or state.get("watermark", 0) < _pruned_upto():
            if not build_missing or not _wanted():
                return None
            return _build(progress=None, total=0)
        return _apply(path, state)


def _wanted() -> bool:
    if mode() == "on":
        return True
    return Paper.objects.count() >= MIN_PAPERS


def _apply(path: Path, state: dict) -> int:
    watermark = int(state.get("watermark", 0))
    now = time.time()
    gaps = {int(k): v for k, v in state.get("gaps", {}).items() if now - v < GAP_SECONDS}
    rows = list(
        WordIndexChange.objects.filter(pk__gt=watermark)
        .order_by("pk")
        .values_list("pk", "paper_id")
    )
    late = list(WordIndexChange.objects.filter(pk__in=list(gaps)).values_list("pk", "paper_id"))
    seen = {pk for pk, _ in rows} | {pk for pk, _ in late}
    for pk in range((rows[0][0] if rows else watermark) + 1, rows[-1][0] if rows else 0):
        if pk not in seen:
            gaps.setdefault(pk, now)  # an id not (yet) committed: look again next time
    gaps = {pk: t for pk, t in gaps.items() if pk not in seen}
    ids = sorted({paper for _, paper in rows} | {paper for _, paper in late})
    if ids:
        index = tantivy.Index.open(str(path))
        writer = index.writer(WRITER_HEAP // 4, 1)  # a few papers, maybe in a web process
        # By query: delete_documents_by_term turns a Python int into an i64 term, which
        # never equals the u64 ids.
        for start in range(0, len(ids), CHUNK):
            writer.delete_documents_by_query(
                tantivy.Query.term_set_query(index.schema, "id", ids[start : start + CHUNK])
            )
        for pk, title, abstract, keywords in _papers(ids):
            writer.add_document(_document(pk, title, abstract, keywords))
        writer.commit()
        writer.wait_merging_threads()
    head = rows[-1][0] if rows else watermark
    _write_state(
        path,
        {
            "schema": SCHEMA_VERSION,
            "watermark": head,
            "gaps": {str(k): v for k, v in gaps.items()},
        },
    )
    return len(ids)


# --- Searching --------------------------------------------------------------------------------


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.index = tantivy.Index.open(str(path))
        self.stamp = _stamp(path)
        self.looked = time.monotonic()
        self.searcher = self.index.searcher()  # one snapshot, shared until the next reload
        self.papers = self.searcher.num_docs

    def fresh(self) -> _Reader:
        """Reloaded when ``state.json`` changed: looked at most once a second (a ``stat`` on
        every search cost ~1 ms under load), at once after this process wrote it."""
        now = time.monotonic()
        if now - self.looked < 1.0 and self.looked >= _written[0]:
            return self
        self.looked = now
        stamp = _stamp(self.path)
        if stamp != self.stamp:
            self.index.reload()
            self.stamp = stamp
            self.searcher = self.index.searcher()
            self.papers = self.searcher.num_docs
        return self


def _stamp(path: Path) -> float:
    try:
        return (path / "state.json").stat().st_mtime_ns
    except OSError:
        return 0


_reader: list[_Reader | None] = [None]
_checked = [0.0, 0.0]  # last readiness check, last background sync
_reader_lock = threading.Lock()
_sync_thread: list[threading.Thread | None] = [None]


def reader() -> _Reader | None:
    """This process's view of the current generation, or None when search should not use it."""
    if mode() == "off":
        return None
    now = time.monotonic()
    with _reader_lock:
        current = _reader[0]
        if current is None or now - _checked[0] > 5.0:
            _checked[0] = now
            path = _current()
            if path is None:
                current = None
            elif current is None or current.path != path:
                try:
                    current = _Reader(path)
                except (OSError, ValueError):
                    log.exception("search: could not open the word index at %s", path)
                    current = None
            _reader[0] = current
    if current is None:
        return None
    current = current.fresh()
    if mode() == "auto" and current.papers < MIN_PAPERS:
        return None
    return current


def sync_soon() -> None:
    """Start a background sync in this process when the last one is ``SYNC_EVERY`` old."""
    if mode() == "off":
        return
    now = time.monotonic()
    with _reader_lock:
        running = _sync_thread[0] is not None and _sync_thread[0].is_alive()
        if running or now - _checked[1] < SYNC_EVERY:
            return
        _checked[1] = now
        if _current() is None:
            return  # nothing to keep up yet (the first build is not a web process's job)
        thread = threading.Thread(target=_background_sync, name="paperboy-words", daemon=True)
        _sync_thread[0] = thread
    thread.start()


def _background_sync() -> None:
    try:
        # A first build is left to the scheduler and `paperboy index build`: it takes
        # minutes at scale and would slow this web process down meanwhile.
        sync(wait=False, build_missing=False)
    except Exception:
        log.exception("search: word index sync failed")
    finally:
        connection.close()


def candidates(
    terms: tuple[str, ...] | list[str], *, limit: int = 100
) -> list[tuple[int, float]] | None:
    """Up to ``limit`` (paper id, BM25 score) pairs for an OR of ``terms``, best first, or None
    when this host's index is not in use (see ``reader``).

    ``terms``: lexical.parse's words (letters and digits only, so never query syntax); a term
    ending in ``*`` is a correction (``corrected_terms``): an indexed stem, matched as is."""
    current = reader()
    if current is None:
        return None
    words = [t for t in terms if t and not t.endswith("*")]
    stems = [t[:-1] for t in terms if t.endswith("*") and len(t) > 1]
    if not words and not stems:
        return []
    index = current.index
    clauses = []
    if words:
        parsed = index.parse_query_lenient(" ".join(words), ["text"])[0]
        clauses.append((tantivy.Occur.Should, parsed))
    for word in stems:
        clauses.append((tantivy.Occur.Should, tantivy.Query.term_query(index.schema, "text", word)))
    query = clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)
    searcher = current.searcher
    hits = searcher.search(query, limit, count=False).hits
    return [(int(searcher.doc(address)["id"][0]), float(score)) for score, address in hits]


_analyzer: list = []


def stem(word: str) -> str:
    """``word`` as the index stores it (Tantivy's ``en_stem``: lower case, English stemmer)."""
    if not _analyzer:
        _analyzer.append(
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("english"))
            .build()
        )
    tokens = _analyzer[0].analyze(word)
    return tokens[0] if tokens else word


def corrected_terms(terms: tuple[str, ...] | list[str]) -> list[str] | None:
    """Each term, or its correction (an indexed stem, as ``stem*``) when no paper contains it,
    or all as typed; None when the index is not in use. The vocabulary comes from the index
    itself, the choice from ``typos.correct``, as on SQLite and PostgreSQL."""
    current = reader()
    if current is None:
        return None
    searcher = current.searcher
    return correct(
        terms,
        known=lambda term: bool(searcher.doc_freq("text", stem(term))),
        vocabulary=lambda prefix: searcher.terms_with_prefix("text", prefix),
        stem=stem,
    )


def status() -> str:
    """One line for ``paperboy index status|build``."""
    path = _current()
    if mode() == "off":
        return "Word index: off (PAPERBOY_WORD_INDEX=off); FTS5 / PostgreSQL full text."
    if path is None:
        return (
            "Word index: none yet (built once the catalog has "
            f"{MIN_PAPERS:,} papers); FTS5 / PostgreSQL full text."
            if mode() == "auto"
            else "Word index: none yet; run `paperboy index build`."
        )
    index = tantivy.Index.open(str(path))
    state = _read_state(path)
    used = mode() == "on" or index.searcher().num_docs >= MIN_PAPERS
    return (
        f"Word index: {index.searcher().num_docs:,} papers at {path} "
        f"(change log read to #{state.get('watermark', 0)}); "
        + ("in use." if used else f"not in use below {MIN_PAPERS:,} papers.")
    )


def forget() -> None:
    """Drop this process's reader (tests; after switching data directories)."""
    with _reader_lock:
        _reader[0] = None
        _checked[:] = [0.0, 0.0]
