"""The importer tells listeners (the search index) which papers changed, in each batch's
transaction."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from paperboy.ingest.importer import import_records
from paperboy.ingest.records import PaperRecord
from paperboy.papers.models import Paper
from paperboy.papers.signals import papers_imported
from paperboy.search.models import WordIndexChange


def _record(**kw) -> PaperRecord:
    fields = {
        "arxiv_id": "2501.00001",
        "title": "A title",
        "abstract": "An abstract.",
        "authors": ["Ada Lovelace"],
        "published_at": datetime(2025, 1, 2, tzinfo=UTC),
        "categories": ["cs.CL"],
    }
    return PaperRecord(**{**fields, **kw})


@pytest.mark.django_db(transaction=True)
def test_it_signals_new_and_changed_papers_but_not_unchanged_ones():
    received = []

    def listener(sender, paper_ids, **kw):
        received.append(sorted(paper_ids))

    papers_imported.connect(listener)
    try:
        import_records([_record(), _record(arxiv_id="2501.00002")])
        import_records([_record(), _record(arxiv_id="2501.00002", title="A new title")])
    finally:
        papers_imported.disconnect(listener)
    ids = dict(Paper.objects.values_list("arxiv_id", "pk"))
    assert received == [sorted(ids.values()), [ids["2501.00002"]]]


@pytest.mark.django_db(transaction=True)
def test_what_listeners_write_commits_with_the_batch_or_not_at_all():
    inside = []

    def listener(sender, paper_ids, **kw):
        inside.append(connection.in_atomic_block)

    papers_imported.connect(listener)
    try:
        import_records([_record()])
    finally:
        papers_imported.disconnect(listener)
    assert inside == [True]
    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert WordIndexChange.objects.filter(paper_id=paper.pk).count() == 1  # the search's log

    logged = WordIndexChange.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        import_records([_record(arxiv_id="2501.00002")])
        raise RuntimeError("the caller's transaction fails after the import")
    assert not Paper.objects.filter(arxiv_id="2501.00002").exists()
    assert WordIndexChange.objects.count() == logged  # no log row for a paper never written
