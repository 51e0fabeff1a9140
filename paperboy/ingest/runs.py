"""One ingest run: claim its lock (or skip), record what it did, report progress.

    with ingest_run("arxiv-daily", args={...}) as run:
        if run.skipped:
            return
        result = ...                 # an ImportResult
        run.finish(result)

A run that overlaps a running one of the same source skips (the lock is a conditional UPDATE
on ``IngestLock``; see there). The lock expires after ``ttl`` so a run killed with ``kill -9``
frees it by itself; long runs call ``run.heartbeat()`` to keep it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from paperboy.ingest.importer import ImportResult
from paperboy.ingest.models import IngestLock, IngestRun

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(minutes=30)


class SharedRateLimiter:
    """``arxiv.RateLimiter`` across processes and machines: one request per ``min_interval``
    for every run of a source at once (a backfill, the daily run and a second worker share
    arXiv's "one request every three seconds").

    The next allowed moment lives in the ``IngestLock`` row ``ratelimit:<name>``; a request
    claims it with a conditional UPDATE, so two processes never take the same slot.
    """

    def __init__(
        self,
        name: str,
        min_interval: float,
        *,
        now: Callable[[], datetime] = timezone.now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = f"ratelimit:{name}"
        self.min_interval = min_interval
        self.now = now
        self.sleep = sleep

    def wait(self) -> None:
        if self.min_interval <= 0:
            return
        step = timedelta(seconds=self.min_interval)
        IngestLock.objects.get_or_create(name=self.name)
        while True:
            now = self.now()
            free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
            if (
                IngestLock.objects.filter(name=self.name)
                .filter(free)
                .update(locked_until=now + step)
            ):
                return
            until = (
                IngestLock.objects.filter(name=self.name)
                .values_list("locked_until", flat=True)
                .first()
            )
            if until is not None and until > now:
                self.sleep(min((until - now).total_seconds(), self.min_interval))


class Progress:
    """What a workflow tells about its progress; the CLI draws a bar, tasks stay silent."""

    def start(self, description: str, total: int | None = None) -> None:
        pass

    def advance(self, result: ImportResult) -> None:
        pass

    def note(self, message: str) -> None:
        log.info(message)


class Run:
    def __init__(self, record: IngestRun | None, lock: str, token: str | None, ttl: timedelta):
        self.record = record
        self.lock = lock
        self.token = token
        self.ttl = ttl
        self.result = ImportResult()
        self.message = ""

    @property
    def skipped(self) -> bool:
        return self.token is None

    def heartbeat(self) -> None:
        if self.token:
            IngestLock.extend(self.lock, self.token, ttl=self.ttl)

    def finish(self, result: ImportResult, message: str = "") -> None:
        self.result = result
        self.message = message


@contextmanager
def ingest_run(
    source: str, *, args: dict | None = None, ttl: timedelta = DEFAULT_TTL
) -> Iterator[Run]:
    """Claim the ``source`` lock and keep an IngestRun row; yields a Run (``skipped`` if held)."""
    token = IngestLock.acquire(source, ttl=ttl)
    if token is None:
        IngestRun.objects.create(
            source=source,
            args=args or {},
            status=IngestRun.Status.SKIPPED,
            finished_at=timezone.now(),
            message="another run of this source is in progress",
        )
        log.info("%s: another run is in progress; skipping", source)
        yield Run(None, source, None, ttl)
        return
    record = IngestRun.objects.create(source=source, args=args or {})
    run = Run(record, source, token, ttl)
    status = IngestRun.Status.FAILED
    try:
        yield run
        status = IngestRun.Status.OK
    except BaseException as e:
        run.message = run.message or f"{type(e).__name__}: {e}"
        raise
    finally:
        r = run.result
        IngestRun.objects.filter(pk=record.pk).update(
            status=status,
            finished_at=timezone.now(),
            new=r.new,
            updated=r.updated,
            unchanged=r.unchanged,
            failed=r.failed,
            message=(run.message or "\n".join(f"{i}: {why}" for i, why in r.failures[:50]))[:10000],
        )
        IngestLock.release(source, token)
