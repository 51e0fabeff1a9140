"""Lexical retrieval: turn what a person typed into a safe full-text query, run it per engine.

The query is never passed through as syntax: it is split into words (letters and digits),
stop words are dropped, and each word becomes a quoted FTS5 string (SQLite) or an ``or``-joined
``websearch_to_tsquery`` (PostgreSQL), so quotes, ``NEAR``, ``AND``/``OR``/``NOT``, ``*``,
``:``, brackets, NUL bytes and the like are just text. Ranking: BM25 with the title weighted
10× the abstract (SQLite), ``ts_rank`` with weights A=1.0 (title) and B=0.4 (abstract)
normalised by document length (PostgreSQL).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from paperboy.lib.text import words
from paperboy.search.typos import correct

MAX_TERMS = 32
TITLE_WEIGHT = 10.0

# Short English stop-word list: these match most abstracts and only slow an OR query down.
_STOPWORD_TEXT = """
a about above after again against all am an and any are as at be because been
before being below between both but by can could did do does doing down during
each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just me more most my myself no nor
not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves
using use used via based new paper propose proposed approach method show shows
study
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # cleaned query (NUL bytes and control characters removed, trimmed)
    terms: tuple[str, ...]  # lower-cased content words, unique, in order
    only_stopwords: bool = False  # every word was a stop word ("the"): searched for anyway

    @property
    def empty(self) -> bool:
        return not self.terms


def clean(text: str, *, limit: int = 1000) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in (text or "")[: limit * 2])
    return " ".join(text.split())[:limit]


def parse(text: str) -> ParsedQuery:
    cleaned = clean(text)
    seen: dict[str, None] = {}
    for word in words(cleaned):
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    only_stopwords = not seen and bool(words(cleaned))
    if not seen:  # a query made only of stop words ("the who") still searches for them
        for word in words(cleaned):
            seen.setdefault(word, None)
    return ParsedQuery(
        text=cleaned, terms=tuple(list(seen)[:MAX_TERMS]), only_stopwords=only_stopwords
    )


def fts5_query(terms: tuple[str, ...] | list[str]) -> str:
    """``"w1" OR "w2" …``: every term quoted (a quote inside is doubled), so nothing is syntax.

    A term ending in ``*`` (a corrected word, which is an indexed stem) becomes a prefix query.
    """
    parts = []
    for t in terms:
        prefix = t.endswith("*") and len(t) > 1
        word = t[:-1] if prefix else t
        parts.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " OR ".join(parts)


def tsquery_text(terms: tuple[str, ...] | list[str]) -> str:
    """Input for ``websearch_to_tsquery``: words joined by ``or`` (it never raises on input).
    A corrected term (``stem*``) is given as its stem, which the English stemmer keeps."""
    return " or ".join(t.rstrip("*").replace("-", " ") for t in terms)


def candidates(
    parsed: ParsedQuery, *, limit: int = 100, among: list[int] | None = None
) -> list[tuple[int, float]]:
    """Up to ``limit`` (paper id, score) pairs, best first; higher scores are better.

    ``among``: only these papers (e.g. a digest period's), passed as one JSON/array parameter."""
    if parsed.empty or among == []:
        return []
    if connection.vendor == "postgresql":
        within = "" if among is None else "AND d.paper_id = ANY(%s) "
        sql = (
            "SELECT d.paper_id, ts_rank('{0.1, 0.2, 0.4, 1.0}', d.tsv, q, 1) AS score "
            "FROM search_document d, websearch_to_tsquery('english', %s) q "
            f"WHERE d.tsv @@ q {within}ORDER BY score DESC, d.paper_id LIMIT %s"
        )
        params = [tsquery_text(prune_common_pg(parsed.terms))]
        params += [] if among is None else [list(among)]
    else:
        terms = prune_common(parsed.terms)
        # "+rowid": a plain rowid IN (…) is handed to FTS5, which then runs the whole MATCH
        # once per listed id (2.4 s instead of 35 ms for a day's 836 papers).
        within = "" if among is None else "AND +rowid IN (SELECT value FROM json_each(%s)) "
        # bm25() is lower-is-better; negate it so that every side sorts descending.
        sql = (
            f"SELECT rowid, -bm25(search_fts, {TITLE_WEIGHT}, 1.0) AS score FROM search_fts "
            f"WHERE search_fts MATCH %s {within}ORDER BY bm25(search_fts, "
            f"{TITLE_WEIGHT}, 1.0) LIMIT %s"
        )
        params = [fts5_query(terms)]
        params += [] if among is None else [json.dumps(list(among))]
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


