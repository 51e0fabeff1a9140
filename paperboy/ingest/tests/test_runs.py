"""Locks and run records: a run that overlaps a running one skips."""

import subprocess
import sys
from datetime import timedelta

from django.utils import timezone

from paperboy.ingest import jobs
from paperboy.ingest.models import IngestLock, IngestRun
from paperboy.ingest.runs import SharedRateLimiter, ingest_run


def test_a_second_claim_on_a_held_lock_fails(db):
    token = IngestLock.acquire("arxiv-daily", ttl=timedelta(minutes=5))
    assert token
    assert IngestLock.acquire("arxiv-daily", ttl=timedelta(minutes=5)) is None
    IngestLock.release("arxiv-daily", token)
    assert IngestLock.acquire("arxiv-daily", ttl=timedelta(minutes=5))


def test_an_expired_claim_can_be_taken_over(db):
    assert IngestLock.acquire("hf", ttl=timedelta(minutes=5))
    IngestLock.objects.filter(name="hf").update(locked_until=timezone.now() - timedelta(seconds=1))
    assert IngestLock.acquire("hf", ttl=timedelta(minutes=5))


def test_a_claim_of_a_dead_local_process_is_taken_over(db):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    token = IngestLock.acquire("hf", ttl=timedelta(hours=1))
    holder = token.replace(token.split(":")[1], str(dead.pid), 1)
    IngestLock.objects.filter(name="hf").update(holder=holder)
    assert IngestLock.acquire("hf", ttl=timedelta(hours=1))


def test_an_overlapping_run_skips_and_is_recorded(db):
    with ingest_run("github-stars") as outer:
        assert not outer.skipped
        with ingest_run("github-stars") as inner:
            assert inner.skipped
    statuses = list(IngestRun.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["ok", "skipped"]


def test_a_failed_run_is_recorded_and_frees_the_lock(db):
    try:
        with ingest_run("hf"):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    run = IngestRun.objects.get()
    assert (run.status, run.message) == ("failed", "RuntimeError: boom")
    assert IngestLock.acquire("hf", ttl=timedelta(minutes=5))


class FakeTime:
    def __init__(self) -> None:
        self.now = timezone.now()
        self.sleeps: list[float] = []

    def __call__(self):
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)


def test_two_processes_share_one_request_slot_per_interval(db):
    clock = FakeTime()
    daily = SharedRateLimiter("arxiv", 3.0, now=clock, sleep=clock.sleep)
    backfill = SharedRateLimiter("arxiv", 3.0, now=clock, sleep=clock.sleep)
    daily.wait()
    backfill.wait()  # the other process asked a moment ago: this one waits out the interval
    clock.now += timedelta(seconds=1)
    daily.wait()
    clock.now += timedelta(seconds=10)
    backfill.wait()
    assert clock.sleeps == [3.0, 2.0]


def test_another_source_has_its_own_slots(db):
    clock = FakeTime()
    SharedRateLimiter("arxiv", 3.0, now=clock, sleep=clock.sleep).wait()
    SharedRateLimiter("github", 3.0, now=clock, sleep=clock.sleep).wait()
    assert clock.sleeps == []


def test_ingest_runs_use_the_shared_limiter_with_the_configured_interval(settings):
    settings.PAPERBOY_ARXIV_MIN_INTERVAL = 3
    client = jobs.arxiv_client()
    assert isinstance(client.limiter, SharedRateLimiter)
    assert (client.limiter.name, client.limiter.min_interval) == ("ratelimit:arxiv", 3)
    client.close()
