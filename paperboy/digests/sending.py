"""Sending digests: create the delivery rows of a period, claim them, compose, send, record.

The steps, each safe to repeat and to run in several workers at once:

1. ``plan(period)`` inserts one ``Delivery`` per active subscriber of the period's frequency
   (the unique (subscription, period) constraint makes a second insert a no-op).
2. ``run()`` claims batches with a conditional UPDATE (``status`` still claimable → ``sending``,
   stamped with this run's id) and sends only the rows it won. Each row is marked ``sent`` right
   after the server accepted it, so a worker killed mid-run leaves at most the one row it was
   sending in ``sending``; after the lease (``PAPERBOY_DIGEST_LEASE_SECONDS``) another run takes
   it over. A live run renews the lease of the rows it still holds every third of a lease, so a
   slow mail server never lets another run take over (and resend) a row it is about to send.
3. A temporary failure (4xx, a dropped connection) puts the row in ``retry`` with exponential
   backoff, up to ``PAPERBOY_DIGEST_MAX_ATTEMPTS``; a permanent one about the recipient (5xx
   to RCPT or DATA) fails it and marks the address bounced, so it gets nothing more. A 5xx
   about the sender or the login, or a digest that cannot be composed, is retried like a
   temporary failure and bounces nobody; after three such failures in a row the run stops and
   hands the rest of its batch back for a retry.

``send(…, workers=N)`` (``paperboy digests send --workers N``) runs step 2 in N forked processes
at once; the claims keep them from ever sending the same digest. Each worker composes a whole
claimed batch at a time (``compose.Composer.compose_many``).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import batched

from django.conf import settings
from django.core import mail
from django.db.models import F
from django.utils import timezone

from paperboy.digests import emails, periods
from paperboy.digests.compose import Composer, Digest
from paperboy.digests.models import Delivery, Subscription
from paperboy.digests.periods import DigestPeriod
from paperboy.foryou import engine

log = logging.getLogger(__name__)


def batch_size() -> int:
    """Deliveries a worker claims, composes and sends at a time."""
    return max(1, settings.PAPERBOY_DIGEST_BATCH_SIZE)


@dataclass
class Report:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    skipped: int = 0
    lines: list[str] = field(default_factory=list)  # --dry-run: what would be sent
    last_error: str = ""  # the last SMTP failure of the run, for the command's output
    stopped: bool = False  # the run gave up early: the mail server or the settings fail

    def __str__(self) -> str:
        return (
            f"sent {self.sent}, to retry {self.retry}, failed {self.failed}, skipped {self.skipped}"
        )


def due_periods(now: datetime) -> list[DigestPeriod]:
    """The periods whose digests are due at ``now`` (in the site's time zone)."""
    local = timezone.localtime(now)
    found = [periods.due(f, local) for f in (periods.DAILY, periods.WEEKLY)]
    return [p for p in found if p is not None]


def current_periods(now: datetime) -> list[DigestPeriod]:
    today = timezone.localtime(now).date()
    return [periods.current(f, today) for f in (periods.DAILY, periods.WEEKLY)]


def plan(period: DigestPeriod) -> int:
    """Insert the missing delivery rows of ``period``; returns how many were new."""
    ids = list(Subscription.objects.due_for(period).values_list("pk", flat=True))
    Delivery.objects.bulk_create(
        [Delivery(subscription_id=pk, period=period.key) for pk in ids],
        ignore_conflicts=True,
        batch_size=500,
    )
    return len(ids)


def dry_run(period: DigestPeriod) -> Report:
    """What ``send`` would do for ``period``, writing nothing."""
    report = Report()
    composer = Composer(period)
    pending = Delivery.objects.filter(period=period.key).exclude(
        status__in=[Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.SKIPPED]
    )
    subs = Subscription.objects.active().filter(frequency=period.frequency)
    subs = subs.filter(pk__in=pending.values("subscription_id")) | subs.due_for(period)
    for chunk in batched(subs.order_by("pk"), batch_size()):
        for sub, digest in zip(chunk, composer.compose_many(chunk), strict=True):
            if digest.is_empty and not settings.PAPERBOY_DIGEST_SEND_EMPTY:
                report.skipped += 1
                report.lines.append(f"{period.key} {sub.email}: nothing to send")
                continue
            report.sent += 1
            report.lines.append(
                f"{period.key} {sub.email}: {len(digest.trending)} trending, "
                f"{len(digest.for_you)} for you"
                + "".join(f", {len(a.items)} {a.label}" for a in digest.alerts)
            )
    return report


def send(periods_: list[DigestPeriod], *, now: datetime | None = None, workers: int = 1) -> Report:
    """Plan ``periods_`` and send every claimable delivery (including retries now due), in
    ``workers`` processes."""
    for period in periods_:
        plan(period)
    if workers > 1:
        return run_parallel(workers, now=now)
    return run(now=now)


def run_parallel(workers: int, *, now: datetime | None = None) -> Report:
    """``run`` in ``workers`` forked processes at once, their reports added up. Safe because
    every delivery is claimed before it is sent: no two workers send the same one. A worker
    that dies leaves its claimed digests to the next run (after the lease); an exception in
    a worker (a wrong mail setting) is raised here once every worker has finished."""
    from django.db import connections

    # Each child opens its own database and SMTP connections; none may be shared.
    connections.close_all()
    with contextlib.suppress(smtplib.SMTPException, OSError):
        mail.mailers.default.close()
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    processes = [context.Process(target=_worker, args=(now, results)) for _ in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    total, errors = Report(), []
    while not results.empty():
        report = results.get()
        if isinstance(report, BaseException):
            errors.append(report)
            continue
        total.sent += report.sent
        total.retry += report.retry
        total.failed += report.failed
        total.skipped += report.skipped
        total.last_error = report.last_error or total.last_error
        total.stopped = total.stopped or report.stopped
    if errors:
        raise errors[0]
    for process in processes:
        if process.exitcode:
            total.last_error = f"a sending worker exited with code {process.exitcode}"
            log.error("digests: %s; the next run sends what it held", total.last_error)
    return total


def _worker(now: datetime | None, results) -> None:
    from django.db import connections

    try:
        results.put(run(now=now))
    except Exception as exc:
        try:
            results.put(exc)
        except Exception:  # an exception that cannot be pickled: its text, then
            results.put(RuntimeError(repr(exc)))
    finally:
        connections.close_all()


def claim(*, worker: str, now: datetime, size: int) -> list[Delivery]:
    """Up to ``size`` claimable deliveries, now claimed by ``worker``; empty only when nothing
    is left to claim."""
    lease = timedelta(seconds=settings.PAPERBOY_DIGEST_LEASE_SECONDS)
    while True:
        candidates = list(
            Delivery.objects.claimable(now, lease=lease)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not candidates:
            return []
        # The WHERE is re-checked row by row at UPDATE time: a row another worker took
        # meanwhile is no longer claimable and stays theirs.
        won = (
            Delivery.objects.filter(pk__in=candidates)
            .claimable(now, lease=lease)
            .update(
                status=Delivery.Status.SENDING,
                claimed_by=worker,
                claimed_at=now,
                attempts=F("attempts") + 1,
            )
        )
        if won:
            return list(
                Delivery.objects.filter(
                    pk__in=candidates, claimed_by=worker, status=Delivery.Status.SENDING
                )
                .select_related("subscription")
                .order_by("pk")
            )
        # Another worker took every one of these between our read and our update: there
        # may well be more behind them, so look again rather than stop.


def renew(deliveries: list[Delivery], *, worker: str, now: datetime) -> list[Delivery]:
    """Extend this run's lease on ``deliveries``; returns those it still holds (a run that was
    paused longer than the lease may have lost some to another run, which sends them)."""
    pks = [d.pk for d in deliveries]
    held = Delivery.objects.filter(pk__in=pks, claimed_by=worker, status=Delivery.Status.SENDING)
    held.update(claimed_at=now)
    kept = set(held.values_list("pk", flat=True))
    return [d for d in deliveries if d.pk in kept]


def run(*, now: datetime | None = None, size: int | None = None) -> Report:
    """Send every claimable delivery, batch after batch, through one SMTP connection."""
    size = size or batch_size()
    report = Report()
    worker = uuid.uuid4().hex
    composers: dict[str, Composer] = {}
    connection = mail.mailers.default
    renew_after = timedelta(seconds=settings.PAPERBOY_DIGEST_LEASE_SECONDS / 3)
    trouble = 0  # messages in a row that failed for reasons not about their recipient
    try:
        while True:
            batch_now = now or timezone.now()
            batch = claim(worker=worker, now=batch_now, size=size)
            if not batch:
                break
            digests = compose_batch(batch, composers)
            renewed_at = batch_now
            while batch:
                clock = now or timezone.now()
                if clock - renewed_at >= renew_after:
                    batch, renewed_at = renew(batch, worker=worker, now=clock), clock
                    if not batch:
                        break
                delivery = batch.pop(0)
                ok = deliver(
                    delivery,
                    composer=composers[delivery.period],
                    connection=connection,
                    now=clock,
                    report=report,
                    digest=digests.get(delivery.pk),
                )
                trouble = 0 if ok else trouble + 1
                if trouble >= SERVER_TROUBLE_LIMIT:
                    report.retry += release(
                        batch, worker=worker, now=clock, error=report.last_error
                    )
                    log.error(
                        "digests: stopping the run, the mail server or settings fail: %s",
                        report.last_error,
                    )
                    report.stopped = True
                    return report
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return report


def compose_batch(batch: list[Delivery], composers: dict[str, Composer]) -> dict[int, Digest]:
    """The digests of a claimed batch, composed together (a fixed number of queries and one
    similarity product per period, see ``compose.Composer.compose_many``), by delivery id. If
    that fails, the batch's digests are composed one by one as they are sent, so one
    subscription that cannot be composed fails only its own delivery."""
    digests: dict[int, Digest] = {}
    by_period: dict[str, list[Delivery]] = {}
    for delivery in batch:
        if delivery.period not in composers:
            composers[delivery.period] = Composer(periods.from_key(delivery.period))
        if delivery.subscription.is_active:
            by_period.setdefault(delivery.period, []).append(delivery)
    for key, deliveries in by_period.items():
        try:
            composed = composers[key].compose_many([d.subscription for d in deliveries])
        except Exception:
            log.exception("digests: a batch of %s could not be composed together", key)
            continue
        digests.update(zip([d.pk for d in deliveries], composed, strict=True))
    return digests


def _finish(delivery: Delivery, **fields) -> None:
    # Only the run holding the claim may finish the row.
    Delivery.objects.filter(pk=delivery.pk, claimed_by=delivery.claimed_by).update(**fields)


def _smtp_code(exc: Exception) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return max(codes) if codes else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


# Failures that are about the recipient: a 5xx here means "never mail this address again".
RECIPIENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)
# A run stops after this many messages in a row failed for reasons that are not about the
# recipient (connection refused, login refused, sender refused): the next ones would too.
SERVER_TROUBLE_LIMIT = 3


def deliver(
    delivery: Delivery,
    *,
    composer: Composer,
    connection,
    now,
    report: Report,
    digest: Digest | None = None,
) -> bool:
    """Send one claimed delivery (its ``digest``, or composed here) and record the outcome on
    its row. Returns False when it failed for a reason that is not about the recipient (the
    server, the settings, a bug), True otherwise."""
    sub = delivery.subscription
    if not sub.is_active:
        _finish(delivery, status=Delivery.Status.SKIPPED, last_error="no longer subscribed")
        report.skipped += 1
        return True
    try:
        if digest is None:
            digest = composer.compose(sub)
        if digest.is_empty and not settings.PAPERBOY_DIGEST_SEND_EMPTY:
            _finish(delivery, status=Delivery.Status.SKIPPED, last_error="nothing in this period")
            report.skipped += 1
            return True
        emails.send(emails.digest(sub, digest), connection=connection)
    except (smtplib.SMTPException, OSError) as exc:
        code = _smtp_code(exc)
        error = f"{code or ''} {exc}".strip()[:500]
        about_recipient = isinstance(exc, RECIPIENT_ERRORS)
        if not about_recipient:
            # The connection itself may be broken: start the next message on a fresh one.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()
        if about_recipient and periods.is_permanent(code):
            report.last_error = error
            _finish(delivery, status=Delivery.Status.FAILED, last_error=error)
            sub.mark_bounced(error, now=now)
            report.failed += 1
            log.warning("digest to subscription %s failed permanently: %s", sub.pk, error)
            return True
        # A 4xx, or a 5xx about the sender, the login or the server (a wrong password must
        # not mark every subscriber bounced): try again later.
        _failed_for_now(delivery, error, now=now, report=report)
        return about_recipient
    except Exception as exc:  # composing or rendering failed: a bug or a bad setting
        log.exception("digest to subscription %s could not be composed", sub.pk)
        _failed_for_now(delivery, f"could not compose: {exc!r}"[:500], now=now, report=report)
        return False
    _finish(
        delivery,
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        paper_ids=digest.paper_ids,
        last_error="",
    )
    if sub.user_id and digest.for_you:
        # The member's For you ledger: a paper recommended in a digest is never mailed again
        # (whichever subscription) and comes after the unseen ones on the page.
        engine.mark_seen(sub.user_id, [i.paper_id for i in digest.for_you], via="digest")
    report.sent += 1
    return True


def _failed_for_now(delivery: Delivery, error: str, *, now: datetime, report: Report) -> None:
    """A failure that may pass: retry after a backoff, or give up after the last attempt."""
    report.last_error = error
    if delivery.attempts >= settings.PAPERBOY_DIGEST_MAX_ATTEMPTS:
        _finish(delivery, status=Delivery.Status.FAILED, last_error=error)
        report.failed += 1
        return
    wait = periods.backoff_seconds(
        delivery.attempts, base=settings.PAPERBOY_DIGEST_RETRY_SECONDS, cap=6 * 3600
    )
    _finish(
        delivery,
        status=Delivery.Status.RETRY,
        last_error=error,
        next_attempt_at=now + timedelta(seconds=wait),
    )
    report.retry += 1


def release(deliveries: list[Delivery], *, worker: str, now: datetime, error: str) -> int:
    """Hand claimed rows that were not tried back for a retry after the first backoff (the
    claim's attempt is not counted)."""
    wait = timedelta(seconds=settings.PAPERBOY_DIGEST_RETRY_SECONDS)
    return Delivery.objects.filter(
        pk__in=[d.pk for d in deliveries], claimed_by=worker, status=Delivery.Status.SENDING
    ).update(
        status=Delivery.Status.RETRY,
        attempts=F("attempts") - 1,
        next_attempt_at=now + wait,
        last_error=f"not tried: {error}"[:500],
    )