# --- Common words (SQLite) -------------------------------------------------------------------
# An OR query pays for every posting of every word: "model" is in most abstracts. Words found
# in more than COMMON_SHARE of the papers add little to BM25 (low idf) and most of the cost,
# so they are dropped when rarer words remain. Document frequencies come from fts5vocab (one
# posting-list scan per stem, cached for DF_TTL seconds per process).
COMMON_SHARE = 0.05
KEEP_AT_LEAST = 3
PRUNE_ABOVE = 20_000  # papers: below this every word is cheap enough to keep
DF_TTL = 3600.0
_df_cache: dict[str, tuple[float, int]] = {}
_count_cache: list[float] = [0.0, 0.0]
_stemmer = threading.local()


def stems(terms: tuple[str, ...] | list[str]) -> list[str] | None:
    """The Porter stems FTS5 indexes ``terms`` under (one per term), or None if unsure."""
    db = getattr(_stemmer, "db", None)
    if db is None:
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')"
        )
        db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        _stemmer.db = db
    db.execute("DELETE FROM t")
    db.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", (" ".join(terms),))
    rows = db.execute("SELECT term, offset FROM v ORDER BY offset").fetchall()
    return [term for term, _ in rows] if len(rows) == len(terms) else None


def doc_freq(stem: str) -> int:
    now = time.monotonic()
    hit = _df_cache.get(stem)
    if hit and now - hit[0] < DF_TTL:
        return hit[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc FROM search_fts_vocab WHERE term = %s", [stem])
        row = cursor.fetchone()
    if len(_df_cache) > 100_000:
        _df_cache.clear()
    _df_cache[stem] = (now, row[0] if row else 0)
    return _df_cache[stem][1]


def paper_count() -> int:
    now = time.monotonic()
    if now - _count_cache[0] > DF_TTL / 6:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM papers_paper")
            _count_cache[:] = [now, cursor.fetchone()[0]]
    return int(_count_cache[1])


def keep_rare(terms: list[str], freqs: list, total: int) -> list[str]:
    """Pure: drop words in more than COMMON_SHARE of ``total`` papers, keeping at least
    KEEP_AT_LEAST words (the rarest) so that a query of common words still searches."""
    if len(terms) <= KEEP_AT_LEAST or total < PRUNE_ABOVE:
        return list(terms)
    limit = COMMON_SHARE * total
    rare = [t for t, f in zip(terms, freqs, strict=True) if f <= limit]
    if len(rare) >= KEEP_AT_LEAST:
        return rare
    by_rarity = sorted(zip(freqs, range(len(terms)), terms, strict=True))[:KEEP_AT_LEAST]
    keep = {i for _, i, _ in by_rarity}
    return [t for i, t in enumerate(terms) if i in keep]


def prune_common(terms: tuple[str, ...]) -> list[str]:
    plain = [t for t in terms if not t.endswith("*")]
    if len(plain) <= KEEP_AT_LEAST or paper_count() < PRUNE_ABOVE:
        return list(terms)
    found = stems(plain)
    if found is None:
        return list(terms)
    kept = set(keep_rare(plain, [doc_freq(s) for s in found], paper_count()))
    return [t for t in terms if t.endswith("*") or t in kept]


def prune_common_pg(terms: tuple[str, ...]) -> list[str]:
    """PostgreSQL: the same rule, with lexeme frequencies from the planner's statistics
    (``pg_stats.most_common_elems`` of ``search_document.tsv``, kept fresh by autovacuum's
    ANALYZE): a lexeme absent from that list is rare enough to keep."""
    if len(terms) <= KEEP_AT_LEAST:
        return list(terms)
    common = _pg_common_lexemes()
    if not common:
        return list(terms)
    freqs = pg_term_shares(terms, common)
    return keep_rare(list(terms), [int(f * 1_000_000) for f in freqs], 1_000_000)


def pg_term_shares(terms: Sequence[str], common: dict[str, float]) -> list[float]:
    """PostgreSQL: each term's share of papers, from ``common`` (``_pg_common_lexemes``).

    A term is looked up by its English lexemes (its most common one counts); a word the
    English configuration drops (a stop word) matches nothing and counts as everywhere (1.0);
    a lexeme below the statistics' floor counts as rare (0.0, no better estimate is kept)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, array_to_string(tsvector_to_array(to_tsvector('english', t)), ' ') "
            "FROM unnest(%s::text[]) AS t",
            [list(terms)],
        )
        lexemes = dict(cursor.fetchall())
    return [
        max((common.get(w, 0.0) for w in words), default=1.0)
        for words in ((lexemes.get(t) or "").split() for t in terms)
    ]


def _pg_common_lexemes() -> dict[str, float]:
    now = time.monotonic()
    hit = _df_cache.get("pg:common")
    if hit and now - hit[0] < DF_TTL:
        return hit[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'search_document' AND attname = 'tsv'"
        )
        row = cursor.fetchone()
    common = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    _df_cache["pg:common"] = (now, common)
    return common


def title_key(text: str) -> str:
    return " ".join(words(text))


def fuzzy_titles(text: str, *, limit: int = 10) -> list[tuple[int, float]]:
    """Titles close to ``text`` despite typos: pg_trgm on PostgreSQL, corrected terms on SQLite."""
    parsed = parse(text)
    if parsed.empty:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, similarity(lower(title), %s) AS s FROM papers_paper "
                "WHERE lower(title) %% %s ORDER BY s DESC LIMIT %s",
                [parsed.text.lower(), parsed.text.lower(), limit],
            )
            return [(int(pk), float(s)) for pk, s in cursor.fetchall()]
    corrected = corrected_terms(parsed.terms)
    if corrected == list(parsed.terms):
        return []
    return candidates(ParsedQuery(text=" ".join(corrected), terms=tuple(corrected)), limit=limit)


def corrected_terms(terms) -> list[str]:
    """Each term, or its correction (an indexed stem, as a ``stem*`` prefix term) when the
    index has never seen the term, or all as typed (``typos.correct`` decides), from FTS5's
    vocabulary on SQLite and the ``search_document`` lexemes on PostgreSQL."""
    if connection.vendor == "postgresql":
        return correct(terms, known=_pg_indexed, vocabulary=_pg_vocabulary, stem=_pg_stem)
    return correct(terms, known=_indexed, vocabulary=_vocabulary, stem=_porter)


def _porter(term: str) -> str:
    found = stems([term])
    return found[0] if found else term


def _indexed(term: str) -> bool:
    with connection.cursor() as cursor:
        # Through FTS5 itself, so the word is stemmed exactly as the index stems it.
        cursor.execute(
            "SELECT 1 FROM search_fts WHERE search_fts MATCH %s LIMIT 1", [fts5_query([term])]
        )
        return cursor.fetchone() is not None


_vocab_cache: dict[str, tuple[float, list[tuple[str, int]]]] = {}


def _vocabulary(prefix: str) -> list[tuple[str, int]]:
    """Indexed stems starting with ``prefix`` (typos are rarely in the first letters), cached
    per prefix: fts5vocab counts documents by scanning each stem's postings."""
    now = time.monotonic()
    hit = _vocab_cache.get(prefix)
    if not hit or now - hit[0] > DF_TTL:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term, doc FROM search_fts_vocab WHERE term >= %s AND term < %s",
                [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)],
            )
            hit = (now, cursor.fetchall())
        if len(_vocab_cache) > 2000:
            _vocab_cache.clear()
        _vocab_cache[prefix] = hit
    return hit[1]


