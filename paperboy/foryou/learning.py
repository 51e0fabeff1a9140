"""Learning a member's model from their papers' words and vectors, and scoring with it: no
ORM (the benchmark, ``bench/recommend.py``, runs exactly this code).

Words. ``word_counts(texts)`` hashes a paper's title + abstract into word uni- and bigram
counts (scikit-learn's ``HashingVectorizer``: stateless, so a paper's counts never change and
are computed once per paper and process); ``word_idf(counts)`` is the inverse document
frequency over a window of candidates (words in more than half of them weigh nothing, as in
arxiv-sanity-lite); ``paper_rows(counts, idf, categories)`` what the model reads of a paper
besides its vector: its unit tf-idf row (sublinear tf) and its arXiv categories.

The model. ``train(positives, negatives, background, positive_words=..., ...)`` returns a
``Learnt``: a linear SVM (arxiv-sanity-lite's: ``LinearSVC``, balanced classes) on [paper
rows; paper vector] of the member's papers (upvoted, saved, collected, written) against
``background``, a sample of the window's papers (weak negatives), and their dismissed papers
(explicit negatives, weighted up). Only the ``Params.word_features`` largest word and
category weights are kept (what ``MemberModel`` stores). ``score(learnt, matrix, words=...)``
ranks candidates: the SVM's decision value standardised over the candidates, plus the author
prior (how often each candidate's authors occur among the member's papers,
``overlap_prior``) and, when its weight is not 0, the same prior over categories.

``dismiss_penalty`` pushes papers close to a dismissed one down at once, whatever the model.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

WORD_SPACE = 2**18  # hashed word features (collisions are rare among a window's words)
CATEGORY_SPACE = 2**14  # hashed arXiv category codes, after the words
FEATURES = WORD_SPACE + CATEGORY_SPACE  # columns of ``paper_rows``
MAX_DF = 0.5  # a word in more than this share of the window's papers weighs nothing
_HASHER = HashingVectorizer(
    n_features=WORD_SPACE,
    decode_error="replace",
    strip_accents="unicode",
    lowercase=True,
    stop_words="english",
    token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",  # arxiv-sanity-lite's
    ngram_range=(1, 2),
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)


@dataclass(frozen=True)
class Params:
    """``c``, ``vector_weight``, ``category_scale`` and ``category_weight`` were chosen by
    ``bench/recommend.py --tune`` on its TUNING users (309, never the reported ones; the grid's
    best mean recall@20: c 0.003 of 0.003/0.01, vector weight 0.5 of 0.5/1, category scale 1
    of 1/2, category prior weight 0 of 0/0.5). The author weight is fixed, not tuned (the
    bench's author users hold out a paper of theirs: tuning it would only learn that)."""

    c: float = 0.003  # the SVM's regularisation (arxiv-sanity-lite's C is 0.01)
    vector_weight: float = 0.5  # the paper vector's scale beside the unit tf-idf row
    category_scale: float = 1.0  # each of a paper's categories, a feature of this value
    # A dismissed paper counts this many background papers: set on 60 tuning users by the
    # bench's "not interested" check (5 -> 25: the dismissed sub-topic's share of the top 20
    # x0.51 -> x0.40; 100: x0.37). It does not change recall, which has no dismissals.
    negative_weight: float = 25.0
    word_features: int = 3000  # the largest word weights kept per member (MemberModel)
    knn: int = 3  # cosines to the member's papers averaged per candidate
    knn_weight: float = 0.0  # share of that closeness part in the blend (0: the SVM alone)
    category_weight: float = 0.0  # the category prior's (``overlap_prior``): in the SVM now
    author_weight: float = 1.0  # the author prior's, not tuned: see the bench


DEFAULT = Params()

# Set by the bench's "not interested" check. From cosine 0.5 (x6) the check gained little
# (x0.40 -> x0.36) and one dismissal buried its whole neighbourhood (digests' tests).
DISMISS_NEAR = 0.75  # cosine above which a dismissed paper's neighbour is pushed down…
DISMISS_PENALTY = 4.0  # …by this much per unit of cosine above it (scores are standardised)
SVM_ITERATIONS = 10_000
SVM_TOL = 1e-4  # liblinear's stopping tolerance (arxiv-sanity-lite: 1e-6, ~2x the CPU here)


@dataclass(frozen=True)
class Learnt:
    weights: np.ndarray  # float32, one per vector dimension
    bias: float
    centroid: np.ndarray  # unit centroid of the positives
    anchors: np.ndarray | None = None  # the member's papers (unit rows), for the closeness part
    negatives: np.ndarray | None = None  # their dismissed papers (unit rows)
    word_index: np.ndarray | None = None  # int32: the hashed words with a weight, ascending
    word_weights: np.ndarray | None = None  # float32: their weights


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _rows(matrix: np.ndarray | None) -> np.ndarray | None:
    if matrix is None or len(matrix) == 0:
        return None
    return unit_rows(np.asarray(matrix, dtype=np.float32))


# --- words -----------------------------------------------------------------------------------


def paper_text(title: str, abstract: str) -> str:
    return f"{title or ''} {abstract or ''}"


def word_counts(texts: Iterable[str]) -> sparse.csr_matrix:
    """Hashed word uni- and bigram counts, one row per text (float32, WORD_SPACE columns)."""
    counts = _HASHER.transform(list(texts)).tocsr()
    counts.sum_duplicates()
    return counts


def word_idf(counts: sparse.spmatrix) -> np.ndarray:
    """Smoothed inverse document frequency over a window's ``word_counts``; 0 for words in more
    than ``MAX_DF`` of its papers."""
    counts = sparse.csr_matrix(counts)
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=WORD_SPACE)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    idf[df > MAX_DF * n] = 0.0
    return idf.astype(np.float32)


