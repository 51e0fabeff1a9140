"""Papers like these ones: the nearest vectors to their centroid, or a lexical fallback."""

from __future__ import annotations

import numpy as np

from paperboy.papers.models import Paper
from paperboy.search import lexical, vectors
from paperboy.search.embeddings import configured_model_id


def similar_papers(
    paper_ids: list[int], *, k: int = 10, exclude: set[int] = frozenset()
) -> list[Paper]:
    """The ``k`` visible papers closest to the centroid of ``paper_ids``' vectors, best first.

    Without vectors for them (no model, not embedded yet) it falls back to a lexical search on
    their titles, then to recent papers of their primary categories.
    """
    if not paper_ids or k <= 0:
        return []
    skip = set(exclude) | set(paper_ids)
    ranked = _by_vectors(paper_ids, k + len(skip)) or _by_words(paper_ids, k + len(skip))
    ids = [pk for pk in ranked if pk not in skip]
    if len(ids) < k:
        ids += [pk for pk in _by_category(paper_ids, k + len(skip)) if pk not in skip | set(ids)]
    found = Paper.objects.visible().for_cards().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found][:k]


def _by_vectors(paper_ids: list[int], n: int) -> list[int]:
    model_id = configured_model_id()
    if not model_id:
        return []
    found = vectors.vectors_for(list(paper_ids), model_id)
    if not found:
        return []
    centroid = np.mean(list(found.values()), axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    return [pk for pk, _ in vectors.nearest(centroid, model_id, k=n)]


def _by_words(paper_ids: list[int], n: int) -> list[int]:
    titles = " ".join(Paper.objects.filter(pk__in=paper_ids).values_list("title", flat=True))
    return [pk for pk, _ in lexical.candidates(lexical.parse(titles), limit=n)]


def _by_category(paper_ids: list[int], n: int) -> list[int]:
    categories = set(
        Paper.objects.filter(pk__in=paper_ids).values_list("primary_category", flat=True)
    )
    return list(
        Paper.objects.visible()
        .filter(primary_category__in=categories - {""})
        .order_by("-published_at")
        .values_list("pk", flat=True)[:n]
    )
