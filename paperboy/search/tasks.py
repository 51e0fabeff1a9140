"""Background tasks of the search index (run by the ``db_worker``)."""

from django.tasks import task

from paperboy.search import indexing, wordindex


@task
def embed_papers(paper_ids: list[int]) -> int:
    """Embed these papers (shipped demo vectors are used when they still match)."""
    indexing.use_shipped_vectors(paper_ids)
    model_id = indexing.configured_model_id()
    if not model_id:
        return 0
    have = set(
        indexing.Embedding.objects.filter(paper_id__in=paper_ids, model=model_id).values_list(
            "paper_id", flat=True
        )
    )
    return indexing.embed_papers([pk for pk in paper_ids if pk not in have])


@task
def embed_missing() -> int:
    """Embed every paper without a current vector: catches up after a model change or a crash."""
    return indexing.build()


@task
def sync_word_index() -> int:
    """Bring this host's word index up to date (built first when the catalog is large enough,
    see ``search/wordindex.py``) and prune the change log's week-old rows."""
    wordindex.prune_log()
    return wordindex.sync(wait=False) or 0
