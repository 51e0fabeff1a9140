"""Learning a member's model from paper vectors, and scoring with it: pure numpy, no ORM (the
benchmark, ``bench/recommend.py``, runs exactly this code).

``train(positives, negatives, background)`` returns a ``Learnt`` model; ``score(learnt,
matrix)`` ranks the rows of ``matrix`` (unit paper vectors) for the member. Positives are the
vectors of the papers a member upvoted, saved, collected or wrote; negatives the ones they
dismissed ("not interested"); ``background`` a sample of other recent papers, the weak
negatives. The model has two parts, blended after each is standardised over the candidates:

- a linear scorer ``weights · x``: Fisher's discriminant between the positives and the
  background (the difference of their means, whitened by the background's covariance shrunk
  towards the identity), explicit negatives pulling the weights away from their mean;
- the closeness to the member's own papers (``anchors``): the mean of the ``knn`` highest
  cosines to them, so that a member with several interests gets papers near each, not near
  the average of all; explicit negatives count against, the same way.

``dismiss_penalty`` pushes papers close to a dismissed one down at once, whatever the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Params:
    """Chosen with bench/recommend.py on its tuning users (never on the reported ones): the
    best of its grid was the linear part alone (closeness to single papers did not add recall
    on title vectors) with a strong category prior; the author weight is fixed, not tuned."""

    shrink: float = 0.5  # covariance shrinkage towards the identity (0: none, 1: plain centroid)
    knn: int = 3  # cosines to the member's papers averaged per candidate
    knn_weight: float = 0.0  # share of the closeness part in the blend (0: linear only)
    negative_weight: float = 1.0  # pull of explicit negatives, both parts
    category_weight: float = 1.5  # weight of the category prior (``overlap_prior``)
    author_weight: float = 1.0  # the author prior's (``overlap_prior``), not tuned: see the bench


DEFAULT = Params()

DISMISS_NEAR = 0.75  # cosine above which a dismissed paper's neighbour is pushed down…
DISMISS_PENALTY = 4.0  # …by this much per unit of cosine above it (scores are standardised)


@dataclass(frozen=True)
class Learnt:
    weights: np.ndarray  # float32, one per dimension (unit norm)
    bias: float
    centroid: np.ndarray  # unit centroid of the positives
    anchors: np.ndarray | None = None  # the member's papers (unit rows), for the closeness part
    negatives: np.ndarray | None = None  # their dismissed papers (unit rows)


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _rows(matrix: np.ndarray | None) -> np.ndarray | None:
    if matrix is None or len(matrix) == 0:
        return None
    return unit_rows(np.asarray(matrix, dtype=np.float32))


@dataclass(frozen=True)
class Background:
    """The weak negatives, summarised: their mean and the inverse of their covariance shrunk
    towards the identity. The same for every member scored on the same window, so the
    trainer computes it once per window (``background_stats``), not once per member."""

    mean: np.ndarray
    inverse: np.ndarray


def background_stats(rows: np.ndarray | None, *, params: Params = DEFAULT) -> Background | None:
    rows = _rows(rows)
    if rows is None or len(rows) < 2:
        return None
    spread = np.cov(rows, rowvar=False)
    scale = np.trace(spread) / len(spread)
    spread = (1 - params.shrink) * spread + params.shrink * scale * np.eye(len(spread))
    return Background(rows.mean(axis=0), np.linalg.inv(spread))


def train(
    positives: np.ndarray | None,
    negatives: np.ndarray | None = None,
    background: np.ndarray | Background | None = None,
    *,
    params: Params = DEFAULT,
) -> Learnt | None:
    """The member's model, or None without positives. ``background``: rows of weak negatives
    or their ``background_stats`` (computed with the same ``params``)."""
    positives = _rows(positives)
    if positives is None:
        return None
    negatives = _rows(negatives)
    if background is not None and not isinstance(background, Background):
        background = background_stats(background, params=params)
    centroid = unit(positives.mean(axis=0))
    if background is not None:
        target = positives.mean(axis=0) - background.mean
        if negatives is not None:
            target = target - params.negative_weight * (negatives.mean(axis=0) - background.mean)
        weights = background.inverse @ target
    else:
        weights = centroid.astype(np.float64)
        if negatives is not None:
            weights = weights - params.negative_weight * negatives.mean(axis=0)
    return Learnt(
        weights=unit(weights).astype(np.float32),
        bias=0.0,
        centroid=centroid.astype(np.float32),
        anchors=positives,
        negatives=negatives,
    )


def _standard(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / max(float(values.std()), 1e-9)


def _closeness(matrix: np.ndarray, anchors: np.ndarray, k: int) -> np.ndarray:
    sims = matrix @ anchors.T
    k = min(k, sims.shape[1])
    if k < sims.shape[1]:
        sims = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    return sims.mean(axis=1)


def score(
    learnt: Learnt,
    matrix: np.ndarray,
    *,
    prior: np.ndarray | None = None,
    authors: np.ndarray | None = None,
    params: Params = DEFAULT,
) -> np.ndarray:
    """Scores of the rows of ``matrix`` for the member (higher is better), standardised;
    ``prior`` and ``authors`` are each row's ``overlap_prior`` of categories and of authors,
    when known."""
    matrix = np.asarray(matrix, dtype=np.float32)
    if len(matrix) == 0:
        return np.zeros(0)
    close = closeness_part(learnt, matrix, params)
    return blend(linear_part(learnt, matrix), close, prior, params, authors=authors)


def linear_part(learnt: Learnt, matrix: np.ndarray) -> np.ndarray:
    return matrix @ learnt.weights + learnt.bias


def closeness_part(learnt: Learnt, matrix: np.ndarray, params: Params) -> np.ndarray | None:
    if learnt.anchors is None or params.knn_weight <= 0:
        return None
    close = _closeness(matrix, learnt.anchors, params.knn)
    if learnt.negatives is not None:
        close = close - params.negative_weight * _closeness(matrix, learnt.negatives, 1) / 2
    return close


def blend(
    linear: np.ndarray,
    close: np.ndarray | None,
    prior: np.ndarray | None,
    params: Params,
    *,
    authors: np.ndarray | None = None,
) -> np.ndarray:
    """The parts standardised over the candidates and weighted by ``params``."""
    out = _standard(linear)
    if close is not None and params.knn_weight > 0:
        out = (1 - params.knn_weight) * out + params.knn_weight * _standard(close)
    if prior is not None and params.category_weight > 0 and np.ptp(prior) > 0:
        out = out + params.category_weight * _standard(np.asarray(prior, dtype=np.float64))
    if authors is not None and params.author_weight > 0 and np.ptp(authors) > 0:
        # Most candidates share no author with the member: scaled by its maximum, not its
        # spread, so one shared author is worth ``author_weight`` standard deviations.
        out = out + params.author_weight * np.asarray(authors) / float(np.max(authors))
    return out


@dataclass(frozen=True)
class Incidence:
    """Which candidate lists which key (category or author), as parallel index arrays: built
    once per window (``incidence``) and shared by every member's ``overlap_prior``."""

    n: int  # candidates
    rows: np.ndarray  # candidate index of each (candidate, key) pair
    cols: np.ndarray  # key index of each pair
    keys: dict  # key -> column


