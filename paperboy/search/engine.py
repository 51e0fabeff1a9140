"""The one search API over both engines: ``search(query, filters=…, sort=…)``.

1. Pins: an arXiv id or arxiv.org link finds that paper; a query equal to a title (ignoring
   case and punctuation) puts that paper first.
2. Lexical candidates (FTS5 / PostgreSQL full text, see ``lexical.py``); a word the index has
   never seen is corrected to the closest indexed word (SQLite) and titles close to the query
   are looked up by trigram similarity (PostgreSQL).
3. Dense candidates: the query's vector against the papers' vectors (``vectors.py``), when an
   embedding model is configured and vectors exist; otherwise the search is lexical only.
4. Fusion weighed by the lexical side's confidence (``fusion.py``), then filters and sorting.

``search`` never raises on what a person types: text is cleaned, never passed as syntax, and
a failing backend degrades to what still works (logged).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import astuple, dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, QuerySet

from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.lib.text import words
from paperboy.papers.models import Paper
from paperboy.search import bounded, fusion, lexical, memo, typos, vectors, wordindex
from paperboy.search.embeddings import (
    EmbeddingConfig,
    EmbeddingError,
    configured_model_id,
    get_embedder,
)

log = logging.getLogger(__name__)

POOL = 100  # candidates taken from each side
FILTERED_POOL = 400  # …when filters will drop some of them
MAX_RESULTS = 200  # what pagination can reach for one query
CLOSE_TITLE = 0.55
NEAREST = 5  # papers offered by meaning when nothing clears the relevance floor
SPELLING_TEXTS = 10  # best word hits whose spellings a corrected query is shown in
TITLE_PIN_POOL = 20  # trigram similarity above which a title counts as "close" (PostgreSQL)


@dataclass
class SearchFilters:
    date_from: date | None = None  # arXiv date range
    date_to: date | None = None
    category: str = ""  # e.g. "cs.CL"
    organization: str = ""  # Organization slug
    has_code: bool = False

    @property
    def active(self) -> bool:
        return bool(
            self.date_from or self.date_to or self.category or self.organization or self.has_code
        )

    def q(self) -> Q:
        q = Q()
        if self.date_from:
            q &= Q(published_at__date__gte=self.date_from)
        if self.date_to:
            q &= Q(published_at__date__lte=self.date_to)
        if self.category:
            q &= Q(categories__code=self.category)
        if self.organization:
            q &= Q(organization__slug=self.organization) | Q(
                daily__organization__slug=self.organization
            )
        if self.has_code:
            q &= ~Q(github_repo="")
        return q


@dataclass
class Hit:
    paper: Paper
    score: float
    # Why it is here: "exact arXiv id", "exact title", "close title", "matching words",
    # "matching words and meaning", "similar meaning", "nearest in meaning" (below the floor).
    why: str
    matched: tuple[str, ...] = ()  # the query's words this paper contains (as shown)


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int  # an estimate: how many results pagination can reach
    mode: str  # "hybrid" or "lexical" (no model or no vectors yet)
    corrected: str = ""  # the query with misspelt words corrected, when that was used
    terms: tuple[str, ...] = field(default_factory=tuple)  # the words searched for (highlighting)
    # Why a search was lexical only: "off" (no embedding model configured), "building" (no
    # vectors from the configured model yet) or "unavailable" (the model failed just now).
    lexical_reason: str = ""
    # No paper cleared the relevance floor (``fusion.close_matches``): ``hits`` is empty and
    # these are the papers nearest in meaning, to be labelled as such.
    nearest: list[Hit] = field(default_factory=list)


def search(
    query: str,
    *,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
    spell: bool = True,
    papers: QuerySet[Paper] | None = None,
    matched: bool = True,
) -> SearchResults:
    """``spell=False`` searches for the words as typed (the page's "search instead for").
    ``papers``: where the page's papers are loaded from (default: what a card needs);
    ``matched=False`` leaves each hit's ``matched`` words empty (a caller that never shows
    them, e.g. the JSON API, spares the scan of every abstract)."""
    filters = filters or SearchFilters()
    limit = max(0, min(int(limit), 200))
    offset = max(0, int(offset))
    parsed = lexical.parse(query)
    if parsed.empty and not pinned_id(parsed.text):
        return _browse(filters, sort=sort, limit=limit, offset=offset)

    ranked, nearest, mode, corrected, reason = memo.remembered(
        ("rank", configured_model_id(), parsed.text, astuple(filters), spell),
        lambda: _rank(parsed, filters, spell=spell),
        # A model that just failed is asked again on the next search, not in a minute.
        keep=lambda found: found[4] != "unavailable",
    )
    ids = _apply_filters([pk for pk, _, _ in ranked], filters, sort=sort)
    shown = tuple(corrected.split()) if corrected else parsed.terms
    terms = shown if matched else ()
    hits = _hits(ids[offset : offset + limit], ranked, terms, papers)
    near = []
    if not ranked and nearest:
        near_ids = _apply_filters([pk for pk, _, _ in nearest], filters, sort="relevance")
        near = _hits(near_ids[:NEAREST], nearest, terms, papers)
    return SearchResults(
        hits=hits,
        total=len(ids),
        mode=mode,
        corrected=corrected,
        terms=parsed.terms,
        lexical_reason=reason,
        nearest=near,
    )


def _hits(
    page_ids: list[int], ranked: list[tuple[int, float, str]], terms, source=None
) -> list[Hit]:
    """The page's hits, each with the query's words it contains (by crude stem, as the
    highlighting marks them); ``source``: the queryset the papers come from."""
    by_id = {pk: (score, why) for pk, score, why in ranked}
    papers = (Paper.objects.for_cards() if source is None else source).in_bulk(page_ids)
    hits = []
    for pk in page_ids:
        if pk not in papers:
            continue
        paper = papers[pk]
        matched: tuple[str, ...] = ()
        if terms:
            found = {fusion.stem(w) for w in words(f"{paper.title} {paper.abstract}")}
            matched = tuple(t for t in terms if fusion.stem(t) in found)
        hits.append(Hit(paper=paper, score=by_id[pk][0], why=by_id[pk][1], matched=matched))
    return hits


def _browse(filters: SearchFilters, *, sort: str, limit: int, offset: int) -> SearchResults:
    """No words: with filters, the newest papers that pass them; without, nothing."""
    mode, reason = current_mode(), lexical_reason()
    if not filters.active:
        return SearchResults(hits=[], total=0, mode=mode, lexical_reason=reason)
    papers = Paper.objects.visible().filter(filters.q()).distinct().order_by("-published_at")
    total = papers.count()
    hits = [
        Hit(paper=p, score=0.0, why="newest first")
        for p in papers.for_cards()[offset : offset + limit]
    ]
    return SearchResults(hits=hits, total=total, mode=mode, lexical_reason=reason)


def _rank(
    parsed, filters: SearchFilters, *, spell: bool = True
) -> tuple[list[tuple[int, float, str]], list[tuple[int, float, str]], str, str, str]:
    """(ranked close matches, the nearest by meaning when nothing is close, mode, the
    corrected query or "", why lexical only or "")."""
    pool = FILTERED_POOL if filters.active else POOL
    pins: list[tuple[int, float, str]] = []
    arxiv_id = pinned_id(parsed.text)
    if arxiv_id:
        paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).values_list("pk", flat=True)
        # An id is a lookup, not words: one paper, or none (the page then offers to submit it).
        pinned = [(pk, 1e9, "exact arXiv id") for pk in paper]
        return pinned, [], current_mode(), "", lexical_reason()

    # The query's vector is computed while the lexical side runs (the model releases the GIL);
    # a corrected query is embedded again below, as corrected.
    pending = _start_embedding(parsed.text)
    lex, ran = _lexical(parsed, pool, spell=spell)
    # Titles and abstracts of the candidates looked at below, read in as few queries as can be.
    rows = _Rows()
    lex_top = [pk for pk, _ in (lex or [])[: max(SPELLING_TEXTS, TITLE_PIN_POOL)]]
    rows.read(lex_top)
    hit_texts = rows.texts(lex_top[:SPELLING_TEXTS])
    top_texts = hit_texts[: fusion.COVERAGE_TOP]
    typed = list(parsed.terms)
    shown = typos.spelled_out(typed, ran, hit_texts) if spell else typed
    corrected = " ".join(shown) if shown != typed else ""
    terms = shown
    # The meaning of what was meant: a corrected query is embedded as corrected.
    dense, reason = _dense(corrected or parsed.text, pool, pending=None if corrected else pending)
    mode = "hybrid" if dense is not None else "lexical"

    # An exact title is among the best lexical hits (titles weigh 10x): compare those.
    lex_titles = rows.titles(lex_top[:TITLE_PIN_POOL])
    key = lexical.title_key(parsed.text)
    pins += [
        (pk, 1e8, "exact title")
        for pk, _ in (lex or [])[:TITLE_PIN_POOL]
        if len(key) >= 8 and lexical.title_key(lex_titles.get(pk, "")) == key
    ][:5]
    if not pins and lex is not None and len(lex) < 10 and len(parsed.terms) <= 12:
        close = _safe(lexical.fuzzy_titles, parsed.text) or []
        pins += [(pk, 1e7 + s, "close title") for pk, s in close if s >= CLOSE_TITLE][:3]

    # The dense side's best 20 come along: the page's top 20 is mostly theirs and lex_top's.
    rows.read([pk for pk, _ in (dense or [])[:20]])
    dense_texts = rows.texts([pk for pk, _ in (dense or [])[: fusion.COVERAGE_TOP]])
    signals = fusion.signals(
        parsed.text,
        terms,
        top_texts,
        [pk for pk, _ in lex or []],
        [pk for pk, _ in dense or []],
        dense_texts,
    )
    weight = fusion.lexical_weight(signals)
    fused = fusion.fuse(lex or [], dense or [], weight=weight)
    close = fusion.close_matches(
        fused,
        dense or [],
        [pk for pk, _ in lex or []],
        words_count=(weight > 0 or not dense) and not parsed.only_stopwords,
    )
    nearest = []
    if not close and not pins:
        nearest = [(pk, cos, "nearest in meaning") for pk, cos in (dense or [])[:NEAREST]]
    fused = close
    pinned = {pk for pk, _, _ in pins}
    titles = {**lex_titles, **rows.titles([f.paper_id for f in fused[:20]])}
    ranked = list(pins)
    for f in fused[:MAX_RESULTS]:
        if f.paper_id in pinned:
            continue
        why = f.why
        title = titles.get(f.paper_id, "")
        if f.lexical and title and fusion.coverage(terms, title) == 1.0:
            why = "title match"
        ranked.append((f.paper_id, f.score, why))
    return ranked, nearest, mode, corrected, reason


def pinned_id(text: str) -> str:
    if not text or len(text) > 200:
        return ""
    try:
        return parse_arxiv_id(text).base
    except InvalidArxivId:
        return ""


def _lexical(
    parsed, pool: int, *, spell: bool = True
) -> tuple[list[tuple[int, float]] | None, list[str]]:
    """The word candidates and the terms that found them: the typed terms, or (``spell``)
    with every misspelt word corrected to an indexed stem (``stem*``), never only some
    (``typos.correct``). Through the word index at scale, else FTS5 or PostgreSQL full text:
    one spelling rule on every backend."""
    wordindex.sync_soon()
    typed = list(parsed.terms)
    try:
        fixed = wordindex.corrected_terms(typed) if spell else typed
        if fixed is not None:
            found = wordindex.candidates(fixed, limit=pool) if fixed != typed else None
            if found:
                return found, fixed
            found = wordindex.candidates(typed, limit=pool)
            if found is not None:
                return found, typed
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # Tantivy's Rust panics arrive as pyo3's PanicException
        log.exception("search: the word index failed; using the database's full text")
    if spell:
        fixed = _safe(lexical.corrected_terms, typed)
        if fixed and fixed != typed:
            better = lexical.ParsedQuery(text=" ".join(fixed), terms=tuple(fixed))
            found = _safe(bounded.candidates, better, limit=pool)
            if found:
                return found, fixed
    return _safe(bounded.candidates, parsed, limit=pool), typed


def word_candidates(parsed, limit: int) -> list[tuple[int, float]] | None:
    """The word candidates as search gets them, corrections included (benchmarks)."""
    return _lexical(parsed, limit)[0]


def _start_embedding(text: str) -> Future | None:
    """Start computing the query's vector in this process's embedding thread(s), or None when
    the search will be lexical (no model, no vectors yet)."""
    if lexical_reason():
        return None
    return _embedding_pool().submit(query_vector, text[:2000], configured_model_id())


def _dense(
    text: str, pool: int, *, pending: Future | None = None
) -> tuple[list[tuple[int, float]] | None, str]:
    """The dense candidates, or None and why there are none (see ``lexical_reason``).
    ``pending``: this text's vector, already being computed (``_start_embedding``)."""
    reason = lexical_reason()
    if reason:
        return None, reason
    if pending is not None:
        vector = pending.result()
    else:
        vector = query_vector(text[:2000], configured_model_id())
    if vector is None:
        return None, "unavailable"
    found = _safe(vectors.nearest, vector, configured_model_id(), k=pool)
    if found is None:
        return None, "unavailable"
    if not found:  # vectors exist, none from this model yet: re-embedding after a change
        return None, "building"
    return found, ""