# PostgreSQL keeps no vocabulary table: ts_stat reads the lexemes of up to PG_VOCABULARY_DOCS
# papers' tsvectors (a one-off scan, ~1 s at that size, cached per process for DF_TTL). A
# catalog larger than that reads the word index (wordindex.py) instead, whose vocabulary is
# complete; with the word index off, words found only past that many papers are not offered.
PG_VOCABULARY_DOCS = 50_000


def _pg_stem(term: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_to_string(tsvector_to_array(to_tsvector('english', %s)), ' ')", [term]
        )
        row = cursor.fetchone()
    return (row[0] or term).split()[0] if row and row[0] else term


def _pg_indexed(term: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(plainto_tsquery('english', %s)) = 0 OR EXISTS (SELECT 1 FROM "
            "search_document WHERE tsv @@ plainto_tsquery('english', %s))",
            [term, term],
        )
        return bool(cursor.fetchone()[0])


def _pg_vocabulary(prefix: str) -> list[tuple[str, int]]:
    now = time.monotonic()
    hit = _df_cache.get("pg:vocabulary")
    if not hit or now - hit[0] > DF_TTL:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat(%s)",
                [f"SELECT tsv FROM search_document LIMIT {int(PG_VOCABULARY_DOCS)}"],
            )
            by_prefix: dict[str, list[tuple[str, int]]] = {}
            for word, docs in cursor.fetchall():
                by_prefix.setdefault(word[:2], []).append((word, int(docs)))
        hit = (now, by_prefix)
        _df_cache["pg:vocabulary"] = hit
    return hit[1].get(prefix[:2], [])


def forget() -> None:
    """Drop the per-process caches (tests; after loading a different corpus)."""
    _df_cache.clear()
    _vocab_cache.clear()
    _count_cache[:] = [0.0, 0.0]
