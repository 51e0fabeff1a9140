"""What the search index stores beside the catalog: one vector per paper, and a version stamp.

The lexical index is not a model: on SQLite it is the FTS5 table ``search_fts`` (external
content over ``papers_paper``), on PostgreSQL the table ``search_document`` (a weighted
``tsvector`` with a GIN index); both are kept in sync by triggers, see ``search/schema.py``.
On PostgreSQL, ``search_embedding`` also has a pgvector column ``vec`` with an HNSW index
(added by the migration, written by ``search/vectors.py``).
"""

from __future__ import annotations

import numpy as np
from django.db import models

from paperboy.papers.models import Paper


class EmbeddingQuerySet(models.QuerySet):
    def current(self, model_id: str) -> EmbeddingQuerySet:
        return self.filter(model=model_id)


class Embedding(models.Model):
    """A paper's vector (float16, L2-normalised) and the model that made it."""

    paper = models.OneToOneField(
        Paper, primary_key=True, on_delete=models.CASCADE, related_name="embedding"
    )
    model = models.CharField(max_length=200, db_index=True)
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmbeddingQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.paper_id} ({self.model})"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float16).astype(np.float32)


class IndexState(models.Model):
    """Bumped whenever vectors change, so each web process knows when to reload its index."""

    key = models.CharField(max_length=50, primary_key=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.version}"


class WordIndexChange(models.Model):
    """A paper whose words changed (new, edited or deleted): the change log each host's word
    index (``search/wordindex.py``) reads to catch up. No foreign key: deleted papers are
    logged too. Rows older than a week are pruned; an index that far behind is rebuilt."""

    id = models.BigAutoField(primary_key=True)
    paper_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"#{self.pk}: paper {self.paper_id}"
