"""The scheduled ingest tasks when a source cannot be reached: a failed run and one log line."""

import logging

from paperboy.ingest import jobs, tasks
from paperboy.ingest.arxiv import ArxivClient
from paperboy.ingest.hf import HfClient
from paperboy.ingest.models import IngestRun


def test_an_unreachable_arxiv_is_a_failed_run_and_one_warning_not_a_traceback(
    db, settings, monkeypatch, caplog
):
    settings.PAPERBOY_ARXIV_RSS_URL = "http://127.0.0.1:9/rss"
    monkeypatch.setattr(
        jobs, "arxiv_client", lambda: ArxivClient(min_interval=0, max_attempts=1, backoff_base=0)
    )
    with caplog.at_level(logging.WARNING, logger="paperboy.ingest.tasks"):
        result = tasks.ingest_arxiv_daily.call()
    assert result.startswith("failed: arXiv did not answer")
    [record] = [r for r in caplog.records if r.name == "paperboy.ingest.tasks"]
    assert record.exc_info is None
    assert "next scheduled run tries again" in record.getMessage()
    run = IngestRun.objects.get(source="arxiv-daily")
    assert run.status == IngestRun.Status.FAILED
    assert "did not answer" in run.message


def test_each_hugging_face_day_is_tried_even_when_the_first_fails(db, settings, monkeypatch):
    settings.PAPERBOY_HF_API_URL = "http://127.0.0.1:9/api"
    monkeypatch.setattr(jobs, "HfClient", lambda: HfClient(max_attempts=1, backoff_base=0))
    monkeypatch.setattr(jobs, "hf_days", lambda: ["2026-12-02", "2026-12-03"])
    result = tasks.ingest_hf_daily.call()
    parts = result.split("; ")
    assert [p.split(": ")[0] for p in parts] == ["2026-12-02", "2026-12-03"]
    assert all(": failed: " in p for p in parts)
