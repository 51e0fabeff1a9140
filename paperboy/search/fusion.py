"""Hybrid ranking: fuse lexical and dense candidates, each side weighed by its own confidence.

Pure functions, no ORM. Naive reciprocal rank fusion gives BM25's list the same say as the
dense list even when the query shares no word with the paper it describes (a newcomer's "lay"
description): BM25 then ranks papers that happen to share a common word, and RRF drags them
into the top 10. Here the lexical side's weight follows how much of the query its best hits
actually contain (``coverage``): a keyword query whose words all appear in the top hits trusts
BM25 fully; a lay description whose words are mostly absent trusts meaning.

    final = w · lexical_norm + (1 − w) · dense_norm,
    w = 0 if coverage ≤ FLOOR else W_MAX · ((coverage − FLOOR) / (1 − FLOOR)) ** GAMMA

``lexical_norm`` is the BM25 score divided by the best one; ``dense_norm`` rescales cosine
similarities from the floor of the dense candidate list (0) to the best one (1). A paper
missing from one list scores 0 on that side. Parameters tuned on queries-dev (see
bench/search_quality.py; figures in the module's README text).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from paperboy.lib.text import words

# Tuned on queries-dev (bench/search_quality.py --tune): a floor keeps lay descriptions purely
# semantic; a square root lets partial keyword overlap (paraphrases) count early.
W_MAX = 0.9
GAMMA = 0.5
FLOOR = 0.2
COVERAGE_TOP = 3  # how many of the best lexical hits the coverage is averaged over


@dataclass(frozen=True)
class Fused:
    paper_id: int
    score: float
    lexical: float  # weighted contribution of the lexical side
    dense: float  # weighted contribution of the dense side

    @property
    def why(self) -> str:
        if self.dense < 0.25 * self.lexical:
            return "matching words"
        if self.lexical < 0.25 * self.dense:
            return "similar meaning"
        return "matching words and meaning"


def stem(word: str) -> str:
    """A crude stem for overlap counting: the first 5 letters (learning/learned/learner)."""
    return word[:5] if len(word) > 5 else word


def coverage(terms: Iterable[str], text: str) -> float:
    """The share of ``terms`` found (by crude stem) among the words of ``text``."""
    terms = list(terms)
    if not terms:
        return 0.0
    found = {stem(w) for w in words(text)}
    return sum(stem(t) in found for t in terms) / len(terms)


def lexical_confidence(terms: Iterable[str], top_texts: list[str]) -> float:
    """Mean coverage of the query's terms by the best lexical hits (0 when there are none)."""
    terms = list(terms)
    texts = top_texts[:COVERAGE_TOP]
    if not texts or not terms:
        return 0.0
    return sum(coverage(terms, t) for t in texts) / len(texts)


def lexical_weight(
    confidence: float, *, w_max: float = W_MAX, gamma: float = GAMMA, floor: float = FLOOR
) -> float:
    """0 up to ``floor`` (the best hits share only a stray word: trust meaning alone), then
    rising to ``w_max`` when the best hits contain every word of the query."""
    c = max(0.0, min(1.0, confidence))
    if c <= floor:
        return 0.0
    return w_max * ((c - floor) / (1.0 - floor)) ** gamma


def fuse(
    lexical: list[tuple[int, float]],
    dense: list[tuple[int, float]],
    *,
    weight: float,
) -> list[Fused]:
    """Combine (id, score) lists, each best first, into one ranking, best first.

    ``weight`` is the lexical side's share (0..1). With no dense list (no model yet) the
    lexical list comes back in its own order, and the reverse.
    """
    if not dense:
        weight = 1.0
    if not lexical:
        weight = 0.0
    lex_norm = _max_normalised(lexical)
    dense_norm = _range_normalised(dense)
    ids = list(dict.fromkeys([pk for pk, _ in lexical] + [pk for pk, _ in dense]))
    fused = []
    for pk in ids:
        lex = lex_norm.get(pk, 0.0)
        den = dense_norm.get(pk, 0.0)
        lex, den = weight * lex, (1 - weight) * den
        fused.append(Fused(paper_id=pk, score=lex + den, lexical=lex, dense=den))
    fused.sort(key=lambda f: (-f.score, -f.dense, f.paper_id))
    return fused


def rrf(
    lists: list[list[tuple[int, float]]], *, weights: list[float] | None = None, k: int = 60
) -> list[tuple[int, float]]:
    """(Weighted) reciprocal rank fusion, for comparison in the benchmarks."""
    weights = weights or [1.0] * len(lists)
    scores: dict[int, float] = {}
    for w, ranked in zip(weights, lists, strict=True):
        for rank, (pk, _) in enumerate(ranked, start=1):
            scores[pk] = scores.get(pk, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def _max_normalised(pairs: list[tuple[int, float]]) -> dict[int, float]:
    if not pairs:
        return {}
    top = max(score for _, score in pairs)
    if top <= 0:
        return {pk: 1.0 / (rank + 1) for rank, (pk, _) in enumerate(pairs)}
    return {pk: max(score, 0.0) / top for pk, score in pairs}


def _range_normalised(pairs: list[tuple[int, float]]) -> dict[int, float]:
    if not pairs:
        return {}
    scores = [score for _, score in pairs]
    top, floor = max(scores), min(scores)
    if top - floor < 1e-9:
        return {pk: 1.0 for pk, _ in pairs}
    return {pk: (score - floor) / (top - floor) for pk, score in pairs}
