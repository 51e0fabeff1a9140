"""Learning a member's model from vectors: pure numpy, no ORM (the benchmark runs it as is).

``train(positives, negatives, background)`` returns a ``Learnt`` linear scorer over unit
paper vectors: ``score(x) = weights · x + bias``. Positives are the vectors of the papers a
member upvoted, saved, collected or wrote; negatives the ones they dismissed ("not
interested"); ``background`` a sample of other recent papers, the weak negatives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Weight of the explicit negatives' centroid subtracted from the positives' one.
NEGATIVE_WEIGHT = 0.5


@dataclass(frozen=True)
class Learnt:
    weights: np.ndarray  # float32, one per dimension
    bias: float
    centroid: np.ndarray  # unit centroid of the positives

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return matrix @ self.weights + self.bias


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def train(
    positives: np.ndarray,
    negatives: np.ndarray | None = None,
    background: np.ndarray | None = None,
) -> Learnt | None:
    """The member's scorer, or None without positives."""
    if positives is None or len(positives) == 0:
        return None
    positives = unit_rows(np.asarray(positives, dtype=np.float32))
    centroid = unit(positives.mean(axis=0))
    weights = centroid.copy()
    if negatives is not None and len(negatives):
        negatives = unit_rows(np.asarray(negatives, dtype=np.float32))
        weights = weights - NEGATIVE_WEIGHT * unit(negatives.mean(axis=0))
    return Learnt(weights.astype(np.float32), 0.0, centroid.astype(np.float32))
