"""The ingest jobs of ``paperboy/jobs/schedule.py``: when they are due; an overlap skips."""

from datetime import UTC, datetime, timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from paperboy.ingest import tasks
from paperboy.ingest.models import IngestLock, IngestRun
from paperboy.jobs.schedule import JOBS
from paperboy.jobs.scheduler import enqueue_due

JOB = {job.name: job for job in JOBS}
ARXIV = JOB["ingest-arxiv-daily"]


def new_york(year, month, day, hour, minute):
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("America/New_York"))


def test_every_ingest_source_has_a_scheduled_job():
    assert {j.task for j in JOBS if j.task.startswith("paperboy.ingest.")} == {
        "paperboy.ingest.tasks.ingest_arxiv_daily",
        "paperboy.ingest.tasks.catch_up_arxiv",
        "paperboy.ingest.tasks.ingest_hf_daily",
        "paperboy.ingest.tasks.refresh_github_stars",
    }


@pytest.mark.parametrize(
    "announced, read",
    [
        # (arXiv's announcement, Sunday–Thursday 20:00) -> (the RSS listing that holds it)
        (new_york(2025, 11, 2, 20, 0), new_york(2025, 11, 3, 1, 30)),  # Sunday -> Monday
        (new_york(2025, 11, 6, 20, 0), new_york(2025, 11, 7, 1, 30)),  # Thursday -> Friday
        (new_york(2025, 7, 9, 20, 0), new_york(2025, 7, 10, 1, 30)),  # summer time (EDT)
    ],
)
def test_the_daily_arxiv_run_follows_each_announcement_once_its_listing_is_up(announced, read):
    # arXiv rebuilds its RSS listings at midnight EST (01:00 in summer time).
    next_day = announced.date() + timedelta(days=1)
    midnight_est = datetime(next_day.year, next_day.month, next_day.day, 5, 0, tzinfo=UTC)
    assert read.astimezone(UTC) > midnight_est
    assert ARXIV.slot(read - timedelta(minutes=1)) is None
    assert ARXIV.slot(read) == read.date().isoformat()


@pytest.mark.parametrize("day", [8, 9])  # Saturday and Sunday: arXiv's listings are empty
def test_the_daily_arxiv_run_skips_the_weekend(day):
    assert ARXIV.slot(new_york(2025, 11, day, 23, 59)) is None


def test_the_arxiv_catch_up_runs_on_saturdays_when_arxiv_announces_nothing():
    catch_up = JOB["catch-up-arxiv"]
    assert catch_up.slot(new_york(2025, 11, 8, 6, 0)) == "2025-11-08"
    assert catch_up.slot(new_york(2025, 11, 8, 5, 59)) is None
    assert all(catch_up.slot(new_york(2025, 11, d, 23, 0)) is None for d in range(2, 8))


def test_hugging_face_and_stars_are_scheduled_every_day():
    saturday = datetime(2025, 11, 8, 23, 0, tzinfo=UTC)
    assert JOB["ingest-hf-daily"].slot(saturday) is not None
    assert JOB["refresh-github-stars"].slot(saturday) == "2025-11-08"


@pytest.mark.django_db
def test_the_scheduler_enqueues_the_daily_arxiv_run_once_per_listing():
    monday = new_york(2025, 11, 3, 2, 0)
    assert enqueue_due(monday, [ARXIV]) == ["ingest-arxiv-daily"]
    assert enqueue_due(monday + timedelta(hours=5), [ARXIV]) == []
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "paperboy.ingest.tasks.ingest_arxiv_daily"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "task, lock",
    [
        (tasks.ingest_arxiv_daily, "arxiv-daily"),
        (tasks.ingest_hf_daily, "hf-daily-papers"),
        (tasks.refresh_github_stars, "github-stars"),
    ],
)
def test_a_scheduled_run_that_overlaps_a_running_one_skips(task, lock, settings):
    # Nothing listens here: a run that did not skip would fail, not pass.
    for name in ("ARXIV_API_URL", "ARXIV_RSS_URL", "HF_API_URL", "GITHUB_API_URL"):
        setattr(settings, f"PAPERBOY_{name}", "http://127.0.0.1:9/")
    assert IngestLock.acquire(lock, ttl=timedelta(minutes=5))
    assert "skipped: another run in progress" in task.call()
    assert set(IngestRun.objects.values_list("source", "status")) == {(lock, "skipped")}
