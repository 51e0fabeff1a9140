"""Hybrid ranking: fuse lexical and dense candidates, each side weighed by its own confidence.

Pure functions, no ORM. Naive reciprocal rank fusion gives BM25's list the same say as the
dense list even when the query shares no word with the paper it describes (a newcomer's "lay"
description): BM25 then ranks papers that happen to share a common word, and RRF drags them
into the top 10. Here the lexical side's weight is read from signals every backend has at
query time (``Signals``), never from the query's words themselves:

- ``coverage``: how much of the query the best lexical hits contain (a keyword query's words
  are all there; a lay description's mostly are not);
- ``terms``: how many content words the query has (keywords are few, descriptions many);
- ``stop_share``: the share of its words that are stop words (descriptions are sentences);
- ``agreement``: how many of the dense side's top 10 the lexical side also found;
- ``dense_coverage``: how much of the query the dense side's best hits contain (when the
  papers closest in meaning do not use the query's words, words are not how this query
  describes what it wants).

    final = w · lexical_norm + (1 − w) · dense_norm,
    w = max(0, tanh(bias + a·coverage + b·min(terms, 12)/12 + c·stop_share + d·agreement
                    + e·dense_coverage))

The weight is exactly 0 below the line ``z = 0`` (a query whose words the best hits lack is
ranked by meaning alone: a small lexical share would still lift papers that merely share a
common word), and rises to 1 (BM25 alone) for a query whose words the best hits all use.

``lexical_norm`` is the lexical score divided by the best one; ``dense_norm`` rescales cosine
similarities from the floor of the dense candidate list (0) to the best one (1). A paper
missing from one list scores 0 on that side. The six numbers (``PARAMS``) are fitted on
queries-dev by ``bench/search_quality.py --tune``, which also reports them cross-validated:
fitted on four folds of target papers and scored on the fifth.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from paperboy.lib.text import words

# The relevance floor: a paper is a close match when the fusion trusts words (weight > 0) and
# the word side found it, or when its cosine similarity to the query reaches DENSE_CLOSE
# (all-MiniLM-L6-v2; set from queries-dev, see bench/search_quality.py "floor"). A query
# with no close match gets "no close matches" and the nearest papers by meaning, labelled.
DENSE_CLOSE = 0.3
COVERAGE_TOP = 3  # how many of the best lexical hits the coverage is averaged over
AGREEMENT_TOP = 10  # how many of the dense side's best hits the agreement looks at


@dataclass(frozen=True)
class Params:
    bias: float
    coverage: float
    terms: float
    stop_share: float
    agreement: float
    dense_coverage: float


# Fitted on all of queries-dev over its 10,000-paper sample (bench/search_quality.py --tune,
# 2026-12-07; every fold's own fit gave the same, or dense_coverage=0): words count from a
# coverage of 0.25 (up to 0.42 when the meaning side's best hits use the query's words too:
# then meaning is trusted more), and all but alone from ~0.6 (w = 0.97). The three other
# signals fitted to 0 on this set. Held-out figures in bench/README.md ("search_quality.py").
PARAMS = Params(
    bias=-1.5, coverage=6.0, terms=0.0, stop_share=0.0, agreement=0.0, dense_coverage=-1.0
)


@dataclass(frozen=True)
class Signals:
    coverage: float  # 0..1, ``lexical_confidence``
    terms: int  # content words searched for
    stop_share: float  # 0..1, the share of the typed words that are stop words
    agreement: float  # 0..1, share of the dense top AGREEMENT_TOP the lexical side found
    dense_coverage: float = 0.0  # 0..1, ``lexical_confidence`` of the best dense hits


def signals(
    text: str,
    terms: list[str] | tuple[str, ...],
    top_texts: list[str],
    lexical_ids: Iterable[int],
    dense_ids: list[int],
    dense_texts: list[str] | None = None,
) -> Signals:
    """The query-time signals of one search: ``text`` as typed, its content ``terms``, the
    texts of the best lexical hits, the lexical candidates' ids, the dense ones' in order and
    the texts of the best dense hits."""
    typed = words(text)
    stop_share = 1.0 - min(1.0, len(terms) / len(typed)) if typed else 0.0
    top_dense = dense_ids[:AGREEMENT_TOP]
    found = set(lexical_ids)
    agreement = sum(pk in found for pk in top_dense) / len(top_dense) if top_dense else 0.0
    return Signals(
        coverage=lexical_confidence(terms, top_texts),
        terms=len(terms),
        stop_share=stop_share,
        agreement=agreement,
        dense_coverage=lexical_confidence(terms, dense_texts or []),
    )


def lexical_weight(s: Signals, params: Params = PARAMS) -> float:
    """The lexical side's share (0..1) for a search with these signals."""
    z = (
        params.bias
        + params.coverage * max(0.0, min(1.0, s.coverage))
        + params.terms * min(s.terms, 12) / 12
        + params.stop_share * s.stop_share
        + params.agreement * s.agreement
        + params.dense_coverage * s.dense_coverage
    )
    return max(0.0, math.tanh(z))


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


def close_matches(
    fused: list[Fused],
    dense: list[tuple[int, float]],
    lexical_ids: Iterable[int],
    *,
    words_count: bool,
    floor: float = DENSE_CLOSE,
) -> list[Fused]:
    """The fused papers that clear the relevance floor, in order: found by the word side when
    words count (``words_count``: the fusion gives them weight, or there is no dense side, and
    the query is not only stop words), or at least ``floor`` close in meaning."""
    cosines = dict(dense)
    found = set(lexical_ids) if words_count else set()
    return [f for f in fused if f.paper_id in found or cosines.get(f.paper_id, -1.0) >= floor]


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