def word_rows(counts: sparse.spmatrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Unit tf-idf rows: (1 + log tf) x idf, each row scaled to length 1."""
    rows = sparse.csr_matrix(counts, dtype=np.float32, copy=True)
    rows.data = (1.0 + np.log(rows.data)) * idf[rows.indices]
    rows.eliminate_zeros()
    return normalize(rows, copy=False)


def category_column(code: str) -> int:
    return WORD_SPACE + zlib.crc32(code.encode()) % CATEGORY_SPACE


def paper_rows(
    counts: sparse.spmatrix,
    idf: np.ndarray,
    categories: Sequence[Iterable[str]],
    *,
    params: Params | None = None,
) -> sparse.csr_matrix:
    """What the SVM reads of each paper besides its vector (``FEATURES`` columns): its unit
    tf-idf ``word_rows``, then each of its arXiv categories as a feature of value
    ``params.category_scale``."""
    params = params or DEFAULT
    words = word_rows(counts, idf)
    rows = [i for i, codes in enumerate(categories) for _ in set(codes)]
    columns = [category_column(code) for codes in categories for code in set(codes)]
    marks = sparse.csr_matrix(
        (np.full(len(rows), params.category_scale, dtype=np.float32), (rows, columns)),
        shape=(len(categories), FEATURES),
    )
    words.resize((words.shape[0], FEATURES))
    return (words + marks).tocsr()


def stack_words(parts: Sequence[sparse.spmatrix | None], lengths: Sequence[int]):
    """The parts' rows one after the other (a missing part: ``length`` empty rows)."""
    return sparse.vstack(
        [
            sparse.csr_matrix((n, FEATURES), dtype=np.float32) if part is None else part
            for part, n in zip(parts, lengths, strict=True)
        ],
        format="csr",
    )


# --- the model -------------------------------------------------------------------------------


def train(
    positives: np.ndarray | None,
    negatives: np.ndarray | None = None,
    background: np.ndarray | None = None,
    *,
    positive_words: sparse.spmatrix | None = None,
    negative_words: sparse.spmatrix | None = None,
    background_words: sparse.spmatrix | None = None,
    params: Params = DEFAULT,
) -> Learnt | None:
    """The member's model, or None without positives. The rows of ``*_words`` are the
    ``paper_rows`` of the same papers as the vectors, in the same order; without words (or
    without a background to learn against) the model reads the vectors only."""
    positives = _rows(positives)
    if positives is None:
        return None
    negatives = _rows(negatives)
    background = _rows(background)
    centroid = unit(positives.mean(axis=0)).astype(np.float32)
    if background is None:
        # Nothing to learn against: the centroid, dismissed papers pulling away from it.
        weights = centroid.astype(np.float64)
        if negatives is not None:
            weights = weights - negatives.mean(axis=0)
        return Learnt(unit(weights).astype(np.float32), 0.0, centroid, positives, negatives)
    parts = [positives, background] if negatives is None else [positives, negatives, background]
    x = np.concatenate(parts) * params.vector_weight
    y = np.zeros(len(x))
    y[: len(positives)] = 1.0
    sample_weight = np.ones(len(x))
    if negatives is not None:
        sample_weight[len(positives) : len(positives) + len(negatives)] = params.negative_weight
    with_words = positive_words is not None and background_words is not None
    if with_words:
        word_parts = [positive_words, background_words]
        if negatives is not None:
            word_parts.insert(1, negative_words)
        words = stack_words(word_parts, [len(p) for p in parts])
        features = sparse.hstack([words, sparse.csr_matrix(x)], format="csr")
    else:
        features = x
    svm = LinearSVC(
        C=params.c, class_weight="balanced", max_iter=SVM_ITERATIONS, tol=SVM_TOL, dual=True
    )
    with warnings.catch_warnings():
        # An unconverged fit is still a usable ranking (max_iter bounds the task's time).
        warnings.simplefilter("ignore", ConvergenceWarning)
        svm.fit(features, y, sample_weight=sample_weight)
    coef = svm.coef_.ravel()
    word_index = word_weights = None
    if with_words:
        word_index, word_weights = _strongest(coef[:FEATURES], params.word_features)
        coef = coef[FEATURES:]
    return Learnt(
        weights=(coef * params.vector_weight).astype(np.float32),
        bias=float(svm.intercept_[0]),
        centroid=centroid,
        anchors=positives,
        negatives=negatives,
        word_index=word_index,
        word_weights=word_weights,
    )


def _strongest(weights: np.ndarray, keep: int) -> tuple[np.ndarray, np.ndarray]:
    index = np.flatnonzero(weights)
    if len(index) > keep:
        index = np.sort(index[np.argpartition(-np.abs(weights[index]), keep - 1)[:keep]])
    return index.astype(np.int32), weights[index].astype(np.float32)


def word_weight_matrix(models: Sequence[Learnt]) -> sparse.csc_matrix:
    """FEATURES x len(models): column j is model j's word weights (none: an empty column),
    for one sparse product with a window's ``word_rows``."""
    index = [m.word_index if m.word_index is not None else np.zeros(0, np.int32) for m in models]
    values = [
        m.word_weights if m.word_weights is not None else np.zeros(0, np.float32) for m in models
    ]
    pointer = np.concatenate([[0], np.cumsum([len(i) for i in index])])
    return sparse.csc_matrix(
        (
            np.concatenate(values).astype(np.float32) if models else np.zeros(0, np.float32),
            np.concatenate(index) if models else np.zeros(0, np.int32),
            pointer,
        ),
        shape=(FEATURES, len(models)),
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
    words: sparse.spmatrix | None = None,
    prior: np.ndarray | None = None,
    authors: np.ndarray | None = None,
    params: Params = DEFAULT,
) -> np.ndarray:
    """Scores of the rows of ``matrix`` (unit paper vectors) for the member (higher is
    better), standardised; ``words``: their ``paper_rows``; ``prior`` and ``authors``: each
    row's ``overlap_prior`` of categories and of authors, when known."""
    matrix = np.asarray(matrix, dtype=np.float32)
    if len(matrix) == 0:
        return np.zeros(0)
    close = closeness_part(learnt, matrix, params)
    return blend(linear_part(learnt, matrix, words), close, prior, params, authors=authors)


def linear_part(
    learnt: Learnt, matrix: np.ndarray, words: sparse.spmatrix | None = None
) -> np.ndarray:
    """The SVM's decision values (the word part only when ``words`` are given)."""
    out = matrix @ learnt.weights + learnt.bias
    if words is not None and learnt.word_index is not None and len(learnt.word_index):
        out = out + np.asarray(words @ word_weight_matrix([learnt]).toarray()).ravel()
    return out


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
