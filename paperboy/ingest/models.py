"""What ingest remembers between runs: locks, run records, backfill checkpoints, star history.

- ``IngestLock``: one row per source; a run claims it with a conditional UPDATE, so a run that
  overlaps a running one (a slow crawl, a second worker) skips instead of doubling the work.
  A claim expires (``locked_until``) so a run killed with ``kill -9`` never blocks forever.
- ``IngestRun``: what each run did (counts, status, message), for operators in the admin.
- ``Checkpoint``: where a backfill stands, written in the same transaction as the papers it
  covers, so a killed backfill resumes exactly there.
- ``GithubRepo``: the ETag and stars of each repository (the star history itself is the
  catalog's: ``papers.models.StarSnapshot``).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone


class IngestLock(models.Model):
    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def acquire(cls, name: str, *, ttl: timedelta) -> str | None:
        """Claim ``name`` for ``ttl``; returns a token for ``release``, or None when held.

        A claim whose holder was a process on this machine that no longer exists (killed
        with ``kill -9``) is taken over at once instead of waiting for it to expire.
        """
        now = timezone.now()
        token = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        try:
            with transaction.atomic():
                cls.objects.get_or_create(name=name)
        except IntegrityError:
            pass  # created by a concurrent run a moment ago
        free = models.Q(locked_until__isnull=True) | models.Q(locked_until__lt=now)
        holder = cls.objects.filter(name=name).values_list("holder", flat=True).first() or ""
        if holder and _dead_local_holder(holder):
            free |= models.Q(holder=holder)
        claimed = (
            cls.objects.filter(name=name).filter(free).update(holder=token, locked_until=now + ttl)
        )
        return token if claimed else None

    @classmethod
    def extend(cls, name: str, token: str, *, ttl: timedelta) -> bool:
        return bool(
            cls.objects.filter(name=name, holder=token).update(locked_until=timezone.now() + ttl)
        )

    @classmethod
    def release(cls, name: str, token: str) -> None:
        cls.objects.filter(name=name, holder=token).update(holder="", locked_until=None)


def _dead_local_holder(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


class IngestRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        OK = "ok"
        FAILED = "failed"
        SKIPPED = "skipped"

    source = models.CharField(max_length=100, db_index=True)
    args = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class Checkpoint(models.Model):
    key = models.CharField(max_length=200, unique=True)
    state = models.JSONField(default=dict)
    done = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class GithubRepo(models.Model):
    """One GitHub repository (``owner/name``, lower case) and what its last answer said."""

    name = models.CharField(max_length=200, unique=True)
    etag = models.CharField(max_length=200, blank=True)
    stars = models.PositiveIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    missing = models.BooleanField(default=False, help_text="GitHub answered 404 last time.")

    def __str__(self) -> str:
        return self.name


class HeldForeignKey(models.Model):
    """A foreign key of a link table that a bulk import dropped while it loads (PostgreSQL,
    ``ingest/pgload.py``), kept here until it is put back: at the import's end, or by the next
    bulk import or any ``migrate`` when the import was killed."""

    name = models.CharField(max_length=200, primary_key=True)
    table = models.CharField(max_length=200)
    column = models.CharField(max_length=200)
    target_table = models.CharField(max_length=200)
    target_column = models.CharField(max_length=200)
    definition = models.TextField(help_text="As pg_get_constraintdef gives it.")
    held_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.table}.{self.name}"