def incidence(candidates: list[frozenset]) -> Incidence:
    keys: dict = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, codes in enumerate(candidates):
        for code in codes:
            rows.append(i)
            cols.append(keys.setdefault(code, len(keys)))
    return Incidence(
        len(candidates), np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), keys
    )


def overlap_prior(
    candidates: list[frozenset] | Incidence, positives: list[frozenset]
) -> np.ndarray:
    """Per candidate: the sum, over its categories (or authors), of the share of the member's
    papers listed in that category (or by that author). ``candidates``: per candidate its
    keys, or their ``incidence`` (computed once for many members)."""
    table = candidates if isinstance(candidates, Incidence) else incidence(candidates)
    counts = np.zeros(len(table.keys), dtype=np.float64)
    for codes in positives:
        for code in codes:
            column = table.keys.get(code)
            if column is not None:
                counts[column] += 1.0
    total = max(1, len(positives))
    return np.bincount(table.rows, weights=counts[table.cols], minlength=table.n) / total


def dismiss_penalty(matrix: np.ndarray, dismissed: np.ndarray | None) -> np.ndarray:
    """How much to lower each row's score for being close to a dismissed paper."""
    dismissed = _rows(dismissed)
    if dismissed is None or len(matrix) == 0:
        return np.zeros(len(matrix))
    near = (np.asarray(matrix, dtype=np.float32) @ dismissed.T).max(axis=1)
    return DISMISS_PENALTY * np.maximum(near - DISMISS_NEAR, 0.0)