_pools: dict[bool, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _embedding_pool() -> ThreadPoolExecutor:
    """Where query vectors are computed. A local model (ONNX, sentence-transformers) gets ONE
    thread per process: web threads queue for it instead of running the model at once on 2
    cores, and it overlaps with the lexical query. A remote endpoint gets a few threads."""
    local = EmbeddingConfig.from_settings().backend.strip().lower() != "openai"
    with _pools_lock:
        if local not in _pools:
            _pools[local] = ThreadPoolExecutor(
                max_workers=1 if local else 8, thread_name_prefix="paperboy-embed"
            )
        return _pools[local]


_embedder_down_until = [0.0]
EMBEDDER_RETRY_SECONDS = 60.0


def query_vector(text: str, model_id: str) -> np.ndarray | None:
    """The query's vector, or None (lexical only) when the model fails; after a failure the
    model is not asked again for a minute, so a dead endpoint does not slow every search."""
    if time.monotonic() < _embedder_down_until[0]:
        return None
    try:
        return _query_vector(text, model_id)
    except EmbeddingError as exc:
        log.warning("search: no query embedding (%s); lexical only for a minute", exc)
        _embedder_down_until[0] = time.monotonic() + EMBEDDER_RETRY_SECONDS
        return None


@lru_cache(maxsize=512)
def _query_vector(text: str, model_id: str) -> np.ndarray | None:
    embedder = get_embedder()
    if embedder is None or embedder.model_id != model_id:
        return None
    return embedder.embed([text])[0]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\\$])")
