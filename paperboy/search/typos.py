"""Pick the intended word for a misspelt one from the index's vocabulary (pure, no ORM): the
one spelling rule every word index uses (SQLite's FTS5 and PostgreSQL's full text in
``lexical.py``, the Tantivy index in ``wordindex.py``), each telling ``correct`` what it has
indexed and how it stems a word.

Vocabularies hold stems ("attent" for "attention", "reinforc" for "reinforcement"), so a typed
word is compared with the vocabulary as typed, with a common suffix cut off ("atention" →
"atent", 1 edit from "attent") and as the index stems it ("lerning" → "lern", 1 edit from
"learn"). Candidates share the typed word's first two letters.

All or none: when one unknown word has no close indexed word, no word is corrected (the query
runs as typed), so the page never shows a half-corrected query. ``spelled_out`` then gives the
words a person would read: for a corrected stem, the closest word the best hits use; for a
known word that only matched through its stem ("reinforcment" is stemmed like
"reinforcement"), the hits' spelling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from paperboy.lib.text import words

SUFFIXES = ("ations", "ation", "ions", "ion", "ings", "ing", "ers", "er", "ed", "es", "s", "e")


def max_edits(term: str) -> int:
    return 1 if len(term) <= 6 else 2


def crude_stem(term: str) -> str:
    for suffix in SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            return term[: -len(suffix)]
    return term


PREFIX = 2  # letters a candidate shares with the typed word ("lerning" → "le…": "learn")


def forms(term: str, stem: Callable[[str], str] | None = None) -> list[str]:
    """The typed word, its crude stem and the index's stem of it, without repeats."""
    out = [term, crude_stem(term)]
    if stem is not None:
        out.append(stem(term))
    return [f for f in dict.fromkeys(out) if f]


def distance(term: str, word: str, *, limit: int, stem: Callable[[str], str] | None = None) -> int:
    return min(
        DamerauLevenshtein.distance(f, word, score_cutoff=limit + 1) for f in forms(term, stem)
    )


def closest(
    term: str, vocabulary: list[tuple[str, int]], *, stem: Callable[[str], str] | None = None
) -> str | None:
    """The vocabulary word within 1 edit (2 for words of 7+ letters) of ``term`` (or of its
    stems), preferring fewer edits, then the closer spelling (Jaro-Winkler), then the word in
    more documents; ``None`` when nothing is that close."""
    limit = max_edits(term)
    best: tuple[int, float, int, str] | None = None
    for word, docs in vocabulary:
        d = distance(term, word, limit=limit, stem=stem)
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
    stem: Callable[[str], str] | None = None,
) -> list[str]:
    """Each term, or its correction as ``stem*`` (an indexed stem, matched as a prefix) when the
    index has never seen it; all terms as typed when one unknown term has no correction.

    ``known(term)``: is the term indexed; ``vocabulary(prefix)``: the indexed words starting
    with those ``PREFIX`` letters, with the number of papers holding each; ``stem(term)``: the
    index's own stem of a word. Words shorter than 4 letters, not all letters, or already
    corrected (``…*``) are left as typed."""
    terms = list(terms)
    out = []
    for term in terms:
        if len(term) < 4 or not term.isalpha() or known(term):
            out.append(term)
            continue
        shortest = min(len(f) for f in forms(term, stem))
        near = [
            (word, docs)
            for word, docs in vocabulary(term[:PREFIX])
            if shortest - 4 <= len(word) <= len(term) + 2
        ]
        fixed = closest(term, near, stem=stem)
        if fixed is None:
            return terms  # all or none
        out.append(f"{fixed}*")
    return out


def spelled_out(typed: Iterable[str], run: Iterable[str], texts: Iterable[str]) -> list[str]:
    """The words a person reads for the query that ran (``run``: ``correct``'s output for the
    ``typed`` terms), taking spellings from ``texts`` (the best hits): a corrected stem becomes
    the hits' word closest to what was typed; a word the hits do not use as typed, while they
    use a close spelling that is not just another ending of it ("reinforcment" →
    "reinforcement", but never "robots" → "robot"), becomes that spelling. All or none: when a
    word is neither in the hits (in some form) nor close to one of theirs, the query is shown
    as typed."""
    typed = list(typed)
    found = sorted({w for t in texts for w in words(t)})
    out = []
    for term, ran in zip(typed, run, strict=True):
        if ran.endswith("*"):
            base = ran[:-1]
            matches = [w for w in found if w.startswith(base)]
            out.append(
                min(matches, key=lambda w: (DamerauLevenshtein.distance(term, w), len(w)))
                if matches
                else base
            )
            continue
        if len(term) < 4 or not term.isalpha() or term in found:
            out.append(term)
            continue
        related = [w for w in found if w.startswith(term) or term.startswith(w)]
        if any(len(w) >= 4 for w in related):  # another ending of the same word
            out.append(term)
            continue
        limit = max_edits(term)
        close = [
            (DamerauLevenshtein.distance(term, w, score_cutoff=limit + 1), w)
            for w in found
            if w[:PREFIX] == term[:PREFIX]
        ]
        close = [(d, w) for d, w in close if d <= limit]
        if not close:
            return typed  # all or none
        out.append(min(close)[1])
    return out
