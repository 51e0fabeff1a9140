"""Pick the intended word for a misspelt one from the index's vocabulary (pure, no ORM).

The SQLite vocabulary holds Porter stems ("attent" for "attention"), so a typed word is also
compared with a common suffix cut off: "atention" → "atent" is 1 edit from "attent".
"""

from __future__ import annotations

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
