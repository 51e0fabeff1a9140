"""Papers like these ones: the one rule behind the paper page's "Similar papers" and the
digests' "for you", for one list of papers or a whole batch of members at once.

For each profile (a list of papers): the papers nearest to the centroid of their vectors
(cosine); for a profile the vectors cannot serve (no model, none embedded yet), a full-text
search of its papers' titles; papers of its papers' primary categories fill what is left.
Never one of its own papers or one it excludes. Chosen from the whole catalog (the vector
index, the newest papers of a category) or from a ``Pool``: a digest period's papers, their
vectors loaded once and every profile scored in one matrix product.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from itertools import batched

import numpy as np

from paperboy.papers.models import Paper
from paperboy.search import lexical, vectors
from paperboy.search.embeddings import configured_model_id

_CHUNK = 2000  # ids per vector look-up


@dataclass
class Pool:
    """The papers to choose from: ``ids`` in the order a category fill takes them, their
    primary categories, and the unit vectors of those the configured model has embedded."""

    ids: list[int]
    categories: dict[int, str]
    vector_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    matrix: np.ndarray | None = None

    @classmethod
    def load(cls, ids: list[int], categories: dict[int, str]) -> Pool:
        pool = cls(ids, categories)
        model_id = configured_model_id()
        found = _vectors(ids, model_id) if model_id else {}
        if found:
            pool.vector_ids = np.fromiter(found, dtype=np.int64, count=len(found))
            pool.matrix = _unit(np.stack(list(found.values())).astype(np.float32))
        return pool


def similar_papers(
    paper_ids: list[int], *, k: int = 10, exclude: set[int] = frozenset()
) -> list[Paper]:
    """The ``k`` visible papers of the catalog most like ``paper_ids``, best first."""
    if not paper_ids or k <= 0:
        return []
    ids = similar_many({0: list(paper_ids)}, k=k, exclude={0: set(exclude)})[0]
    found = Paper.objects.visible().for_cards().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found][:k]


def similar_many[K: Hashable](
    profiles: Mapping[K, list[int]],
    *,
    k: int,
    exclude: Mapping[K, set[int]] | None = None,
    pool: Pool | None = None,
) -> dict[K, list[int]]:
    """Per profile, the ids of the papers most like its papers, best first (see the module).

    From a ``pool``: at most ``k`` each. From the catalog, the vector and word steps may give
    more than ``k`` (the caller drops the hidden papers and cuts)."""
    skip = {key: set(ids) | set((exclude or {}).get(key, ())) for key, ids in profiles.items()}
    found: dict[K, list[int]] = {key: [] for key in profiles}
    if k <= 0 or not profiles:
        return found
    model_id = configured_model_id()
    if model_id and (pool is None or pool.matrix is not None):
        _by_vectors(profiles, skip, found, k, pool, model_id)
    short = [key for key in profiles if len(found[key]) < k]
    if short:
        _by_words_and_category(short, profiles, skip, found, k, pool)
    return found


def _by_vectors(profiles, skip, found, k: int, pool: Pool | None, model_id: str) -> None:
    mine = _vectors(sorted({pk for ids in profiles.values() for pk in ids}), model_id)
    keys = [key for key, ids in profiles.items() if any(pk in mine for pk in ids)]
    if not keys:
        return
    centroids = _unit(
        np.stack(
            [np.mean([mine[pk] for pk in profiles[key] if pk in mine], axis=0) for key in keys]
        ).astype(np.float32)
    )
    if pool is None:
        for key, centroid in zip(keys, centroids, strict=True):
            nearest = vectors.nearest(centroid, model_id, k=k + len(skip[key]))
            found[key] = [pk for pk, _ in nearest if pk not in skip[key]]
        return
    scores = centroids @ pool.matrix.T  # one row per profile, cosine
    row_of = {int(pk): i for i, pk in enumerate(pool.vector_ids)}
    for row, key in zip(scores, keys, strict=True):
        row[[row_of[pk] for pk in skip[key] if pk in row_of]] = -np.inf
        best = vectors.top_k(row, k)
        found[key] = [int(pool.vector_ids[i]) for i in best if row[i] > -np.inf]


def _by_words_and_category(keys, profiles, skip, found, k: int, pool: Pool | None) -> None:
    wanted = {pk for key in keys for pk in profiles[key]}
    rows = Paper.objects.filter(pk__in=wanted).values_list("pk", "title", "primary_category")
    titles = {pk: title for pk, title, _ in rows}
    primary = {pk: category for pk, _, category in rows}
    among = pool.ids if pool is not None else None
    cut = k if pool is not None else None
    for key in keys:
        taken = skip[key] | set(found[key])
        if not found[key]:
            text = " ".join(titles[pk] for pk in profiles[key] if pk in titles)
            hits = lexical.candidates(lexical.parse(text), limit=k + len(taken), among=among)
            found[key] += [pk for pk, _ in hits if pk not in taken][:cut]
            taken |= set(found[key])
        if len(found[key]) < k:
            categories = {primary[pk] for pk in profiles[key] if primary.get(pk)}
            fill = [
                pk for pk in _of_categories(categories, k + len(taken), pool) if pk not in taken
            ]
            found[key] += fill[: k - len(found[key])] if pool is not None else fill


def _of_categories(categories: set[str], n: int, pool: Pool | None) -> list[int]:
    """Papers of these primary categories: the pool's in its order, else the newest visible."""
    if pool is not None:
        return [pk for pk in pool.ids if pool.categories.get(pk) in categories]
    return list(
        Paper.objects.visible()
        .filter(primary_category__in=categories - {""})
        .order_by("-published_at")
        .values_list("pk", flat=True)[:n]
    )


def _vectors(ids: list[int], model_id: str) -> dict[int, np.ndarray]:
    found: dict[int, np.ndarray] = {}
    for chunk in batched(ids, _CHUNK):
        found.update(vectors.vectors_for(list(chunk), model_id))
    return found


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
