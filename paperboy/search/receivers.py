"""Signal receivers connected in ``SearchConfig.ready``."""

from __future__ import annotations

import logging

from django.db import transaction

from paperboy.search import indexing, schema, wordindex
from paperboy.search.embeddings import batched, configured_model_id
from paperboy.search.tasks import embed_papers

log = logging.getLogger(__name__)
TASK_SIZE = 256  # papers per background task


def papers_imported(sender, paper_ids: list[int], bulk: bool = False, **kwargs) -> None:
    """Index newly imported or changed papers: the lexical index follows by trigger; vectors
    come from the shipped demo file when they match, else from a background task. A bulk
    import leaves even the shipped vectors to the tasks (which use them first): each vector
    written costs an HNSW insertion on PostgreSQL, which is embedding work, not import work."""
    if not paper_ids:
        return
    wordindex.log_changes(paper_ids)
    if not configured_model_id():
        return
    if not bulk:
        try:
            with transaction.atomic():  # a savepoint: a failure here leaves the batch intact
                indexing.use_shipped_vectors(list(paper_ids))
        except Exception:  # never break an import over the optional shipped vectors
            log.exception("search: could not use the shipped demo vectors")
    transaction.on_commit(lambda: _enqueue(list(paper_ids)))


def _enqueue(paper_ids: list[int]) -> None:
    model_id = configured_model_id()
    have = set(
        indexing.Embedding.objects.filter(paper_id__in=paper_ids, model=model_id).values_list(
            "paper_id", flat=True
        )
    )
    todo = sorted(pk for pk in paper_ids if pk not in have)
    with transaction.atomic():  # one commit for the batch's tasks, not one per task
        for chunk in batched(todo, TASK_SIZE):
            embed_papers.enqueue(chunk)


WORD_FIELDS = frozenset({"title", "abstract", "ai_keywords"})


def paper_saved(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    """A paper saved through the ORM: log it for the word index when its words may differ."""
    if created or update_fields is None or WORD_FIELDS & set(update_fields):
        wordindex.log_changes([instance.pk])


def paper_deleted(sender, instance, **kwargs) -> None:
    wordindex.log_changes([instance.pk])


def post_migrate(sender, using="default", **kwargs) -> None:
    """Re-create index triggers a papers migration may have dropped (SQLite table rebuilds)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    recorder = MigrationRecorder(connection)
    if recorder.has_table() and ("search", "0001_initial") in recorder.applied_migrations():
        schema.install(connection)
