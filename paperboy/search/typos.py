"""Pick the intended word for a misspelt one from the index's vocabulary (pure, no ORM): the
one spelling rule both word indexes use (SQLite's FTS5 in ``lexical.py``, the Tantivy index in
``wordindex.py``), each telling ``correct`` what it has indexed.

The SQLite vocabulary holds Porter stems ("attent" for "attention"), so a typed word is also
compared with a common suffix cut off: "atention" → "atent" is 1 edit from "attent".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

SUFFIXES = ("ations", "ation", "ions", "ion", "ings", "ing", "ers", "er", "ed", "es", "s", "e")


def max_edits(term: str) -> int:
    return 1 if len(term) <= 6 else 2


def crude_stem(term: str) -> str:
    for suffix in SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            return term[: -len(suffix)]
    return term


def distance(term: str, word: str, *, limit: int) -> int:
    full = DamerauLevenshtein.distance(term, word, score_cutoff=limit + 1)
    cut = crude_stem(term)
    if cut != term:
        return min(full, DamerauLevenshtein.distance(cut, word, score_cutoff=limit + 1))
    return full


def closest(term: str, vocabulary: list[tuple[str, int]]) -> str | None:
    """The vocabulary word within 1 edit (2 for words of 7+ letters) of ``term``, preferring
    fewer edits, then the closer spelling (Jaro-Winkler), then the word in more documents;
    ``None`` when nothing is that close."""
    limit = max_edits(term)
    best: tuple[int, float, int, str] | None = None
    for word, docs in vocabulary:
        d = distance(term, word, limit=limit)
        if d <= limit:
            key = (d, -round(JaroWinkler.similarity(term, word), 2), -docs, word)
            if best is None or key < best:
                best = key
    return best[3] if best else None


def correct(
    terms: Iterable[str],
    *,
    known: Callable[[str], bool],
    vocabulary: Callable[[str], Iterable[tuple[str, int]]],
) -> list[str]:
    """Each term, or its correction as ``stem*`` (an indexed stem, matched as a prefix) when the
    index has never seen it. ``known(term)``: is the term indexed; ``vocabulary(prefix)``: the
    indexed words starting with those three letters (typos are rarely in the first three), with
    the number of papers holding each. Words shorter than 4 letters, not all letters, or
    already corrected (``…*``) are left as typed."""
    out = []
    for term in terms:
        if len(term) < 4 or not term.isalpha() or known(term):
            out.append(term)
            continue
        near = [
            (word, docs)
            for word, docs in vocabulary(term[:3])
            if len(term) - 4 <= len(word) <= len(term) + 2
        ]
        fixed = closest(term, near)
        out.append(f"{fixed}*" if fixed else term)
    return out
