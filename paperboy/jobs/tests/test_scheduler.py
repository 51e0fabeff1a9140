from datetime import UTC, datetime, time

import pytest
from django_tasks_db.models import DBTaskResult

from paperboy.jobs.models import ScheduledRun
from paperboy.jobs.schedule import JOBS, Job
from paperboy.jobs.scheduler import enqueue_due

DAILY = Job("trending", "paperboy.feed.tasks.recompute_trending", at=time(3, 0))


def test_every_job_points_at_a_real_task():
    for job in JOBS:
        assert job.get_task().name


def test_a_daily_job_is_not_due_before_its_time():
    assert DAILY.slot(datetime(2026, 11, 25, 2, 59, tzinfo=UTC)) is None
    assert DAILY.slot(datetime(2026, 11, 25, 3, 0, tzinfo=UTC)) == "2026-11-25"


def test_a_weekday_job_skips_weekends():
    job = Job("x", DAILY.task, at=time(1, 0), weekdays=(0, 1, 2, 3, 4))
    assert job.slot(datetime(2026, 11, 28, 12, 0, tzinfo=UTC)) is None  # a Saturday


def test_an_interval_job_has_one_slot_per_interval():
    job = Job("x", DAILY.task, every=15)
    a = job.slot(datetime(2026, 11, 25, 10, 1, tzinfo=UTC))
    b = job.slot(datetime(2026, 11, 25, 10, 14, tzinfo=UTC))
    c = job.slot(datetime(2026, 11, 25, 10, 15, tzinfo=UTC))
    assert a == b != c


@pytest.mark.django_db
def test_it_enqueues_a_due_job_once_per_slot():
    now = datetime(2026, 11, 25, 3, 5, tzinfo=UTC)
    assert enqueue_due(now, [DAILY]) == ["trending"]
    assert enqueue_due(now, [DAILY]) == []
    assert ScheduledRun.objects.filter(job="trending", slot="2026-11-25").count() == 1
    assert DBTaskResult.objects.count() == 1