SENTENCES_PER_PAPER = 8
SENTENCE_TURN = 4  # papers whose sentences are embedded in one job (~30 sentences, ~0.3 s)
_sentence_vectors: OrderedDict[tuple[int, str, int], tuple[list[str], np.ndarray]] = OrderedDict()
_sentence_lock = threading.Lock()


def sentences(abstract: str) -> list[str]:
    """An abstract's first ``SENTENCES_PER_PAPER`` sentences (split after . ! ? before a
    capital, a digit or math)."""
    text = " ".join((abstract or "").split())
    return [x for x in _SENTENCE_END.split(text) if x][:SENTENCES_PER_PAPER]


def closest_sentences(query: str, papers: list[Paper]) -> dict[int, str]:
    """For each paper, the sentence of its abstract closest in meaning to ``query`` (by the
    configured model); {} without a model. Sentence vectors are computed in the
    embedding thread, a few papers at a time, once per abstract and model (kept for the last
    ~2,000 papers)."""
    model_id = configured_model_id()
    if not papers or not model_id:
        return {}
    vector = query_vector(query[:2000], model_id)
    if vector is None:
        return {}

    def key(paper: Paper) -> tuple[int, str, int]:
        return (paper.pk, model_id, hash(paper.abstract))

    missing = [p for p in papers if key(p) not in _sentence_vectors]
    split = [(key(p), sentences(p.abstract)) for p in missing]
    for start in range(0, len(split), SENTENCE_TURN):
        # A few papers per turn of the embedding thread: a query vector asked meanwhile (by
        # another search in this process) waits for one turn, not for a whole page.
        turn = split[start : start + SENTENCE_TURN]
        flat = [x for _, parts in turn for x in parts]
        try:
            matrix = _embedding_pool().submit(_embed_sentences, flat, model_id).result()
        except EmbeddingError:
            return {}
        if matrix is None:
            return {}
        at = 0
        with _sentence_lock:
            for k, parts in turn:
                _sentence_vectors[k] = (parts, matrix[at : at + len(parts)])
                at += len(parts)
            while len(_sentence_vectors) > 2000:
                _sentence_vectors.popitem(last=False)
    out = {}
    for paper in papers:
        parts, matrix = _sentence_vectors.get(key(paper), ([], None))
        if parts and matrix is not None and len(matrix):
            out[paper.pk] = parts[int(np.argmax(matrix @ vector))]
    return out


