"""Imported papers are indexed: lexically by trigger, by meaning through background tasks."""

import numpy as np
from django_tasks_db.models import DBTaskResult

from paperboy.search import indexing
from paperboy.search.engine import search
from paperboy.search.models import Embedding
from paperboy.search.tasks import embed_missing, embed_papers
from paperboy.testing import make_paper


def queued_ids():
    tasks = DBTaskResult.objects.filter(task_path="paperboy.search.tasks.embed_papers")
    return sorted(pk for t in tasks for pk in t.args_kwargs["args"][0])


def test_an_import_enqueues_an_embedding_task(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        paper = make_paper(title="Origami Folding Robots")
    assert queued_ids() == [paper.pk]
    # Searchable by words at once, before any embedding.
    assert [h.paper for h in search("origami").hits] == [paper]


def test_the_task_embeds_the_papers(db):
    paper = make_paper(title="Origami Folding Robots")
    assert embed_papers.call([paper.pk]) == 1
    embedding = Embedding.objects.get(paper=paper)
    assert embedding.model == indexing.configured_model_id()
    assert np.isclose(np.linalg.norm(embedding.as_array()), 1.0, atol=1e-2)
    assert embed_papers.call([paper.pk]) == 0  # already done


def test_shipped_vectors_are_used_when_the_text_matches(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    vector = np.zeros(384, dtype=np.float16)
    vector[0] = 1
    model_id = indexing.configured_model_id()
    from paperboy.search.embeddings import paper_text

    title, abstract = "Shipped Paper", "An abstract that was embedded before shipping."
    table = {"2502.00001": (indexing.text_hash(paper_text(title, abstract)), vector)}
    monkeypatch.setattr(indexing, "shipped_vectors", lambda: (model_id, table))
    with django_capture_on_commit_callbacks(execute=True):
        paper = make_paper(arxiv_id="2502.00001", title=title, abstract=abstract)
        other = make_paper(arxiv_id="2502.00002", title="Not shipped")
    assert Embedding.objects.get(paper=paper).as_array()[0] == 1.0
    assert queued_ids() == [other.pk]


def test_a_changed_model_makes_every_paper_missing(db, settings):
    paper = make_paper(title="Origami Folding Robots")
    embed_papers.call([paper.pk])
    assert indexing.status().missing == 0
    Embedding.objects.update(model="some-old-model")
    assert indexing.status().missing == 1
    assert indexing.status().stale == 1
    assert embed_missing.call() == 1
    assert Embedding.objects.get(paper=paper).model == indexing.configured_model_id()


def test_the_lexical_index_follows_edits_and_deletes(db):
    paper = make_paper(title="Origami Folding Robots")
    paper.title = "Kirigami Cutting Robots"
    paper.save()
    assert [h.paper for h in search("kirigami").hits] == [paper]
    assert search("origami").hits == []
    paper.delete()
    assert search("kirigami").hits == []


def test_a_bulk_import_leaves_shipped_vectors_to_the_embedding_task(transactional_db, monkeypatch):
    from datetime import UTC, datetime

    from paperboy.ingest.importer import import_records
    from paperboy.ingest.records import PaperRecord
    from paperboy.papers.models import Paper
    from paperboy.search.embeddings import paper_text

    vector = np.zeros(384, dtype=np.float16)
    vector[1] = 1
    title, abstract = "Shipped Paper", "An abstract that was embedded before shipping."
    table = {"2502.00001": (indexing.text_hash(paper_text(title, abstract)), vector)}
    monkeypatch.setattr(
        indexing, "shipped_vectors", lambda: (indexing.configured_model_id(), table)
    )
    record = PaperRecord(
        arxiv_id="2502.00001",
        title=title,
        abstract=abstract,
        authors=["Ada Lovelace"],
        published_at=datetime(2025, 2, 3, tzinfo=UTC),
        categories=["cs.CL"],
    )
    import_records([record], bulk=True)
    paper = Paper.objects.get(arxiv_id="2502.00001")
    assert not Embedding.objects.filter(paper=paper).exists()  # not during the import
    assert queued_ids() == [paper.pk]
    embed_papers.call([paper.pk])
    assert Embedding.objects.get(paper=paper).as_array()[1] == 1.0  # the shipped one
