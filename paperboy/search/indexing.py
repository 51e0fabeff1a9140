"""Keeping the vectors complete: embed what is missing, reuse the shipped demo vectors.

A paper is "missing" when it has no vector from the configured model (none yet, or one from
another model: changing ``PAPERBOY_EMBEDDING_*`` makes every paper missing, and the next
build or background task re-embeds them). Papers are embedded in chunks, each sorted by text
length so that a batch pads little.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from paperboy.papers.models import Paper
from paperboy.search import vectors
from paperboy.search.embeddings import (
    Embedder,
    batched,
    configured_model_id,
    get_embedder,
    paper_text,
    text_hash,
)
from paperboy.search.models import Embedding

DEMO_VECTORS = Path(__file__).resolve().parent.parent / "demo" / "vectors.npz"
CHUNK = 512
BATCH = 32


@dataclass
class IndexStatus:
    model_id: str
    papers: int
    embedded: int  # with a vector from the configured model
    stale: int  # with a vector from another model

    @property
    def missing(self) -> int:
        return self.papers - self.embedded

    def __str__(self) -> str:
        if not self.model_id:
            return f"{self.papers} papers; embeddings are off (lexical search only)."
        pct = 100 * self.embedded / self.papers if self.papers else 100
        return (
            f"{self.papers} papers, {self.embedded} embedded with {self.model_id} ({pct:.1f}%), "
            f"{self.missing} missing ({self.stale} from another model)."
        )


def status() -> IndexStatus:
    model_id = configured_model_id()
    papers = Paper.objects.count()
    embedded = Embedding.objects.filter(model=model_id).count() if model_id else 0
    stale = Embedding.objects.exclude(model=model_id).count() if model_id else 0
    return IndexStatus(model_id=model_id, papers=papers, embedded=embedded, stale=stale)


def missing_ids(model_id: str) -> list[int]:
    current = Embedding.objects.filter(model=model_id).values("paper_id")
    return list(Paper.objects.exclude(pk__in=current).order_by("pk").values_list("pk", flat=True))


def embed_papers(
    paper_ids: Iterable[int],
    *,
    embedder: Embedder | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Embed these papers with the configured model and store their vectors; returns a count."""
    embedder = embedder or get_embedder()
    if embedder is None:
        return 0
    done = 0
    for chunk in batched(paper_ids, CHUNK):
        rows = Paper.objects.filter(pk__in=chunk).values_list("pk", "title", "abstract")
        texts = {pk: paper_text(title, abstract) for pk, title, abstract in rows}
        ids = sorted(texts, key=lambda pk: len(texts[pk]))
        matrix = embedder.embed_many([texts[pk] for pk in ids], batch_size=BATCH)
        vectors.store(embedder.model_id, dict(zip(ids, matrix, strict=True)))
        done += len(ids)
        if progress:
            progress(len(chunk))
    return done


def build(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Embed every paper that lacks a current vector (shipped demo vectors first)."""
    model_id = configured_model_id()
    if not model_id:
        return 0
    ids = missing_ids(model_id)
    use_shipped_vectors(ids)
    ids = missing_ids(model_id)
    total = len(ids)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    if progress:
        progress(0, total)
    return embed_papers(ids, progress=step)


@lru_cache(maxsize=1)
def shipped_vectors() -> tuple[str, dict[str, tuple[str, np.ndarray]]]:
    """(model id, {arxiv id: (text hash, vector)}) from ``paperboy/demo/vectors.npz``."""
    if not DEMO_VECTORS.exists():
        return "", {}
    data = np.load(DEMO_VECTORS)
    table = {
        str(a): (str(h), v)
        for a, h, v in zip(data["ids"], data["hashes"], data["vectors"], strict=True)
    }
    return str(data["model_id"]), table


def use_shipped_vectors(paper_ids: list[int]) -> int:
    """Store the shipped vector of each of these papers whose text is still the one embedded."""
    model_id = configured_model_id()
    shipped_model, table = shipped_vectors()
    if not model_id or model_id != shipped_model or not paper_ids:
        return 0
    found: dict[int, np.ndarray] = {}
    for chunk in batched(paper_ids, 2000):
        # Texts only of the papers the file has (a large import: a few in a thousand).
        ids = Paper.objects.filter(pk__in=chunk).values_list("pk", "arxiv_id")
        shipped = [pk for pk, arxiv_id in ids if arxiv_id in table]
        if not shipped:
            continue
        rows = Paper.objects.filter(pk__in=shipped).values_list(
            "pk", "arxiv_id", "title", "abstract"
        )
        for pk, arxiv_id, title, abstract in rows:
            entry = table.get(arxiv_id)
            if entry and entry[0] == text_hash(paper_text(title, abstract)):
                found[pk] = entry[1].astype(np.float32)
    return vectors.store(model_id, found)