def _embed_sentences(texts: list[str], model_id: str) -> np.ndarray | None:
    embedder = get_embedder()
    if embedder is None or embedder.model_id != model_id:
        return None
    return embedder.embed_here(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)


def current_mode() -> str:
    return "lexical" if lexical_reason() else "hybrid"


def lexical_reason() -> str:
    """ "off" without an embedding model, "building" before any vector exists, else ""."""
    if not configured_model_id():
        return "off"
    if not vectors.recent_version():
        return "building"
    return ""


def _apply_filters(ids: list[int], filters: SearchFilters, *, sort: str) -> list[int]:
    if not ids:
        return []
    rows = Paper.objects.visible().filter(pk__in=ids)
    if filters.active:  # the category and organization filters join: one row per paper
        rows = rows.filter(filters.q()).distinct()
    if sort == "date":
        kept = dict(rows.values_list("pk", "published_at"))
        return sorted(kept, key=lambda pk: (kept[pk], pk), reverse=True)
    kept = set(rows.values_list("pk", flat=True))
    return [pk for pk in ids if pk in kept]


class _Rows:
    """Titles and abstracts of one search's candidates, each paper read once."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[str, str]] = {}
        self.asked: set[int] = set()

    def read(self, ids: list[int]) -> None:
        missing = [pk for pk in ids if pk not in self.asked]
        if missing:
            self.asked.update(missing)
            found = Paper.objects.filter(pk__in=missing).values_list("pk", "title", "abstract")
            self.rows.update((pk, (t, a)) for pk, t, a in found)

    def texts(self, ids: list[int]) -> list[str]:
        """Title and abstract of each (``""`` for a paper that is gone)."""
        self.read(ids)
        return [f"{self.rows[pk][0]} {self.rows[pk][1]}" if pk in self.rows else "" for pk in ids]

    def titles(self, ids: list[int]) -> dict[int, str]:
        self.read(ids)
        return {pk: self.rows[pk][0] for pk in ids if pk in self.rows}


def _safe(fn, *args, **kwargs):
    """Run a backend call; on a database error, log it and return None. Inside a transaction
    the call gets a savepoint (a failed statement must not abort the caller's transaction);
    outside one it runs as is: on SQLite ``transaction.atomic()`` there would be a ``BEGIN
    IMMEDIATE``, the database's one write lock, taken by every search just to read."""
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                return fn(*args, **kwargs)
        return fn(*args, **kwargs)
    except DatabaseError:
        log.exception("search backend failed; degrading")
        return None
