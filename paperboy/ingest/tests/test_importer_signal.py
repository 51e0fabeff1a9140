"""The importer tells listeners (the search index) which papers changed, after commit."""

from datetime import UTC, datetime

import pytest

from paperboy.ingest.importer import import_records
from paperboy.ingest.records import PaperRecord
from paperboy.ingest.signals import papers_imported
from paperboy.papers.models import Paper


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
