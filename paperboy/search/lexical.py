"""Lexical retrieval: turn what a person typed into a safe full-text query, run it per engine.

The query is never passed through as syntax: it is split into words (letters and digits),
stop words are dropped, and each word becomes a quoted FTS5 string (SQLite) or an ``or``-joined
``websearch_to_tsquery`` (PostgreSQL), so quotes, ``NEAR``, ``AND``/``OR``/``NOT``, ``*``,
``:``, brackets, NUL bytes and the like are just text. Ranking: BM25 with the title weighted
10× the abstract (SQLite), ``ts_rank`` with weights A=1.0 (title) and B=0.4 (abstract)
normalised by document length (PostgreSQL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection

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
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # cleaned query (NUL bytes and control characters removed, trimmed)
    terms: tuple[str, ...]  # lower-cased content words, unique, in order

    @property
    def empty(self) -> bool:
        return not self.terms


def clean(text: str, *, limit: int = 1000) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in (text or "")[: limit * 2])
    return " ".join(text.split())[:limit]


def parse(text: str) -> ParsedQuery:
    cleaned = clean(text)
    seen: dict[str, None] = {}
    for word in _WORD.findall(cleaned.lower()):
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    if not seen:  # a query made only of stop words ("the who") still searches for them
        for word in _WORD.findall(cleaned.lower()):
            seen.setdefault(word, None)
    return ParsedQuery(text=cleaned, terms=tuple(list(seen)[:MAX_TERMS]))


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
    """Input for ``websearch_to_tsquery``: words joined by ``or`` (it never raises on input)."""
    return " or ".join(t.replace("-", " ") for t in terms)


def candidates(parsed: ParsedQuery, *, limit: int = 100) -> list[tuple[int, float]]:
    """Up to ``limit`` (paper id, score) pairs, best first; higher scores are better."""
    if parsed.empty:
        return []
    if connection.vendor == "postgresql":
        sql = (
            "SELECT d.paper_id, ts_rank('{0.1, 0.2, 0.4, 1.0}', d.tsv, q, 1) AS score "
            "FROM search_document d, websearch_to_tsquery('english', %s) q "
            "WHERE d.tsv @@ q ORDER BY score DESC, d.paper_id LIMIT %s"
        )
        params = [tsquery_text(parsed.terms), limit]
    else:
        # bm25() is lower-is-better; negate it so that every side sorts descending.
        sql = (
            f"SELECT rowid, -bm25(search_fts, {TITLE_WEIGHT}, 1.0) AS score FROM search_fts "
            "WHERE search_fts MATCH %s ORDER BY bm25(search_fts, "
            f"{TITLE_WEIGHT}, 1.0) LIMIT %s"
        )
        params = [fts5_query(parsed.terms), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def title_matches(text: str, *, limit: int = 5) -> list[int]:
    """Papers whose title is ``text`` once case, punctuation and spacing are ignored."""
    key = title_key(text)
    if not key or len(key) < 8:
        return []
    parsed = parse(text)
    if connection.vendor == "postgresql":
        sql = (
            "SELECT id, title FROM papers_paper WHERE lower(title) %% %s "
            "ORDER BY similarity(lower(title), %s) DESC LIMIT 20"
        )
        params = [text.lower(), text.lower()]
    else:
        sql = (
            "SELECT p.id, p.title FROM search_fts f JOIN papers_paper p ON p.id = f.rowid "
            "WHERE search_fts MATCH %s ORDER BY bm25(search_fts, 10.0, 1.0) LIMIT 20"
        )
        params = ["title : (" + " AND ".join(f'"{t}"' for t in parsed.terms) + ")"]
    if parsed.empty:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [pk for pk, title in rows if title_key(title) == key][:limit]


def title_key(text: str) -> str:
    return " ".join(_WORD.findall((text or "").lower()))


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
    index has never seen the term (SQLite)."""
    out = []
    for term in terms:
        fixed = correct_term(term)
        out.append(term if fixed == term else f"{fixed}*")
    return out


def correct_term(term: str) -> str:
    """The closest indexed word to ``term`` when ``term`` itself is not in the index (SQLite)."""
    if len(term) < 4 or not term.isalpha() or connection.vendor != "sqlite":
        return term
    from paperboy.search.typos import closest

    with connection.cursor() as cursor:
        # Through FTS5 itself, so the word is stemmed exactly as the index stems it.
        cursor.execute(
            "SELECT 1 FROM search_fts WHERE search_fts MATCH %s LIMIT 1", [fts5_query([term])]
        )
        if cursor.fetchone():
            return term
        # Candidates share the first letter (most typos are later in the word).
        cursor.execute(
            "SELECT term, doc FROM search_fts_vocab WHERE term >= %s AND term < %s "
            "AND length(term) BETWEEN %s AND %s",
            [term[0], chr(ord(term[0]) + 1), len(term) - 4, len(term) + 2],
        )
        vocabulary = cursor.fetchall()
    return closest(term, vocabulary) or term
